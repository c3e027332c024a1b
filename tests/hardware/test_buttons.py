"""Buttons: gestures from press times (pure), and presses on gpiozero mock pins becoming actions."""

from __future__ import annotations

import asyncio

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from astros.config import ButtonConfig, GpioConfig
from astros.hardware.buttons import ButtonController, Gesture, PressTracker
from astros.hardware.gpio import GpioPins

G = Gesture


def test_short_press_without_a_double_action_counts_at_release() -> None:
    tracker = PressTracker(hold_s=0.6, double_s=0.3, wants_double=False)
    assert tracker.press(0.0) == [G.DOWN]
    assert tracker.deadline == 0.6
    assert tracker.release(0.1) == [G.SHORT]
    assert tracker.deadline is None


def test_long_press_is_reported_while_held_then_its_release() -> None:
    tracker = PressTracker(0.6, 0.3, False)
    tracker.press(0.0)
    assert tracker.tick(0.5) == []
    assert tracker.tick(0.6) == [G.LONG]
    assert tracker.deadline is None
    assert tracker.release(2.0) == [G.HELD_UP]


def test_long_press_released_before_the_timer_fired() -> None:
    tracker = PressTracker(0.6, 0.3, False)
    tracker.press(0.0)
    assert tracker.release(0.7) == [G.LONG, G.HELD_UP]


def test_double_press() -> None:
    tracker = PressTracker(0.6, 0.3, wants_double=True)
    assert tracker.press(0.0) == [G.DOWN]
    assert tracker.release(0.1) == []  # might be the first of two
    assert tracker.press(0.3) == [G.DOUBLE]
    assert tracker.release(0.4) == []
    assert tracker.tick(1.0) == []


def test_a_short_press_waits_out_the_double_window() -> None:
    tracker = PressTracker(0.6, 0.3, wants_double=True)
    tracker.press(0.0)
    tracker.release(0.1)
    assert tracker.deadline == pytest.approx(0.401)
    assert tracker.tick(0.35) == []
    assert tracker.tick(0.401) == [G.SHORT]


def test_a_late_second_press_is_a_new_press() -> None:
    tracker = PressTracker(0.6, 0.3, wants_double=True)
    tracker.press(0.0)
    tracker.release(0.1)
    assert tracker.press(1.0) == [G.SHORT, G.DOWN]  # the first press's SHORT is not lost


# -- on mock pins ----------------------------------------------------------------------------------


class RecordingVoice:
    """Records the pipeline controls the buttons call."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.microphone_muted = False

    async def talk(self) -> None:
        self.calls.append("talk")

    def hold_listening(self) -> None:
        self.calls.append("hold")

    def end_command(self) -> None:
        self.calls.append("end")

    def stop(self) -> None:
        self.calls.append("stop")

    def set_microphone_muted(self, muted: bool) -> None:
        self.calls.append(f"muted={muted}")
        self.microphone_muted = muted


@pytest.fixture
def pins(monkeypatch):
    factory = MockFactory()
    monkeypatch.setattr(Device, "pin_factory", factory)
    yield factory
    factory.reset()


async def press(pin, seconds: float = 0.02) -> None:
    pin.drive_low()  # buttons connect the pin to ground
    await asyncio.sleep(seconds)
    pin.drive_high()
    await asyncio.sleep(0.01)


def gpio(*buttons: ButtonConfig) -> GpioConfig:
    return GpioConfig(hold_seconds=0.2, double_press_seconds=0.15, bounce_seconds=0.0, buttons=list(buttons))


async def test_buttons_on_mock_pins(pins) -> None:
    voice = RecordingVoice()
    volume: list[int] = []

    async def change(delta: int) -> None:
        volume.append(delta)

    config = gpio(ButtonConfig("GPIO17", "talk", double_action="stop"), ButtonConfig("GPIO27", "mute"),
                  ButtonConfig("GPIO22", "volume_up", long_action="stop"), ButtonConfig("GPIO23", "volume_down"))
    controller = ButtonController(config, GpioPins(), lambda: voice, change, volume_step=5)
    assert controller.start() == 4
    await press(pins.pin(27))
    await press(pins.pin(22))
    await press(pins.pin(23))
    await press(pins.pin(22), 0.3)  # long: stop
    assert voice.calls == ["muted=True", "stop"] and volume == [5, -5]
    await press(pins.pin(27))
    assert voice.calls[-1] == "muted=False"
    await controller.close()


async def test_talk_button_press_hold_and_double(pins) -> None:
    voice = RecordingVoice()
    controller = ButtonController(gpio(ButtonConfig("GPIO17", "talk", double_action="stop")), GpioPins(),
                                  lambda: voice)
    controller.start()
    await press(pins.pin(17))  # press to talk: listens at once
    await asyncio.sleep(0.2)
    assert voice.calls == ["talk"]
    await press(pins.pin(17), 0.4)  # hold to talk: listen, hold through pauses, end on release
    assert voice.calls == ["talk", "talk", "hold", "end"]
    await asyncio.sleep(0.2)
    voice.calls.clear()
    await press(pins.pin(17))
    await asyncio.sleep(0.03)
    await press(pins.pin(17))  # double press: stop
    assert voice.calls == ["talk", "stop"]
    await controller.close()


async def test_callbacks_from_gpiozeros_thread_reach_the_loop(pins) -> None:
    voice = RecordingVoice()
    controller = ButtonController(gpio(ButtonConfig("GPIO27", "mute")), GpioPins(), lambda: voice)
    controller.start()

    def press_elsewhere() -> None:  # as gpiozero's own thread would
        pins.pin(27).drive_low()
        pins.pin(27).drive_high()

    await asyncio.to_thread(press_elsewhere)
    await asyncio.sleep(0.05)
    assert voice.calls == ["muted=True"]
    await controller.close()


async def test_no_voice_running_is_not_an_error(pins) -> None:
    controller = ButtonController(gpio(ButtonConfig("GPIO27", "mute"), ButtonConfig("GPIO17", "talk")),
                                  GpioPins(), lambda: None)
    controller.start()
    await press(pins.pin(27))
    await press(pins.pin(17))
    assert controller.actions == ["mute", "talk"]
    await controller.close()


async def test_no_gpio_chip_is_a_log_line(monkeypatch, caplog) -> None:
    class NoChip:
        def __getattr__(self, name):
            raise RuntimeError("Unable to load any default pin factory!")

    monkeypatch.setattr(Device, "pin_factory", NoChip())
    controller = ButtonController(gpio(ButtonConfig("GPIO17", "talk")), GpioPins(), lambda: RecordingVoice())
    assert controller.start() == 0
    assert "Button on GPIO17 is off" in caplog.text
