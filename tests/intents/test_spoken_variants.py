"""Commands as people (and speech to text) say them: a device name in the other number, a brightness
without "to". Both must be exact template matches, so the voice can act on them at once."""

from __future__ import annotations

import pytest

from astros.config import AreaConfig, DeviceConfig, HomeConfig
from astros.home import Home
from astros.intents.recognizer import IntentRecognizer
from astros.intents.templates import home_slot_lists, number_variant


@pytest.mark.parametrize(("name", "other"), [
    ("Standing Light", "Standing Lights"), ("Office lights", "Office light"), ("Porch switch", "Porch switches"),
    ("Glass", None), ("TV", None), ("Lamp 2", None),
])
def test_number_variant(name: str, other: str | None) -> None:
    assert number_variant(name) == other


@pytest.mark.parametrize(("text", "name"), [
    ("turn on the reading lamps", "Reading lamp"),
    ("switch off the bedside lamps", "Bedside lamp"),
    ("turn on the big lights", "Kitchen ceiling"),
])
def test_a_device_name_in_the_other_number_is_that_device(recognizer: IntentRecognizer, text: str, name: str) -> None:
    result = recognizer.recognize_text(text)
    assert (result.layer, result.confidence, result.entities.get("name")) == ("template", 1.0, name)


def test_the_other_number_never_takes_a_name_the_home_uses() -> None:
    home = Home(HomeConfig(areas=[AreaConfig(name="Office")], devices=[
        DeviceConfig(name="Desk lamp", domain="light", area="Office"),
        DeviceConfig(name="Desk lamps", domain="light", area="Office"),
        DeviceConfig(name="Office", domain="switch", area="Office"),
    ]))
    pairs = [(value.text_in.text.lower(), value.value_out) for value in home_slot_lists(home)["name"].values]
    assert sorted(pairs) == [("desk lamp", "Desk lamp"), ("desk lamps", "Desk lamps"),
                             ("office", "Office"), ("offices", "Office")]


@pytest.mark.parametrize(("text", "entities"), [
    ("set reading lamp brightness 50%", {"name": "Reading lamp", "brightness": 50}),
    ("Set, Reading lamp, brightness, 40 percent,", {"name": "Reading lamp", "brightness": 40}),
    ("set kitchen brightness 20 percent", {"area": "Kitchen", "brightness": 20}),
    ("set the brightness 30%", {"area": "Living Room", "brightness": 30}),
])
def test_brightness_without_to(recognizer: IntentRecognizer, text: str, entities: dict) -> None:
    result = recognizer.recognize_text(text)
    assert (result.intent, result.layer, result.confidence) == ("HassLightSet", "template", 1.0)
    assert {k: result.entities.get(k) for k in entities} == entities
