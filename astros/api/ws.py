"""The WebSocket endpoint ``/ws/{user_id}``: ``auth`` first, then requests and live status.

A client has ``ws_auth_timeout`` seconds to send ``{"type": "auth", "data": {"token": ...}}``; a
missing, wrong or expired token closes the socket with 4001, a token of another user with 4003,
silence with 4008. After that each ``request`` gets a ``response``, and every event of the
appliance arrives as ``status`` (announcements also as ``announcement``).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Dict, Optional

from aiohttp import WSMsgType, web

from ..errors import AstrOSError, AuthenticationError
from ..security.auth import Session
from .access import MAX_TEXT_LENGTH, ask, reply_body
from .errors import ApiError
from .keys import API_CONFIG, AUTH, WEBSOCKETS
from .websocket import CLOSE_AUTH_TIMEOUT, CLOSE_BAD_MESSAGE, CLOSE_FORBIDDEN, CLOSE_UNAUTHORIZED, Client

_LOGGER = logging.getLogger(__name__)
MAX_MESSAGE_BYTES = 64 * 1024


class Refused(Exception):
    """The handshake failed: close with ``code`` and ``reason``."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


def _parse(raw: str) -> Dict[str, Any]:
    """A message ``{"type": str, "data": object}``; raises ValueError saying what is wrong."""
    try:
        message = json.loads(raw)
    except RecursionError:
        raise ValueError("the message is nested too deeply") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise ValueError("a message is a JSON object with a 'type'")
    if not isinstance(message.get("data", {}), dict):
        raise ValueError("'data' must be an object")
    return message


async def _handshake(ws: web.WebSocketResponse, request: web.Request, user_id: str) -> Session:
    """Wait for the ``auth`` message and check it; raises Refused."""
    timeout = request.app[API_CONFIG].ws_auth_timeout
    try:
        msg = await ws.receive(timeout=timeout)
    except asyncio.TimeoutError:
        raise Refused(CLOSE_AUTH_TIMEOUT, f"no auth message within {timeout:g} seconds") from None
    if msg.type != WSMsgType.TEXT:
        raise Refused(CLOSE_UNAUTHORIZED, "the first message must be auth")
    try:
        message = _parse(msg.data)
    except ValueError:
        raise Refused(CLOSE_BAD_MESSAGE, "the first message must be a JSON auth message") from None
    data = message.get("data") or {}
    token = data.get("token")
    if message["type"] != "auth" or not isinstance(token, str):
        raise Refused(CLOSE_UNAUTHORIZED, "the first message must be auth with a token")
    try:
        session = await request.app[AUTH].validate_token(token)
    except AuthenticationError as err:
        raise Refused(CLOSE_UNAUTHORIZED, err.code) from None
    if session.user_id != user_id or data.get("session_id") not in (None, session.id):
        raise Refused(CLOSE_FORBIDDEN, "this token belongs to another user or session")
    return session


async def websocket_handler(request: web.Request) -> web.WebSocketResponse:
    """``GET /ws/{user_id}``: a live connection for one logged-in user."""
    config = request.app[API_CONFIG]
    ws = web.WebSocketResponse(heartbeat=config.ws_heartbeat, max_msg_size=MAX_MESSAGE_BYTES)
    await ws.prepare(request)
    user_id = request.match_info["user_id"]
    try:
        session = await _handshake(ws, request, user_id)
    except Refused as refused:
        _LOGGER.info("WebSocket for %s refused: %s", user_id[:64], refused.reason)
        await ws.close(code=refused.code, message=refused.reason.encode()[:120])
        return ws
    manager = request.app[WEBSOCKETS]
    client = await manager.connect(ws, user_id, session.id)
    try:
        await manager.send_message_to(client, {"type": "auth", "data": {"success": True, "user_id": user_id}})
        await _serve(request, client, session)
    finally:
        await manager.remove(client)
    return ws


async def _serve(request: web.Request, client: Client, session: Session) -> None:
    manager = request.app[WEBSOCKETS]
    async for msg in client.ws:
        if msg.type != WSMsgType.TEXT:
            continue
        reply = await _answer(request, session, msg.data)
        if reply is None:
            await manager.remove(client, CLOSE_UNAUTHORIZED, "the session has ended")
            return
        await manager.send_message_to(client, reply)


async def _answer(request: web.Request, session: Session, raw: str) -> Optional[Dict[str, Any]]:
    """The reply to one message, or None when the session has ended (the socket then closes)."""
    if await request.app[AUTH].validate_session(session.id) is None:
        return None
    try:
        message = _parse(raw)
    except ValueError as err:
        return _error("invalid-message", str(err))
    kind, data = message["type"], message.get("data") or {}
    if kind == "ping":
        return {"type": "pong", "data": data}
    if kind != "request":
        return _error("invalid-message", f"unknown message type {kind!r}; send 'request' or 'ping'")
    text, context = data.get("text"), data.get("context")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT_LENGTH:
        return _error("invalid-request", f"'text' must be a string of 1 to {MAX_TEXT_LENGTH} characters")
    if context is not None and not isinstance(context, dict):
        return _error("invalid-request", "'context' must be an object")
    try:
        response = await ask(request.app, session, text, context)
    except ApiError as err:
        return _error(err.code, err.message)
    except AstrOSError as err:
        return _error(err.code, err.message)
    return {"type": "response", "data": reply_body(response), "id": message.get("id")}


def _error(code: str, message: str) -> Dict[str, Any]:
    return {"type": "error", "data": {"code": code, "message": message}}
