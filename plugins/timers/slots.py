"""Reading the timer slots the recognizer fills: durations, timer names and areas.

``hours`` / ``minutes`` / ``seconds`` give the length of a new timer or the amount to add or
remove; ``start_hours`` / ``start_minutes`` / ``start_seconds`` name an existing timer by the
length it was started with. Values arrive as ints, but numbers as text or floats ("1.5" hours)
are accepted too; anything else is a :class:`BadSlot` whose message can be said to the user.
"""

from __future__ import annotations

import math
import re
from typing import Any, Mapping, Optional

_UNIT_SECONDS = (("hours", 3600), ("minutes", 60), ("seconds", 1))
_NAME_FILLER = re.compile(r"^(?:the|my|a|an)\s+|\s+timer$", re.IGNORECASE)


class BadSlot(ValueError):
    """A slot value that makes no sense; ``str(err)`` is a sentence for the user."""


def number(value: Any) -> Optional[float]:
    """A slot value as a number, None if the slot is empty; BadSlot if it is not a number."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise BadSlot("I didn't understand that number.")
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise BadSlot(f"I didn't understand the number {value}.") from None
    if not math.isfinite(result):
        raise BadSlot("I didn't understand that number.")
    return result


def duration(entities: Mapping[str, Any], prefix: str = "") -> Optional[int]:
    """Seconds given by the ``{prefix}hours/minutes/seconds`` slots, or None if none is filled.

    Raises:
        BadSlot: a value is not a number or is negative.
    """
    total: Optional[float] = None
    for unit, factor in _UNIT_SECONDS:
        value = number(entities.get(prefix + unit))
        if value is None:
            continue
        if value < 0:
            raise BadSlot("A timer can't run for a negative amount of time.")
        total = (total or 0.0) + value * factor
    return None if total is None else round(total)


def timer_name(value: Any) -> str:
    """The timer name as said ("pizza" from "the pizza timer"); "" when there is none."""
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    if value is None:
        return ""
    text = " ".join(str(value).split())
    previous = None
    while previous != text:
        previous, text = text, _NAME_FILLER.sub("", text).strip()
    return "" if text.lower() == "timer" else text


def same_name(a: str, b: str) -> bool:
    """True when two timer names are the same to a listener (case and spacing aside)."""
    return timer_name(a).casefold() == timer_name(b).casefold()


def areas(entities: Mapping[str, Any]) -> tuple[str, str]:
    """(area the user named, area the request came from); either may be "".

    The recognizer fills ``area`` from the requesting room for commands without a target and then
    sets ``context_area``; such an area only breaks ties and never rules timers out.
    """
    area = str(entities.get("area") or "").strip()
    context_area = entities.get("context_area")
    if context_area:
        hint = context_area if isinstance(context_area, str) else area
        return "", hint.strip()
    return area, ""
