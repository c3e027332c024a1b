"""LEDs: the status from pipeline events (pure), and LEDs on mock pins following it."""

from __future__ import annotations

import asyncio

from astros.config import GpioConfig, LedConfig
from astros.events import EventType, PipelineEvent
from astros.hardware import leds
from astros.hardware.gpio import GpioPins
from astros.hardware.leds import Status, StatusLights, StatusTracker

E = EventType


def statuses(*kinds: EventType) -> list[str]:
    tracker = StatusTracker()
    out = []
    for kind in kinds:
        tracker.apply(PipelineEvent(kind))
        out.append(str(tracker.status))
    return out


def test_a_conversation() -> None:
    assert statuses(E.WAKE_WORD_DETECTED, E.LISTENING, E.STT_TEXT, E.THINKING, E.INTENT, E.TTS_TEXT,
                    E.TTS_SPEAKING, E.TTS_FINISHED, E.IDLE) == [
        "listening", "listening", "thinking", "thinking", "thinking", "thinking", "speaking", "idle", "idle"]


def test_a_ring_with_its_message() -> None:
    assert statuses(E.TIMER_FINISHED, E.TTS_TEXT, E.TTS_SPEAKING, E.TTS_FINISHED, E.IDLE) == [
        "ringing", "ringing", "speaking", "ringing", "idle"]


def test_mute_and_error_are_apart_from_the_status() -> None:
    tracker = StatusTracker()
    assert tracker.apply(PipelineEvent(E.MICROPHONE_MUTED, {"muted": True}))
    assert tracker.muted and tracker.status is Status.IDLE
    assert tracker.apply(PipelineEvent(E.ERROR, {"code": "stt-failed"}))
    assert tracker.error
    assert not tracker.apply(PipelineEvent(E.DEVICE_CHANGED))  # nothing a light shows


async def test_leds_on_mock_pins(pins, monkeypatch) -> None:
    monkeypatch.setattr(leds, "ERROR_SHOWN_S", 0.2)
    config = GpioConfig(leds=[LedConfig("GPIO5", "listening"), LedConfig("GPIO6", "error"),
                              LedConfig("GPIO13", "muted", active_high=False), LedConfig("GPIO19", "status")])
    lights = StatusLights.from_config(config, GpioPins())
    listening, error, muted, status = (pins.pin(n) for n in (5, 6, 13, 19))
    assert not listening.state and muted.state  # active low: off is a high pin
    lights.on_event(PipelineEvent(E.LISTENING))
    assert listening.state and status.state
    lights.on_event(PipelineEvent(E.THINKING))
    assert not listening.state
    seen = set()
    for _ in range(20):  # the status LED blinks while thinking: its pin goes both ways
        seen.add(bool(status.state))
        await asyncio.sleep(0.05)
    assert seen == {True, False}
    lights.on_event(PipelineEvent(E.MICROPHONE_MUTED, {"muted": True}))
    assert not muted.state  # lit (active low)
    lights.on_event(PipelineEvent(E.ERROR))
    assert error.state
    await asyncio.sleep(0.3)
    assert not error.state  # an error shows for a moment
    lights.close()
