"""The companion API's application factory: aiohttp owns the appliance's process.

Each resource is one ``cleanup_ctx`` piece, started in order and stopped in reverse: the agent (with
its database, plugins and their background work), user authentication, the WebSocket fan-out of
events, and whatever the caller adds (the voice pipeline).
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import AsyncIterator, Callable, Iterable, Optional

from aiohttp import web

from ..agent import AstrOSAgent
from ..config import ApiConfig
from ..security.auth import AuthenticationManager
from .errors import error_middleware
from .keys import AGENT, API_CONFIG, AUTH, SPEECH, WEBSOCKETS
from .routes import add_routes
from .speech import Speech
from .voice_engines import attach_voice_engines
from .websocket import WebSocketManager
from .ws import websocket_handler

_LOGGER = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
Context = Callable[[web.Application], contextlib.AbstractAsyncContextManager[None]]
FIRST_USER_HINT = "No users yet: create the first with `astros user add NAME --admin`"


def create_app(
    agent: AstrOSAgent,
    config: Optional[ApiConfig] = None,
    *,
    start_agent: bool = True,
    background: bool = True,
    contexts: Iterable[Context] = (),
) -> web.Application:
    """The companion API for ``agent``.

    Args:
        agent: the agent requests go to
        config: the ``[api]`` settings (default: the agent's)
        start_agent: start and stop the agent with the application (False when the caller does)
        background: run the plugins' background work (timers ringing) while the agent runs
        contexts: further cleanup contexts started after the API's own (the voice pipeline)
    """
    config = config or agent.config.api
    app = web.Application(middlewares=[error_middleware], client_max_size=config.max_body_size)
    app[AGENT] = agent
    app[API_CONFIG] = config
    app[AUTH] = AuthenticationManager(agent.database, agent.config.data_path, config, agent.permissions)
    app[WEBSOCKETS] = WebSocketManager(config.ws_queue_size)
    app[SPEECH] = Speech()
    attach_voice_engines(app[SPEECH], agent.config)
    if start_agent:
        app.cleanup_ctx.append(_agent_ctx(background))
    app.cleanup_ctx.extend([_auth_ctx, _websocket_ctx, *contexts])
    add_routes(app)
    app.router.add_get("/ws/{user_id}", websocket_handler)
    app.router.add_get("/", _index)
    app.router.add_static("/static/", STATIC)
    if config.cors_origins:
        app.on_response_prepare.append(_cors_headers)
        app.router.add_route("OPTIONS", "/api/v1/{tail:.*}", _preflight)
    return app


def _agent_ctx(background: bool) -> Context:
    @contextlib.asynccontextmanager
    async def agent_ctx(app: web.Application) -> AsyncIterator[None]:
        await app[AGENT].start(background=background)
        try:
            yield
        finally:
            await app[AGENT].stop()

    return agent_ctx


@contextlib.asynccontextmanager
async def _auth_ctx(app: web.Application) -> AsyncIterator[None]:
    auth = app[AUTH]
    await auth.prepare()
    if await auth.count_users() == 0:
        _LOGGER.warning(FIRST_USER_HINT)
    yield


@contextlib.asynccontextmanager
async def _websocket_ctx(app: web.Application) -> AsyncIterator[None]:
    manager = app[WEBSOCKETS]
    unsubscribe = app[AGENT].events.subscribe(manager.publish_event)
    try:
        yield
    finally:
        unsubscribe()
        await manager.close_all()


async def _index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


async def _preflight(request: web.Request) -> web.Response:
    """A browser asking whether a cross-origin call is allowed (the headers say)."""
    return web.Response(status=204)


async def _cors_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Let the configured web origins read API responses."""
    origin = request.headers.get("Origin")
    if origin and origin in request.app[API_CONFIG].cors_origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Vary"] = "Origin"
