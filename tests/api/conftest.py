"""A real AstrOS appliance behind a real loopback HTTP server, shared by each API test module.

Starting the agent takes seconds (the recognizer loads its model), so each module starts one and
its tests share it: tests that change state (timers, lists) use their own users or names.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestClient, TestServer

from astros.agent import AstrOSAgent
from astros.api import create_app
from astros.api.keys import AUTH
from astros.config import parse_config
from astros.security.auth import AuthenticationManager

PASSWORD = "correct horse battery"
API_TOML = """
timezone = "UTC"
[permissions]
default = ["home.read", "home.control", "alarms", "volume"]
[permissions.users]
bob = ["timers", "lists"]
[voice]
enabled = false
[api]
login_attempts = 3
login_attempts_per_address = 1000
ws_auth_timeout = 3.0  # generous: a loaded machine must not close a client that is about to send it
ws_queue_size = 8
"""
PROTECTED = [
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/process"),
    ("POST", "/api/v1/audio"),
    ("POST", "/api/v1/tts"),
    ("GET", "/api/v1/plugins"),
    ("GET", "/api/v1/status"),
    ("GET", "/api/v1/timers"),
    ("GET", "/api/v1/lists"),
    ("GET", "/api/v1/lists/Shopping%20List"),
    ("GET", "/api/v1/openapi.json"),
]


@dataclass
class Api:
    """The running appliance: its app, a test client, and logged-in users' tokens."""

    app: web.Application
    client: TestClient
    data_path: Path
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def auth(self) -> AuthenticationManager:
        return self.app[AUTH]

    @property
    def url(self) -> str:
        return str(self.client.make_url("")).rstrip("/")

    def ws_url(self, user_id: str) -> str:
        return self.url.replace("http://", "ws://") + f"/ws/{user_id}"

    async def user(self, name: str, admin: bool = False) -> str:
        """A token for ``name``, creating the user the first time."""
        if name not in self.tokens:
            if await self.auth.get_user(name) is None:
                await self.auth.add_user(name, PASSWORD, admin=admin)
            reply = await self.client.post("/api/v1/auth/login", json={"username": name, "password": PASSWORD})
            assert reply.status == 200, await reply.text()
            self.tokens[name] = (await reply.json())["data"]["token"]
        return self.tokens[name]

    async def get(self, path: str, user: str = "bob") -> tuple[int, Any]:
        reply = await self.client.get(path, headers=await self.bearer(user))
        return reply.status, await reply.json()

    async def post(self, path: str, body: Any, user: str = "bob") -> tuple[int, Any]:
        reply = await self.client.post(path, json=body, headers=await self.bearer(user))
        return reply.status, await reply.json()

    async def bearer(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.user(user)}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def api(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Api]:
    data = tmp_path_factory.mktemp("api")
    config = parse_config(f'data_dir = "{data}"\n{API_TOML}', "api-test.toml")
    app = create_app(AstrOSAgent(config=config))
    client = TestClient(TestServer(app, host="127.0.0.1", port=free_port()))
    await client.start_server()
    try:
        yield Api(app, client, data)
    finally:
        await client.close()


@pytest_asyncio.fixture(loop_scope="module")
async def session() -> AsyncIterator[ClientSession]:
    async with ClientSession() as http:
        yield http
