"""How commands reach devices: kept state only (``""``), GPIO pins, or an MQTT broker.

:class:`Backends` applies a batch of commands at once (all MQTT messages of a batch go over one
connection) and says, per device, why one could not be reached.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

from astros.config import DeviceConfig, MQTTConfig
from astros.hardware.gpio import GpioUnavailable

from ..devices import Command
from .formats import Message, UnsupportedCommand, command_messages
from .gpio import GpioBackend
from .mqtt import DEFAULT_TIMEOUT, BrokerUnreachable, MqttLink

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class Failure:
    """Why one device could not be reached."""

    reason: str
    """For the log and ``Response.data``."""
    hint: str = ""
    """A sentence for the person, when there is something they can do about it."""


class Backends:
    """Every backend of the home, behind one ``apply`` call."""

    def __init__(self, mqtt: MQTTConfig, mqtt_timeout: float = DEFAULT_TIMEOUT) -> None:
        self.gpio = GpioBackend()
        self.mqtt = MqttLink(mqtt, mqtt_timeout)

    async def apply(
        self, batch: Sequence[Tuple[DeviceConfig, Command, Dict[str, Any]]]
    ) -> Dict[str, Failure]:
        """Carry out every (device, command, state before) of ``batch``; the failures, by device name."""
        failures: Dict[str, Failure] = {}
        outgoing: List[Message] = []
        mqtt_devices: List[DeviceConfig] = []
        for device, command, state in batch:
            failure = self._local(device, command, state, outgoing, mqtt_devices)
            if failure is not None:
                failures[device.name] = failure
        if outgoing:
            try:
                await self.mqtt.publish(outgoing)
            except BrokerUnreachable as err:
                failures.update({d.name: Failure(f"MQTT broker unreachable: {err}") for d in mqtt_devices})
        return failures

    def _local(
        self,
        device: DeviceConfig,
        command: Command,
        state: Dict[str, Any],
        outgoing: List[Message],
        mqtt_devices: List[DeviceConfig],
    ) -> Optional[Failure]:
        """Apply a GPIO command now, or queue the MQTT messages; a Failure if that cannot be done."""
        try:
            if device.backend == "gpio":
                self.gpio.apply(device, command, state)
            elif device.backend == "mqtt":
                outgoing.extend(command_messages(device, command))
                mqtt_devices.append(device)
        except GpioUnavailable as err:
            _LOGGER.warning("GPIO: cannot drive %s on %s: %s", device.name, device.pin, err)
            return Failure(str(err), f"{str(err)[:1].upper()}{str(err)[1:]}.")
        except (UnsupportedCommand, ValueError) as err:
            return Failure(str(err), f"{str(err)[:1].upper()}{str(err)[1:]}.")
        return None

    def read(self, device: DeviceConfig) -> Optional[Dict[str, Any]]:
        """What a backend can read of ``device`` right now (GPIO pins), or None."""
        return self.gpio.read(device) if device.backend == "gpio" else None

    def close(self) -> None:
        """Release what the backends hold (GPIO pins)."""
        self.gpio.close()
