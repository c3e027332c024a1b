"""The REST endpoints, each declared once with what the OpenAPI document says about it.

``ROUTES`` is the single list both the server and ``/api/v1/openapi.json`` are built from, so the
document cannot drift from what the server does.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

from aiohttp import web

from ..types import Intent, UserRequest, utcnow
from .access import MAX_TEXT_LENGTH, ask, reply_body, require_session
from .errors import ApiError, field as body_field, read_json
from .keys import AGENT, AUTH, SPEECH, WEBSOCKETS
from .speech import check_wav

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PREFIX = "/api/v1"


@dataclass(frozen=True)
class Route:
    """One endpoint: method, path, handler, and its OpenAPI description."""

    method: str
    path: str
    handler: Handler
    summary: str
    auth: bool = True
    request: Optional[Tuple[str, str]] = None
    """(content type, schema name) of the body, if it takes one."""
    response: str = "Reply"
    """Schema name of the 200 body (or a content type such as ``audio/wav``)."""
    errors: Tuple[int, ...] = ()
    parameters: List[Dict[str, Any]] = field(default_factory=list)


def version() -> str:
    """AstrOS's version (read late: the package imports this module while it is being set up)."""
    from .. import __version__

    return __version__


def ok(data: Any = None, message: Optional[str] = None) -> web.Response:
    """The success envelope."""
    body: Dict[str, Any] = {"success": True}
    if message is not None:
        body["message"] = message
    if data is not None:
        body["data"] = data
    return web.json_response(body)


# -- authentication ------------------------------------------------------------------------------


async def login(request: web.Request) -> web.Response:
    body = await read_json(request)
    username = body_field(body, "username", str, max_length=64)
    password = body_field(body, "password", str, max_length=1024)
    session = await request.app[AUTH].login(username, password, request.remote or "")
    data = {"user_id": session.user_id, "session_id": session.id, "token": session.token,
            "expires_at": session.expires_at}
    return ok(data)


async def logout(request: web.Request) -> web.Response:
    session = await require_session(request)
    await request.app[AUTH].revoke_session(session.id)
    await request.app[WEBSOCKETS].disconnect_session(session.id)
    return ok(message="Logged out.")


# -- asking --------------------------------------------------------------------------------------


async def process(request: web.Request) -> web.Response:
    session = await require_session(request)
    body = await read_json(request)
    text = body_field(body, "text", str, max_length=MAX_TEXT_LENGTH)
    context = body_field(body, "context", dict, required=False)
    response = await ask(request.app, session, text, context)
    return web.json_response(reply_body(response))


async def audio(request: web.Request) -> web.Response:
    session = await require_session(request)
    wav = await request.read()
    check_wav(request.content_type, wav)
    transcribe = request.app[SPEECH].transcriber()
    transcript = (await transcribe(wav)).strip()
    if not transcript:
        raise ApiError(422, "nothing-heard", "no speech was heard in the recording")
    response = await ask(request.app, session, transcript)
    body = reply_body(response)
    body["transcript"] = transcript
    if request.query.get("speak", "").lower() in ("1", "true", "yes"):
        spoken = await request.app[SPEECH].synthesizer()(response.message)
        body["audio"] = base64.b64encode(spoken).decode("ascii")
    return web.json_response(body)


async def tts(request: web.Request) -> web.Response:
    await require_session(request)
    body = await read_json(request)
    text = body_field(body, "text", str, max_length=MAX_TEXT_LENGTH)
    if not text.strip():
        raise ApiError(400, "invalid-request", "'text' is empty")
    wav = await request.app[SPEECH].synthesizer()(text)
    return web.Response(body=wav, content_type="audio/wav")


# -- reading -------------------------------------------------------------------------------------


async def plugins(request: web.Request) -> web.Response:
    await require_session(request)
    infos = request.app[AGENT].plugins.list_plugins()
    return ok({"plugins": [info.to_dict() for info in infos]})


async def status(request: web.Request) -> web.Response:
    await require_session(request)
    agent = request.app[AGENT]
    data = (await agent.get_status()).to_dict()
    data.update(version=version(), websocket_clients=request.app[WEBSOCKETS].count)
    return ok(data)


async def health(request: web.Request) -> web.Response:
    state = request.app[AGENT].status
    return ok({"status": "ok" if state == "running" else state, "version": version()})


async def _read_intent(request: web.Request, intent_type: str, **entities: Any) -> Dict[str, Any]:
    """Ask the plugin that answers ``intent_type`` as the logged-in user (its permissions apply)."""
    session = await require_session(request)
    user_request = UserRequest("", session.user_id, session.id, utcnow(), {}, {"source": "api"})
    intent = Intent(intent_type, 1.0, entities, {}, utcnow(), user_request)
    result = await request.app[AGENT].plugins.dispatch(intent)
    if result.error == "permission-denied":
        raise ApiError(403, "permission-denied", f"you are not allowed to read this: {result.reason}")
    if result.response is None:
        raise ApiError(503, result.error or "unavailable", f"cannot read that now: {result.reason or 'no plugin'}")
    return {"success": result.response.success, "message": result.response.message, "data": result.response.data}


async def timers(request: web.Request) -> web.Response:
    answer = await _read_intent(request, "HassTimerStatus")
    return ok({"timers": (answer["data"] or {}).get("timers", [])}, answer["message"])


async def lists(request: web.Request) -> web.Response:
    session = await require_session(request)
    agent = request.app[AGENT]
    plugin = agent.plugins.plugins.get("lists")
    if plugin is None:
        raise ApiError(503, "unavailable", "the lists plugin is not loaded")
    for permission in plugin.requires_permissions:
        if not await agent.permissions.check_permission(session.user_id, permission):
            raise ApiError(403, "permission-denied", f"you are not allowed to read lists: it needs {permission}")
    found = [{"name": name, "items": len(await plugin.open_items(name))} for name in await plugin.list_names()]
    return ok({"lists": found})


async def list_items(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    answer = await _read_intent(request, "HassListGetItems", name=name)
    data = answer["data"] or {}
    if not answer["success"] or data.get("list") is None:
        raise ApiError(404, "no-such-list", answer["message"] or f"there is no list called {name}")
    return ok({"list": data["list"], "items": data.get("items", [])}, answer["message"])


async def openapi(request: web.Request) -> web.Response:
    from .openapi import build_document

    await require_session(request)
    return web.json_response(build_document(ROUTES, version()))


AUTH_ERRORS = (401,)
JSON_ERRORS = (400, 401, 413, 415)

ROUTES: List[Route] = [
    Route("POST", "/auth/login", login, "Log in; returns a token for the Authorization header", auth=False,
          request=("application/json", "LoginRequest"), response="LoginReply", errors=(400, 401, 413, 415, 429)),
    Route("POST", "/auth/logout", logout, "End the session of the token", response="Message", errors=AUTH_ERRORS),
    Route("POST", "/process", process, "Ask AstrOS something in writing",
          request=("application/json", "ProcessRequest"), errors=(*JSON_ERRORS, 403, 503)),
    Route("POST", "/audio", audio, "Ask with a WAV recording; returns the transcript and the reply "
          "(and the reply spoken, as a base64 WAV in 'audio', with ?speak=true)",
          request=("audio/wav", "Wav"), response="AudioReply", errors=(400, 401, 403, 413, 415, 422, 503),
          parameters=[{"name": "speak", "in": "query", "required": False,
                       "schema": {"type": "string", "enum": ["true", "false", "1", "0", "yes", "no"]}}]),
    Route("POST", "/tts", tts, "Speak a text; returns a WAV", request=("application/json", "TtsRequest"),
          response="audio/wav", errors=(*JSON_ERRORS, 503)),
    Route("GET", "/plugins", plugins, "The plugins and the intents each handles", response="PluginsReply",
          errors=AUTH_ERRORS),
    Route("GET", "/status", status, "The appliance's status", response="StatusReply", errors=AUTH_ERRORS),
    Route("GET", "/health", health, "Whether AstrOS is up (no token needed)", auth=False, response="HealthReply"),
    Route("GET", "/timers", timers, "Running and paused timers", response="TimersReply", errors=(401, 403, 503)),
    Route("GET", "/lists", lists, "Every list and how many open items it has", response="ListsReply",
          errors=(401, 403, 503)),
    Route("GET", "/lists/{name}", list_items, "The open items of one list", response="ListReply",
          errors=(401, 403, 404, 503),
          parameters=[{"name": "name", "in": "path", "required": True,
                       "schema": {"type": "string", "minLength": 1, "maxLength": 200}}]),
    Route("GET", "/openapi.json", openapi, "This document", response="OpenApi", errors=AUTH_ERRORS),
]


def add_routes(app: web.Application) -> None:
    """Register every route of ``ROUTES`` under ``/api/v1``."""
    for route in ROUTES:
        app.router.add_route(route.method, PREFIX + route.path, route.handler)
