"""Colour names a person says, and the RGB values lights are sent."""

from __future__ import annotations

from typing import Final, Optional

from astros.home import normalize_name

COLORS: Final = {
    "red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255), "white": (255, 255, 255),
    "warm white": (255, 180, 107), "cool white": (201, 226, 255), "yellow": (255, 255, 0),
    "orange": (255, 165, 0), "purple": (128, 0, 128), "violet": (238, 130, 238), "pink": (255, 192, 203),
    "magenta": (255, 0, 255), "cyan": (0, 255, 255), "turquoise": (64, 224, 208), "teal": (0, 128, 128),
    "lime": (50, 205, 50), "gold": (255, 215, 0), "amber": (255, 191, 0), "indigo": (75, 0, 130),
    "lavender": (230, 230, 250), "brown": (165, 42, 42), "crimson": (220, 20, 60),
}
_SPELLINGS: Final = {"aqua": "cyan", "fuchsia": "magenta", "warm": "warm white", "cool": "cool white"}


def find_color(name: str) -> Optional[str]:
    """The canonical colour name for ``name`` ("Red" -> "red"), or None if it is not a colour AstrOS knows."""
    key = normalize_name(name)
    key = _SPELLINGS.get(key, key)
    return key if key in COLORS else None


def hex_color(name: str) -> str:
    """The colour as ``#rrggbb``."""
    red, green, blue = COLORS[name]
    return f"#{red:02x}{green:02x}{blue:02x}"
