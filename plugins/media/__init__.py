"""Media players: play, pause, resume, skip, go back, mute and set the volume.

Say "play jazz on the TV", "pause", "resume the music in the kitchen", "next song", "previous
track", "mute the TV". Media players are home devices with ``domain = "media_player"``; which one
a request means is decided in :mod:`.players` (by name, by the area said, else the requesting
area's player, else the home's only player).

There is no real player behind them yet: AstrOS keeps each player's state (idle, playing or
paused; what is playing; track changes; muted; volume 0-100) in the ``media_player_state``
table, answers as a player would, and publishes a ``device_changed`` event on every change, so a
backend can follow later without changing what people say or hear.

The volume plugin hands "set the TV volume to 30" to :meth:`MediaPlugin.set_volume` and "turn the
TV up" to :meth:`MediaPlugin.set_volume_relative` (slots ``name`` or ``area``, ``volume_level`` /
``volume_step``). Everything here needs the ``home.control`` permission.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, List, Optional

from astros.config import DeviceConfig
from astros.events import EventType
from astros.plugins.base import BasePlugin, plugin_handler
from astros.types import Intent, Response
from astros.wording import join_words

from .players import MIGRATIONS, PlayerStore, find_players

_LOGGER = logging.getLogger(__name__)
VOLUME_STEP = 10  # percent for "up" and "down"
Change = Callable[[Dict[str, Any]], Optional[Dict[str, Any]]]
"""A player's state -> the changes to make, or None when it does not apply (nothing playing)."""


def _the(players: List[DeviceConfig]) -> str:
    return join_words([f"the {p.name}" for p in players])


class MediaPlugin(BasePlugin):
    """Media players as state: what plays where, paused or not, muted or not, how loud."""

    name = "media"
    version = "1.0.0"
    description = "Play, pause, skip and mute the home's media players"
    author = "AstrOS"
    requires_permissions = ["home.control"]
    migrations = MIGRATIONS

    async def initialize(self) -> None:
        assert self.context is not None
        self.store = PlayerStore(self.context.database)

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def _apply(
        self,
        intent: Intent,
        change: Change,
        done: Callable[[str, Dict[str, Any]], str],
        idle: str = "",
        idle_success: bool = False,
    ) -> Response:
        """Apply ``change`` to every player meant and say how it went.

        Args:
            change: the changes for a player's state, or None where it does not apply.
            done: the sentence when some player changed: ``done(label, that player's new state)``.
            idle: the sentence (``{label}`` = the players) when ``change`` applied to none.
            idle_success: whether that still counts as success ("The TV is already muted.").
        """
        players = find_players(self.context.home, intent)
        if isinstance(players, str):
            return Response(False, players)
        changed: List[DeviceConfig] = []
        last: Dict[str, Any] = {}
        data = []
        for player in players:
            state = await self.store.get(player.name)
            changes = change(state)
            if changes is not None:
                state = await self.store.update(player.name, changes)
                self._emit(player, state)
                changed.append(player)
                last = state
            data.append({"name": player.name, "area": player.area, "state": state})
        if not changed:
            message = idle.format(label=_the(players))
            return Response(idle_success, message[:1].upper() + message[1:], data={"players": data})
        return Response(True, done(_the(changed), last), data={"players": data})

    def _emit(self, player: DeviceConfig, state: Dict[str, Any]) -> None:
        self.context.events.emit(
            EventType.DEVICE_CHANGED, device=player.name, domain=player.domain, area=player.area,
            state=dict(state), source="command",
        )

    # -- playing ---------------------------------------------------------------------------------

    @plugin_handler("HassMediaSearchAndPlay")
    async def handle_search_and_play(self, intent: Intent) -> Response:
        """Play ``search_query`` (and ``search_artist``); with nothing named, resume what was paused."""
        query = str(intent.entities.get("search_query") or "").strip()
        artist = str(intent.entities.get("search_artist") or "").strip()
        if not query:
            return await self._resume(intent, "What should I play?")
        query = f"{query} by {artist}" if artist else query
        change: Change = lambda _: {"state": "playing", "query": query, "track": 0}
        return await self._apply(intent, change, lambda label, _: f"Playing {query} on {label}.")

    @plugin_handler("HassMediaUnpause")
    async def handle_unpause(self, intent: Intent) -> Response:
        """Resume what was paused."""
        return await self._resume(intent, "There's nothing to resume on {label}.")

    async def _resume(self, intent: Intent, idle: str) -> Response:
        def change(state: Dict[str, Any]) -> Optional[Dict[str, Any]]:
            return {"state": "playing"} if state["state"] == "paused" and state.get("query") else None

        def done(label: str, state: Dict[str, Any]) -> str:
            return f"Resumed {state['query']} on {label}."

        return await self._apply(intent, change, done, idle)

    @plugin_handler("HassMediaPause")
    async def handle_pause(self, intent: Intent) -> Response:
        """Pause what is playing."""
        change: Change = lambda s: {"state": "paused"} if s["state"] == "playing" else None
        return await self._apply(intent, change, lambda label, _: f"Paused {label}.", "Nothing is playing on {label}.")

    @plugin_handler("HassMediaNext")
    async def handle_next(self, intent: Intent) -> Response:
        """Skip to the next track."""
        change: Change = lambda s: {"state": "playing", "track": s["track"] + 1} if s["state"] != "idle" else None
        done = lambda label, _: f"Skipped to the next track on {label}."
        return await self._apply(intent, change, done, "Nothing is playing on {label}.")

    @plugin_handler("HassMediaPrevious")
    async def handle_previous(self, intent: Intent) -> Response:
        """Go back to the previous track."""
        change: Change = lambda s: {"state": "playing", "track": s["track"] - 1} if s["state"] != "idle" else None
        done = lambda label, _: f"Went back to the previous track on {label}."
        return await self._apply(intent, change, done, "Nothing is playing on {label}.")

    # -- sound -----------------------------------------------------------------------------------

    @plugin_handler("HassMediaPlayerMute")
    async def handle_mute(self, intent: Intent) -> Response:
        """Mute the player."""
        change: Change = lambda s: None if s["muted"] else {"muted": True}
        return await self._apply(intent, change, lambda label, _: f"Muted {label}.", "{label} is already muted.", True)

    @plugin_handler("HassMediaPlayerUnmute")
    async def handle_unmute(self, intent: Intent) -> Response:
        """Unmute the player."""
        change: Change = lambda s: {"muted": False} if s["muted"] else None
        return await self._apply(intent, change, lambda label, _: f"Unmuted {label}.", "{label} isn't muted.", True)

    @plugin_handler("MediaPlayerSetVolume")
    async def set_volume(self, intent: Intent) -> Response:
        """Set a player's volume to ``volume_level`` (0-100); the volume plugin hands these over."""
        level = _level(intent.entities.get("volume_level"))
        if level is None:
            return Response(False, "The volume must be a number from 0 to 100.")
        change: Change = lambda _: {"volume": level}
        return await self._apply(intent, change, lambda label, _: f"Set the volume of {label} to {level}%.")

    @plugin_handler("MediaPlayerSetVolumeRelative")
    async def set_volume_relative(self, intent: Intent) -> Response:
        """Turn a player's volume up or down by ``volume_step`` ("up", "down" or signed percent)."""
        step = intent.entities.get("volume_step", "up")
        delta = {"up": VOLUME_STEP, "down": -VOLUME_STEP}.get(str(step).strip().lower()) if isinstance(step, str) else None
        delta = delta if delta is not None else _level(step, signed=True)
        if not delta:
            return Response(False, "Should I turn it up or down, and by how much?")
        change: Change = lambda s: {"volume": min(100, max(0, int(s["volume"]) + delta))}
        direction = "up" if delta > 0 else "down"
        done = lambda label, s: f"Turned {label} {direction} to {s['volume']}%."
        return await self._apply(intent, change, done)


def _level(value: Any, signed: bool = False) -> Optional[int]:
    """A whole percentage from a slot ("40", 40.0, "40%"); None if it is not one (or out of range)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = round(float(str(value).strip().rstrip("%")))
    except ValueError:
        return None
    low = -100 if signed else 0
    return number if low <= number <= 100 else None
