"""Timers plugin: every operation, persistence across a restart, and firing exactly once."""

from __future__ import annotations

import asyncio
import time

import pytest

from astros.events import EventType
from tests.conftest import builtin_plugin

TOML = 'timezone = "UTC"\n'


def finished(*harnesses):
    return [e for h in harnesses for e in h.events if e.type == EventType.TIMER_FINISHED]


async def wait_for(predicate, timeout: float = 4.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.02)


async def rows(h, sql="SELECT * FROM timers ORDER BY created_at"):
    return await h.manager.database.execute_query(sql)


@pytest.fixture
async def timers(load_plugin):
    return await load_plugin(builtin_plugin("timers"), toml=TOML)


async def test_start_timer_replies_and_stores_it(timers):
    reply = await timers.ask("HassStartTimer", minutes=5)
    assert reply.success and reply.message == "Timer set for 5 minutes."
    [row] = await rows(timers)
    assert row["seconds"] == 300 and row["status"] == "running"
    assert abs(row["ends_at"] - (time.time() + 300)) < 2
    assert [e.type for e in timers.events] == [EventType.TIMER_STARTED]


async def test_named_and_compound_timer(timers):
    reply = await timers.ask("HassStartTimer", hours=1, minutes=30, name="pizza ")
    assert reply.message == "Pizza timer set for 1 hour and 30 minutes."
    assert reply.data["name"] == "pizza" and reply.data["seconds"] == 5400


@pytest.mark.parametrize(
    ("entities", "reason"),
    [
        ({}, "How long should the timer run?"),
        ({"minutes": 0}, "at least 1 second"),
        ({"hours": 25}, "at most 24 hours"),
        ({"minutes": "lots"}, "I didn't understand the number lots."),
        ({"minutes": -3}, "negative"),
    ],
)
async def test_bad_durations_get_a_reason(timers, entities, reason):
    reply = await timers.ask("HassStartTimer", **entities)
    assert not reply.success and reason in reply.message
    assert await rows(timers) == []


async def test_status_of_one_and_several_timers(timers):
    assert (await timers.ask("HassTimerStatus")).message == "You have no timers running."
    await timers.ask("HassStartTimer", minutes=10)
    reply = await timers.ask("HassTimerStatus")
    assert reply.message in (
        "10 minutes left on your 10 minute timer.",
        "9 minutes and 59 seconds left on your 10 minute timer.",
    )
    await timers.ask("HassStartTimer", minutes=3, name="pizza")
    reply = await timers.ask("HassTimerStatus")
    assert reply.message.startswith("You have 2 timers. ")
    assert "left on the 10 minute timer." in reply.message and "left on the pizza timer." in reply.message
    reply = await timers.ask("HassTimerStatus", name="pizza")
    assert reply.message.endswith("left on your pizza timer.") and len(reply.data["timers"]) == 1


async def test_cancel_by_name_by_length_and_unknown(timers):
    await timers.ask("HassStartTimer", minutes=5)
    await timers.ask("HassStartTimer", minutes=10, name="pizza")
    reply = await timers.ask("HassCancelTimer", name="tea")
    assert not reply.success and reply.message == "You don't have a tea timer."
    reply = await timers.ask("HassCancelTimer", start_minutes=8)
    assert reply.message == "You don't have an 8 minute timer."
    reply = await timers.ask("HassCancelTimer", name="pizza timer")
    assert reply.success and reply.message == "Cancelled your pizza timer."
    reply = await timers.ask("HassCancelTimer", start_minutes=5)
    assert reply.message == "Cancelled your 5 minute timer."
    assert {r["status"] for r in await rows(timers)} == {"cancelled"}
    assert (await timers.ask("HassCancelTimer")).message == "You have no timers running."
    assert [e.type for e in timers.events].count(EventType.TIMER_CANCELLED) == 2


async def test_ambiguous_cancel_asks_back_and_lookalikes_pick_latest(timers):
    await timers.ask("HassStartTimer", minutes=5)
    await timers.ask("HassStartTimer", minutes=10, name="pizza")
    reply = await timers.ask("HassCancelTimer")
    assert not reply.success and reply.requires_followup
    assert reply.message == "Which timer do you mean: the 5 minute timer or the pizza timer?"
    await timers.ask("HassCancelTimer", name="pizza")
    await timers.ask("HassStartTimer", minutes=5)
    reply = await timers.ask("HassCancelTimer")
    assert reply.success and reply.message == "Cancelled your 5 minute timer."
    statuses = [r["status"] for r in await rows(timers)]
    assert statuses == ["running", "cancelled", "cancelled"]  # the newer 5 minute timer went


async def test_area_picks_the_timer_in_that_room(timers):
    await timers.ask("HassStartTimer", minutes=5, area="Kitchen")
    await timers.ask("HassStartTimer", minutes=7, area="Office")
    reply = await timers.ask("HassCancelTimer", area="Office", context_area="Office")
    assert reply.message == "Cancelled your 7 minute timer."
    reply = await timers.ask("HassCancelTimer", area="Bedroom")
    assert reply.message == "You don't have a timer in the Bedroom."


async def test_cancel_all(timers):
    assert not (await timers.ask("HassCancelAllTimers")).success
    for minutes in (1, 2, 3):
        await timers.ask("HassStartTimer", minutes=minutes)
    reply = await timers.ask("HassCancelAllTimers")
    assert reply.success and reply.message == "Cancelled 3 timers."
    assert (await timers.ask("HassTimerStatus")).message == "You have no timers running."


async def test_pause_resume(timers):
    await timers.ask("HassStartTimer", minutes=10)
    reply = await timers.ask("HassPauseTimer")
    assert reply.success and reply.message == "Paused your 10 minute timer."
    [row] = await rows(timers)
    assert row["status"] == "paused" and row["ends_at"] is None and 598 < row["paused_remaining"] <= 600
    assert (await timers.ask("HassPauseTimer")).message == "Your 10 minute timer is already paused."
    status = await timers.ask("HassTimerStatus")
    assert status.message.startswith("Your 10 minute timer is paused with ")
    reply = await timers.ask("HassUnpauseTimer")
    assert reply.success and reply.message == "Resumed your 10 minute timer."
    assert (await timers.ask("HassUnpauseTimer")).message == "Your 10 minute timer isn't paused."
    [row] = await rows(timers)
    assert row["status"] == "running" and abs(row["ends_at"] - time.time() - 600) < 3
    assert [e.type for e in timers.events].count(EventType.TIMER_UPDATED) == 2


async def test_add_and_remove_time(timers):
    await timers.ask("HassStartTimer", minutes=10, name="pizza")
    reply = await timers.ask("HassIncreaseTimer", minutes=5, name="pizza")
    assert reply.success and reply.message == "Added 5 minutes to your pizza timer."
    assert 898 < reply.data["remaining"] <= 900
    reply = await timers.ask("HassDecreaseTimer", minutes=2)
    assert reply.message == "Removed 2 minutes from your pizza timer."
    assert 778 < reply.data["remaining"] <= 780
    reply = await timers.ask("HassDecreaseTimer", hours=1)
    assert not reply.success and reply.message.startswith("Your pizza timer only has 13 minutes")
    assert not (await timers.ask("HassIncreaseTimer")).success
    assert "at most 24 hours" in (await timers.ask("HassIncreaseTimer", hours=24)).message
    await timers.ask("HassPauseTimer")
    reply = await timers.ask("HassIncreaseTimer", seconds=30)
    assert reply.success and reply.data["paused"] and 808 < reply.data["remaining"] <= 810


async def test_timer_fires_once_with_a_message(load_plugin):
    h = await load_plugin(builtin_plugin("timers"), toml=TOML, background=True)
    started = time.monotonic()
    await h.ask("HassStartTimer", seconds=1)
    await wait_for(lambda: finished(h))
    assert 0.9 < time.monotonic() - started < 5
    await asyncio.sleep(0.3)
    [event] = finished(h)
    assert event.data["message"] == "Your 1 second timer is done." and event.data["seconds"] == 1
    assert event.data["late"] is False and set(event.data) >= {"id", "name", "seconds", "message"}
    assert (await h.ask("HassTimerStatus")).message == "You have no timers running."


async def test_paused_timer_does_not_fire(load_plugin):
    h = await load_plugin(builtin_plugin("timers"), toml=TOML, background=True)
    await h.ask("HassStartTimer", seconds=1)
    await h.ask("HassPauseTimer")
    await asyncio.sleep(1.3)
    assert finished(h) == []


async def close(h) -> None:
    await h.manager.shutdown()
    await h.manager.database.close()


async def test_timer_survives_a_restart_and_fires_once(load_plugin):
    plugin = builtin_plugin("timers")
    asker = await load_plugin(plugin, toml=TOML)  # a one-shot `astros ask`: no scheduler
    await asker.ask("HassStartTimer", seconds=1, name="tea")
    await asker.ask("HassStartTimer", seconds=2)
    await close(asker)
    await asyncio.sleep(1.1)  # the tea timer comes due while nothing runs
    appliance = await load_plugin(plugin, toml=TOML, background=True)
    await wait_for(lambda: len(finished(appliance)) == 2)
    await asyncio.sleep(0.3)
    tea, other = finished(appliance)
    assert tea.data["name"] == "tea" and other.data["seconds"] == 2
    assert [e.data["message"] for e in (tea, other)] == ["Your tea timer is done.", "Your 2 second timer is done."]
    await close(appliance)
    again = await load_plugin(plugin, toml=TOML, background=True)
    await asyncio.sleep(1.2)
    assert finished(again) == []


async def test_timer_due_while_off_fires_late_at_start(load_plugin):
    plugin = builtin_plugin("timers")
    asker = await load_plugin(plugin, toml=TOML)
    await asker.ask("HassStartTimer", seconds=1)
    await asker.manager.database.execute("UPDATE timers SET ends_at = ends_at - 600")  # due 10 minutes ago
    assert (await asker.ask("HassTimerStatus")).message == "Your 1 second timer is done."
    await close(asker)
    appliance = await load_plugin(plugin, toml=TOML, background=True)
    await wait_for(lambda: finished(appliance), timeout=2)
    [event] = finished(appliance)
    assert event.data["late"] is True
    assert event.data["message"].startswith("Your 1 second timer finished 9 minutes and 59 seconds ago") or \
        event.data["message"].startswith("Your 1 second timer finished 10 minutes ago")


async def test_two_schedulers_fire_each_timer_exactly_once(load_plugin):
    plugin = builtin_plugin("timers")
    first = await load_plugin(plugin, toml=TOML, background=True)
    second = await load_plugin(plugin, toml=TOML, background=True)
    for n in range(6):
        await (first if n % 2 else second).ask("HassStartTimer", seconds=1, name=f"t{n}")
    await wait_for(lambda: len(finished(first, second)) >= 6)
    await asyncio.sleep(1.2)  # both loops look again at least once
    names = sorted(e.data["name"] for e in finished(first, second))
    assert names == [f"t{n}" for n in range(6)]
    assert {r["status"] for r in await rows(first)} == {"finished"}


async def test_delayed_command_is_handed_on_when_the_timer_finishes(load_plugin):
    h = await load_plugin(builtin_plugin("timers"), toml=TOML, background=True)
    reply = await h.ask("HassStartTimer", seconds=1, conversation_command="turn off the lights")
    assert reply.message == "Timer set for 1 second. When it's done: turn off the lights."
    await wait_for(lambda: finished(h))
    [event] = finished(h)
    assert event.data["command"] == "turn off the lights" and event.data["user_id"] == "owner"
