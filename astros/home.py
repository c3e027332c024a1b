"""The home as AstrOS knows it: floors, areas and devices, looked up by name or alias."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Optional

from .config import AreaConfig, DeviceConfig, FloorConfig, HomeConfig


def normalize_name(name: str) -> str:
    """The form names are compared in: lower case, single spaces, no apostrophes or punctuation."""
    cleaned = "".join(ch if ch.isalnum() or ch.isspace() else " " for ch in name.lower().replace("'", ""))
    return " ".join(cleaned.split())


def _index(items: Iterable[AreaConfig | FloorConfig | DeviceConfig]) -> dict:
    table: dict = {}
    for item in items:
        for spoken in (item.name, *item.aliases):
            table.setdefault(normalize_name(spoken), item)
    return table


class Home:
    """Looks up the configured floors, areas and devices by any of their names."""

    def __init__(self, config: HomeConfig) -> None:
        self.config = config
        self.area: Optional[str] = config.area
        self.floors = list(config.floors)
        self.areas = list(config.areas)
        self.devices = list(config.devices)
        self._floors = _index(self.floors)
        self._areas = _index(self.areas)
        self._devices = _index(self.devices)

    def find_floor(self, name: str) -> Optional[FloorConfig]:
        """The floor called ``name`` (or one of its aliases), if any."""
        return self._floors.get(normalize_name(name))

    def find_area(self, name: str) -> Optional[AreaConfig]:
        """The area called ``name`` (or one of its aliases), if any."""
        return self._areas.get(normalize_name(name))

    def find_device(self, name: str) -> Optional[DeviceConfig]:
        """The device called ``name`` (or one of its aliases), if any."""
        return self._devices.get(normalize_name(name))

    def devices_in(
        self,
        area: Optional[str] = None,
        floor: Optional[str] = None,
        domain: Optional[str] = None,
        device_class: Optional[str] = None,
    ) -> list[DeviceConfig]:
        """The devices matching every filter given (area and floor by canonical name)."""
        areas_on_floor = {a.name for a in self.areas if a.floor == floor} if floor else None
        return [
            d
            for d in self.devices
            if (area is None or d.area == area)
            and (areas_on_floor is None or d.area in areas_on_floor)
            and (domain is None or d.domain == domain)
            and (device_class is None or d.device_class == device_class)
        ]

    def spoken_names(self, kind: str) -> dict[str, str]:
        """Every name and alias of ``kind`` (``floor``, ``area`` or ``device``) -> canonical name."""
        items = {"floor": self.floors, "area": self.areas, "device": self.devices}[kind]
        return {spoken: item.name for item in items for spoken in (item.name, *item.aliases)}
