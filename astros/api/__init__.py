"""The companion API: REST and WebSocket endpoints, the web page, and a client for them.

See docs/api.md. ``create_app(agent)`` builds the aiohttp application; ``astros run`` serves it.
"""

from .app import create_app
from .client import HTTPClient
from .websocket import WebSocketManager

__all__ = ["HTTPClient", "WebSocketManager", "create_app"]
