"""Turning what a template captured into the slot contract plugins consume.

Templates capture words ("half an hour", "the batteries", "low", "seven thirty"); plugins want
``minutes=30``, ``domain="binary_sensor"``, ``device_class="battery"``, ``state="on"``,
``time="07:30"``. The functions here do that translation, one concern each.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..home import Home
from . import entities
from .vocabulary import BINARY_SENSOR_NOUNS, BINARY_STATE, STATE_WORD_CLASSES

_DURATION_UNITS = ("hours", "minutes", "seconds")
_WEEKDAY_WORDS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def merge_durations(slots: dict[str, Any]) -> None:
    """Expand ``half_duration`` dicts and apply "and a half" to the unit it follows."""
    half = slots.pop("half_duration", None)
    if isinstance(half, dict):
        for unit, amount in half.items():
            slots[unit] = slots.get(unit, 0) + amount
    if slots.pop("and_a_half", None):
        if "hours" in slots and "minutes" not in slots:
            slots["minutes"] = 30
        elif "minutes" in slots and "seconds" not in slots:
            slots["seconds"] = 30
    for unit in (*_DURATION_UNITS, *(f"start_{u}" for u in _DURATION_UNITS)):
        if isinstance(slots.get(unit), float) and slots[unit].is_integer():
            slots[unit] = int(slots[unit])


def apply_device(slots: dict[str, Any], home: Home, state_text: str | None = None) -> None:
    """Fill ``domain``/``device_class`` from the named device and normalise binary sensor states.

    For a binary sensor the state word tells which of its sensors is meant ("is the phone
    charging?" asks the phone's battery_charging sensor)."""
    name = slots.get("name")
    device = home.find_device(name) if isinstance(name, str) and name != "all" else None
    if device is None:
        return
    slots.setdefault("domain", device.domain)
    spoken_class = STATE_WORD_CLASSES.get((state_text or "").lower())
    if device.domain == "binary_sensor" and spoken_class and "device_class" not in slots:
        slots["device_class"] = spoken_class
    if device.device_class and "device_class" not in slots:
        slots["device_class"] = device.device_class
    if device.domain == "binary_sensor" and slots.get("state") in BINARY_STATE:
        slots["state"] = BINARY_STATE[slots["state"]]


def apply_state_nouns(slots: dict[str, Any], state_text: str | None) -> None:
    """Map template nouns ("batteries", "carbon monoxide", "things") to domain and device class."""
    noun = slots.pop("domain_noun", None)
    for key in ("detected_class", "area_state", "area_problem"):
        if key in slots:
            slots["device_class"] = slots.pop(key)
            slots["domain"] = "binary_sensor"
    if noun is None:
        return
    if noun == "light" and (state_text or "").lower() == "detected":
        slots["domain"], slots["device_class"] = "binary_sensor", "light"
    elif noun in ("thing", "device"):
        device_class = STATE_WORD_CLASSES.get((state_text or "").lower())
        slots["domain"] = "binary_sensor"
        if device_class:
            slots["device_class"] = device_class
    elif noun in BINARY_SENSOR_NOUNS:
        if slots.get("name"):
            slots.setdefault("device_class", noun)
        else:
            slots["domain"], slots["device_class"] = "binary_sensor", noun
            if noun == "battery" and (state_text or "").lower() == "charging":
                slots["device_class"] = "battery_charging"
    else:
        domain, _, device_class = noun.partition("/")
        slots["domain"] = domain
        if device_class:
            slots["device_class"] = device_class
    if slots.get("domain") == "binary_sensor" and slots.get("state") in BINARY_STATE:
        slots["state"] = BINARY_STATE[slots["state"]]


def apply_cover_class(slots: dict[str, Any]) -> None:
    """``cover_class`` (curtain, blind, garage ...) becomes ``device_class`` of a cover."""
    cover = slots.pop("cover_class", None)
    if cover:
        slots["device_class"] = cover
        slots["domain"] = "cover"


_PARTS_OF_DAY = {"morning": "in the morning", "afternoon": "in the afternoon", "evening": "in the evening",
                 "night": "at night"}


def apply_alarm(slots: dict[str, Any], today: date) -> bool:
    """Parse ``alarm_time``/``alarm_date`` into ``time`` ("HH:MM") and ``date``; False if unparsable."""
    ok = True
    spoken_time = slots.pop("alarm_time", None)
    spoken_date = slots.pop("alarm_date", None)
    if spoken_time is not None:
        part_of_day = next((said for p, said in _PARTS_OF_DAY.items() if p in str(spoken_date or "")), "")
        parsed = entities.parse_clock_time(f"{spoken_time} {part_of_day}".strip())
        if parsed is None:
            ok = False
        else:
            slots["time"] = f"{parsed[0]:02d}:{parsed[1]:02d}"
            slots["time_explicit"] = parsed.explicit
    if spoken_date is not None:
        text = str(spoken_date)
        for part in _PARTS_OF_DAY:
            text = text.replace(f" {part}", "")
        when = entities.parse_date(text, today)
        if when is not None:
            slots["date"] = when.isoformat()
    label = slots.pop("alarm_label", None)
    if label:
        slots["name"] = str(label).strip()
    return ok


def apply_volume(slots: dict[str, Any], metadata: dict[str, Any]) -> None:
    """A numeric ``volume_step`` gets the sign its template carries ("down by 10" -> -10)."""
    sign = metadata.get("volume_sign")
    if sign and isinstance(slots.get("volume_step"), (int, float)):
        slots["volume_step"] = int(slots["volume_step"]) * int(sign)


def clean_text_slots(slots: dict[str, Any]) -> None:
    """Trim free-text slots captured by wildcards."""
    for key in ("item", "search_query", "message", "name", "location", "conversation_command"):
        value = slots.get(key)
        if isinstance(value, str):
            value = value.strip(" ,.?!")
            if value:
                slots[key] = value
            else:
                del slots[key]
    if "location" in slots and "name" not in slots:
        slots["name"] = slots.pop("location")
    slots.pop("location", None)
    slots.pop("response", None)
