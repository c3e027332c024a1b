"""Alarms plugin: set, list, cancel and ring, in the configured time zone."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from astros.events import EventType
from astros.wording import say_time
from tests.conftest import builtin_plugin, make_intent

ZONE = "America/New_York"
TOML = f'timezone = "{ZONE}"\n'
TZ = ZoneInfo(ZONE)


def next_at(hour: int, minute: int, now: datetime) -> datetime:
    """The next hour:minute after ``now`` (computed here independently of the plugin)."""
    today = datetime.combine(now.date(), time(hour, minute), tzinfo=TZ)
    return today if today > now else datetime.combine(now.date() + timedelta(days=1), time(hour, minute), tzinfo=TZ)


def day_word(when: datetime, now: datetime) -> str:
    return "today" if when.date() == now.date() else "tomorrow"


def ringing(*harnesses):
    return [e for h in harnesses for e in h.events if e.type == EventType.ALARM_RINGING]


async def wait_for(predicate, timeout: float = 4.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.02)


async def pending(h):
    return await h.manager.database.execute_query("SELECT * FROM alarms WHERE status = 'set' ORDER BY ring_at")


@pytest.fixture
async def alarms(load_plugin):
    return await load_plugin(builtin_plugin("alarms"), toml=TOML)


async def test_wake_me_up_at_seven(alarms):
    before = datetime.now(TZ)
    reply = await alarms.ask("AlarmSet", time="07:00")
    after = datetime.now(TZ)
    options = {next_at(7, 0, before), next_at(7, 0, after)}
    [row] = await pending(alarms)
    assert row["ring_at"] in {o.timestamp() for o in options}
    assert reply.success
    assert reply.message in {f"Alarm set for 7:00 AM {day_word(o, before)}." for o in options}
    assert reply.data["time"] == "07:00"


async def test_bare_hour_takes_the_sooner_of_am_and_pm(alarms):
    now = datetime.now(TZ)
    reply = await alarms.ask("AlarmSet", time="05:30", time_explicit=False)
    expected = min(next_at(5, 30, now), next_at(17, 30, now))
    [row] = await pending(alarms)
    assert abs(row["ring_at"] - expected.timestamp()) < 61  # tolerant to a minute rollover mid-test
    assert reply.message.startswith(f"Alarm set for {say_time(expected)}")


async def test_waking_up_at_a_bare_hour_means_the_morning(alarms):
    now = datetime.now(TZ)
    reply = await alarms.ask("AlarmSet", said="wake me up at seven", time="07:00", time_explicit=False)
    [row] = await pending(alarms)
    assert abs(row["ring_at"] - next_at(7, 0, now).timestamp()) < 61
    assert reply.message.startswith("Alarm set for 7:00 AM")


async def test_alarm_on_a_date_with_a_name(alarms):
    today = datetime.now(TZ).date()
    day = today + timedelta(days=3)
    reply = await alarms.ask("AlarmSet", time="17:00", date=day.isoformat(), name="the taxi alarm")
    assert reply.message == f"Taxi alarm set for 5:00 PM on {day:%A}."
    [row] = await pending(alarms)
    assert row["name"] == "taxi"
    assert row["ring_at"] == datetime.combine(day, time(17), tzinfo=TZ).timestamp()


@pytest.mark.parametrize(
    ("entities", "reason"),
    [
        ({}, "What time should the alarm go off?"),
        ({"time": "25:61"}, "I didn't understand the time 25:61."),
        ({"time": "07:00", "date": "someday"}, "I didn't understand the date someday."),
        ({"time": "07:00", "date": "2001-01-01"}, "7:00 AM on Monday, January 1, 2001 has already passed."),
        ({"time": "07:00", "date": "2999-01-01"}, "up to a year ahead"),
    ],
)
async def test_bad_alarm_requests_get_a_reason(alarms, entities, reason):
    reply = await alarms.ask("AlarmSet", **entities)
    assert not reply.success and reason in reply.message
    assert await pending(alarms) == []


async def test_same_alarm_twice_is_kept_once(alarms):
    await alarms.ask("AlarmSet", time="06:15")
    reply = await alarms.ask("AlarmSet", time="06:15")
    assert reply.message.startswith("You already have an alarm at 6:15 AM")
    assert len(await pending(alarms)) == 1


async def test_list_alarms(alarms):
    assert (await alarms.ask("AlarmQuery")).message == "You have no alarms set."
    now = datetime.now(TZ)
    await alarms.ask("AlarmSet", time="07:00")
    seven = next_at(7, 0, now)
    reply = await alarms.ask("AlarmQuery")
    assert reply.message == f"You have an alarm at 7:00 AM {day_word(seven, now)}."
    later = now.date() + timedelta(days=4)
    await alarms.ask("AlarmSet", time="17:00", date=later.isoformat(), name="yoga")
    reply = await alarms.ask("AlarmQuery")
    assert reply.message.startswith("You have 2 alarms: an alarm at 7:00 AM ")
    assert reply.message.endswith(f" and a yoga alarm at 5:00 PM on {later:%A}.")
    assert len(reply.data["alarms"]) == 2
    assert (await alarms.ask("AlarmQuery", name="yoga")).message.startswith("You have a yoga alarm at 5:00 PM")
    assert (await alarms.ask("AlarmQuery", name="school")).message == "You don't have a school alarm."


async def test_cancel_alarms(alarms):
    assert (await alarms.ask("AlarmCancel")).message == "You have no alarms set."
    await alarms.ask("AlarmSet", time="07:00")
    await alarms.ask("AlarmSet", time="08:00", name="school")
    reply = await alarms.ask("AlarmCancel")
    assert not reply.success and reply.requires_followup
    assert reply.message.startswith("Which alarm do you mean: the ")  # soonest first: depends on the hour
    assert "the alarm at 7:00 AM" in reply.message and "the school alarm at 8:00 AM" in reply.message
    reply = await alarms.ask("AlarmCancel", time="09:00")
    assert not reply.success and reply.message == "You don't have an alarm at 9:00 AM."
    reply = await alarms.ask("AlarmCancel", time="07:00")
    assert reply.success and reply.message.startswith("Cancelled your alarm at 7:00 AM ")
    reply = await alarms.ask("AlarmCancel", name="school")
    assert reply.message.startswith("Cancelled your school alarm at 8:00 AM ")
    assert await pending(alarms) == []


async def test_cancel_all_alarms(alarms):
    for clock in ("06:00", "07:00", "08:00"):
        await alarms.ask("AlarmSet", time=clock)
    reply = await alarms.ask("AlarmCancel", all=True)
    assert reply.success and reply.message == "Cancelled 3 alarms."
    assert await pending(alarms) == []


async def test_alarm_rings_once(load_plugin):
    h = await load_plugin(builtin_plugin("alarms"), toml=TOML, background=True)
    reply = await h.ask("AlarmSet", seconds=1)
    assert reply.success
    await wait_for(lambda: ringing(h))
    await asyncio.sleep(0.3)
    [event] = ringing(h)
    rang_at = datetime.fromtimestamp(event.data["ring_at"], TZ)
    assert event.data["message"] == f"It's {say_time(rang_at)}. Your alarm is ringing."
    assert event.data["late"] is False
    assert (await h.ask("AlarmQuery")).message == "You have no alarms set."


async def test_missed_alarm_rings_once_after_a_restart(load_plugin):
    plugin = builtin_plugin("alarms")
    asker = await load_plugin(plugin, toml=TOML)
    await asker.ask("AlarmSet", time="07:00", name="gym")
    await asker.manager.database.execute("UPDATE alarms SET ring_at = ring_at - 2 * 86400")  # missed
    await asker.manager.shutdown()
    await asker.manager.database.close()
    first = await load_plugin(plugin, toml=TOML, background=True)
    second = await load_plugin(plugin, toml=TOML, background=True)
    await wait_for(lambda: ringing(first, second), timeout=2)
    await asyncio.sleep(1.1)
    [event] = ringing(first, second)
    assert event.data["late"] is True
    due = say_time(datetime.fromtimestamp(event.data["ring_at"], TZ))  # 7:00 AM unless DST changed since
    assert event.data["message"] == f"You missed your gym alarm at {due} while AstrOS was off."


async def test_alarms_need_the_alarms_permission(load_plugin):
    h = await load_plugin(builtin_plugin("alarms"), toml=TOML + '[permissions]\ndefault = ["timers"]\n')
    result = await h.manager.dispatch(make_intent("AlarmQuery"))
    assert result.error == "permission-denied"


async def test_cancel_all_alarms_from_the_words_of_the_request(alarms):
    await alarms.ask("AlarmSet", time="06:00")
    await alarms.ask("AlarmSet", time="07:00")
    result = await alarms.manager.dispatch(make_intent("AlarmCancel", text="please remove any alarms I have set"))
    assert result.response.message == "Cancelled 2 alarms."
