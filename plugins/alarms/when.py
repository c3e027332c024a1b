"""When an alarm rings, which alarms a request means, and how alarms are named in replies.

Slots: ``time`` ("HH:MM", 24-hour), ``time_explicit`` (False when AM/PM was not said), ``date``
(ISO "YYYY-MM-DD"), ``name``, and ``hours``/``minutes``/``seconds`` for "an alarm in 20 minutes".

The ring time rule: an alarm rings at the next moment, in the configured time zone, that fits
what was said. ``time`` "07:00" with no date is 7:00 today if that is still ahead, else 7:00
tomorrow. When AM/PM was not said (``time_explicit`` False and an hour of 1 to 12), 7 AM and 7 PM
both fit and the sooner one is taken, except when the request is about waking up ("wake me up at
seven"): then the hour is a morning one. With a ``date``, the earliest fitting time on that day that
is still ahead. Alarms can be set up to a year ahead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final, Mapping, Optional

from astros.wording import say_day, say_time, with_article

from .store import Alarm

MAX_AHEAD: Final = timedelta(days=366)
_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?(?::\d{2})?$")
_WAKING = re.compile(r"\bwake\s+(?:me|us|\w+)\s+up\b|\bwake[- ]up\b", re.IGNORECASE)
_NAME_FILLER = re.compile(r"^(?:the|my|a|an)\s+|\s+alarm$", re.IGNORECASE)
_UNITS = (("hours", 3600), ("minutes", 60), ("seconds", 1))


class BadSlot(ValueError):
    """A slot value that makes no sense; ``str(err)`` is a sentence for the user."""


@dataclass(frozen=True)
class Wanted:
    """What a request says about an alarm."""

    clock: Optional[tuple[int, int]] = None
    explicit: bool = True
    day: Optional[date] = None
    name: str = ""
    in_seconds: Optional[float] = None
    """For "an alarm in 20 minutes": how far from now."""

    @property
    def any(self) -> bool:
        """True when the request narrows down which alarms it means."""
        return bool(self.clock or self.day or self.name)


def read_wanted(entities: Mapping[str, Any], said: str = "") -> Wanted:
    """The alarm slots of a request (``said``: its words); BadSlot if a value cannot be read."""
    return Wanted(
        clock=_clock(entities.get("time")),
        explicit=entities.get("time_explicit") is not False or bool(_WAKING.search(said)),
        day=_day(entities.get("date")),
        name=alarm_name(entities.get("name")),
        in_seconds=_seconds(entities),
    )


def alarm_name(value: Any) -> str:
    """The alarm's name as said ("taxi" from "the taxi alarm"); "" when there is none."""
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    text = " ".join(str(value or "").split())
    previous = None
    while previous != text:
        previous, text = text, _NAME_FILLER.sub("", text).strip()
    return "" if text.lower() in ("alarm", "alarms") else text


def ring_time(wanted: Wanted, now: datetime) -> datetime:
    """When an alarm for ``wanted`` rings (see the module docstring for the rule)."""
    if wanted.clock is None:
        if wanted.in_seconds:
            return now + timedelta(seconds=wanted.in_seconds)
        raise BadSlot("What time should the alarm go off? Say, for example, wake me up at 7 AM.")
    days = [wanted.day] if wanted.day else [now.date(), now.date() + timedelta(days=1)]
    ahead = [
        when
        for day in days
        for hour, minute in readings(wanted.clock, wanted.explicit)
        if (when := _at(day, hour, minute, now)).timestamp() > now.timestamp()
    ]
    if not ahead:
        return _passed(wanted, now)
    chosen = min(ahead, key=lambda when: when.timestamp())
    if chosen - now > MAX_AHEAD:
        raise BadSlot("Alarms can be set up to a year ahead.")
    return chosen


def readings(clock: tuple[int, int], explicit: bool) -> list[tuple[int, int]]:
    """The 24-hour times a clock time may mean: both 7:00 and 19:00 when AM/PM was not said."""
    hour, minute = clock
    if explicit or not 1 <= hour <= 12:
        return [clock]
    return [clock, ((hour + 12) % 24, minute)]


def matches(alarm: Alarm, wanted: Wanted, now: datetime) -> bool:
    """True when ``alarm`` fits every detail the request gives."""
    local = alarm.local(now.tzinfo)  # type: ignore[arg-type]
    if wanted.clock and (local.hour, local.minute) not in readings(wanted.clock, wanted.explicit):
        return False
    if wanted.day and local.date() != wanted.day:
        return False
    return not wanted.name or alarm_name(alarm.name).casefold() == wanted.name.casefold()


def when_phrase(alarm: Alarm, now: datetime) -> str:
    """"7:00 AM tomorrow", "5:00 PM on Friday"."""
    local = alarm.local(now.tzinfo)  # type: ignore[arg-type]
    return f"{say_time(local)} {say_day(local.date(), now.date())}"


def describe(alarm: Alarm, now: datetime) -> str:
    """"alarm at 7:00 AM tomorrow" or "taxi alarm at 5:00 PM today"."""
    label = f"{alarm.name} alarm" if alarm.name else "alarm"
    return f"{label} at {when_phrase(alarm, now)}"


def wanted_phrase(wanted: Wanted, now: datetime) -> str:
    """The alarm a request asked for: "an alarm at 8:00 AM", "a taxi alarm tomorrow"."""
    phrase = with_article(f"{wanted.name} alarm" if wanted.name else "alarm")
    if wanted.clock:
        shown = say_time(time(*wanted.clock))
        phrase += f" at {shown if wanted.explicit else shown[:-3]}"
    if wanted.day:
        phrase += f" {say_day(wanted.day, now.date())}"
    return phrase


def alarm_data(alarm: Alarm, now: datetime) -> dict[str, Any]:
    """An alarm as machine-readable data for ``Response.data`` and events."""
    local = alarm.local(now.tzinfo)  # type: ignore[arg-type]
    return {
        "id": alarm.id,
        "name": alarm.name,
        "ring_at": alarm.ring_at,
        "time": f"{local:%H:%M}",
        "date": local.date().isoformat(),
    }


def _at(day: date, hour: int, minute: int, now: datetime) -> datetime:
    """``hour:minute`` on ``day`` in ``now``'s time zone, as a real instant (DST gaps move on)."""
    wall = datetime.combine(day, time(hour, minute), tzinfo=now.tzinfo)
    return datetime.fromtimestamp(wall.timestamp(), now.tzinfo)


def _passed(wanted: Wanted, now: datetime) -> datetime:
    """Refuse a time already past: "7:00 AM today has already passed." """
    assert wanted.clock is not None and wanted.day is not None
    shown = say_time(time(*wanted.clock))
    shown = shown if wanted.explicit else shown[:-3]
    raise BadSlot(f"{shown} {say_day(wanted.day, now.date())} has already passed.")


def _clock(value: Any) -> Optional[tuple[int, int]]:
    if value is None or value == "":
        return None
    match = _CLOCK.match(str(value).strip())
    hour, minute = (int(match.group(1)), int(match.group(2) or 0)) if match else (-1, -1)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise BadSlot(f"I didn't understand the time {value}.")
    return hour, minute


def _day(value: Any) -> Optional[date]:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise BadSlot(f"I didn't understand the date {value}.") from None


def _seconds(entities: Mapping[str, Any]) -> Optional[float]:
    total = 0.0
    for unit, factor in _UNITS:
        value = entities.get(unit)
        if value in (None, ""):
            continue
        try:
            amount = float(value)
        except (TypeError, ValueError):
            raise BadSlot(f"I didn't understand the number {value}.") from None
        if amount < 0 or isinstance(value, bool):
            raise BadSlot("I didn't understand how long from now the alarm should go off.")
        total += amount * factor
    return total or None
