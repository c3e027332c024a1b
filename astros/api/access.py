"""Who is asking: the bearer token of a request, and running a request as that user."""

from __future__ import annotations

from typing import Any, Dict, Optional

from aiohttp import web

from ..errors import AuthenticationError
from ..security.auth import Session
from ..types import Response, UserRequest, utcnow
from .errors import ApiError
from .keys import AGENT, AUTH

MAX_TEXT_LENGTH = 1000  # characters in one request


async def require_session(request: web.Request) -> Session:
    """The live session of the request's ``Authorization: Bearer`` token; 401 if there is none."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("log in first and send 'Authorization: Bearer TOKEN'", "missing-token")
    return await request.app[AUTH].validate_token(token.strip())


def reply_body(response: Response) -> Dict[str, Any]:
    """The envelope for an answer of the agent."""
    return {
        "success": response.success,
        "message": response.message,
        "data": response.data,
        "suggestions": list(response.suggestions),
        "requires_followup": response.requires_followup,
    }


async def ask(app: web.Application, session: Session, text: str, context: Optional[Dict[str, Any]] = None) -> Response:
    """Run ``text`` through the agent as the session's user; 403 if a handler needs a permission
    the user lacks."""
    if not text.strip():
        raise ApiError(400, "invalid-request", "'text' is empty")
    request = UserRequest(text, session.user_id, session.id, utcnow(), dict(context or {}), {"source": "api"})
    response = await app[AGENT].process_request(request)
    if response.metadata.get("error") == "permission-denied":
        raise ApiError(403, "permission-denied", response.message)
    return response
