"""The HTTP side of every provider: JSON requests, server-sent events, retries and clear errors.

Requests that the server refused for a passing reason (429, 5xx, 529 "overloaded") are retried a
bounded number of times with exponential backoff (or the server's ``Retry-After``). Everything
else becomes an :class:`~astros.errors.AIError` whose ``code`` says what went wrong. The API key
travels only in request headers, which are never logged; any echo of it in an error body is masked.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

import aiohttp

from ..errors import AIError

_LOGGER = logging.getLogger(__name__)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 529})
MAX_RETRY_AFTER = 20.0  # seconds; a longer wait is not worth it for a spoken answer

ErrorReader = Callable[[Any], Tuple[str, str]]  # error body -> (kind, message)


@dataclass(frozen=True)
class HttpSettings:
    """Where a provider lives and how patient AstrOS is with it."""

    provider: str
    base_url: str
    headers: Dict[str, str]
    timeout: float = 30.0
    max_retries: int = 2
    retry_backoff: float = 0.5
    secret: str = ""
    """The API key, masked wherever a server echoes it."""


class JsonClient:
    """An aiohttp session for one provider: ``post`` for JSON, ``stream`` for server-sent events."""

    def __init__(self, settings: HttpSettings, read_error: ErrorReader) -> None:
        self.settings = settings
        self._read_error = read_error
        self._session: Optional[aiohttp.ClientSession] = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(headers=self.settings.headers)
        return self._session

    async def close(self) -> None:
        """Close the connection pool."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _url(self, path: str) -> str:
        return self.settings.base_url.rstrip("/") + "/" + path.lstrip("/")

    async def post(self, path: str, body: Dict[str, Any]) -> Dict[str, Any]:
        """POST ``body`` as JSON and return the JSON answer (retrying passing failures)."""
        timeout = aiohttp.ClientTimeout(total=self.settings.timeout)
        for attempt in range(self.settings.max_retries + 1):
            async with self._guard(), self._client().post(self._url(path), json=body, timeout=timeout) as reply:
                if reply.status < 400:
                    return await self._json(reply)
                await self._fail_or_wait(reply, attempt)
        raise AssertionError("unreachable")  # pragma: no cover - _fail_or_wait raises on the last try

    async def stream(self, path: str, body: Dict[str, Any]) -> AsyncIterator[Tuple[str, str]]:
        """POST ``body`` and yield the server-sent events of the answer as (event, data) pairs."""
        timeout = aiohttp.ClientTimeout(total=None, connect=self.settings.timeout, sock_read=self.settings.timeout)
        for attempt in range(self.settings.max_retries + 1):
            async with self._guard(), self._client().post(self._url(path), json=body, timeout=timeout) as reply:
                if reply.status < 400:
                    async for event in _events(reply):
                        yield event
                    return
                await self._fail_or_wait(reply, attempt)

    def _guard(self) -> "_Guard":
        return _Guard(self.settings)

    async def _json(self, reply: aiohttp.ClientResponse) -> Dict[str, Any]:
        try:
            data = await reply.json(content_type=None)
        except (json.JSONDecodeError, aiohttp.ContentTypeError, UnicodeDecodeError) as err:
            raise AIError(f"{self.settings.provider} answered with something that is not JSON", "bad-response") from err
        if not isinstance(data, dict):
            raise AIError(f"{self.settings.provider} answered with unexpected JSON", "bad-response")
        return data

    async def _fail_or_wait(self, reply: aiohttp.ClientResponse, attempt: int) -> None:
        """Wait before the next try of a passing failure, or raise the error it stands for."""
        error = await self._error(reply)
        if reply.status not in RETRY_STATUSES or attempt >= self.settings.max_retries:
            raise error
        delay = _retry_after(reply) or self.settings.retry_backoff * 2**attempt
        _LOGGER.warning("%s: %s; trying again in %.1f s", self.settings.provider, error.message, delay)
        await asyncio.sleep(min(delay, MAX_RETRY_AFTER))

    async def _error(self, reply: aiohttp.ClientResponse) -> AIError:
        text = await reply.text(errors="replace")
        try:
            kind, detail = self._read_error(json.loads(text))
        except (ValueError, TypeError, KeyError, AttributeError):
            kind, detail = "", text[:200]
        return status_error(self.settings, reply.status, kind, self._mask(detail))

    def _mask(self, text: str) -> str:
        secret = self.settings.secret
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***").replace(secret[-4:], "***")
        return text


def status_error(settings: HttpSettings, status: int, kind: str, detail: str) -> AIError:
    """The AIError for an HTTP error status (``kind`` is the provider's own error type, if any)."""
    name = settings.provider
    said = f" ({detail})" if detail else ""
    if status == 401 or kind in ("authentication_error", "invalid_api_key"):
        return AIError(f"{name} refused the API key: check api_key in [ai.providers.{name}]{said}", "bad-key")
    if status == 403:
        return AIError(f"{name} does not allow this key to do that{said}", "forbidden")
    if status == 404 or kind in ("model_not_found", "not_found_error"):
        return AIError(f"{name} does not know the model or address asked for: check model and base_url{said}", "model-unknown")
    if status == 429:
        return AIError(f"{name} is rate limiting requests; try again later{said}", "rate-limited")
    if status >= 500:
        return AIError(f"{name} had a server error (HTTP {status}){said}", "server-error")
    return AIError(f"{name} rejected the request (HTTP {status}){said}", "bad-request")


def _retry_after(reply: aiohttp.ClientResponse) -> Optional[float]:
    value = reply.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


class _Guard:
    """Turns timeouts and connection failures inside a request into AIErrors."""

    def __init__(self, settings: HttpSettings) -> None:
        self.settings = settings

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, kind: Any, err: Optional[BaseException], _tb: Any) -> bool:
        name = self.settings.provider
        if isinstance(err, (asyncio.TimeoutError, TimeoutError)):
            raise AIError(f"{name} did not answer within {self.settings.timeout:g} s (timeout)", "timeout") from err
        if isinstance(err, aiohttp.ClientConnectionError):
            raise AIError(f"cannot reach {name} at {self.settings.base_url}: {type(err).__name__}", "unreachable") from err
        if isinstance(err, aiohttp.ClientError):
            raise AIError(f"talking to {name} failed: {type(err).__name__}", "unreachable") from err
        return False


async def _events(reply: aiohttp.ClientResponse) -> AsyncIterator[Tuple[str, str]]:
    """Parse a text/event-stream body into (event, data) pairs as each event completes."""
    event, data = "", []
    async for raw in reply.content:
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if not line:
            if data:
                yield event or "message", "\n".join(data)
            event, data = "", []
        elif line.startswith(":"):
            continue
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip(" ") if line[5:6] == " " else line[5:])
    if data:
        yield event or "message", "\n".join(data)
