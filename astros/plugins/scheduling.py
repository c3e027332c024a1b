"""A loop that sleeps until the next due time and then fires what is due.

Plugins with things that fall due (timers, alarms) run one in ``run_background``. It wakes at
the next due time, when notified (something was just added or changed in this process), and at least every ``max_wait_s`` seconds, so rows written by another process (``astros
ask`` while the appliance runs) are seen within a second. Firing exactly once is the store's job
(an atomic claim); this loop only decides when to look.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Optional

_LOGGER = logging.getLogger(__name__)
MAX_WAIT_S = 1.0  # seconds between looks even when nothing is due
MIN_WAIT_S = 0.005  # never spin faster than this


class DueLoop:
    """Calls ``fire_due(now)`` whenever something may be due."""

    def __init__(
        self,
        next_due: Callable[[], Awaitable[Optional[float]]],
        fire_due: Callable[[float], Awaitable[None]],
        max_wait_s: float = MAX_WAIT_S,
    ) -> None:
        """
        Args:
            next_due: returns the epoch seconds of the next due item, or None if nothing is pending.
            fire_due: fires every item due at the epoch seconds it is given.
            max_wait_s: the longest sleep between looks at the database.
        """
        self._next_due = next_due
        self._fire_due = fire_due
        self.max_wait_s = max_wait_s
        self._wake = asyncio.Event()

    def notify(self) -> None:
        """Look again now (something was added or changed)."""
        self._wake.set()

    async def run(self) -> None:
        """Run until cancelled."""
        while True:
            self._wake.clear()
            try:
                await self._fire_due(time.time())
                wait = await self._wait_time()
            except (asyncio.CancelledError, KeyboardInterrupt):
                raise
            except Exception:  # noqa: BLE001 - a failed look is retried; the loop must live on
                _LOGGER.exception("Checking for due items failed; retrying")
                wait = self.max_wait_s
            try:
                async with asyncio.timeout(wait):
                    await self._wake.wait()
            except TimeoutError:
                pass

    async def _wait_time(self) -> float:
        due = await self._next_due()
        if due is None:
            return self.max_wait_s
        return min(self.max_wait_s, max(MIN_WAIT_S, due - time.time()))
