"""GPIO pins through gpiozero's mock pins: outputs, PWM levels, inputs, and no GPIO at all."""

from __future__ import annotations

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory, MockPWMPin

from astros.hardware.gpio import GpioPins, GpioUnavailable, parse_pin


@pytest.fixture
def factory(monkeypatch):
    pins = MockFactory(pin_class=MockPWMPin)
    monkeypatch.setattr(Device, "pin_factory", pins)
    yield pins
    pins.reset()


def test_pin_names():
    assert parse_pin("17") == 17
    assert parse_pin(" gpio17 ") == "GPIO17"
    assert parse_pin("BOARD11") == "BOARD11"


def test_dimmable_output_takes_levels(factory):
    pins = GpioPins()
    lamp = pins.output("GPIO17", dimmable=True)
    assert lamp.dimmable
    lamp.set_level(0.4)
    assert factory.pin(17).state == pytest.approx(0.4)
    lamp.set_level(0)
    assert factory.pin(17).state == 0
    pins.close()


def test_plain_output_switches_and_starts_at_its_level(factory):
    pins = GpioPins()
    relay = pins.output("BOARD11", level=1.0)  # BOARD11 is GPIO17
    assert not relay.dimmable and factory.pin(17).state == 1
    relay.set_level(0.3)
    assert relay.level == 1
    relay.set_level(0)
    assert factory.pin(17).state == 0
    pins.close()


def test_dimmable_falls_back_without_pwm(monkeypatch):
    plain = MockFactory()
    monkeypatch.setattr(Device, "pin_factory", plain)
    pins = GpioPins()
    lamp = pins.output("GPIO18", dimmable=True)
    assert not lamp.dimmable
    lamp.set_level(0.5)
    assert plain.pin(18).state is True
    pins.close()
    plain.reset()


def test_input_reads_the_pin(factory):
    pins = GpioPins()
    assert pins.read("GPIO22") is False
    factory.pin(22).drive_high()
    assert pins.read("GPIO22") is True
    pins.close()


def test_bad_pin_and_pin_in_use(factory):
    pins = GpioPins()
    with pytest.raises(GpioUnavailable, match="not a GPIO pin"):
        pins.output("GPIO99")
    pins.output("GPIO5")
    other = GpioPins()
    with pytest.raises(GpioUnavailable, match="already in use"):
        other.output("GPIO5")
    pins.close()


def test_no_gpio_on_this_machine(monkeypatch):
    monkeypatch.setattr(Device, "pin_factory", None)
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "lgpio")  # not installed, as on a desktop
    with pytest.raises(GpioUnavailable, match="no usable GPIO"):
        GpioPins().output("GPIO17")
