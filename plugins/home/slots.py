"""Reading numeric slots safely: a bad value is a sentence for the person, never a traceback."""

from __future__ import annotations

import math
from typing import Any, Dict, Optional


class SlotError(Exception):
    """A slot holds something AstrOS cannot use; the message says so in words."""


def number(entities: Dict[str, Any], key: str) -> Optional[float]:
    """The slot ``key`` as a number, None if absent.

    Raises:
        SlotError: the slot is not a number.
    """
    value = entities.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise SlotError(f"I didn't understand the {key}.")
    try:
        result = float(str(value).strip().rstrip("%°").strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise SlotError(f"I didn't understand the {key} {value!r}.") from None
    if not math.isfinite(result):
        raise SlotError(f"I didn't understand the {key}.")
    return result


def percent(entities: Dict[str, Any], key: str) -> Optional[int]:
    """The slot ``key`` as a whole percentage 0..100, None if absent.

    Raises:
        SlotError: not a number, or outside 0..100.
    """
    value = number(entities, key)
    if value is None:
        return None
    if not 0 <= value <= 100:
        raise SlotError(f"The {key} must be between 0 and 100 percent.")
    return round(value)
