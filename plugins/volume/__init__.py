"""Volume: how loud the appliance's own speaker is, and muting it.

Say "set the volume to 40%", "turn it up", "turn the volume down by 20 percent", "mute yourself"
or "unmute". The level (0-100) and the mute state are kept in the plugin's storage, so they survive
a restart, and every change is published as a ``volume_changed`` event ``{level, muted}`` that the
voice output follows. Other code reads them with ``await plugin.get_level()`` and
``await plugin.is_muted()``, and changes them with ``set_level`` / ``change_level`` / ``set_muted``
(a volume button, the phone app).

Which speaker is meant:
- ``name`` naming a home device of domain ``media_player`` ("set the TV volume to 30"): that media
  player; the request is handed to the media plugin's ``set_volume`` / ``set_volume_relative``
  handlers with the same slots (``name``, ``volume_level`` or ``volume_step``).
- ``area`` said out loud (no ``context_area``) that is not the appliance's own area and has media
  players: those media players, handed over in the same way with ``area``.
- anything else: the appliance itself.
Mute and unmute (``HassMediaPlayerMute`` / ``HassMediaPlayerUnmute``) are handled here only when
they target the appliance ("mute", "be quiet"); for a media player the handler steps aside
(returns None) and the media plugin's handler answers.

Settings, ``[plugins.settings.volume]``:
- ``default_level`` (int 0-100, default 50): the level before anybody sets one.
- ``step`` (int 1-100, default 10): how much "up" and "down" change the level.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, Optional

from astros.events import EventType
from astros.plugins.base import BasePlugin, plugin_handler
from astros.types import Intent, Response

_LOGGER = logging.getLogger(__name__)
MIN_LEVEL, MAX_LEVEL = 0, 100  # percent
MEDIA_PLUGIN = "media"
MEDIA_HANDLERS = {"HassSetVolume": "set_volume", "HassSetVolumeRelative": "set_volume_relative"}


def _as_int(value: Any) -> Optional[int]:
    """``value`` as a whole number ("40", 40.0, "40%" -> 40); None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return round(value)
    try:
        return round(float(str(value).strip().rstrip("%").strip()))
    except ValueError:
        return None


def _setting(settings: Dict[str, Any], key: str, default: int, low: int) -> int:
    value = settings.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= MAX_LEVEL:
        raise ValueError(f"plugins.settings.volume.{key} must be a whole number from {low} to {MAX_LEVEL}; got {value!r}")
    return value


class VolumePlugin(BasePlugin):
    """The appliance's speaker volume and mute, kept across restarts."""

    name = "volume"
    version = "1.0.0"
    description = "The appliance's own speaker volume and mute"
    author = "AstrOS"
    requires_permissions = ["volume"]

    def __init__(self) -> None:
        super().__init__()
        self.default_level = 50
        self.step = 10
        self._lock = asyncio.Lock()

    async def initialize(self) -> None:
        settings = self.config or {}
        self.default_level = _setting(settings, "default_level", 50, MIN_LEVEL)
        self.step = _setting(settings, "step", 10, 1)

    async def shutdown(self) -> None:
        """Nothing to release: the level is already stored."""

    # -- read and change (for other code) --------------------------------------------------------

    async def get_level(self) -> int:
        """The speaker volume, 0-100."""
        return int(await self.storage.get("level", self.default_level))

    async def is_muted(self) -> bool:
        """True while the appliance's speaker is muted."""
        return bool(await self.storage.get("muted", False))

    async def set_level(self, level: int) -> int:
        """Set the volume (clamped to 0-100) and unmute; returns the new level."""
        async with self._lock:
            new = max(MIN_LEVEL, min(MAX_LEVEL, int(level)))
            await self._store(new, False)
            return new

    async def change_level(self, delta: int) -> tuple[int, int]:
        """Change the volume by ``delta`` points (clamped) and unmute; returns (old, new)."""
        async with self._lock:
            old = await self.get_level()
            new = max(MIN_LEVEL, min(MAX_LEVEL, old + int(delta)))
            await self._store(new, False)
            return old, new

    async def set_muted(self, muted: bool) -> bool:
        """Mute or unmute; returns True if that changed anything."""
        async with self._lock:
            if await self.is_muted() == muted:
                return False
            await self._store(await self.get_level(), muted)
            return True

    async def _store(self, level: int, muted: bool) -> None:
        changed = (level, muted) != (await self.get_level(), await self.is_muted())
        await self.storage.set("level", level)
        await self.storage.set("muted", muted)
        if changed:
            _LOGGER.info("Volume %d%%%s", level, " (muted)" if muted else "")
            self.context.events.emit(EventType.VOLUME_CHANGED, level=level, muted=muted)

    # -- handlers --------------------------------------------------------------------------------

    @plugin_handler("HassSetVolume")
    async def set_volume(self, intent: Intent) -> Response:
        """Set the volume to ``volume_level`` (0-100) of the appliance or a named media player."""
        delegated = await self._delegate(intent)
        if delegated is not None:
            return delegated
        raw = intent.entities.get("volume_level")
        if raw is None:
            return Response(False, "What should I set the volume to?")
        wanted = _as_int(raw)
        if wanted is None:
            return Response(False, "The volume must be a number from 0 to 100.")
        level = await self.set_level(wanted)
        return Response(True, f"Volume set to {level}%{self._limit_note(wanted, level)}.", data=await self._data())

    @plugin_handler("HassSetVolumeRelative")
    async def set_volume_relative(self, intent: Intent) -> Response:
        """Turn the volume up or down by ``volume_step`` ("up", "down" or signed percent)."""
        delegated = await self._delegate(intent)
        if delegated is not None:
            return delegated
        delta = self._step(intent.entities.get("volume_step", "up"))
        if not delta:
            return Response(False, "Should I turn the volume up or down, and by how much?")
        old, new = await self.change_level(delta)
        direction = "up" if delta > 0 else "down"
        if old == new:
            edge = "maximum" if delta > 0 else "minimum"
            return Response(True, f"The volume is already at the {edge}, {new}%.", data=await self._data())
        note = self._limit_note(old + delta, new)
        return Response(True, f"Turned the volume {direction} to {new}%{note}.", data=await self._data())

    @plugin_handler("HassMediaPlayerMute", priority=6)
    async def mute(self, intent: Intent) -> Optional[Response]:
        """Mute the appliance itself; steps aside for a media player (the media plugin mutes those)."""
        if self._media_target(intent) is not None:
            return None
        if not await self.set_muted(True):
            return Response(True, "I'm already muted.", data=await self._data())
        return Response(True, "Muted.", data=await self._data())

    @plugin_handler("HassMediaPlayerUnmute", priority=6)
    async def unmute(self, intent: Intent) -> Optional[Response]:
        """Unmute the appliance itself; steps aside for a media player."""
        if self._media_target(intent) is not None:
            return None
        changed = await self.set_muted(False)
        level = await self.get_level()
        prefix = "Unmuted" if changed else "I'm not muted"
        return Response(True, f"{prefix}; the volume is {level}%.", data=await self._data())

    # -- which speaker ---------------------------------------------------------------------------

    def _media_target(self, intent: Intent) -> Optional[Dict[str, Any]]:
        """The slots naming a media player, or None when the appliance itself is meant."""
        entities = intent.entities
        name = entities.get("name")
        if name:
            device = self.context.home.find_device(str(name))
            return {"name": device.name if device else str(name)}
        area = entities.get("area")
        if not area or entities.get("context_area") or area == self.context.home.area:
            return None
        if self.context.home.devices_in(area=area, domain="media_player"):
            return {"area": area}
        return None

    async def _delegate(self, intent: Intent) -> Optional[Response]:
        """The media plugin's answer when the intent is for a media player; None for the appliance."""
        target = self._media_target(intent)
        if target is None:
            return None
        name = target.get("name")
        if name is not None:
            device = self.context.home.find_device(name)
            if device is None or device.domain != "media_player":
                return Response(False, f"I don't know a media player called {name}.")
        data = {k: v for k, v in intent.entities.items() if k in ("volume_level", "volume_step", "area")}
        data.update(target)
        response = await self.call_plugin(MEDIA_PLUGIN, MEDIA_HANDLERS[intent.type], data)
        if not response.success and response.message.startswith(f"There is no {MEDIA_PLUGIN}."):
            where = name or f"the media players in the {target['area']}"
            return Response(False, f"I can't change the volume of {where} yet.")
        return response

    # -- helpers ---------------------------------------------------------------------------------

    def _step(self, raw: Any) -> int:
        """The signed change in points for a ``volume_step`` slot; 0 if it makes no sense."""
        if isinstance(raw, str) and raw.strip().lower() in ("up", "down"):
            return self.step if raw.strip().lower() == "up" else -self.step
        return _as_int(raw) or 0

    @staticmethod
    def _limit_note(wanted: int, level: int) -> str:
        if wanted > level:
            return ", the maximum"
        if wanted < level:
            return ", the minimum"
        return ""

    async def _data(self) -> Dict[str, Any]:
        return {"level": await self.get_level(), "muted": await self.is_muted()}
