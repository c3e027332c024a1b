"""Written wording for durations, clock times and days in replies.

Replies are written text with digits ("Timer set for 5 minutes.", "It's 7:30 PM."); the response
generator turns them into words for a voice. These helpers keep that wording the same in every
skill: ``say_duration(5400)`` -> "1 hour and 30 minutes", ``say_time(dt)`` -> "7:30 PM",
``say_day(date, today)`` -> "tomorrow".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Final

_UNITS: Final = (("hour", 3600), ("minute", 60), ("second", 1))
_WEEK: Final = 7  # days ahead for which a weekday name alone is clear


def plural(count: int, word: str) -> str:
    """``count`` and ``word``, with an "s" unless there is exactly one: (2, "timer") -> "2 timers"."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def join_words(items: Sequence[str], conjunction: str = "and") -> str:
    """A list as a person says it: ["a"] -> "a", ["a", "b", "c"] -> "a, b and c"."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def duration_parts(seconds: float) -> tuple[int, int, int]:
    """Whole hours, minutes and seconds in ``seconds`` (rounded to the nearest second)."""
    total = max(0, round(seconds))
    return total // 3600, total % 3600 // 60, total % 60


def say_duration(seconds: float, *, adjective: bool = False) -> str:
    """A duration in words with digits: 5400 -> "1 hour and 30 minutes".

    Args:
        seconds: the duration; rounded to the nearest second.
        adjective: the form that goes before a noun, singular units: 300 -> "5 minute" (timer).
    """
    values = duration_parts(seconds)
    parts = [
        f"{value} {unit}" if adjective else plural(value, unit)
        for value, (unit, _) in zip(values, _UNITS)
        if value
    ]
    if not parts:
        return "0 second" if adjective else "0 seconds"
    return join_words(parts)


def say_remaining(seconds: float) -> str:
    """Time left as a person says it: seconds counted up, dropped once an hour or more is left."""
    total = max(0, math.ceil(seconds - 1e-6))
    if total >= 3600:
        total = math.ceil(total / 60) * 60
    return say_duration(total)


def say_time(value: datetime | time) -> str:
    """A clock time on the 12-hour clock: 19:30 -> "7:30 PM", 00:05 -> "12:05 AM"."""
    hour = value.hour % 12 or 12
    suffix = "AM" if value.hour < 12 else "PM"
    return f"{hour}:{value.minute:02d} {suffix}"


def say_date(value: date, *, year: bool = True) -> str:
    """A date with its weekday: "Thursday, November 26, 2026" (without the year if ``year`` is False)."""
    text = f"{value:%A}, {value:%B} {value.day}"
    return f"{text}, {value.year}" if year else text


def say_day(value: date, today: date) -> str:
    """When ``value`` is, seen from ``today``: "today", "tomorrow", "on Friday", "on Friday, December 4"."""
    ahead = (value - today).days
    if ahead == 0:
        return "today"
    if ahead == 1:
        return "tomorrow"
    if 1 < ahead < _WEEK:
        return f"on {value:%A}"
    return f"on {say_date(value, year=value.year != today.year)}"


def with_article(phrase: str) -> str:
    """``phrase`` after "a" or "an" as it is said: "5 minute timer" -> "a 5 minute timer", "8 ..." -> "an 8 ..."."""
    first = phrase.split(" ", 1)[0].lower()
    if first.isdigit():
        vowel_sound = first.startswith("8") or (len(first) in (2, 5) and first[:2] in ("11", "18"))
    else:
        vowel_sound = first[:1] in tuple("aeio") or first.startswith("hour")
    return f"{'an' if vowel_sound else 'a'} {phrase}"


def capitalize_first(text: str) -> str:
    """``text`` with its first letter upper case and the rest untouched ("pizza timer" -> "Pizza timer")."""
    return text[:1].upper() + text[1:]
