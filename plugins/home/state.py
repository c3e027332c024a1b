"""The state of every home device, kept in the plugin's table so it survives restarts.

One row per device (by its canonical name): ``state`` ("on", "open", "locked" ... or NULL when
unknown) and ``data``, a JSON object with the attributes (brightness, position, colour,
temperatures, sensor value). ``source`` says who set it last: "command" (AstrOS) or "device"
(a report from the device itself).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, Final, Iterable, Optional

from astros.storage.database import DatabaseManager
from astros.types import utcnow

_LOGGER = logging.getLogger(__name__)

MIGRATIONS: Final = (
    """CREATE TABLE home_device_state (
        device TEXT PRIMARY KEY, state TEXT, data TEXT NOT NULL DEFAULT '{}',
        source TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL)""",
)


class StateStore:
    """Reads and merges device states in the ``home_device_state`` table."""

    def __init__(self, database: DatabaseManager) -> None:
        self.database = database

    async def get(self, device: str) -> Optional[Dict[str, Any]]:
        """The stored state of ``device``, or None if nothing was ever stored."""
        rows = await self.database.execute_query(
            "SELECT state, data, updated_at FROM home_device_state WHERE device = :device", {"device": device}
        )
        return _decode(rows[0]) if rows else None

    async def get_many(self, devices: Iterable[str]) -> Dict[str, Dict[str, Any]]:
        """The stored states of ``devices`` that have one, by device name."""
        wanted = set(devices)
        rows = await self.database.execute_query("SELECT device, state, data, updated_at FROM home_device_state")
        return {row["device"]: _decode(row) for row in rows if row["device"] in wanted}

    async def update(self, device: str, changes: Dict[str, Any], source: str) -> Dict[str, Any]:
        """Merge ``changes`` into the state of ``device`` atomically; returns the new state."""
        async with self.database.transaction() as conn:
            async with conn.execute("SELECT state, data FROM home_device_state WHERE device = ?", (device,)) as cur:
                row = await cur.fetchone()
            merged = _decode(row) if row else {}
            merged.pop("updated_at", None)
            merged.update(changes)
            attributes = {k: v for k, v in merged.items() if k != "state"}
            await conn.execute(
                "INSERT INTO home_device_state (device, state, data, source, updated_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(device) DO UPDATE SET state = excluded.state, data = excluded.data, "
                "source = excluded.source, updated_at = excluded.updated_at",
                (device, merged.get("state"), json.dumps(attributes), source, utcnow().isoformat()),
            )
        return merged


def _decode(row: Any) -> Dict[str, Any]:
    try:
        data = json.loads(row["data"])
    except (TypeError, ValueError):
        _LOGGER.warning("Ignoring unreadable stored device state %r", row["data"])
        data = {}
    state = {**data, "state": row["state"]} if row["state"] is not None else dict(data)
    if "updated_at" in row.keys():
        state["updated_at"] = row["updated_at"]
    return state
