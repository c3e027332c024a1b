"""The weather plugin's settings, ``[plugins.settings.weather]``, checked when it loads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional

from .openmeteo import Place

DEFAULT_BASE_URL = "https://api.open-meteo.com"
DEFAULT_GEOCODING_URL = "https://geocoding-api.open-meteo.com"
UNITS = ("celsius", "fahrenheit")
_KEYS = {"base_url", "geocoding_url", "latitude", "longitude", "location_name", "units", "timeout"}


def _bad(key: str, allowed: str, value: Any) -> ValueError:
    return ValueError(f"plugins.settings.weather.{key} must be {allowed}; got {value!r}")


def _number(settings: Dict[str, Any], key: str, low: float, high: float) -> Optional[float]:
    value = settings.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise _bad(key, f"a number from {low:g} to {high:g}", value)
    return float(value)


def _text(settings: Dict[str, Any], key: str, default: str) -> str:
    value = settings.get(key, default)
    if not isinstance(value, str):
        raise _bad(key, "a string", value)
    return value


@dataclass(frozen=True)
class WeatherSettings:
    """Where home is, which units to use, and where the service lives."""

    base_url: str = DEFAULT_BASE_URL
    geocoding_url: str = DEFAULT_GEOCODING_URL
    latitude: Optional[float] = None
    longitude: Optional[float] = None
    location_name: str = ""
    units: str = "celsius"
    timeout: float = 8.0
    """Seconds the whole lookup may take."""

    @classmethod
    def from_config(cls, settings: Dict[str, Any]) -> "WeatherSettings":
        """Settings from the plugin's table; raises ValueError naming a wrong key."""
        unknown = sorted(set(settings) - _KEYS)
        if unknown:
            raise ValueError(f"plugins.settings.weather has no key {unknown[0]!r}; known keys: {', '.join(sorted(_KEYS))}")
        latitude = _number(settings, "latitude", -90, 90)
        longitude = _number(settings, "longitude", -180, 180)
        if (latitude is None) != (longitude is None):
            raise ValueError("plugins.settings.weather needs both latitude and longitude, or neither")
        units = _text(settings, "units", "celsius").lower()
        if units not in UNITS:
            raise _bad("units", '"celsius" or "fahrenheit"', units)
        for key in ("base_url", "geocoding_url"):
            if not _text(settings, key, "http://").startswith(("http://", "https://")):
                raise _bad(key, "an http:// or https:// address", settings[key])
        return cls(
            base_url=_text(settings, "base_url", DEFAULT_BASE_URL),
            geocoding_url=_text(settings, "geocoding_url", DEFAULT_GEOCODING_URL),
            latitude=latitude,
            longitude=longitude,
            location_name=_text(settings, "location_name", ""),
            units=units,
            timeout=_number(settings, "timeout", 0.1, 120) or 8.0,
        )

    @property
    def fahrenheit(self) -> bool:
        return self.units == "fahrenheit"

    def home_place(self, timezone: str) -> Optional[Place]:
        """The configured home location (``timezone`` "" lets the service choose); None if unset."""
        if self.latitude is None or self.longitude is None:
            return None
        return Place(self.latitude, self.longitude, timezone or "auto", None)
