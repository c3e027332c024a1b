"""Timers: "set a timer for 5 minutes", named timers, pause, resume, add or remove time.

Intents and the slots each reads:

- ``HassStartTimer``: ``hours``/``minutes``/``seconds`` (length, 1 second to 24 hours), ``name``
  ("pizza"), ``area``, ``conversation_command`` ("in 5 minutes turn off the lights": kept with the
  timer and handed on in ``timer_finished`` as ``command`` with ``user_id``, for the appliance to
  carry out) -> "Timer set for 5 minutes." / "Pizza timer set for 5 minutes."
- ``HassCancelTimer``, ``HassTimerStatus``, ``HassPauseTimer``, ``HassUnpauseTimer``: pick a timer
  by ``name``, ``start_hours``/``start_minutes``/``start_seconds`` (its original length) and/or
  ``area``; status without any of them reports every timer.
- ``HassIncreaseTimer`` / ``HassDecreaseTimer``: the amount in ``hours``/``minutes``/``seconds``, the
  timer picked as above.
- ``HassCancelAllTimers``: every timer, or those in a named ``area``.

Which timer is meant when several match is decided in :mod:`.choice` (the room the request came
from, then the most recent of timers that sound alike, else AstrOS asks back).

Timers live in the ``timers`` table with absolute UTC times, so they survive a restart and can be
set by ``astros ask`` while the appliance runs. The appliance's background loop fires each due timer
exactly once, even with several processes on one database, publishing ``timer_finished`` with
``{id, name, seconds, area, user_id, command, late, message}``; a timer that came due while AstrOS was off fires once
at start, saying how long ago it finished. ``timer_started``, ``timer_updated`` and
``timer_cancelled`` are published as timers change.
"""

from __future__ import annotations

import time
from typing import Any, Final

from astros.events import EventType
from astros.plugins.base import BasePlugin, plugin_handler
from astros.types import Intent, Response
from astros.wording import capitalize_first, plural, say_duration, say_remaining

from .choice import describe, has_filter, matching, pick, status_phrase, timer_data
from astros.plugins.scheduling import DueLoop
from .slots import BadSlot, areas, duration, timer_name
from .store import MIGRATIONS, Timer, TimerStore

MAX_SECONDS: Final = 24 * 3600
LATE_AFTER_S: Final = 5.0  # a timer fired this long after its time is reported as late


class TimersPlugin(BasePlugin):
    """Kitchen timers that survive a restart and go off exactly once."""

    name = "timers"
    version = "1.0.0"
    description = "Timers: start, cancel, status, pause, resume, add or remove time"
    author = "AstrOS"
    requires_permissions = ["timers"]
    migrations = MIGRATIONS

    async def initialize(self) -> None:
        assert self.context is not None
        self.timers = TimerStore(self.context.database)
        self.loop = DueLoop(self.timers.next_due, self._fire_due)
        await self.timers.purge(time.time())

    async def shutdown(self) -> None:
        """Nothing to release: timers stay in the database."""

    async def run_background(self) -> None:
        """Fire timers as they come due, until the appliance stops."""
        await self.loop.run()

    # -- handlers --------------------------------------------------------------------------------

    @plugin_handler("HassStartTimer")
    async def start_timer(self, intent: Intent) -> Response:
        try:
            seconds = duration(intent.entities)
        except BadSlot as err:
            return Response(False, str(err))
        problem = _length_problem(seconds)
        if problem:
            return Response(False, problem)
        name = timer_name(intent.entities.get("name"))
        area, hint = areas(intent.entities)
        user = intent.original_request.user_id if intent.original_request else ""
        now = time.time()
        command = str(intent.entities.get("conversation_command") or "").strip()
        timer = await self.timers.add(
            name=name, area=area or hint, user_id=user, seconds=seconds or 0, now=now, command=command
        )
        self.loop.notify()
        self._emit(EventType.TIMER_STARTED, timer, now)
        label = capitalize_first(describe(timer)) if name else "Timer"
        then = f" When it's done: {command}." if command else ""
        return Response(True, f"{label} set for {say_duration(timer.seconds)}.{then}", data=timer_data(timer, now))

    @plugin_handler("HassCancelTimer")
    async def cancel_timer(self, intent: Intent) -> Response:
        now = time.time()
        picked = await self._pick(intent)
        if isinstance(picked, Response):
            return picked
        if not await self.timers.cancel(picked.id, now):
            return Response(False, f"Your {describe(picked)} has already finished.")
        self._emit(EventType.TIMER_CANCELLED, picked, now)
        return Response(True, f"Cancelled your {describe(picked)}.", data=timer_data(picked, now))

    @plugin_handler("HassCancelAllTimers")
    async def cancel_all_timers(self, intent: Intent) -> Response:
        now = time.time()
        try:
            found = matching(await self.timers.active(), intent.entities)
        except BadSlot as err:
            return Response(False, str(err))
        cancelled = [t for t in found if await self.timers.cancel(t.id, now)]
        for timer in cancelled:
            self._emit(EventType.TIMER_CANCELLED, timer, now)
        data = {"timers": [timer_data(t, now) for t in cancelled]}
        if not cancelled:
            return Response(False, "You have no timers running.", data=data)
        if len(cancelled) == 1:
            return Response(True, f"Cancelled your {describe(cancelled[0])}.", data=data)
        return Response(True, f"Cancelled {plural(len(cancelled), 'timer')}.", data=data)

    @plugin_handler("HassTimerStatus")
    async def timer_status(self, intent: Intent) -> Response:
        now = time.time()
        timers = await self.timers.active()
        try:
            picked = pick(timers, intent.entities, now) if timers and has_filter(intent.entities) else None
        except BadSlot as err:
            return Response(False, str(err))
        if isinstance(picked, Response):
            return picked
        timers = [picked] if picked else timers
        data = {"timers": [timer_data(t, now) for t in timers]}
        if not timers:
            return Response(True, "You have no timers running.", data=data)
        if len(timers) == 1:
            return Response(True, capitalize_first(status_phrase(timers[0], now)) + ".", data=data)
        lines = [capitalize_first(status_phrase(t, now, "the")) + "." for t in timers]
        return Response(True, " ".join([f"You have {plural(len(timers), 'timer')}.", *lines]), data=data)

    @plugin_handler("HassPauseTimer")
    async def pause_timer(self, intent: Intent) -> Response:
        now = time.time()
        picked = await self._pick(intent, prefer_paused=False)
        if isinstance(picked, Response):
            return picked
        if picked.paused:
            return Response(False, f"Your {describe(picked)} is already paused.", data=timer_data(picked, now))
        if not await self.timers.pause(picked.id, now):
            return Response(False, f"Your {describe(picked)} has already finished.")
        return await self._updated(picked.id, now, "Paused your {timer}.")

    @plugin_handler("HassUnpauseTimer")
    async def resume_timer(self, intent: Intent) -> Response:
        now = time.time()
        picked = await self._pick(intent, prefer_paused=True)
        if isinstance(picked, Response):
            return picked
        if not picked.paused:
            return Response(False, f"Your {describe(picked)} isn't paused.", data=timer_data(picked, now))
        if not await self.timers.resume(picked.id, now):
            return Response(False, f"Your {describe(picked)} is no longer paused.")
        return await self._updated(picked.id, now, "Resumed your {timer}.")

    @plugin_handler("HassIncreaseTimer")
    async def increase_timer(self, intent: Intent) -> Response:
        return await self._shift(intent, +1)

    @plugin_handler("HassDecreaseTimer")
    async def decrease_timer(self, intent: Intent) -> Response:
        return await self._shift(intent, -1)

    # -- helpers ---------------------------------------------------------------------------------

    async def _shift(self, intent: Intent, sign: int) -> Response:
        """Add (sign +1) or remove (sign -1) the amount the request gives."""
        try:
            amount = duration(intent.entities)
        except BadSlot as err:
            return Response(False, str(err))
        verb = "add" if sign > 0 else "remove"
        if not amount:
            return Response(False, f"How much time should I {verb}? Say, for example, {verb} 5 minutes.")
        now = time.time()
        picked = await self._pick(intent)
        if isinstance(picked, Response):
            return picked
        left = picked.remaining(now)
        if sign < 0 and amount >= left:
            return Response(False, f"Your {describe(picked)} only has {say_remaining(left)} left.")
        if sign > 0 and left + amount > MAX_SECONDS:
            return Response(False, "A timer can run for at most 24 hours.")
        if not await self.timers.shift(picked.id, sign * amount, now):
            return Response(False, f"Your {describe(picked)} has already finished.")
        self.loop.notify()
        text = f"Added {say_duration(amount)} to" if sign > 0 else f"Removed {say_duration(amount)} from"
        return await self._updated(picked.id, now, text + " your {timer}.")

    async def _pick(self, intent: Intent, prefer_paused: bool | None = None) -> Timer | Response:
        """The timer a request means; pause looks among running timers first, resume among paused."""
        now = time.time()
        timers = await self.timers.active()
        if prefer_paused is not None:
            timers = [t for t in timers if t.paused == prefer_paused] or timers
        try:
            return pick(timers, intent.entities, now)
        except BadSlot as err:
            return Response(False, str(err))

    async def _updated(self, timer_id: str, now: float, template: str) -> Response:
        timer = await self.timers.get(timer_id)
        assert timer is not None
        self.loop.notify()
        self._emit(EventType.TIMER_UPDATED, timer, now)
        return Response(True, template.format(timer=describe(timer)), data=timer_data(timer, now))

    async def _fire_due(self, now: float) -> None:
        """Publish ``timer_finished`` for each due timer this process is the first to claim."""
        for timer in await self.timers.due(now):
            if await self.timers.claim_finished(timer.id, now):
                late = now - (timer.ends_at or now)
                message = _finished_message(timer, late)
                self.logger.info("%s", message)
                self._emit(EventType.TIMER_FINISHED, timer, now, late=late >= LATE_AFTER_S, message=message)

    def _emit(self, kind: EventType, timer: Timer, now: float, **extra: Any) -> None:
        assert self.context is not None
        self.context.events.emit(kind, **timer_data(timer, now), **extra)


def _length_problem(seconds: int | None) -> str:
    """Why a new timer of ``seconds`` cannot be started, or "" if it can."""
    if seconds is None:
        return "How long should the timer run? Say, for example, set a timer for 5 minutes."
    if seconds <= 0:
        return "A timer needs to run for at least 1 second."
    if seconds > MAX_SECONDS:
        return "A timer can run for at most 24 hours."
    return ""


def _finished_message(timer: Timer, late_s: float) -> str:
    """What is said when a timer goes off, and how late if AstrOS was off at the time."""
    if late_s < LATE_AFTER_S:
        return f"Your {describe(timer)} is done."
    return f"Your {describe(timer)} finished {say_remaining(late_s)} ago, while AstrOS was off."
