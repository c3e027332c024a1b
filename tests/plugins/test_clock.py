"""Clock plugin: the time, date and weekday in the configured time zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from astros.wording import say_date, say_time
from tests.conftest import builtin_plugin

# Far from UTC and from each other, so an answer in the wrong zone cannot pass by luck.
ZONES = ["Pacific/Kiritimati", "America/Los_Angeles", "Asia/Kolkata"]


def twelve_hour(moment: datetime) -> str:
    """7:30 PM, computed independently of the plugin's wording helper."""
    return moment.strftime("%I:%M %p").lstrip("0")


def moments(before: datetime) -> list[datetime]:
    """The clock reading at the start of the request and a minute later (a rollover mid-test)."""
    return [before, before + timedelta(minutes=1)]


@pytest.mark.parametrize("zone", ZONES)
async def test_current_time_in_the_configured_zone(load_plugin, zone):
    h = await load_plugin(builtin_plugin("clock"), toml=f'timezone = "{zone}"\n')
    before = datetime.now(ZoneInfo(zone))
    reply = await h.ask("HassGetCurrentTime")
    assert reply.success
    assert reply.message in {f"It's {twelve_hour(m)}." for m in moments(before)}
    assert reply.data["timezone"] == zone


@pytest.mark.parametrize("zone", ZONES)
async def test_current_date_and_weekday(load_plugin, zone):
    h = await load_plugin(builtin_plugin("clock"), toml=f'timezone = "{zone}"\n')
    before = datetime.now(ZoneInfo(zone))
    reply = await h.ask("HassGetCurrentDate")
    expected = {f"Today is {m:%A}, {m:%B} {m.day}, {m.year}." for m in moments(before)}
    assert reply.success and reply.message in expected
    assert reply.data["weekday"] in {f"{m:%A}" for m in moments(before)}


async def test_clock_needs_no_permission(load_plugin):
    h = await load_plugin(builtin_plugin("clock"), toml='timezone = "UTC"\n[permissions]\ndefault = []\n')
    assert (await h.ask("HassGetCurrentTime")).success


@pytest.mark.parametrize(
    ("hour", "minute", "said"),
    [(0, 5, "12:05 AM"), (9, 0, "9:00 AM"), (12, 0, "12:00 PM"), (19, 30, "7:30 PM"), (23, 59, "11:59 PM")],
)
def test_times_are_said_on_the_twelve_hour_clock(hour, minute, said):
    assert say_time(datetime(2026, 11, 26, hour, minute)) == said


def test_dates_are_said_with_their_weekday():
    assert say_date(datetime(2026, 11, 26).date()) == "Thursday, November 26, 2026"
