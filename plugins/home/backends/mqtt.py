"""The MQTT broker connection: the one module of AstrOS that imports aiomqtt.

While the appliance runs, :meth:`MqttLink.run` keeps one connection open (reconnecting with
backoff and logging once per outage), listens to the devices' state topics and publishes commands
through it. A one-shot process (``astros ask``) has no such connection: a command then connects,
publishes and disconnects. Either way a publish gives up after ``timeout`` seconds, so an
unreachable broker is an answer, not a hang.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Final, Optional

import aiomqtt

from astros.config import MQTTConfig

_LOGGER = logging.getLogger(__name__)
BACKOFF_START: Final = 1.0  # seconds before the first reconnection attempt
BACKOFF_MAX: Final = 60.0  # seconds between attempts at most
DEFAULT_TIMEOUT: Final = 3.0  # seconds a publish may take, connecting included

MessageHandler = Callable[[str, bytes], Awaitable[None]]


class BrokerUnreachable(Exception):
    """The broker could not be reached (or did not confirm) in time."""


class MqttLink:
    """One broker: a background connection for listening, and publishing with or without it."""

    def __init__(self, config: MQTTConfig, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.config = config
        self.timeout = timeout
        self.connected = asyncio.Event()
        """Set while the background connection is up and subscribed."""
        self._client: Optional[aiomqtt.Client] = None

    def _new_client(self, identifier: str) -> aiomqtt.Client:
        return aiomqtt.Client(
            self.config.host,
            self.config.port,
            username=self.config.username or None,
            password=self.config.password or None,
            identifier=identifier,
            timeout=self.timeout,
        )

    async def run(self, topics: Sequence[str], on_message: MessageHandler) -> None:
        """Stay connected, subscribed to ``topics``, handing every message to ``on_message``; never returns."""
        backoff, outage = BACKOFF_START, False
        while True:
            try:
                async with self._new_client(self.config.client_id) as client:
                    for topic in topics:
                        await client.subscribe(topic)
                    self._client = client
                    self.connected.set()
                    _LOGGER.info("MQTT: connected to %s:%d", self.config.host, self.config.port)
                    backoff, outage = BACKOFF_START, False
                    async for message in client.messages:
                        await self._deliver(on_message, message)
            except aiomqtt.MqttError as err:
                if not outage:
                    _LOGGER.warning(
                        "MQTT: broker %s:%d unreachable (%s); retrying in the background",
                        self.config.host, self.config.port, err,
                    )
                outage = True
            finally:
                self._client = None
                self.connected.clear()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, BACKOFF_MAX)

    @staticmethod
    async def _deliver(on_message: MessageHandler, message: aiomqtt.Message) -> None:
        payload = message.payload if isinstance(message.payload, (bytes, bytearray)) else str(message.payload).encode()
        try:
            await on_message(str(message.topic), bytes(payload))
        except Exception:  # noqa: BLE001 - one bad report must not drop the connection
            _LOGGER.exception("MQTT: could not handle a message on %s", message.topic)

    async def publish(self, messages: Sequence[tuple[str, str]]) -> None:
        """Publish ``messages`` (topic, payload) in order, within ``timeout`` seconds.

        Raises:
            BrokerUnreachable: the broker could not be reached or did not confirm in time.
        """
        try:
            async with asyncio.timeout(self.timeout):
                client = self._client
                if client is not None:
                    try:
                        await _publish_all(client, messages)
                        return
                    except aiomqtt.MqttError:
                        _LOGGER.info("MQTT: the background connection failed; publishing on a new one")
                async with self._new_client(f"{self.config.client_id}-{uuid.uuid4().hex[:8]}") as once:
                    await _publish_all(once, messages)
        except (aiomqtt.MqttError, TimeoutError, OSError) as err:
            _LOGGER.warning("MQTT: could not publish to %s:%d: %s", self.config.host, self.config.port, err or "timed out")
            raise BrokerUnreachable(str(err) or "the broker did not answer in time") from err


async def _publish_all(client: aiomqtt.Client, messages: Sequence[tuple[str, str]]) -> None:
    for topic, payload in messages:
        await client.publish(topic, payload, qos=1)
