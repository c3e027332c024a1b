"""Alarms: "wake me up at seven", "what alarms do I have", "cancel my alarm".

Intents and the slots each reads (see :mod:`.when` for how a ring time is chosen):

- ``AlarmSet``: ``time`` ("HH:MM"), ``time_explicit`` (optional, False when AM/PM was not said),
  ``date`` (ISO, optional), ``name`` (optional), or ``hours``/``minutes``/``seconds`` for an alarm
  that far from now -> "Alarm set for 7:00 AM tomorrow."
- ``AlarmQuery``: optional ``time``/``date``/``name`` to narrow it down -> "You have an alarm at
  7:00 AM tomorrow."
- ``AlarmCancel``: optional ``time``/``date``/``name``; every alarm that fits them is cancelled.
  With none of them: the only alarm, or every alarm when ``all`` is true (or the request says
  "all", "every" or "any"), else AstrOS asks back which one.

Alarms live in the ``alarms`` table with absolute UTC times. While the appliance runs, each alarm
rings exactly once (even with several processes on one database), publishing ``alarm_ringing``
with ``{id, name, ring_at, time, date, late, message}``; one that came due while AstrOS was off
rings once at start, saying it was missed.
"""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import Final

from astros.events import EventType
from astros.plugins.base import BasePlugin, plugin_handler
from astros.types import Intent, Response
from astros.wording import capitalize_first, join_words, plural, say_time, with_article

from astros.plugins.scheduling import DueLoop
from .store import MIGRATIONS, Alarm, AlarmStore
from .when import BadSlot, alarm_data, describe, matches, read_wanted, ring_time, wanted_phrase, when_phrase

LATE_AFTER_S: Final = 60.0  # an alarm rung this long after its time is reported as missed
_ALL_WORDS: Final = frozenset({"all", "every", "any", "everything"})


class AlarmsPlugin(BasePlugin):
    """Alarm clocks in the configured time zone that ring exactly once."""

    name = "alarms"
    version = "1.0.0"
    description = "Alarm clocks: set, list and cancel alarms"
    author = "AstrOS"
    requires_permissions = ["alarms"]
    migrations = MIGRATIONS

    async def initialize(self) -> None:
        assert self.context is not None
        self.alarms = AlarmStore(self.context.database)
        self.loop = DueLoop(self.alarms.next_due, self._ring_due)
        await self.alarms.purge(time.time())

    async def shutdown(self) -> None:
        """Nothing to release: alarms stay in the database."""

    async def run_background(self) -> None:
        """Ring alarms as they come due, until the appliance stops."""
        await self.loop.run()

    def _now(self) -> datetime:
        assert self.context is not None
        return self.context.now()

    @plugin_handler("AlarmSet")
    async def set_alarm(self, intent: Intent) -> Response:
        now = self._now()
        try:
            wanted = read_wanted(intent.entities, intent.original_request.text)
            when = ring_time(wanted, now)
        except BadSlot as err:
            return Response(False, str(err))
        same = [a for a in await self.alarms.pending() if abs(a.ring_at - when.timestamp()) < 1]
        if same:
            return Response(True, f"You already have {with_article(describe(same[0], now))}.",
                            data=alarm_data(same[0], now))
        user = intent.original_request.user_id if intent.original_request else ""
        alarm = await self.alarms.add(name=wanted.name, user_id=user, ring_at=when.timestamp(), now=time.time())
        self.loop.notify()
        label = capitalize_first(f"{alarm.name} alarm") if alarm.name else "Alarm"
        return Response(True, f"{label} set for {when_phrase(alarm, now)}.", data=alarm_data(alarm, now))

    @plugin_handler("AlarmQuery")
    async def list_alarms(self, intent: Intent) -> Response:
        now = self._now()
        try:
            wanted = read_wanted(intent.entities)
        except BadSlot as err:
            return Response(False, str(err))
        found = [a for a in await self.alarms.pending() if matches(a, wanted, now)]
        data = {"alarms": [alarm_data(a, now) for a in found]}
        if not found:
            text = f"You don't have {wanted_phrase(wanted, now)}." if wanted.any else "You have no alarms set."
            return Response(True, text, data=data)
        phrases = [with_article(describe(a, now)) for a in found]
        if len(found) == 1:
            return Response(True, f"You have {phrases[0]}.", data=data)
        return Response(True, f"You have {plural(len(found), 'alarm')}: {join_words(phrases)}.", data=data)

    @plugin_handler("AlarmCancel")
    async def cancel_alarm(self, intent: Intent) -> Response:
        now = self._now()
        try:
            wanted = read_wanted(intent.entities)
        except BadSlot as err:
            return Response(False, str(err))
        pending = await self.alarms.pending()
        found = [a for a in pending if matches(a, wanted, now)]
        if not found:
            if wanted.any and pending:
                return Response(False, f"You don't have {wanted_phrase(wanted, now)}.")
            return Response(False, "You have no alarms set.")
        if len(found) > 1 and not wanted.any and not _means_all(intent):
            return _which(found, now)
        return await self._cancel(found, now)

    async def _cancel(self, found: list[Alarm], now: datetime) -> Response:
        cancelled = [a for a in found if await self.alarms.cancel(a.id, time.time())]
        self.loop.notify()
        data = {"alarms": [alarm_data(a, now) for a in cancelled]}
        if not cancelled:
            return Response(False, "That alarm has already gone off.", data=data)
        if len(cancelled) == 1:
            return Response(True, f"Cancelled your {describe(cancelled[0], now)}.", data=data)
        return Response(True, f"Cancelled {plural(len(cancelled), 'alarm')}.", data=data)

    async def _ring_due(self, now_s: float) -> None:
        """Publish ``alarm_ringing`` for each due alarm this process is the first to claim."""
        assert self.context is not None
        for alarm in await self.alarms.due(now_s):
            if await self.alarms.claim_rung(alarm.id, now_s):
                late = now_s - alarm.ring_at >= LATE_AFTER_S
                message = _ringing_message(alarm, self._now(), late)
                self.logger.info("%s", message)
                self.context.events.emit(
                    EventType.ALARM_RINGING, **alarm_data(alarm, self._now()), late=late, message=message
                )


def _which(found: list[Alarm], now: datetime) -> Response:
    """Ask back which of several alarms to cancel."""
    names = [f"the {describe(a, now)}" for a in found]
    return Response(
        False,
        f"Which alarm do you mean: {join_words(names, 'or')}? You can also say cancel all alarms.",
        data={"alarms": [alarm_data(a, now) for a in found]},
        requires_followup=True,
    )


def _ringing_message(alarm: Alarm, now: datetime, late: bool) -> str:
    label = f"{alarm.name} alarm" if alarm.name else "alarm"
    at = say_time(alarm.local(now.tzinfo))  # type: ignore[arg-type]
    if late:
        return f"You missed your {label} at {at} while AstrOS was off."
    return f"It's {at}. Your {label} is ringing."


def _means_all(intent: Intent) -> bool:
    """True for "cancel all alarms": the ``all`` slot, or "all"/"every"/"any" in the request's words."""
    value = intent.entities.get("all")
    if value is True or str(value).strip().lower() in ("1", "true", "yes", "all"):
        return True
    text = intent.original_request.text if intent.original_request else ""
    return bool(_ALL_WORDS & set(re.findall(r"[a-z]+", text.lower())))
