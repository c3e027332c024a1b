"""Slots for sentences no template matched: the home's names, device words, numbers, times.

The tolerant layer knows the intent only by resemblance, so it reads the slots straight from
the words: a device, area or floor named anywhere in the sentence (names and aliases, also
slightly misspelt), a device word ("lights" -> domain light), a colour, a percentage, a
direction ("louder" -> volume_step up), a duration, a clock time or a date.
"""

from __future__ import annotations

import difflib
import functools
import re
from datetime import date
from typing import Any

from ..home import Home, normalize_name
from . import entities
from .vocabulary import COLORS, DEVICE_WORDS, DOWN_WORDS, UP_WORDS

_DETERMINERS = frozenset({"the", "a", "that", "this", "my", "our", "wall", "light", "power"})
_PERCENT = re.compile(r"(\d{1,3})\s*(%|percent|per cent)?")
_PLAY = re.compile(r"\b(?:play|put on|listen to|hear|tune in to|tune into|start)\s+(?:me\s+)?(?:some\s+|the\s+|my\s+)?(.+)")
_LIST_ADD = re.compile(r"\b(?:add|put)\s+(.+?)\s+(?:to|on|onto)\s+(?:the|my|our|a)?\s*(.+?)\s*list\b")
_LIST_REMOVE = re.compile(r"\b(?:remove|delete|take|scratch|check|tick|cross)\s+(.+?)\s+(?:from|off(?: of)?|on)\s+(?:the|my|our)?\s*(.+?)\s*list\b")


def _ngrams(words: list[str], longest: int = 4) -> list[tuple[str, int, int]]:
    grams = []
    for size in range(longest, 0, -1):
        for start in range(len(words) - size + 1):
            grams.append((" ".join(words[start : start + size]), start, start + size))
    return grams


class _NameTable:
    """Spoken names normalised once, with near-spelling candidates grouped by first letter."""

    def __init__(self, spoken: tuple[tuple[str, str], ...]) -> None:
        self.exact = {normalize_name(k): v for k, v in spoken if normalize_name(k)}
        self.longest = max((len(k.split()) for k in self.exact), default=1)
        self.by_letter: dict[str, list[str]] = {}
        for key in self.exact:
            self.by_letter.setdefault(key[0], []).append(key)

    def near(self, gram: str, cutoff: float) -> str | None:
        """The canonical name spelt nearly like ``gram`` (same first letter, similar length)."""
        best, best_ratio = None, cutoff
        for key in self.by_letter.get(gram[0], ()):
            if abs(len(key) - len(gram)) > max(2, len(gram) // 5):
                continue
            ratio = difflib.SequenceMatcher(None, gram, key).ratio()
            if ratio >= best_ratio:
                best, best_ratio = key, ratio
        return self.exact[best] if best is not None else None


@functools.lru_cache(maxsize=16)
def _table(spoken: tuple[tuple[str, str], ...]) -> _NameTable:
    return _NameTable(spoken)


def find_names(text: str, spoken: dict[str, str], fuzzy: float = 0.88) -> list[str]:
    """Canonical names whose spoken form (or a near spelling) occurs in ``text``, longest first."""
    words = normalize_name(text).split()
    table = _table(tuple(spoken.items()))
    used = [False] * len(words)
    found: list[str] = []
    for gram, start, end in _ngrams(words, table.longest):
        if any(used[start:end]):
            continue
        hit = table.exact.get(gram)
        if hit is None and len(gram) >= 5:
            hit = table.near(gram, fuzzy)
        if hit is not None:
            used[start:end] = [True] * (end - start)
            if hit not in found:
                found.append(hit)
    return found


def home_slots(text: str, home: Home) -> dict[str, Any]:
    """``name``, ``area`` and ``floor`` named in ``text``, and ``domain``/``device_class`` words."""
    slots: dict[str, Any] = {}
    devices = find_names(text, home.spoken_names("device"))
    if devices:
        slots["name"] = devices[0]
    areas = find_names(text, home.spoken_names("area"))
    if areas:
        slots["area"] = areas[0]
    floors = find_names(text, home.spoken_names("floor"))
    if floors:
        slots["floor"] = floors[0]
    word = _device_word(normalize_name(text).split())
    if word is not None:
        domain, device_class = DEVICE_WORDS[word]
        slots.setdefault("domain", domain)
        if device_class:
            slots.setdefault("device_class", device_class)
    return slots


def _device_word(words: list[str]) -> str | None:
    """The first device word; "switch" only counts as a noun ("the switch"), not as the verb
    of "switch off the light"."""
    for index, word in enumerate(words):
        if word not in DEVICE_WORDS:
            continue
        if word == "switch" and (index == 0 or words[index - 1] not in _DETERMINERS):
            continue
        return word
    return None


def _direction(text: str) -> str | None:
    words = set(normalize_name(text).split())
    up, down = bool(words & UP_WORDS), bool(words & DOWN_WORDS)
    return "up" if up and not down else "down" if down and not up else None


def _percent(text: str) -> int | None:
    match = _PERCENT.search(text)
    if match:
        return min(int(match.group(1)), 100)
    number = entities.find_numbers(text)
    return int(number[0].value) if number and 0 <= number[0].value <= 100 else None


def intent_slots(intent: str, text: str, today: date) -> dict[str, Any]:
    """Slots particular to ``intent`` read from ``text``."""
    lowered = text.lower()
    slots: dict[str, Any] = {}
    if intent == "HassLightSet":
        slots.update(_light_slots(lowered))
    elif intent in ("HassSetVolume", "HassSetPosition"):
        value = _percent(lowered)
        if value is not None:
            slots["volume_level" if intent == "HassSetVolume" else "position"] = value
    elif intent == "HassSetVolumeRelative":
        slots["volume_step"] = _direction(lowered) or "up"
    elif intent in ("HassStartTimer", "HassIncreaseTimer", "HassDecreaseTimer"):
        slots.update(entities.parse_duration(lowered) or _found_duration(lowered))
    elif intent in ("AlarmSet", "AlarmCancel", "AlarmQuery"):
        slots.update(_alarm_slots(lowered, today))
    elif intent == "HassMediaSearchAndPlay":
        match = _PLAY.search(lowered)
        if match:
            slots["search_query"] = match.group(1).strip(" .?!")
    elif intent.startswith("HassList") or intent.startswith("HassShoppingList"):
        slots.update(_list_slots(lowered))
    elif intent == "HassClimateSetTemperature":
        numbers = entities.find_numbers(lowered)
        if numbers:
            slots["temperature"] = numbers[0].value
    return slots


def _found_duration(text: str) -> dict[str, Any]:
    span = entities.find_duration(text)
    return dict(span.value) if span is not None else {}


def _light_slots(text: str) -> dict[str, Any]:
    slots: dict[str, Any] = {}
    for color in sorted(COLORS, key=len, reverse=True):
        if re.search(rf"\b{color}\b", text):
            slots["color"] = "gray" if color == "grey" else color
            break
    value = _percent(text) if "%" in text or "percent" in text or " to " in text else None
    if value is not None:
        slots["brightness"] = value
    elif "color" not in slots:
        direction = _direction(text)
        if direction:
            slots["brightness_step"] = direction
    return slots


def _alarm_slots(text: str, today: date) -> dict[str, Any]:
    slots: dict[str, Any] = {}
    span = entities.find_clock_time(text, loose=True)
    if span is not None:
        slots["time"] = f"{span.value[0]:02d}:{span.value[1]:02d}"
        slots["time_explicit"] = span.value.explicit
    when = entities.find_date(text, today)
    if when is not None:
        slots["date"] = when.value.isoformat()
    return slots


def _list_slots(text: str) -> dict[str, Any]:
    match = _LIST_ADD.search(text) or _LIST_REMOVE.search(text)
    if not match:
        return {}
    slots = {"item": match.group(1).strip()}
    if match.group(2).strip():
        slots["name"] = match.group(2).strip()
    return slots
