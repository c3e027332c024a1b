"""The alarms table: each alarm as a row with the absolute UTC time it rings.

An alarm leaves ``set`` exactly once (``rung`` or ``cancelled``) through an ``UPDATE ... WHERE
status = 'set'`` whose changed-row count tells the caller whether it was the one that did it, so an
alarm rings once even when two processes watch the same database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, Final, Optional

from astros.storage.database import DatabaseManager

KEEP_ENDED_S: Final = 7 * 86400  # rung and cancelled rows are deleted after a week

MIGRATIONS: Final = (
    """CREATE TABLE alarms (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL DEFAULT '',
        user_id TEXT NOT NULL DEFAULT '',
        ring_at REAL NOT NULL,
        status TEXT NOT NULL DEFAULT 'set',
        created_at REAL NOT NULL,
        ended_at REAL)""",
    "CREATE INDEX alarms_due ON alarms (status, ring_at)",
)


@dataclass(frozen=True)
class Alarm:
    """One alarm as stored."""

    id: str
    name: str
    """What the user called it ("taxi"), or ""."""
    ring_at: float
    """When it rings, UTC epoch seconds."""
    status: str
    created_at: float

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "Alarm":
        fields = cls.__dataclass_fields__
        return cls(**{key: value for key, value in row.items() if key in fields})

    def local(self, zone: tzinfo) -> datetime:
        """When it rings, in the time zone ``zone``."""
        return datetime.fromtimestamp(self.ring_at, zone)


class AlarmStore:
    """Reads and changes the alarms table."""

    def __init__(self, db: DatabaseManager) -> None:
        self.db = db

    async def pending(self) -> list[Alarm]:
        """Alarms still to ring, soonest first."""
        rows = await self.db.execute_query("SELECT * FROM alarms WHERE status = 'set' ORDER BY ring_at, rowid")
        return [Alarm.from_row(row) for row in rows]

    async def add(self, *, name: str, user_id: str, ring_at: float, now: float) -> Alarm:
        data = dict(name=name, user_id=user_id, ring_at=ring_at, status="set", created_at=now)
        alarm_id = await self.db.insert("alarms", data)
        return Alarm(alarm_id, name, ring_at, "set", now)

    async def cancel(self, alarm_id: str, now: float) -> bool:
        """Cancel an alarm that has not rung; False if it already rang or was cancelled."""
        changed = await self.db.execute(
            "UPDATE alarms SET status = 'cancelled', ended_at = :now WHERE id = :id AND status = 'set'",
            {"id": alarm_id, "now": now},
        )
        return changed == 1

    async def due(self, now: float) -> list[Alarm]:
        """Alarms whose time has come, earliest first."""
        rows = await self.db.execute_query(
            "SELECT * FROM alarms WHERE status = 'set' AND ring_at <= :now ORDER BY ring_at", {"now": now}
        )
        return [Alarm.from_row(row) for row in rows]

    async def claim_rung(self, alarm_id: str, now: float) -> bool:
        """Mark a due alarm rung; True only for the one caller (in any process) that did it."""
        changed = await self.db.execute(
            "UPDATE alarms SET status = 'rung', ended_at = :now WHERE id = :id AND status = 'set' AND ring_at <= :now",
            {"id": alarm_id, "now": now},
        )
        return changed == 1

    async def next_due(self) -> Optional[float]:
        """When the next alarm rings, or None if none is set."""
        rows = await self.db.execute_query("SELECT MIN(ring_at) AS due FROM alarms WHERE status = 'set'")
        return rows[0]["due"] if rows else None

    async def purge(self, now: float) -> int:
        """Delete rows of alarms that ended long ago."""
        return await self.db.execute(
            "DELETE FROM alarms WHERE status IN ('rung', 'cancelled') AND ended_at < :before",
            {"before": now - KEEP_ENDED_S},
        )
