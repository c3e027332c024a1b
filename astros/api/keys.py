"""Typed keys for what the companion API keeps on its :class:`aiohttp.web.Application`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from ..config import ApiConfig

if TYPE_CHECKING:
    from ..agent import AstrOSAgent
    from ..security.auth import AuthenticationManager
    from .speech import Speech
    from .websocket import WebSocketManager

AGENT: web.AppKey["AstrOSAgent"] = web.AppKey("agent")
AUTH: web.AppKey["AuthenticationManager"] = web.AppKey("auth")
API_CONFIG: web.AppKey[ApiConfig] = web.AppKey("api_config", ApiConfig)
WEBSOCKETS: web.AppKey["WebSocketManager"] = web.AppKey("websockets")
SPEECH: web.AppKey["Speech"] = web.AppKey("speech")
