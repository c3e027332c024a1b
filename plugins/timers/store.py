"""The timers table: every timer as a row, changed only by single atomic statements.

Times are absolute UTC epoch seconds (``time.time()``), so a timer means the same thing to every
process that opens the database and across a restart. A running timer has ``ends_at``; a paused
one keeps the seconds it had left in ``paused_remaining`` instead. A row leaves ``running`` or
``paused`` exactly once (``finished`` or ``cancelled``), by an ``UPDATE ... WHERE status = ...``
whose changed-row count tells the caller whether it was the one that did it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Final, Optional

from astros.storage.database import DatabaseManager

_LOGGER = logging.getLogger(__name__)

RUNNING: Final = "running"
PAUSED: Final = "paused"
FINISHED: Final = "finished"
CANCELLED: Final = "cancelled"
KEEP_ENDED_S: Final = 7 * 86400  # finished and cancelled rows are deleted after a week

MIGRATIONS: Final = (
    """CREATE TABLE timers (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL DEFAULT '',
        area TEXT NOT NULL DEFAULT '',
        user_id TEXT NOT NULL DEFAULT '',
        seconds INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'running',
        created_at REAL NOT NULL,
        ends_at REAL,
        paused_remaining REAL,
        ended_at REAL)""",
    "CREATE INDEX timers_due ON timers (status, ends_at)",
    "ALTER TABLE timers ADD COLUMN command TEXT NOT NULL DEFAULT ''",
)


@dataclass(frozen=True)
class Timer:
    """One timer as stored."""

    id: str
    name: str
    """What the user called it ("pizza"), or "" for an unnamed timer."""
    area: str
    user_id: str
    command: str
    """A request to carry out when the timer finishes ("turn off the lights"), or ""."""
    seconds: int
    """The length it was started with (how people tell timers apart: "the 5 minute timer")."""
    status: str
    created_at: float
    ends_at: Optional[float]
    """When a running timer goes off (UTC epoch seconds); None while paused."""
    paused_remaining: Optional[float]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Timer":
        fields = cls.__dataclass_fields__
        return cls(**{key: value for key, value in row.items() if key in fields})

    @property
    def paused(self) -> bool:
        return self.status == PAUSED

    def remaining(self, now: float) -> float:
        """Seconds left at ``now`` (never negative)."""
        if self.paused:
            return max(0.0, self.paused_remaining or 0.0)
        return max(0.0, (self.ends_at or now) - now)


class TimerStore:
    """Reads and changes the timers table."""

    def __init__(self, db: DatabaseManager) -> None:
        self.db = db

    async def active(self) -> list[Timer]:
        """Running and paused timers, oldest first."""
        rows = await self.db.execute_query(
            "SELECT * FROM timers WHERE status IN ('running', 'paused') ORDER BY created_at, rowid"
        )
        return [Timer.from_row(row) for row in rows]

    async def get(self, timer_id: str) -> Optional[Timer]:
        rows = await self.db.execute_query("SELECT * FROM timers WHERE id = :id", {"id": timer_id})
        return Timer.from_row(rows[0]) if rows else None

    async def add(
        self, *, name: str, area: str, user_id: str, seconds: int, now: float, command: str = ""
    ) -> Timer:
        """Start a new timer of ``seconds`` at ``now``; ``command`` is carried out when it finishes."""
        data = dict(name=name, area=area, user_id=user_id, command=command, seconds=seconds, status=RUNNING,
                    created_at=now, ends_at=now + seconds)
        timer_id = await self.db.insert("timers", data)
        timer = await self.get(timer_id)
        assert timer is not None
        return timer

    async def cancel(self, timer_id: str, now: float) -> bool:
        """Cancel a running or paused timer; False if it had already ended."""
        return await self._change(
            "status = 'cancelled', ended_at = :now WHERE id = :id AND status IN ('running', 'paused')",
            id=timer_id, now=now,
        )

    async def pause(self, timer_id: str, now: float) -> bool:
        """Stop the clock of a running timer, keeping the seconds it has left."""
        return await self._change(
            "status = 'paused', paused_remaining = MAX(ends_at - :now, 0), ends_at = NULL "
            "WHERE id = :id AND status = 'running' AND ends_at > :now",
            id=timer_id, now=now,
        )

    async def resume(self, timer_id: str, now: float) -> bool:
        """Restart the clock of a paused timer."""
        return await self._change(
            "status = 'running', ends_at = :now + paused_remaining, paused_remaining = NULL "
            "WHERE id = :id AND status = 'paused'",
            id=timer_id, now=now,
        )

    async def shift(self, timer_id: str, delta: float, now: float) -> bool:
        """Add ``delta`` seconds (negative to remove) to the time a timer has left."""
        return await self._change(
            "ends_at = CASE WHEN status = 'running' THEN ends_at + :delta ELSE ends_at END, "
            "paused_remaining = CASE WHEN status = 'paused' THEN paused_remaining + :delta "
            "ELSE paused_remaining END "
            "WHERE id = :id AND (status = 'paused' OR (status = 'running' AND ends_at > :now))",
            id=timer_id, delta=delta, now=now,
        )

    async def due(self, now: float) -> list[Timer]:
        """Running timers whose time has come, earliest first."""
        rows = await self.db.execute_query(
            "SELECT * FROM timers WHERE status = 'running' AND ends_at <= :now ORDER BY ends_at",
            {"now": now},
        )
        return [Timer.from_row(row) for row in rows]

    async def claim_finished(self, timer_id: str, now: float) -> bool:
        """Mark a due timer finished; True only for the one caller (in any process) that did it."""
        return await self._change(
            "status = 'finished', ended_at = :now WHERE id = :id AND status = 'running' AND ends_at <= :now",
            id=timer_id, now=now,
        )

    async def next_due(self) -> Optional[float]:
        """When the next running timer goes off, or None if none is running."""
        rows = await self.db.execute_query("SELECT MIN(ends_at) AS due FROM timers WHERE status = 'running'")
        return rows[0]["due"] if rows else None

    async def purge(self, now: float) -> int:
        """Delete rows of timers that ended long ago."""
        return await self.db.execute(
            "DELETE FROM timers WHERE status IN ('finished', 'cancelled') AND ended_at < :before",
            {"before": now - KEEP_ENDED_S},
        )

    async def _change(self, assignments_and_where: str, **params: Any) -> bool:
        return await self.db.execute(f"UPDATE timers SET {assignments_and_where}", params) == 1
