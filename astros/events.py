"""Events AstrOS publishes as things happen, and the bus that hands them to subscribers.

Subscribers are plain callables (``events.append`` in tests, the WebSocket, the LED driver, the
log); a coroutine function is scheduled as a task. A subscriber that raises is logged and skipped,
so one broken listener never stops the others.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

_LOGGER = logging.getLogger(__name__)


class EventType(StrEnum):
    """What happened."""

    WAKE_WORD_DETECTED = "wake_word_detected"
    LISTENING = "listening"
    STT_TEXT = "stt_text"
    THINKING = "thinking"
    INTENT = "intent"
    TTS_TEXT = "tts_text"
    TTS_SPEAKING = "tts_speaking"
    TTS_FINISHED = "tts_finished"
    IDLE = "idle"
    ERROR = "error"
    TIMER_STARTED = "timer_started"
    TIMER_UPDATED = "timer_updated"
    TIMER_CANCELLED = "timer_cancelled"
    TIMER_FINISHED = "timer_finished"
    ALARM_RINGING = "alarm_ringing"
    DEVICE_CHANGED = "device_changed"
    VOLUME_CHANGED = "volume_changed"
    ANNOUNCEMENT = "announcement"
    MICROPHONE_MUTED = "microphone_muted"
    """The microphone was closed (``muted: true``) or opened again (a mute button)."""


@dataclass(frozen=True, slots=True)
class PipelineEvent:
    """One event: its type, its data, and when it happened (``time.time()`` seconds)."""

    type: EventType
    data: dict[str, Any] = field(default_factory=dict)
    timestamp: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        """The event as plain JSON-ready data."""
        return {"type": str(self.type), "data": dict(self.data), "timestamp": self.timestamp}


Subscriber = Callable[[PipelineEvent], Any]


class EventBus:
    """Hands each published event to every subscriber, in subscription order."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._tasks: set[asyncio.Task[Any]] = set()

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Call ``subscriber`` with every later event; returns a function that unsubscribes."""
        self._subscribers.append(subscriber)
        return lambda: self._subscribers.remove(subscriber) if subscriber in self._subscribers else None

    def publish(self, event: PipelineEvent) -> None:
        """Deliver ``event`` to every subscriber."""
        for subscriber in list(self._subscribers):
            try:
                result = subscriber(event)
                if inspect.isawaitable(result):
                    task = asyncio.ensure_future(result)
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
            except Exception:  # noqa: BLE001 - one broken listener must not stop the others
                _LOGGER.exception("Event subscriber %r failed on %s", subscriber, event.type)

    def emit(self, type_: EventType, **data: Any) -> PipelineEvent:
        """Publish an event of ``type_`` with ``data``; returns it."""
        event = PipelineEvent(type_, data)
        self.publish(event)
        return event
