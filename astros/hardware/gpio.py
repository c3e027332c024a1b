"""GPIO pins through gpiozero: the one module of AstrOS that imports it.

A pin is named the way gpiozero names it: ``"GPIO17"`` or ``"BCM17"`` (Broadcom number),
``"BOARD11"`` (header pin), ``"J8:11"``, or a bare number (Broadcom). Outputs drive lights and
switches (a dimmable output uses PWM when the pin supports it); inputs read contacts; buttons
report presses and releases (on gpiozero's thread: hand them to the event loop with
``loop.call_soon_threadsafe``); lights switch and blink.

Where no GPIO chip exists (a desktop, a container) every call raises :class:`GpioUnavailable`
with a reason a person understands; nothing here crashes the caller. Tests select gpiozero's mock
pins with ``GPIOZERO_PIN_FACTORY=mock``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Dict, Final, Optional, Union

from gpiozero import LED, PWMLED, Button, DigitalInputDevice, Device, OutputDevice, SPIDevice
from gpiozero.exc import GPIOPinInUse, PinInvalidPin, PinPWMUnsupported

from ..errors import AstrOSError

_LOGGER = logging.getLogger(__name__)
PinSpec = Union[int, str]


class GpioUnavailable(AstrOSError):
    """A pin cannot be used: no GPIO on this machine, a wrong pin name, or a pin already taken."""

    code = "gpio-unavailable"


def parse_pin(pin: str) -> PinSpec:
    """The pin as gpiozero takes it: ``"17"`` -> 17, ``"gpio17"`` -> ``"GPIO17"``."""
    text = pin.strip()
    return int(text) if text.isdigit() else text.upper()


class GpioOutput:
    """One output pin: on/off, or a level between 0 and 1 when it is dimmable."""

    def __init__(self, device: OutputDevice) -> None:
        self._device = device

    @property
    def dimmable(self) -> bool:
        """True if the output takes levels between 0 and 1 (PWM)."""
        return isinstance(self._device, PWMLED)

    @property
    def level(self) -> float:
        """The output's level: 0 (off) to 1 (fully on)."""
        return float(self._device.value)

    def set_level(self, level: float) -> None:
        """Drive the pin to ``level`` (0..1); a plain output is on for any level above 0."""
        level = min(1.0, max(0.0, level))
        if self.dimmable:
            self._device.value = level
        elif level > 0:
            self._device.on()
        else:
            self._device.off()

    def close(self) -> None:
        self._device.close()


class GpioButton:
    """A push button. Its callbacks run on gpiozero's own thread, with ``time.monotonic()`` of the edge."""

    def __init__(self, device: Button) -> None:
        self._device = device

    def on_change(self, pressed: Callable[[float], None], released: Callable[[float], None]) -> None:
        """Call ``pressed(t)`` when the button goes down and ``released(t)`` when it comes up."""
        self._device.when_pressed = lambda: pressed(time.monotonic())
        self._device.when_released = lambda: released(time.monotonic())

    @property
    def is_pressed(self) -> bool:
        return bool(self._device.is_pressed)

    def close(self) -> None:
        self._device.close()


class GpioLight:
    """A LED: on, off, or blinking (gpiozero blinks it from a thread of its own)."""

    def __init__(self, device: LED) -> None:
        self._device = device

    def on(self) -> None:
        self._device.on()

    def off(self) -> None:
        self._device.off()

    def blink(self, on_s: float, off_s: float) -> None:
        """Blink until told otherwise: ``on_s`` seconds lit, ``off_s`` dark."""
        self._device.blink(on_time=on_s, off_time=off_s, background=True)

    @property
    def is_lit(self) -> bool:
        return bool(self._device.is_lit)

    def close(self) -> None:
        self._device.close()


class GpioSpi(SPIDevice):
    """An SPI bus that AstrOS only writes to (a LED ring): hardware SPI on SPI0's pins, else bit-banged."""

    def write(self, data: bytes) -> None:
        """Clock ``data`` out, most significant bit first."""
        self._spi.write(list(data))


SPI0_PINS: Final = {"clock": "GPIO11", "data": "GPIO10", "miso": "GPIO9"}


class GpioPins:
    """The pins one process uses, created on first use and released by :meth:`close`."""

    def __init__(self) -> None:
        self._outputs: Dict[str, GpioOutput] = {}
        self._inputs: Dict[str, DigitalInputDevice] = {}
        self._parts: list[Any] = []

    def button(self, pin: str, *, pull_up: bool = True, bounce_s: float = 0.0) -> GpioButton:
        """A push button on ``pin`` (``pull_up``: it connects the pin to ground).

        Raises:
            GpioUnavailable: no GPIO here, the pin name is wrong, or the pin is taken.
        """
        device = _create(Button, pin, pull_up=pull_up, bounce_time=bounce_s or None)
        self._parts.append(GpioButton(device))
        return self._parts[-1]

    def light(self, pin: str, *, active_high: bool = True) -> GpioLight:
        """A LED on ``pin``, off to begin with.

        Raises:
            GpioUnavailable: no GPIO here, the pin name is wrong, or the pin is taken.
        """
        self._parts.append(GpioLight(_create(LED, pin, active_high=active_high, initial_value=False)))
        return self._parts[-1]

    def spi(self, clock_pin: str, data_pin: str, select_pin: str) -> GpioSpi:
        """An SPI bus to write to; gpiozero uses the hardware SPI when these are SPI0's pins.

        Raises:
            GpioUnavailable: no GPIO here, a pin name is wrong, or a pin is taken.
        """
        spi0 = parse_pin(clock_pin) == SPI0_PINS["clock"] and parse_pin(data_pin) == SPI0_PINS["data"]
        pins = {"clock_pin": parse_pin(clock_pin), "mosi_pin": parse_pin(data_pin),
                "miso_pin": SPI0_PINS["miso"] if spi0 else None, "select_pin": parse_pin(select_pin)}
        self._parts.append(_guarded(lambda: GpioSpi(**pins), f"{clock_pin}/{data_pin}/{select_pin}"))
        return self._parts[-1]

    def output(self, pin: str, *, dimmable: bool = False, level: float = 0.0) -> GpioOutput:
        """The output on ``pin``, created at ``level`` the first time (PWM if ``dimmable`` and possible).

        Raises:
            GpioUnavailable: no GPIO here, the pin name is wrong, or the pin is taken.
        """
        if pin not in self._outputs:
            self._outputs[pin] = GpioOutput(self._create_output(pin, dimmable, level))
        return self._outputs[pin]

    def read(self, pin: str, *, pull_up: bool = False) -> bool:
        """Whether the input on ``pin`` is active (a closed contact).

        Raises:
            GpioUnavailable: no GPIO here, the pin name is wrong, or the pin is taken.
        """
        if pin not in self._inputs:
            self._inputs[pin] = _create(DigitalInputDevice, pin, pull_up=pull_up)
        return bool(self._inputs[pin].value)

    def _create_output(self, pin: str, dimmable: bool, level: float) -> OutputDevice:
        if dimmable:
            try:
                return _create(PWMLED, pin, initial_value=min(1.0, max(0.0, level)))
            except _PwmUnsupported:
                _LOGGER.info("GPIO pin %s has no PWM; it will only switch on and off", pin)
        return _create(LED, pin, initial_value=level > 0)

    def close(self) -> None:
        """Release every pin this object created."""
        devices: list[Any] = [*self._outputs.values(), *self._inputs.values(), *self._parts]
        for device in devices:
            try:
                device.close()
            except Exception:  # noqa: BLE001 - releasing must go on for the other pins
                _LOGGER.exception("Could not release a GPIO pin")
        self._outputs.clear()
        self._inputs.clear()
        self._parts.clear()


class _PwmUnsupported(Exception):
    """The pin (or its factory) cannot do PWM."""


def _create(cls: type, pin: str, **kwargs: Any) -> Any:
    """A gpiozero device of ``cls`` on ``pin``, with every failure turned into GpioUnavailable."""
    return _guarded(lambda: cls(parse_pin(pin), **kwargs), pin)


def _guarded(make: Callable[[], Any], pin: str) -> Any:
    """``make()``, a gpiozero device on ``pin``, with every failure turned into GpioUnavailable."""
    try:
        return make()
    except PinPWMUnsupported as err:
        raise _PwmUnsupported(str(err)) from err
    except PinInvalidPin as err:
        raise GpioUnavailable(f"{pin} is not a GPIO pin on this board", "gpio-bad-pin") from err
    except GPIOPinInUse as err:
        raise GpioUnavailable(f"GPIO pin {pin} is already in use", "gpio-pin-in-use") from err
    except Exception as err:  # noqa: BLE001 - no GPIO chip, no pin library: all mean "not here"
        _LOGGER.warning("GPIO is not available on this machine: %s", err)
        raise GpioUnavailable("this machine has no usable GPIO pins") from err


def pin_factory() -> Optional[Any]:
    """The pin factory gpiozero uses now (None until a pin has been created); for tests."""
    return Device.pin_factory
