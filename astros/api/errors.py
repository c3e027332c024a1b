"""The companion API's one error middleware: every failure becomes the error envelope.

``{"success": false, "error": {"code": "...", "message": "..."}}`` with the HTTP status the
failure deserves. Nothing else ever reaches a client: an unexpected exception is logged here, once,
and answered with a 500 that carries no traceback.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Awaitable, Callable, Dict, Mapping, Optional

from aiohttp import web

from ..errors import AstrOSError, AstrOSPermissionError, AuthenticationError, ProcessingError
from ..security.auth import TooManyAttempts
from .keys import API_CONFIG

_LOGGER = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

STATUS_CODES: Mapping[int, str] = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    413: "payload-too-large",
    415: "unsupported-media-type",
    429: "too-many-requests",
    503: "unavailable",
}


class ApiError(Exception):
    """A failure with its HTTP status, code and a message a person can read."""

    def __init__(self, status: int, code: str, message: str, headers: Optional[Dict[str, str]] = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def error_response(status: int, code: str, message: str, headers: Optional[Mapping[str, str]] = None) -> web.Response:
    """The error envelope as a response."""
    body = {"success": False, "error": {"code": code, "message": message}}
    return web.json_response(body, status=status, headers=headers)


def _http_message(request: web.Request, err: web.HTTPException) -> str:
    """What to say for aiohttp's own HTTP errors (unknown route, wrong method, body too big)."""
    if err.status == 404:
        return f"there is no {request.method} {request.path}; see /api/v1/openapi.json"
    if err.status == 405:
        allowed = ", ".join(sorted(getattr(err, "allowed_methods", ()) or ()))
        return f"{request.method} is not allowed on {request.path}" + (f"; use {allowed}" if allowed else "")
    if err.status == 413:
        limit = request.app[API_CONFIG].max_body_size
        return f"the request body is larger than the {limit} bytes allowed"
    return err.reason or "the request failed"


def _translate(err: AstrOSError) -> ApiError:
    """AstrOS errors raised below the routes, with their HTTP status."""
    if isinstance(err, TooManyAttempts):
        return ApiError(429, err.code, err.message, {"Retry-After": str(err.retry_after)})
    if isinstance(err, AuthenticationError):
        return ApiError(401, err.code, err.message, {"WWW-Authenticate": "Bearer"})
    if isinstance(err, AstrOSPermissionError):
        return ApiError(403, err.code, err.message)
    if isinstance(err, ProcessingError) and err.code == "not-running":
        return ApiError(503, err.code, err.message)
    return ApiError(500, err.code, err.message)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every failure of ``handler`` into the error envelope."""
    try:
        return await handler(request)
    except ApiError as err:
        return error_response(err.status, err.code, err.message, err.headers)
    except web.HTTPException as err:
        if err.status < 400:
            raise
        code = STATUS_CODES.get(err.status, "http-error")
        return error_response(err.status, code, _http_message(request, err), _kept_headers(err))
    except AstrOSError as err:
        api = _translate(err)
        if api.status >= 500:
            _LOGGER.error("%s %s failed: %s", request.method, request.path, err)
        return error_response(api.status, api.code, api.message, api.headers)
    except (asyncio.CancelledError, ConnectionResetError):
        raise
    except Exception:  # noqa: BLE001 - logged once here; the client gets no traceback
        _LOGGER.exception("%s %s failed", request.method, request.path)
        return error_response(500, "internal-error", "AstrOS ran into a problem; the log says more")


def _kept_headers(err: web.HTTPException) -> Dict[str, str]:
    return {k: v for k, v in err.headers.items() if k.lower() in ("allow", "retry-after")}


async def read_json(request: web.Request) -> Dict[str, Any]:
    """The request's JSON object; 415 for another content type, 400 for anything but an object."""
    if request.content_type != "application/json":
        raise ApiError(415, "unsupported-media-type", "send the body as JSON (Content-Type: application/json)")
    raw = await request.read()
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        raise ApiError(400, "malformed-json", f"the body is not valid JSON: {err}") from None
    except RecursionError:
        raise ApiError(400, "malformed-json", "the body is nested too deeply") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid-request", "the body must be a JSON object")
    return body


def field(body: Mapping[str, Any], name: str, kind: type, *, required: bool = True, max_length: int = 0) -> Any:
    """``body[name]`` checked to be of ``kind`` (and at most ``max_length`` characters); 400 if not."""
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        what = {str: "a string", dict: "an object", bool: "true or false"}.get(kind, kind.__name__)
        raise ApiError(400, "invalid-request", f"'{name}' must be {what}")
    if max_length and len(value) > max_length:
        raise ApiError(400, "invalid-request", f"'{name}' is longer than {max_length} characters")
    return value
