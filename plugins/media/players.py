"""Which media player a request means, and the players' state table.

A media player is a home device with ``domain = "media_player"``. Picking one:
1. ``name``: that player.
2. ``area`` or ``floor`` said out loud: the players there ("There's no media player in the Garage.").
3. Otherwise the players of the requesting area (the area slot the recognizer filled from where
   the request was made, else the request's context area, else ``home.area``); if that area has
   none, the home's only player; with several elsewhere, AstrOS asks which one.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Final, List, Optional, Union

from astros.config import DeviceConfig
from astros.home import Home, normalize_name
from astros.storage.database import DatabaseManager
from astros.types import Intent, utcnow

MIGRATIONS: Final = (
    """CREATE TABLE media_player_state (
        player TEXT PRIMARY KEY, state TEXT NOT NULL, data TEXT NOT NULL DEFAULT '{}',
        updated_at TEXT NOT NULL)""",
)
IDLE: Final = {"state": "idle", "query": None, "muted": False, "volume": 50, "track": 0}
"""A player nobody has used yet: nothing playing, not muted, half volume."""


def find_players(home: Home, intent: Intent) -> Union[List[DeviceConfig], str]:
    """The media players ``intent`` means, or a sentence saying why there are none."""
    players = [d for d in home.devices if d.domain == "media_player"]
    if not players:
        return "There's no media player set up yet; add one to [[home.devices]] with domain = \"media_player\"."
    entities = intent.entities
    name = entities.get("name")
    if isinstance(name, str) and name.strip() and normalize_name(name) not in ("all", "everything"):
        return _by_name(home, name)
    said = not entities.get("context_area")
    area = home.find_area(str(entities["area"])) if entities.get("area") else None
    floor = home.find_floor(str(entities["floor"])) if entities.get("floor") else None
    if said and (area or floor):
        found = home.devices_in(area=area.name if area else None, floor=None if area else floor.name, domain="media_player")
        place = f"in the {area.name}" if area else f"on the {floor.name}"
        return found or f"There's no media player {place}."
    here = area.name if area else intent.original_request.context.get("area") or home.area
    found = home.devices_in(area=here, domain="media_player") if here else []
    if found:
        return found
    return players if len(players) == 1 else "Which media player do you mean?"


def _by_name(home: Home, name: str) -> Union[List[DeviceConfig], str]:
    device = home.find_device(name)
    if device is None:
        return f"I don't know a media player called {name}."
    if device.domain != "media_player":
        return f"The {device.name} isn't a media player."
    return [device]


class PlayerStore:
    """The ``media_player_state`` table: state ("idle", "playing", "paused") and attributes."""

    def __init__(self, database: DatabaseManager) -> None:
        self.database = database

    async def get(self, player: str) -> Dict[str, Any]:
        """The player's state (:data:`IDLE` if it was never used)."""
        rows = await self.database.execute_query(
            "SELECT state, data FROM media_player_state WHERE player = :player", {"player": player}
        )
        if not rows:
            return dict(IDLE)
        return {**IDLE, **_load(rows[0]["data"]), "state": rows[0]["state"]}

    async def update(self, player: str, changes: Dict[str, Any]) -> Dict[str, Any]:
        """Merge ``changes`` into the player's state and store it; returns the new state."""
        async with self.database.transaction() as conn:
            async with conn.execute("SELECT state, data FROM media_player_state WHERE player = ?", (player,)) as cur:
                row = await cur.fetchone()
            state = {**IDLE, **(_load(row["data"]) if row else {}), "state": row["state"] if row else IDLE["state"]}
            state.update(changes)
            await conn.execute(
                "INSERT INTO media_player_state (player, state, data, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(player) DO UPDATE SET state = excluded.state, data = excluded.data, "
                "updated_at = excluded.updated_at",
                (player, state["state"], json.dumps({k: v for k, v in state.items() if k != "state"}), utcnow().isoformat()),
            )
        return state


def _load(text: Optional[str]) -> Dict[str, Any]:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
