"""HTTPClient: the companion API from Python (a phone app's logic, scripts, tests).

Every call raises :class:`~astros.errors.AuthenticationError` when the token is missing, wrong or
expired (HTTP 401), and :class:`~astros.errors.AstrOSError` with the server's error code and message
for any other failure, or when the server cannot be reached.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import aiohttp

from ..errors import AstrOSError, AuthenticationError

DEFAULT_TIMEOUT_S = 30.0


class HTTPClient:
    """HTTP client for AstrOS API."""

    def __init__(self, base_url: str, token: Optional[str] = None, *, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        """Initialize HTTP client.

        Args:
            base_url: API base URL (``http://astros.local:8000``; ``/api/v1`` is added)
            token: Authentication token
            timeout: seconds one call may take
        """
        self.base_url = base_url.rstrip("/").removesuffix("/api/v1")
        self.token = token
        self.user_id: Optional[str] = None
        self.session_id: Optional[str] = None
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: Optional[aiohttp.ClientSession] = None

    async def __aenter__(self) -> "HTTPClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the connection pool."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def login(self, username: str, password: str) -> Dict[str, Any]:
        """Login and get authentication token; later calls use it."""
        body = await self._call("POST", "/auth/login", {"username": username, "password": password}, auth=False)
        data = body["data"]
        self.token, self.user_id, self.session_id = data["token"], data["user_id"], data["session_id"]
        return body

    async def logout(self) -> None:
        """End the session; the token stops working."""
        await self._call("POST", "/auth/logout")
        self.token = None

    async def process_request(self, text: str, context: Optional[Dict] = None) -> Dict[str, Any]:
        """Process request via API; returns the reply (``success``, ``message``, ``data``...)."""
        payload: Dict[str, Any] = {"text": text}
        if context is not None:
            payload["context"] = context
        return await self._call("POST", "/process", payload)

    async def get_plugins(self) -> List[Dict[str, Any]]:
        """Get list of available plugins."""
        return (await self._call("GET", "/plugins"))["data"]["plugins"]

    async def get_system_status(self) -> Dict[str, Any]:
        """Get system status."""
        return (await self._call("GET", "/status"))["data"]

    async def _call(self, method: str, path: str, payload: Any = None, auth: bool = True) -> Dict[str, Any]:
        if auth and not self.token:
            raise AuthenticationError("not logged in: call login() first or pass a token", "missing-token")
        headers = {"Authorization": f"Bearer {self.token}"} if auth else {}
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        try:
            async with self._session.request(method, self.base_url + "/api/v1" + path, json=payload,
                                             headers=headers) as reply:
                body = await _body(reply)
        except aiohttp.ClientError as err:
            raise AstrOSError(f"cannot reach AstrOS at {self.base_url}: {err}", "connection-failed") from err
        except TimeoutError as err:
            raise AstrOSError(f"AstrOS at {self.base_url} did not answer in time", "timeout") from err
        return body


async def _body(reply: aiohttp.ClientResponse) -> Dict[str, Any]:
    """The reply's JSON body, or the error it stands for raised."""
    try:
        body = await reply.json(content_type=None)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise AstrOSError(f"AstrOS answered HTTP {reply.status} without a JSON body", "bad-response")
    if reply.status < 400:
        return body
    error = body.get("error") or {}
    code, message = str(error.get("code", "http-error")), str(error.get("message", f"HTTP {reply.status}"))
    if reply.status == 401:
        raise AuthenticationError(message, code)
    raise AstrOSError(message, code)
