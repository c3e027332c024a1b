"""Home: floors, areas and devices found by any of their names."""

from __future__ import annotations

import pytest

from astros.home import Home, normalize_name
from tests.conftest import make_config

HOME = """
[home]
area = "Living Room"

[[home.floors]]
name = "Ground Floor"
aliases = ["downstairs"]
level = 0

[[home.floors]]
name = "First Floor"
aliases = ["upstairs"]
level = 1

[[home.areas]]
name = "Living Room"
aliases = ["lounge", "front room"]
floor = "Ground Floor"

[[home.areas]]
name = "Kitchen"
floor = "Ground Floor"

[[home.areas]]
name = "Kid's Bedroom"
aliases = ["nursery"]
floor = "First Floor"

[[home.devices]]
name = "Kitchen lights"
aliases = ["kitchen light", "ceiling light"]
domain = "light"
area = "Kitchen"

[[home.devices]]
name = "Reading Lamp"
domain = "light"
area = "Living Room"

[[home.devices]]
name = "TV"
aliases = ["television", "telly"]
domain = "media_player"
area = "Living Room"

[[home.devices]]
name = "Bedroom curtains"
domain = "cover"
device_class = "curtain"
area = "Kid's Bedroom"

[[home.devices]]
name = "Garage door"
domain = "cover"
device_class = "garage_door"
"""


@pytest.fixture
def home() -> Home:
    return Home(make_config(HOME).home)


def test_the_appliances_own_area(home) -> None:
    assert home.area == "Living Room"


@pytest.mark.parametrize("spoken", ["Kitchen lights", "kitchen LIGHTS", "  kitchen   light ", "Ceiling light"])
def test_devices_by_name_or_alias_in_any_case(home, spoken: str) -> None:
    assert home.find_device(spoken).name == "Kitchen lights"


def test_device_lookup(home) -> None:
    assert home.find_device("telly").name == "TV"
    assert home.find_device("toaster") is None


def test_areas_and_floors(home) -> None:
    assert home.find_area("lounge").name == "Living Room"
    assert home.find_area("FRONT ROOM").name == "Living Room"
    assert home.find_area("kids bedroom").name == "Kid's Bedroom"  # apostrophe optional
    assert home.find_area("kid's bedroom").name == "Kid's Bedroom"
    assert home.find_area("garden") is None
    assert home.find_floor("upstairs").name == "First Floor"
    assert home.find_floor("ground floor").level == 0
    assert home.find_floor("cellar") is None


def names(devices) -> list[str]:
    return [d.name for d in devices]


def test_devices_in_filters(home) -> None:
    assert names(home.devices_in(area="Living Room")) == ["Reading Lamp", "TV"]
    assert names(home.devices_in(area="Living Room", domain="light")) == ["Reading Lamp"]
    assert names(home.devices_in(floor="Ground Floor")) == ["Kitchen lights", "Reading Lamp", "TV"]
    assert names(home.devices_in(floor="First Floor", domain="cover")) == ["Bedroom curtains"]
    assert names(home.devices_in(domain="cover", device_class="garage_door")) == ["Garage door"]
    assert names(home.devices_in(domain="light")) == ["Kitchen lights", "Reading Lamp"]
    assert home.devices_in(area="Kitchen", domain="media_player") == []
    assert len(home.devices_in()) == 5


def test_spoken_names(home) -> None:
    devices = home.spoken_names("device")
    assert devices["telly"] == "TV" and devices["TV"] == "TV"
    assert home.spoken_names("area")["nursery"] == "Kid's Bedroom"
    assert set(home.spoken_names("floor")) == {"Ground Floor", "downstairs", "First Floor", "upstairs"}


def test_an_empty_home() -> None:
    empty = Home(make_config("").home)
    assert empty.area is None
    assert empty.find_device("lights") is None
    assert empty.devices_in(domain="light") == []


def test_normalize_name() -> None:
    assert normalize_name("  Kid's  Bedroom! ") == "kids bedroom"
    assert normalize_name("Living-Room") == "living room"
