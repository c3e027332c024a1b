"""WebSocketManager: live connections to phones and the web page.

Each connection gets a bounded queue and its own sender task, so a slow or dead phone never holds
up the others, the event bus or the voice pipeline: when its queue is full it is closed (code
4029) instead of buffering without end. Broadcasts are serialised to JSON once and queued for every
client without waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Dict, Final, Optional, Set

from aiohttp import web

from ..events import EventType, PipelineEvent

_LOGGER = logging.getLogger(__name__)

CLOSE_BAD_MESSAGE: Final = 4000
CLOSE_UNAUTHORIZED: Final = 4001
CLOSE_FORBIDDEN: Final = 4003
CLOSE_AUTH_TIMEOUT: Final = 4008
CLOSE_TOO_SLOW: Final = 4029
SEND_TIMEOUT_S: Final = 10.0
ANNOUNCED: Final = frozenset({EventType.TIMER_FINISHED, EventType.ALARM_RINGING, EventType.ANNOUNCEMENT})
PRIVATE_FIELDS: Final = frozenset({"text", "entities", "command"})
"""Event fields that could reveal what someone else asked; not sent to every client."""


@dataclass(eq=False)
class Client:
    """One open WebSocket of one logged-in user."""

    ws: web.WebSocketResponse
    user_id: str
    session_id: str
    queue: "asyncio.Queue[str]"
    sender: Optional["asyncio.Task[None]"] = None
    dropped: bool = False
    extra: Dict[str, Any] = field(default_factory=dict)


def event_messages(event: PipelineEvent) -> list[Dict[str, Any]]:
    """The messages an event becomes: always a ``status``; an ``announcement`` for what is said aloud."""
    data = {k: v for k, v in event.data.items() if k not in PRIVATE_FIELDS}
    status = {"status": str(event.type), "message": data.get("message", ""), "data": data, "timestamp": event.timestamp}
    messages = [{"type": "status", "data": status}]
    if event.type in ANNOUNCED:
        text = str(data.get("message") or event.type)
        messages.append({"type": "announcement", "data": {"event": str(event.type), "message": text}})
    return messages


class WebSocketManager:
    """Manages WebSocket connections."""

    def __init__(self, queue_size: int = 100) -> None:
        self.queue_size = queue_size
        self._clients: Dict[str, Set[Client]] = {}
        self.dropped = 0
        """Clients closed because they could not keep up."""
        self._closing: Set["asyncio.Task[None]"] = set()

    @property
    def count(self) -> int:
        return sum(len(clients) for clients in self._clients.values())

    async def connect(self, websocket: web.WebSocketResponse, user_id: str, session_id: str = "") -> Client:
        """Handle new WebSocket connection: register it and start its sender."""
        client = Client(websocket, user_id, session_id, asyncio.Queue(self.queue_size))
        client.sender = asyncio.create_task(self._send_loop(client), name=f"ws:{user_id}")
        self._clients.setdefault(user_id, set()).add(client)
        _LOGGER.info("WebSocket client of %s connected (%d open)", user_id, self.count)
        return client

    async def disconnect(self, user_id: str) -> None:
        """Handle WebSocket disconnection: close every connection of ``user_id``."""
        for client in list(self._clients.get(user_id, ())):
            await self.remove(client)

    async def disconnect_session(self, session_id: str) -> None:
        """Close the connections opened with a session (after logout)."""
        for client in [c for clients in self._clients.values() for c in clients if c.session_id == session_id]:
            await self.remove(client, CLOSE_UNAUTHORIZED, "logged out")

    async def remove(self, client: Client, code: int = 1000, reason: str = "") -> None:
        """Forget ``client``, stop its sender and close its socket."""
        clients = self._clients.get(client.user_id)
        if clients is not None:
            clients.discard(client)
            if not clients:
                self._clients.pop(client.user_id, None)
        if client.sender is not None and client.sender is not asyncio.current_task():
            client.sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await client.sender
        if not client.ws.closed:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.ws.close(code=code, message=reason.encode()), SEND_TIMEOUT_S)

    async def send_message(self, user_id: str, message: Dict[str, Any]) -> None:
        """Send message to user (each of their open connections)."""
        text = json.dumps(message, default=str)
        for client in list(self._clients.get(user_id, ())):
            self._queue(client, text)

    async def send_message_to(self, client: Client, message: Dict[str, Any]) -> None:
        """Send message to one connection."""
        self._queue(client, json.dumps(message, default=str))

    async def broadcast_message(self, message: Dict[str, Any]) -> None:
        """Broadcast message to all connected users."""
        self.broadcast_text(json.dumps(message, default=str))

    def broadcast_text(self, text: str) -> None:
        """Queue already serialised JSON for every client, without waiting."""
        for clients in list(self._clients.values()):
            for client in list(clients):
                self._queue(client, text)

    def publish_event(self, event: PipelineEvent) -> None:
        """EventBus subscriber: every event to every client, as ``status`` (and ``announcement``)."""
        if not self._clients:
            return
        for message in event_messages(event):
            self.broadcast_text(json.dumps(message, default=str))

    def _queue(self, client: Client, text: str) -> None:
        if client.dropped:
            return
        try:
            client.queue.put_nowait(text)
        except asyncio.QueueFull:
            client.dropped = True
            self.dropped += 1
            _LOGGER.warning("WebSocket client of %s is too slow; closing it", client.user_id)
            task = asyncio.ensure_future(self.remove(client, CLOSE_TOO_SLOW, "too slow"))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    async def _send_loop(self, client: Client) -> None:
        try:
            while True:
                text = await client.queue.get()
                await asyncio.wait_for(client.ws.send_str(text), SEND_TIMEOUT_S)
        except asyncio.CancelledError:
            raise
        except Exception as err:  # noqa: BLE001 - a broken connection ends only itself
            _LOGGER.info("WebSocket client of %s went away (%s)", client.user_id, type(err).__name__)
            client.dropped = True
            await self.remove(client, CLOSE_TOO_SLOW if isinstance(err, TimeoutError) else 1011, "send failed")

    async def close_all(self) -> None:
        """Close every connection (on the way out)."""
        for clients in list(self._clients.values()):
            for client in list(clients):
                await self.remove(client, 1001, "AstrOS is stopping")
