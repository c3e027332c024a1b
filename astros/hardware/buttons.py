"""Buttons: short, long and double presses turned into what AstrOS does.

:class:`PressTracker` is the pure part: it takes the times of presses and releases and says which
gestures they make. :class:`ButtonController` drives one tracker per button from gpiozero's
callbacks (moved onto the event loop with ``call_soon_threadsafe``) and acts on the voice through
its public controls (:class:`VoiceControls`) and on the volume through the volume plugin.

A talk button acts the moment it goes down (listen now; a reply or a ring is cut short). Held for
``hold_seconds`` it becomes hold to talk: pauses no longer end the command, letting go does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any, Optional, Protocol

from ..config import ButtonConfig, GpioConfig
from .gpio import GpioPins, GpioUnavailable

_LOGGER = logging.getLogger(__name__)


class Gesture(StrEnum):
    """What a button did."""

    DOWN = "down"
    """Pressed (not the second press of a double press)."""
    SHORT = "short"
    LONG = "long"
    """Held down for ``hold_s``; reported while it is still down."""
    HELD_UP = "held_up"
    """Let go after a long press."""
    DOUBLE = "double"


class PressTracker:
    """Pure gesture recognition from the times (seconds) of presses and releases.

    DOWN is reported at once. LONG when the button has been down ``hold_s`` (by :meth:`tick`, or
    at the release at the latest), then HELD_UP when it is let go. A second press within
    ``double_s`` of a release is DOUBLE (and its own release nothing); with ``wants_double`` a
    SHORT waits out that window, otherwise it comes with the release."""

    def __init__(self, hold_s: float, double_s: float, wants_double: bool) -> None:
        self.hold_s = hold_s
        self.double_s = double_s
        self.wants_double = wants_double
        self._down_at: Optional[float] = None
        self._long = False
        self._second = False
        self._released_at: Optional[float] = None
        """Release of a short press still waiting to see whether a second press follows."""

    def press(self, t: float) -> list[Gesture]:
        """The button went down at ``t``."""
        if self._released_at is not None and t - self._released_at <= self.double_s:
            self._released_at, self._second, self._down_at = None, True, t
            return [Gesture.DOUBLE]
        gestures = self._expire(t)
        self._down_at, self._long, self._second = t, False, False
        return gestures + [Gesture.DOWN]

    def release(self, t: float) -> list[Gesture]:
        """The button came up at ``t``."""
        if self._down_at is None:
            return []
        held, self._down_at = t - self._down_at, None
        if self._second:
            self._second = False
            return []
        if self._long:
            return [Gesture.HELD_UP]
        if held >= self.hold_s:
            return [Gesture.LONG, Gesture.HELD_UP]
        if self.wants_double:
            self._released_at = t
            return []
        return [Gesture.SHORT]

    def tick(self, t: float) -> list[Gesture]:
        """Gestures whose time has come by ``t`` (a long hold, a short press nobody doubled)."""
        if self._down_at is not None and not self._long and not self._second and t - self._down_at >= self.hold_s:
            self._long = True
            return [Gesture.LONG]
        return self._expire(t)

    def _expire(self, t: float) -> list[Gesture]:
        if self._released_at is not None and t - self._released_at > self.double_s:
            self._released_at = None
            return [Gesture.SHORT]
        return []

    @property
    def deadline(self) -> Optional[float]:
        """When :meth:`tick` next has something to say; None when nothing is pending."""
        if self._down_at is not None and not self._long and not self._second:
            return self._down_at + self.hold_s
        if self._released_at is not None:
            return self._released_at + self.double_s + 1e-3
        return None


class VoiceControls(Protocol):
    """The voice pipeline's public controls the buttons use."""

    microphone_muted: bool

    async def talk(self) -> None: ...

    def hold_listening(self) -> None: ...

    def end_command(self) -> None: ...

    def stop(self) -> None: ...

    def set_microphone_muted(self, muted: bool) -> None: ...


VoiceFinder = Callable[[], Optional[VoiceControls]]
VolumeChanger = Callable[[int], Awaitable[Any]]


class ButtonController:
    """The appliance's buttons: each press becomes talk, mute, volume up/down or stop."""

    def __init__(self, config: GpioConfig, pins: GpioPins, voice: VoiceFinder,
                 volume: Optional[VolumeChanger] = None, volume_step: int = 10) -> None:
        self.config = config
        self.pins = pins
        self.voice = voice
        self.volume = volume
        self.volume_step = volume_step
        self.actions: list[str] = []
        """Every action taken, in order (for the log and tests)."""
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._tasks: set[asyncio.Task[Any]] = set()

    def start(self) -> int:
        """Set up every configured button; returns how many work. A missing GPIO chip is logged."""
        self._loop = asyncio.get_running_loop()
        working = 0
        for button in self.config.buttons:
            try:
                device = self.pins.button(button.pin, pull_up=button.pull_up, bounce_s=self.config.bounce_seconds)
            except GpioUnavailable as err:
                _LOGGER.warning("Button on %s is off: %s", button.pin, err)
                continue
            _Button(self, button, device)
            working += 1
        return working

    def call_soon(self, callback: Callable[..., Any], *args: Any) -> None:
        """Run ``callback(*args)`` on the event loop (safe from gpiozero's thread)."""
        assert self._loop is not None
        self._loop.call_soon_threadsafe(callback, *args)

    def call_at(self, when: float, callback: Callable[[], Any]) -> asyncio.TimerHandle:
        """Run ``callback`` at loop time ``when`` (the loop's clock is ``time.monotonic``)."""
        assert self._loop is not None
        return self._loop.call_at(when, callback)

    def act(self, action: str, gesture: Gesture) -> None:
        """Do ``action`` (a :data:`~astros.config.BUTTON_ACTIONS` name) for ``gesture``."""
        if not action:
            return
        voice = self.voice()
        self.actions.append(action)
        _LOGGER.debug("Button: %s (%s)", action, gesture)
        if action in ("volume_up", "volume_down"):
            self._spawn(self._change_volume(self.volume_step if action == "volume_up" else -self.volume_step))
        elif voice is None:
            _LOGGER.info("Button %s: the voice is not running", action)
        elif action == "mute":
            voice.set_microphone_muted(not voice.microphone_muted)
        elif action == "stop":
            voice.stop()
        elif action == "talk":
            self._spawn(voice.talk())
        elif action == "talk-hold":
            voice.hold_listening()
        elif action == "talk-release":
            voice.end_command()

    async def _change_volume(self, delta: int) -> None:
        if self.volume is None:
            _LOGGER.info("Volume button: the volume skill is not loaded")
            return
        await self.volume(delta)

    def _spawn(self, work: Awaitable[Any]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            _LOGGER.error("A button action failed", exc_info=task.exception())

    async def close(self) -> None:
        """Wait for actions still running (a volume change) and cancel the rest."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


class _Button:
    """One button: its tracker, its timer, and its actions."""

    def __init__(self, controller: ButtonController, config: ButtonConfig, device: Any) -> None:
        self.controller = controller
        self.config = config
        gpio = controller.config
        self.tracker = PressTracker(gpio.hold_seconds, gpio.double_press_seconds, bool(config.double_action))
        self._timer: Optional[asyncio.TimerHandle] = None
        device.on_change(lambda t: controller.call_soon(self._handle, self.tracker.press, t),
                         lambda t: controller.call_soon(self._handle, self.tracker.release, t))

    def _handle(self, step: Callable[[float], list[Gesture]], t: float) -> None:
        self._act(step(t))
        self._schedule()

    def _tick(self) -> None:
        self._timer = None
        self._act(self.tracker.tick(asyncio.get_running_loop().time()))
        self._schedule()

    def _schedule(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        deadline = self.tracker.deadline
        if deadline is not None:
            self._timer = self.controller.call_at(deadline, self._tick)

    def _act(self, gestures: list[Gesture]) -> None:
        for gesture in gestures:
            action = self._action_for(gesture)
            if action:
                self.controller.act(action, gesture)

    def _action_for(self, gesture: Gesture) -> str:
        """A talk button listens on DOWN, holds on LONG and ends the command on HELD_UP; any
        other button acts on SHORT and LONG; both act on DOUBLE."""
        if gesture is Gesture.DOUBLE:
            return self.config.double_action
        if self.config.action == "talk":
            return {Gesture.DOWN: "talk", Gesture.LONG: "talk-hold", Gesture.HELD_UP: "talk-release"}.get(gesture, "")
        return {Gesture.SHORT: self.config.action, Gesture.LONG: self.config.long_action}.get(gesture, "")
