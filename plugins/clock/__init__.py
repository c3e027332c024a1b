"""Clock: "what time is it?", "what's the date?", "what day is it?".

Intents (no slots are read):

- ``HassGetCurrentTime`` -> "It's 7:30 PM."
- ``HassGetCurrentDate`` -> "Today is Thursday, November 26, 2026." (the weekday included, so it
  also answers "what day is it?")

Both read the clock in the configured time zone (the top-level ``timezone`` key; the system's
when it is empty). ``Response.data`` carries the moment as ISO text, the time zone, and the
time ("19:30"), date ("2026-11-26") and weekday ("Thursday") separately.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from astros.plugins.base import BasePlugin, plugin_handler
from astros.types import Intent, Response
from astros.wording import say_date, say_time


class ClockPlugin(BasePlugin):
    """Tells the time and the date."""

    name = "clock"
    version = "1.0.0"
    description = "The current time, date and weekday in the configured time zone"
    author = "AstrOS"

    async def initialize(self) -> None:
        """Nothing to prepare: the clock comes from the plugin context."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    @plugin_handler("HassGetCurrentTime")
    async def current_time(self, intent: Intent) -> Response:
        now = self._now()
        return Response(True, f"It's {say_time(now)}.", data=_clock_data(now))

    @plugin_handler("HassGetCurrentDate")
    async def current_date(self, intent: Intent) -> Response:
        now = self._now()
        return Response(True, f"Today is {say_date(now.date())}.", data=_clock_data(now))

    def _now(self) -> datetime:
        assert self.context is not None, "the clock plugin is used before it was loaded"
        return self.context.now()


def _clock_data(now: datetime) -> dict[str, Any]:
    """The moment as machine-readable data."""
    return {
        "datetime": now.isoformat(timespec="seconds"),
        "timezone": str(now.tzinfo),
        "time": f"{now:%H:%M}",
        "date": now.date().isoformat(),
        "weekday": f"{now:%A}",
    }
