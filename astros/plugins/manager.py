"""PluginManager: loads plugins, hands them what they need, and runs their handlers safely.

Whatever a plugin does - raise, hang, or lack a permission - the request ends in a
:class:`ProcessingResult` with an error code and a reason, and the agent carries on.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional

from ..config import AstrOSConfig
from ..errors import AstrOSError, PluginError
from ..events import EventBus
from ..home import Home
from ..security.permissions import PermissionManager
from ..storage.database import DatabaseManager
from ..storage.plugin_storage import PluginStorage
from ..types import Intent, ProcessingResult, Response, UserRequest, utcnow
from .base import BasePlugin, PluginContext, PluginHandler
from .loader import BUILTIN_PLUGIN_PATH, entry_point_classes, load_folder, plugin_folders

_LOGGER = logging.getLogger(__name__)
SHUTDOWN_TIMEOUT = 5.0  # seconds each plugin gets to shut down
_CURRENT_REQUEST: contextvars.ContextVar[Optional[UserRequest]] = contextvars.ContextVar(
    "astros_current_request", default=None
)


@dataclass
class PluginInfo:
    """A plugin as the ``plugins`` command and the REST API list it."""

    name: str
    version: str
    status: str  # "active" or "failed"
    description: str
    author: str = ""
    intents: tuple[str, ...] = ()
    error: Optional[str] = None

    def to_dict(self) -> Dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


class PluginManager:
    """Loads plugins and dispatches intents to their handlers."""

    def __init__(
        self,
        config: AstrOSConfig,
        database: DatabaseManager,
        permissions: PermissionManager,
        home: Home,
        events: EventBus,
        context_factory: Callable[[Callable[[str, str, Dict[str, Any]], Awaitable[Response]]], PluginContext],
    ) -> None:
        self.config = config
        self.database = database
        self.permissions = permissions
        self.home = home
        self.events = events
        self._context_factory = context_factory
        self.plugins: Dict[str, BasePlugin] = {}
        self.failed: Dict[str, PluginInfo] = {}
        self._pending: List[BasePlugin] = []
        self._tasks: List[asyncio.Task[None]] = []

    # -- loading ---------------------------------------------------------------------------------

    def register_plugin(self, plugin: BasePlugin) -> None:
        """Register a plugin instance; :meth:`load_all` initializes it (after that, call
        :meth:`initialize_plugin`; the agent does so before its next request)."""
        self._pending.append(plugin)

    @property
    def has_pending(self) -> bool:
        """True when plugins were registered but not yet initialized."""
        return bool(self._pending)

    async def load_pending(self) -> List[BasePlugin]:
        """Initialize the plugins registered since the last load; returns those now active."""
        pending, self._pending = self._pending, []
        return [plugin for plugin in pending if await self.initialize_plugin(plugin)]

    def discover(self) -> List[type[BasePlugin]]:
        """Plugin classes from the built-in folder, the configured paths and entry points.

        A folder that fails to import counts as a failed plugin unless ``enabled_plugins`` leaves
        it out by its folder name (its plugin name is unknown until it imports).
        """
        settings = self.config.plugins
        paths = [BUILTIN_PLUGIN_PATH, *(Path(p).expanduser() for p in settings.plugin_paths)]
        classes: List[type[BasePlugin]] = []
        for folder in plugin_folders(paths):
            try:
                classes.append(load_folder(folder))
            except PluginError as err:
                if self._wanted(folder.name):
                    self._fail(folder.name, str(err))
        for name, loaded in entry_point_classes(self._wanted):
            if isinstance(loaded, PluginError):
                self._fail(name, str(loaded))
            else:
                classes.append(loaded)
        return classes

    def _wanted(self, name: str) -> bool:
        enabled = self.config.plugins.enabled_plugins
        if not self.config.plugins.auto_load:
            return name in enabled
        return not enabled or name in enabled

    async def load_all(self) -> None:
        """Discover, create and initialize every wanted plugin, plus those registered by hand."""
        candidates, self._pending = self._pending, []
        for cls in self.discover():
            if self._wanted(getattr(cls, "name", cls.__name__)):
                try:
                    candidates.append(cls())
                except Exception as err:  # noqa: BLE001 - a broken plugin must not stop the others
                    self._fail(getattr(cls, "name", cls.__name__), f"could not be created: {err}")
        for plugin in candidates:
            await self.initialize_plugin(plugin)

    async def initialize_plugin(self, plugin: BasePlugin) -> bool:
        """Wire up and initialize one plugin; True if it is now active."""
        name = plugin.name
        if name in self.plugins:
            self._fail(name, "another plugin with this name is already loaded")
            return False
        plugin.storage = PluginStorage(self.database, name)
        plugin.config = dict(self.config.plugins.settings.get(name, {}))
        plugin.context = self._context_factory(self.call)
        try:
            async with asyncio.timeout(self.config.plugins.plugin_timeout):
                if plugin.migrations:
                    await self.database.migrate(f"plugin:{name}", plugin.migrations)
                await plugin.initialize()
        except TimeoutError:
            timeout = self.config.plugins.plugin_timeout
            self._fail(name, f"did not finish initializing within {timeout} s (plugins.plugin_timeout)", plugin)
            return False
        except Exception as err:  # noqa: BLE001
            self._fail(name, f"failed to initialize: {str(err) or type(err).__name__}", plugin)
            return False
        self.plugins[name] = plugin
        _LOGGER.info("Plugin %s %s loaded", name, plugin.version)
        return True

    def _fail(self, name: str, reason: str, plugin: Optional[BasePlugin] = None) -> None:
        _LOGGER.error("Plugin %s: %s", name, reason)
        self.failed[name] = PluginInfo(
            name,
            getattr(plugin, "version", "?"),
            "failed",
            getattr(plugin, "description", ""),
            getattr(plugin, "author", ""),
            error=reason,
        )

    def start_background(self) -> None:
        """Start every plugin's background work (the appliance does this; one-shot commands do not)."""
        for plugin in self.plugins.values():
            task = asyncio.create_task(self._run_background(plugin), name=f"plugin:{plugin.name}")
            self._tasks.append(task)

    async def _run_background(self, plugin: BasePlugin) -> None:
        try:
            await plugin.run_background()
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - logged; the appliance keeps running
            _LOGGER.exception("Plugin %s: background work stopped with an error", plugin.name)

    async def shutdown(self) -> None:
        """Stop background work and shut every plugin down, each within a bounded time."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        for plugin in list(self.plugins.values()):
            try:
                async with asyncio.timeout(SHUTDOWN_TIMEOUT):
                    await plugin.shutdown()
            except (Exception, TimeoutError):  # noqa: BLE001
                _LOGGER.exception("Plugin %s did not shut down cleanly", plugin.name)
        self.plugins.clear()

    # -- introspection ---------------------------------------------------------------------------

    def list_plugins(self) -> List[PluginInfo]:
        """Every plugin, active ones first, then those that failed to load."""
        active = [
            PluginInfo(p.name, p.version, "active", p.description, p.author, tuple(p.intent_types()))
            for p in self.plugins.values()
        ]
        return sorted(active, key=lambda i: i.name) + sorted(self.failed.values(), key=lambda i: i.name)

    def handlers_for(self, intent_type: str) -> List[PluginHandler]:
        """Every loaded handler of ``intent_type``, highest priority first."""
        found = [h for p in self.plugins.values() for h in p.all_handlers() if h.intent_type == intent_type]
        return sorted(found, key=lambda h: -h.priority)

    def sentence_files(self) -> List[Path]:
        """The sentence templates every loaded plugin ships."""
        return [path for plugin in self.plugins.values() for path in plugin.sentence_files()]

    # -- dispatch --------------------------------------------------------------------------------

    async def dispatch(self, intent: Intent) -> ProcessingResult:
        """Run the best handler for ``intent`` as the user who made the request."""
        token = _CURRENT_REQUEST.set(intent.original_request)
        try:
            for handler in self.handlers_for(intent.type):
                result = await self._run(handler, intent)
                if result.response is not None or result.error is not None:
                    return result
            return ProcessingResult(intent, error="no-handler", reason="no skill can do that yet")
        finally:
            _CURRENT_REQUEST.reset(token)

    async def _run(self, handler: PluginHandler, intent: Intent) -> ProcessingResult:
        plugin = handler.plugin
        found = dict(plugin=plugin.name, handler=handler.name)
        missing = await self._missing_permission(intent.original_request.user_id, handler)
        if missing is not None:
            return ProcessingResult(intent, error="permission-denied", reason=f"it needs the {missing} permission", **found)
        try:
            async with asyncio.timeout(self.config.plugins.plugin_timeout):
                response = await handler(intent)
        except asyncio.CancelledError:
            raise
        except TimeoutError:
            _LOGGER.error("Plugin %s: %s timed out on %s", plugin.name, handler.name, intent.type)
            return ProcessingResult(intent, error="plugin-timeout", reason=f"the {plugin.name} skill took too long", **found)
        except AstrOSError as err:
            return ProcessingResult(intent, error=err.code, reason=err.message, **found)
        except Exception as err:  # noqa: BLE001 - a plugin bug must never take the agent down
            _LOGGER.exception("Plugin %s: %s failed on %s", plugin.name, handler.name, intent.type)
            reason = f"the {plugin.name} skill ran into a problem ({type(err).__name__})"
            return ProcessingResult(intent, error="plugin-failed", reason=reason, **found)
        if response is not None and not isinstance(response, Response):
            reason = f"the {plugin.name} skill gave an answer AstrOS cannot read"
            return ProcessingResult(intent, error="plugin-failed", reason=reason, **found)
        return ProcessingResult(intent, response=response, **found)

    async def _missing_permission(self, user_id: str, handler: PluginHandler) -> Optional[str]:
        for permission in (*handler.plugin.requires_permissions, *handler.permissions):
            if not await self.permissions.check_permission(user_id, permission):
                return permission
        return None

    async def call(self, plugin_name: str, handler_name: str, data: Dict[str, Any]) -> Response:
        """Call ``plugin_name``'s handler ``handler_name`` with ``data`` as entities (``call_plugin``)."""
        plugin = self.plugins.get(plugin_name)
        handler = next((h for h in plugin.all_handlers() if h.name == handler_name), None) if plugin else None
        if handler is None:
            return Response(False, f"There is no {plugin_name}.{handler_name} to call.")
        request = _CURRENT_REQUEST.get() or UserRequest("", self.config.agent.cli_user, "internal", utcnow())
        intent = Intent(handler.intent_type, 1.0, dict(data), {}, utcnow(), request)
        result = await self._run(handler, intent)
        if result.response is not None:
            return result.response
        return Response(False, f"Sorry, {result.reason or 'that did not work'}.", metadata={"error": result.error})
