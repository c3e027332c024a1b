"""The LED ring: APA102 frames clocked out over gpiozero's SPI on mock pins, read back by a mock ring."""

from __future__ import annotations

import pytest
from gpiozero.pins.mock import MockSPIDevice

from astros.config import ConfigError, GpioConfig, LedRingConfig, parse_config
from astros.events import EventType, PipelineEvent
from astros.hardware.gpio import GpioPins
from astros.hardware.leds import StatusLights
from astros.hardware.ring import apa102_frame

E = EventType
BLUE, VIOLET, GREEN, RED, OFF = (0, 80, 255), (160, 0, 255), (0, 200, 60), (255, 0, 0), (0, 0, 0)


class MockApa102(MockSPIDevice):
    """The LEDs' side of the wire: every bit clocked in while selected, decoded into colours."""

    def __init__(self, leds: int, **pins: str) -> None:
        super().__init__(**pins)
        self.leds = leds
        self.bits: list[int] = []

    def on_bit(self) -> None:
        self.bits.append(int(self.rx_buf[-1]))

    @property
    def frames(self) -> list[tuple[int, list[tuple[int, int, int]]]]:
        """Each (brightness, colours) received, in order."""
        data = bytes(int("".join(map(str, self.bits[i : i + 8])), 2) for i in range(0, len(self.bits) - 7, 8))
        size = 4 + 4 * self.leds + max(4, (self.leds + 15) // 16)
        frames = []
        for start in range(0, len(data) - size + 1, size):
            frame = data[start : start + size]
            assert frame[:4] == bytes(4), "each frame starts with 32 zero bits"
            leds = [frame[4 + 4 * i : 8 + 4 * i] for i in range(self.leds)]
            assert all(led[0] & 0xE0 == 0xE0 for led in leds)
            frames.append((leds[0][0] & 0x1F, [(led[3], led[2], led[1]) for led in leds]))
        return frames

    @property
    def showing(self) -> list[tuple[int, int, int]]:
        return self.frames[-1][1]


@pytest.fixture
def ring(pins) -> MockApa102:
    return MockApa102(12, clock_pin="GPIO11", mosi_pin="GPIO10", select_pin="GPIO7")


def test_the_frame_layout() -> None:
    frame = apa102_frame([(255, 0, 0), (0, 0, 255)], 1.0)
    assert frame == bytes(4) + bytes((0xFF, 0, 0, 255, 0xFF, 255, 0, 0)) + b"\xff" * 4


def test_the_ring_follows_a_conversation(ring: MockApa102) -> None:
    config = GpioConfig(ring=LedRingConfig(leds=12, brightness=0.5))
    lights = StatusLights.from_config(config, GpioPins())
    assert ring.showing == [OFF] * 12  # dark at start
    seen = []
    for kind in (E.WAKE_WORD_DETECTED, E.THINKING, E.TTS_SPEAKING, E.IDLE):
        lights.on_event(PipelineEvent(kind))
        seen.append(ring.showing[0])
    assert seen == [BLUE, VIOLET, GREEN, OFF]
    assert ring.frames[-1][0] == 16  # half of the 5-bit brightness
    lights.on_event(PipelineEvent(E.MICROPHONE_MUTED, {"muted": True}))
    assert ring.showing == [RED] * 12
    lights.on_event(PipelineEvent(E.LISTENING))  # the talk button while muted: first LED stays red
    assert ring.showing == [RED] + [BLUE] * 11
    frames = len(ring.frames)
    lights.on_event(PipelineEvent(E.WAKE_WORD_DETECTED))  # nothing changes: nothing is sent
    assert len(ring.frames) == frames
    lights.close()
    assert ring.showing == [OFF] * 12  # dark when AstrOS stops


async def test_a_ring_on_other_pins_with_a_power_pin(pins) -> None:
    ring = MockApa102(3, clock_pin="GPIO20", mosi_pin="GPIO21", select_pin="GPIO16")
    config = GpioConfig(ring=LedRingConfig(leds=3, clock_pin="GPIO20", data_pin="GPIO21", select_pin="GPIO16",
                                           power_pin="GPIO5"))
    lights = StatusLights.from_config(config, gpio := GpioPins())
    assert pins.pin(5).state  # the LEDs are powered
    lights.on_event(PipelineEvent(E.ERROR, {"code": "stt-failed"}))
    assert ring.showing == [RED] * 3
    lights.close()
    gpio.close()
    assert not pins.pin(5).state


def test_a_ring_pin_taken_by_a_button_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="GPIO7 is used twice"):
        parse_config('[gpio.ring]\nleds = 12\n[[gpio.buttons]]\npin = "GPIO7"\n')


def test_no_ring_is_configured_by_default() -> None:
    assert parse_config("").gpio.ring.leds == 0
