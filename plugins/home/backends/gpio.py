"""Home devices on GPIO pins: lights (dimmable when the pin can do PWM), switches and fans as
outputs, binary sensors (contacts) as inputs."""

from __future__ import annotations

import logging
from typing import Any, Dict, Final, Optional

from astros.config import DeviceConfig
from astros.hardware.gpio import GpioPins, GpioUnavailable

from ..devices import Command

_LOGGER = logging.getLogger(__name__)
OUTPUT_DOMAINS: Final = frozenset({"light", "switch", "fan"})
INPUT_DOMAINS: Final = frozenset({"binary_sensor"})


class GpioBackend:
    """Drives and reads the home's GPIO devices; pins are claimed on first use."""

    def __init__(self) -> None:
        self.pins = GpioPins()

    def prepare(self, device: DeviceConfig, state: Dict[str, Any]) -> None:
        """Claim ``device``'s pin now, restoring its stored ``state`` (the appliance does this at start).

        Raises:
            GpioUnavailable: the pin cannot be used here.
        """
        if device.domain in OUTPUT_DOMAINS:
            self._output(device, _level(state))
        elif device.domain in INPUT_DOMAINS:
            self.pins.read(device.pin or "")

    def apply(self, device: DeviceConfig, command: Command, state: Dict[str, Any]) -> None:
        """Drive ``device``'s pin for ``command``; ``state`` is its state before.

        Raises:
            GpioUnavailable: the pin cannot be used here.
            ValueError: this kind of device cannot be driven through a pin.
        """
        if device.domain not in OUTPUT_DOMAINS:
            raise ValueError(f"a {device.domain.replace('_', ' ')} cannot be driven through a GPIO pin")
        output = self._output(device, _level(state))
        if command.brightness is not None:
            output.set_level(command.brightness / 100)
        elif command.power is False:
            output.set_level(0.0)
        elif command.power or command.color is not None:
            brightness = state.get("brightness")
            output.set_level(brightness / 100 if output.dimmable and brightness else 1.0)

    def read(self, device: DeviceConfig) -> Optional[Dict[str, Any]]:
        """What an input pin shows now; None for outputs (their stored state is what AstrOS set)."""
        if device.domain not in INPUT_DOMAINS:
            return None
        try:
            return {"state": "on" if self.pins.read(device.pin or "") else "off"}
        except GpioUnavailable:
            return None

    def _output(self, device: DeviceConfig, level: float) -> Any:
        return self.pins.output(device.pin or "", dimmable=device.domain == "light", level=level)

    def close(self) -> None:
        """Release every pin."""
        self.pins.close()


def _level(state: Dict[str, Any]) -> float:
    if state.get("state") != "on":
        return 0.0
    brightness = state.get("brightness")
    return brightness / 100 if isinstance(brightness, (int, float)) and brightness > 0 else 1.0
