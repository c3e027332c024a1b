"""Which timer the user means, and how timers are named in replies.

A request picks among the active timers by ``name``, by the length the timer was started with
(``start_hours/minutes/seconds``) and by a named ``area``. When several still match:
1. one in the room the request came from wins;
2. if the rest cannot be told apart when said aloud (two unnamed 5 minute timers), the one
   started most recently is meant;
3. otherwise AstrOS asks back which one (``requires_followup=True``), naming each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Union

from astros.types import Response
from astros.wording import join_words, say_duration, say_remaining, with_article

from .slots import areas, duration, same_name, timer_name
from .store import Timer


def describe(timer: Timer) -> str:
    """How a person names a timer: "pizza timer", or by its length, "5 minute timer"."""
    if timer.name:
        return f"{timer.name} timer"
    return f"{say_duration(timer.seconds, adjective=True)} timer"


def timer_data(timer: Timer, now: float) -> dict[str, Any]:
    """A timer as machine-readable data for ``Response.data`` and events."""
    return {
        "id": timer.id,
        "name": timer.name,
        "area": timer.area,
        "user_id": timer.user_id,
        "command": timer.command,
        "seconds": timer.seconds,
        "remaining": round(timer.remaining(now), 1),
        "paused": timer.paused,
        "ends_at": timer.ends_at,
    }


def status_phrase(timer: Timer, now: float, owner: str = "your") -> str:
    """"5 minutes left on your 10 minute timer" or "your pizza timer is paused with 2 minutes left"."""
    left = say_remaining(timer.remaining(now))
    if not timer.paused and timer.remaining(now) <= 0:
        return f"{owner} {describe(timer)} is done"
    if timer.paused:
        return f"{owner} {describe(timer)} is paused with {left} left"
    return f"{left} left on {owner} {describe(timer)}"


def wanted(entities: Mapping[str, Any]) -> str:
    """The timer the user asked for, as a phrase: "a pizza timer", "a 5 minute timer in the Kitchen"."""
    name = timer_name(entities.get("name"))
    start = duration(entities, "start_")
    area, _ = areas(entities)
    words = name or (say_duration(start, adjective=True) if start else "")
    phrase = with_article(f"{words} timer" if words else "timer")
    return f"{phrase} in the {area}" if area else phrase


def has_filter(entities: Mapping[str, Any]) -> bool:
    """True when the request names a particular timer."""
    return bool(timer_name(entities.get("name")) or duration(entities, "start_") or areas(entities)[0])


def matching(timers: Sequence[Timer], entities: Mapping[str, Any]) -> list[Timer]:
    """The timers that fit every filter the request gives."""
    name = timer_name(entities.get("name"))
    start = duration(entities, "start_")
    area, _ = areas(entities)
    return [
        t
        for t in timers
        if (not name or same_name(t.name, name))
        and (not start or t.seconds == start)
        and (not area or t.area.casefold() == area.casefold())
    ]


def pick(timers: Sequence[Timer], entities: Mapping[str, Any], now: float) -> Union[Timer, Response]:
    """The one timer the request means, or a reply: none matches, or which one?"""
    if not timers:
        return Response(False, "You have no timers running.")
    found = matching(timers, entities)
    if not found:
        return Response(False, f"You don't have {wanted(entities)}.")
    chosen = _choose(found, entities)
    if chosen is not None:
        return chosen
    names = [f"the {describe(t)}" for t in found]
    return Response(
        False,
        f"Which timer do you mean: {join_words(names, 'or')}?",
        data={"timers": [timer_data(t, now) for t in found]},
        requires_followup=True,
    )


def _choose(found: Sequence[Timer], entities: Mapping[str, Any]) -> Timer | None:
    if len(found) == 1:
        return found[0]
    _, hint = areas(entities)
    here = [t for t in found if hint and t.area.casefold() == hint.casefold()]
    if len(here) == 1:
        return here[0]
    if len({describe(t).casefold() for t in found}) == 1:
        return max(found, key=lambda t: t.created_at)
    return None
