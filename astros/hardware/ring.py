"""A LED ring (APA102 / DotStar on SPI, as on ReSpeaker microphone HATs) coloured by AstrOS's state.

The ring is one more :class:`~astros.hardware.leds.Indicator`: :meth:`LedRing.show` turns the
:class:`~astros.hardware.leds.StatusTracker` into a colour per LED (:func:`ring_colours`) and sends
them as one APA102 frame (:func:`apa102_frame`). Idle is dark; a muted microphone is red (while
idle, the whole ring; otherwise the first LED), an error flashes the whole ring red.
"""

from __future__ import annotations

import logging
from typing import Final, Optional, Protocol

from ..config import LedRingConfig
from .gpio import GpioOutput, GpioPins, GpioUnavailable
from .leds import Status, StatusTracker

_LOGGER = logging.getLogger(__name__)

RGB = tuple[int, int, int]
OFF: Final = (0, 0, 0)
RED: Final = (255, 0, 0)
COLOURS: Final[dict[Status, RGB]] = {
    Status.IDLE: OFF,
    Status.LISTENING: (0, 80, 255),  # blue
    Status.THINKING: (160, 0, 255),  # violet
    Status.SPEAKING: (0, 200, 60),  # green
    Status.RINGING: (255, 110, 0),  # orange
}


class SpiWriter(Protocol):
    """Where a frame goes: :class:`~astros.hardware.gpio.GpioSpi`."""

    def write(self, data: bytes) -> None: ...

    def close(self) -> None: ...


def apa102_frame(colours: list[RGB], brightness: float) -> bytes:
    """The bytes that set an APA102 chain to ``colours``: a start frame of zeros, per LED a header
    with the 5-bit global brightness then blue, green, red, and an end frame that clocks the data
    through the whole chain (at least one bit per two LEDs)."""
    level = 0xE0 | max(0, min(31, round(brightness * 31)))
    body = b"".join(bytes((level, blue, green, red)) for red, green, blue in colours)
    return bytes(4) + body + b"\xff" * max(4, (len(colours) + 15) // 16)


def ring_colours(state: StatusTracker, leds: int) -> list[RGB]:
    """What each of ``leds`` LEDs shows for ``state``."""
    if state.error:
        return [RED] * leds
    if state.muted and state.status is Status.IDLE:
        return [RED] * leds
    colours = [COLOURS[state.status]] * leds
    if state.muted and leds:
        colours[0] = RED
    return colours


class LedRing:
    """An APA102 ring showing the status; frames are sent only when its colours change."""

    def __init__(self, spi: SpiWriter, leds: int, brightness: float, power: Optional[GpioOutput] = None) -> None:
        self.spi = spi
        self.leds = leds
        self.brightness = brightness
        self.power = power
        self.colours: list[RGB] = []
        """What the ring shows now."""
        self._send([OFF] * leds)

    @classmethod
    def from_config(cls, config: LedRingConfig, pins: GpioPins) -> Optional["LedRing"]:
        """The configured ring, or None (no ring configured, or its pins cannot be had: logged)."""
        if not config.leds:
            return None
        try:
            power = pins.output(config.power_pin, level=1.0) if config.power_pin else None
            spi = pins.spi(config.clock_pin, config.data_pin, config.select_pin)
        except GpioUnavailable as err:
            _LOGGER.warning("LED ring is off: %s", err)
            return None
        return cls(spi, config.leds, config.brightness, power)

    def show(self, state: StatusTracker) -> None:
        colours = ring_colours(state, self.leds)
        if colours != self.colours:
            self._send(colours)

    def _send(self, colours: list[RGB]) -> None:
        self.spi.write(apa102_frame(colours, self.brightness))
        self.colours = colours

    def close(self) -> None:
        """Darken the ring and release it."""
        try:
            self._send([OFF] * self.leds)
        finally:
            self.spi.close()
            if self.power is not None:
                self.power.set_level(0.0)
