"""Turning a written reply into what a person would say aloud.

Voice replies have no markup, and numbers, clock times, percentages and degrees are spelled the
way people say them ("7:30 pm" -> "seven thirty p m", "50%" -> "fifty percent"), so any
text-to-speech voice reads them right.
"""

from __future__ import annotations

import functools
import re

from unicode_rbnf import FormatPurpose, RbnfEngine

_MARKUP = re.compile(r"[*_`#>~]+|\[([^\]]*)\]\([^)]*\)")
_CLOCK = re.compile(r"\b(\d{1,2}):(\d{2})(?:\s*([ap])\.?\s*m\.?\b)?", re.IGNORECASE)
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
_DEGREES = re.compile(r"(-?\d+(?:\.\d+)?)\s*°(?:\s*([CF])\b)?")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.]*\d)")
_ORDINAL = re.compile(r"\b(\d+)(st|nd|rd|th)\b")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_SPACES = re.compile(r"\s+")


@functools.cache
def _engine() -> RbnfEngine:
    return RbnfEngine.for_language("en")


def number_words(value: float | int | str) -> str:
    """A number as words: 21 -> "twenty-one", 3.5 -> "three point five"."""
    number = float(value) if isinstance(value, str) else value
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    return _engine().format_number(number, FormatPurpose.CARDINAL).text


def ordinal_words(value: int) -> str:
    """An ordinal as words: 3 -> "third"."""
    return _engine().format_number(value, FormatPurpose.ORDINAL).text


def clock_words(hour: int, minute: int, suffix: str = "") -> str:
    """A clock time as said aloud: (7, 5) -> "seven oh five", (19, 0, "") -> "nineteen hundred"."""
    if minute == 0:
        spoken = f"{number_words(hour)} o'clock" if suffix or hour <= 12 else f"{number_words(hour)} hundred"
    elif minute < 10:
        spoken = f"{number_words(hour)} oh {number_words(minute)}"
    else:
        spoken = f"{number_words(hour)} {number_words(minute)}"
    if suffix:
        spoken = spoken.replace(" o'clock", "") + f" {suffix.lower()} m"
    return spoken


def to_speakable(text: str) -> str:
    """``text`` with markup removed and numbers, times, percentages and degrees in words."""
    text = _MARKUP.sub(lambda m: m.group(1) or "", text)
    text = _THOUSANDS.sub("", text)
    text = _CLOCK.sub(lambda m: clock_words(int(m.group(1)), int(m.group(2)), m.group(3) or ""), text)
    text = _PERCENT.sub(lambda m: f"{number_words(m.group(1))} percent", text)
    text = _DEGREES.sub(lambda m: _degrees(m.group(1), m.group(2)), text)
    text = _ORDINAL.sub(lambda m: ordinal_words(int(m.group(1))), text)
    text = _NUMBER.sub(lambda m: number_words(m.group(0)), text)
    return _SPACES.sub(" ", text).strip()


def _degrees(value: str, scale: str | None) -> str:
    unit = {"C": " Celsius", "F": " Fahrenheit"}.get((scale or "").upper(), "")
    return f"{number_words(value)} degrees{unit}"
