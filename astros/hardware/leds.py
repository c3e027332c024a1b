"""LEDs that show what AstrOS is doing, driven by the pipeline's events.

:class:`StatusTracker` is the pure part: it follows :class:`~astros.events.PipelineEvent` objects
and knows the current :class:`Status` (idle, listening, thinking, speaking, ringing), whether the
microphone is muted and whether something just failed. An :class:`Indicator` shows that; a plain
LED on a pin (:class:`LedIndicator`) shows one part of it; a LED ring
(:class:`~astros.hardware.ring.LedRing`) shows all of it in colour.
"""

from __future__ import annotations

import asyncio
import logging
from enum import StrEnum
from typing import Final, Optional, Protocol

from ..config import GpioConfig
from ..events import EventType, PipelineEvent
from .gpio import GpioLight, GpioPins, GpioUnavailable

_LOGGER = logging.getLogger(__name__)
ERROR_SHOWN_S: Final = 2.0  # seconds an error LED stays lit
SLOW_BLINK: Final = (0.4, 0.4)  # seconds on, seconds off: thinking
FAST_BLINK: Final = (0.15, 0.15)  # ringing


class Status(StrEnum):
    """What AstrOS is doing, as a light shows it."""

    IDLE = "idle"
    LISTENING = "listening"
    THINKING = "thinking"
    SPEAKING = "speaking"
    RINGING = "ringing"


class StatusTracker:
    """Pure: the status, the mute and the error state, from the events seen so far."""

    def __init__(self) -> None:
        self.status = Status.IDLE
        self.muted = False
        self.error = False
        self._ringing = False

    def apply(self, event: PipelineEvent) -> bool:
        """Take one event; returns True if anything a light shows changed."""
        before = (self.status, self.muted, self.error)
        kind = event.type
        if kind in (EventType.WAKE_WORD_DETECTED, EventType.LISTENING):
            self.status, self.error = Status.LISTENING, False
        elif kind in (EventType.STT_TEXT, EventType.THINKING):
            self.status = Status.THINKING
        elif kind is EventType.TTS_SPEAKING:
            self.status = Status.SPEAKING
        elif kind is EventType.TTS_FINISHED:
            self.status = Status.RINGING if self._ringing else Status.IDLE
        elif kind in (EventType.TIMER_FINISHED, EventType.ALARM_RINGING):
            self._ringing = True
            if self.status is Status.IDLE:
                self.status = Status.RINGING
        elif kind is EventType.IDLE:
            self.status, self._ringing = Status.IDLE, False
        elif kind is EventType.ERROR:
            self.error = True
        elif kind is EventType.MICROPHONE_MUTED:
            self.muted = bool(event.data.get("muted", True))
        return (self.status, self.muted, self.error) != before

    def clear_error(self) -> None:
        self.error = False


class Indicator(Protocol):
    """Anything that shows the tracker's state: a LED, a LED ring."""

    def show(self, state: StatusTracker) -> None: ...

    def close(self) -> None: ...


class LedIndicator:
    """One LED showing one thing (``shows``): the whole status, or one part of it."""

    def __init__(self, light: GpioLight, shows: str) -> None:
        self.light = light
        self.shows = shows
        self.pattern = "off"
        """What the LED is doing: "on", "off", "slow" or "fast" (blinking)."""

    def show(self, state: StatusTracker) -> None:
        self._set(self._pattern(state))

    def _pattern(self, state: StatusTracker) -> str:
        if self.shows == "muted":
            return "on" if state.muted else "off"
        if self.shows == "error":
            return "on" if state.error else "off"
        if self.shows == "status":
            return {Status.LISTENING: "on", Status.THINKING: "slow", Status.SPEAKING: "on",
                    Status.RINGING: "fast"}.get(state.status, "off")
        return ("fast" if self.shows == "ringing" else "on") if state.status.value == self.shows else "off"

    def _set(self, pattern: str) -> None:
        if pattern == self.pattern:
            return
        self.pattern = pattern
        if pattern == "on":
            self.light.on()
        elif pattern == "off":
            self.light.off()
        else:
            self.light.blink(*(SLOW_BLINK if pattern == "slow" else FAST_BLINK))

    def close(self) -> None:
        self.light.close()


class StatusLights:
    """Every configured indicator, kept in step with the events handed to :meth:`on_event`."""

    def __init__(self, indicators: Optional[list[Indicator]] = None) -> None:
        self.state = StatusTracker()
        self.indicators: list[Indicator] = indicators or []
        self._clear_error: Optional[asyncio.TimerHandle] = None

    @classmethod
    def from_config(cls, config: GpioConfig, pins: GpioPins) -> "StatusLights":
        """A LED per ``[[gpio.leds]]`` entry and the ``[gpio.ring]``; one that cannot be had is logged
        and left out."""
        from .ring import LedRing

        indicators: list[Indicator] = []
        for led in config.leds:
            try:
                indicators.append(LedIndicator(pins.light(led.pin, active_high=led.active_high), led.shows))
            except GpioUnavailable as err:
                _LOGGER.warning("LED on %s is off: %s", led.pin, err)
        ring = LedRing.from_config(config.ring, pins)
        return cls(indicators + ([ring] if ring is not None else []))

    def on_event(self, event: PipelineEvent) -> None:
        """An event bus subscriber: update the state and every indicator."""
        if not self.state.apply(event):
            return
        if event.type is EventType.ERROR:
            self._schedule_error_clear()
        self._show()

    def _schedule_error_clear(self) -> None:
        if self._clear_error is not None:
            self._clear_error.cancel()
        self._clear_error = asyncio.get_running_loop().call_later(ERROR_SHOWN_S, self._error_over)

    def _error_over(self) -> None:
        self._clear_error = None
        self.state.clear_error()
        self._show()

    def _show(self) -> None:
        for indicator in self.indicators:
            try:
                indicator.show(self.state)
            except Exception:  # noqa: BLE001 - one broken light must not stop the others
                _LOGGER.exception("An indicator failed")

    def close(self) -> None:
        if self._clear_error is not None:
            self._clear_error.cancel()
        for indicator in self.indicators:
            indicator.close()
