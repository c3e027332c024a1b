"""Putting a forecast into words: WMO weather codes, and the sentences AstrOS says.

Open-Meteo reports conditions as WMO weather interpretation codes (0 clear sky ... 99 thunderstorm
with heavy hail). Each code has a noun phrase ("light rain") and, where English has one, an
adjective ("cloudy"): "It's 12 degrees and cloudy" but "It's 12 degrees with light rain".
"""

from __future__ import annotations

from datetime import date
from typing import Dict, Optional, Tuple

from .openmeteo import Day

WMO_CODES: Dict[int, Tuple[str, Optional[str]]] = {
    0: ("clear skies", "clear"),
    1: ("mostly clear skies", "mostly clear"),
    2: ("partly cloudy skies", "partly cloudy"),
    3: ("cloudy skies", "cloudy"),
    45: ("fog", "foggy"),
    48: ("freezing fog", None),
    51: ("light drizzle", None),
    53: ("drizzle", None),
    55: ("heavy drizzle", None),
    56: ("light freezing drizzle", None),
    57: ("freezing drizzle", None),
    61: ("light rain", None),
    63: ("rain", None),
    65: ("heavy rain", None),
    66: ("light freezing rain", None),
    67: ("freezing rain", None),
    71: ("light snow", None),
    73: ("snow", None),
    75: ("heavy snow", None),
    77: ("snow grains", None),
    80: ("light showers", None),
    81: ("showers", None),
    82: ("heavy showers", None),
    85: ("light snow showers", None),
    86: ("heavy snow showers", None),
    95: ("thunderstorms", None),
    96: ("thunderstorms with hail", None),
    99: ("thunderstorms with heavy hail", None),
}
"""WMO weather code -> (noun phrase, adjective or None)."""

SNOW_CODES = frozenset({71, 73, 75, 77, 85, 86})


def condition(code: Optional[int]) -> Optional[str]:
    """The noun phrase for a weather code ("light rain"); None for no or an unknown code."""
    return WMO_CODES[code][0] if code in WMO_CODES else None


def now_sentence(temperature: float, code: Optional[int], place: Optional[str]) -> str:
    """ "It's 12 degrees and cloudy." / "In London it's 3 degrees with light snow." """
    start = f"In {place} it's" if place else "It's"
    sentence = f"{start} {_degrees(temperature)}"
    if code in WMO_CODES:
        noun, adjective = WMO_CODES[code]
        sentence += f" and {adjective}" if adjective else f" with {noun}"
    return sentence + "."


def day_sentence(day: Day, label: str, with_condition: bool) -> str:
    """ "Today: a high of 15 and a low of 8, with a 40% chance of rain." """
    words = condition(day.weather_code) if with_condition else None
    opening = f"{label}: {words}, a high" if words else f"{label}: a high"
    return f"{opening} of {round(day.high)} and a low of {round(day.low)}{_chance(day)}."


def day_label(day: date, today: date, place: Optional[str]) -> str:
    """How a day is named: "Today", "Tomorrow", "On Saturday", "On Saturday 14 June" (+ " in London")."""
    ahead = (day - today).days
    if ahead == 0:
        label = "Today"
    elif ahead == 1:
        label = "Tomorrow"
    elif ahead < 7:
        label = f"On {day:%A}"
    else:
        label = f"On {day:%A} {day.day} {day:%B}"
    return f"{label} in {place}" if place else label


def _chance(day: Day) -> str:
    kind = "snow" if day.weather_code in SNOW_CODES else "rain"
    if day.precipitation_probability is None:
        return ""
    if day.precipitation_probability <= 0:
        return f", with no {kind} expected"
    return f", with a {day.precipitation_probability}% chance of {kind}"


def _degrees(value: float) -> str:
    rounded = round(value)
    return "1 degree" if rounded == 1 else f"{rounded} degrees"
