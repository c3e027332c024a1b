"""Shared fixtures: a real SQLite database, plugins loaded the way the appliance loads them."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

os.environ.setdefault("GPIOZERO_PIN_FACTORY", "mock")

from astros.config import AstrOSConfig, parse_config  # noqa: E402
from astros.events import EventBus, PipelineEvent  # noqa: E402
from astros.home import Home  # noqa: E402
from astros.plugins.base import BasePlugin, PluginContext  # noqa: E402
from astros.plugins.manager import PluginManager  # noqa: E402
from astros.security.permissions import PermissionManager  # noqa: E402
from astros.storage.database import DatabaseManager  # noqa: E402
from astros.types import Intent, Response, UserRequest  # noqa: E402


def make_config(toml: str = "", tmp_path: Any = None) -> AstrOSConfig:
    """A configuration from TOML text, with its data under ``tmp_path``."""
    text = toml
    if tmp_path is not None:
        text = f'data_dir = "{tmp_path}"\n' + toml
    return parse_config(text, "test.toml")


def make_intent(intent_type: str, user_id: str = "owner", text: str = "", **entities: Any) -> Intent:
    """An intent as the recognizer would produce it, for calling handlers directly."""
    request = UserRequest(text, user_id, "test-session", datetime.now(timezone.utc), {}, {})
    return Intent(intent_type, 1.0, dict(entities), {}, datetime.now(timezone.utc), request)


class PluginHarness:
    """A plugin loaded by a real PluginManager on a real database, with its events recorded."""

    def __init__(self, manager: PluginManager, plugin: BasePlugin, events: list[PipelineEvent]) -> None:
        self.manager = manager
        self.plugin = plugin
        self.events = events

    async def ask(self, intent_type: str, said: str = "", **entities: Any) -> Response:
        """Dispatch an intent (recognised from the words ``said``) the way the agent does and
        return the handler's response."""
        result = await self.manager.dispatch(make_intent(intent_type, text=said, **entities))
        assert result.response is not None, f"{intent_type} gave no response: {result.error} {result.reason}"
        return result.response


@pytest.fixture
async def database(tmp_path) -> AsyncIterator[DatabaseManager]:
    db = DatabaseManager(tmp_path / "astros.db")
    await db.connect()
    yield db
    await db.close()


@pytest.fixture
async def load_plugin(tmp_path) -> AsyncIterator[Callable[..., Any]]:
    """``await load_plugin(PluginClass, toml="...", background=False)`` -> PluginHarness."""
    opened: list[tuple[PluginManager, DatabaseManager]] = []

    async def load(plugin_cls: type[BasePlugin], toml: str = "", background: bool = False) -> PluginHarness:
        config = make_config(toml, tmp_path)
        db = DatabaseManager(config.database_path)
        await db.connect()
        events: list[PipelineEvent] = []
        bus = EventBus()
        bus.subscribe(events.append)
        home = Home(config.home)
        tz = ZoneInfo(config.timezone) if config.timezone else timezone.utc

        def context(call: Callable[..., Any]) -> PluginContext:
            return PluginContext(config, home, db, bus, tz, call, background)

        manager = PluginManager(config, db, PermissionManager(db, config.permissions), home, bus, context)
        plugin = plugin_cls()
        if not await manager.initialize_plugin(plugin):
            await db.close()
            raise AssertionError(f"{plugin.name} failed to load: {manager.failed}")
        if background:
            manager.start_background()
        opened.append((manager, db))
        return PluginHarness(manager, plugin, events)

    yield load
    for manager, db in opened:
        await manager.shutdown()
        await db.close()


def builtin_plugin(name: str) -> type[BasePlugin]:
    """The class of built-in plugin ``plugins/<name>``, imported the way the appliance imports it."""
    from astros.plugins.loader import BUILTIN_PLUGIN_PATH, load_folder

    if name not in _BUILTIN_CLASSES:
        _BUILTIN_CLASSES[name] = load_folder(BUILTIN_PLUGIN_PATH / name)
    return _BUILTIN_CLASSES[name]


_BUILTIN_CLASSES: dict[str, type[BasePlugin]] = {}


@contextlib.asynccontextmanager
async def serve(app: "web.Application") -> AsyncIterator[str]:
    """Run ``app`` as a real HTTP server on a free loopback port; yields its base URL."""
    from aiohttp import web

    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()

