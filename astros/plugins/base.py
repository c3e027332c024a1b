"""The plugin API: what a plugin is, how its handlers are marked, and what it is given.

A plugin is a :class:`BasePlugin` subclass whose methods marked with :func:`plugin_handler` handle
intents. The :class:`~astros.plugins.manager.PluginManager` sets ``storage`` (a per-plugin
:class:`~astros.storage.plugin_storage.PluginStorage`), ``config`` (its ``[plugins.settings.NAME]``
table) and ``context`` (the home, the database, the event bus and the clock) before ``initialize``.
"""

from __future__ import annotations

import inspect
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Dict, List, Optional, Sequence

from ..types import Intent, Response

if TYPE_CHECKING:
    from ..config import AstrOSConfig
    from ..events import EventBus
    from ..home import Home
    from ..storage.database import DatabaseManager
    from ..storage.plugin_storage import PluginStorage

HandlerFunc = Callable[[Any, Intent], Awaitable[Optional[Response]]]

_HANDLER_ATTR = "__astros_handler__"
_PERMISSIONS_ATTR = "__astros_permissions__"


@dataclass(frozen=True)
class HandlerSpec:
    """What ``@plugin_handler`` records on a method."""

    intent_type: str
    priority: int
    permissions: tuple[str, ...]


@dataclass(frozen=True)
class PluginHandler:
    """One handler of one plugin, bound and ready to call with an :class:`Intent`."""

    plugin: "BasePlugin"
    name: str
    intent_type: str
    priority: int
    permissions: tuple[str, ...]
    func: Callable[[Intent], Awaitable[Optional[Response]]] = field(compare=False)

    async def __call__(self, intent: Intent) -> Optional[Response]:
        return await self.func(intent)


def plugin_handler(
    intent_type: str,
    priority: int = 5,
    requires_permissions: Optional[List[str]] = None,
) -> Callable[[HandlerFunc], HandlerFunc]:
    """Decorator to mark methods as plugin handlers.

    Args:
        intent_type: Type of intent this handler processes
        priority: Handler priority (1-10, higher = more priority)
        requires_permissions: Additional permissions required
    """
    if not 1 <= priority <= 10:
        raise ValueError(f"priority must be between 1 and 10; got {priority}")

    def mark(func: HandlerFunc) -> HandlerFunc:
        if not inspect.iscoroutinefunction(func):
            raise TypeError(f"plugin handler {func.__qualname__} must be an async function")
        setattr(func, _HANDLER_ATTR, HandlerSpec(intent_type, priority, tuple(requires_permissions or ())))
        return func

    return mark


def requires_permission(*permissions: str) -> Callable[[HandlerFunc], HandlerFunc]:
    """Decorator to specify required permissions, above or below ``@plugin_handler``."""

    def mark(func: HandlerFunc) -> HandlerFunc:
        setattr(func, _PERMISSIONS_ATTR, (*getattr(func, _PERMISSIONS_ATTR, ()), *permissions))
        return func

    return mark


@dataclass
class PluginContext:
    """What the appliance lends a plugin: configuration, home, database, events and clock."""

    config: "AstrOSConfig"
    home: "Home"
    database: "DatabaseManager"
    events: "EventBus"
    timezone: tzinfo
    call: Callable[[str, str, Dict[str, Any]], Awaitable[Response]]
    """Calls another plugin's handler (``call_plugin`` goes through this)."""
    background: bool = False
    """True when the appliance runs its background services (timers ring, devices sync)."""

    def now(self) -> datetime:
        """The current time in the configured time zone."""
        return datetime.now(self.timezone)


class BasePlugin(ABC):
    """Base class for all AstrOS plugins."""

    # Plugin metadata (must be defined by subclass)
    name: str
    version: str
    description: str
    author: str

    # Plugin capabilities
    handles: List[str] = []
    requires_ai: bool = False
    requires_permissions: List[str] = []

    migrations: ClassVar[Sequence[str]] = ()
    """SQL statements, applied once each and in order, that create or change this plugin's tables."""

    def __init__(self) -> None:
        """Initialize plugin."""
        self.logger = self._setup_logger()
        self.storage: Optional["PluginStorage"] = None  # Set by plugin manager
        self.config: Optional[Dict[str, Any]] = None  # Set by plugin manager
        self.context: Optional[PluginContext] = None  # Set by plugin manager

    def _setup_logger(self) -> logging.Logger:
        return logging.getLogger(f"astros.plugin.{getattr(self, 'name', type(self).__name__)}")

    @abstractmethod
    async def initialize(self) -> None:
        """Initialize plugin resources."""

    @abstractmethod
    async def shutdown(self) -> None:
        """Clean up plugin resources."""

    async def run_background(self) -> None:
        """Background work while the appliance runs (a timer scheduler, say); returns when done."""

    def can_handle(self, intent: Intent) -> bool:
        """True if this plugin has a handler for ``intent``."""
        return bool(self.get_handlers(intent))

    def get_handlers(self, intent: Intent) -> List[PluginHandler]:
        """The handlers for ``intent``, highest priority first."""
        return [h for h in self.all_handlers() if h.intent_type == intent.type]

    def all_handlers(self) -> List[PluginHandler]:
        """Every handler this plugin has, highest priority first (found once, then remembered)."""
        cached: Optional[List[PluginHandler]] = self.__dict__.get("_astros_handlers")
        if cached is not None:
            return list(cached)
        found = []
        for attr in dir(type(self)):
            func = getattr(type(self), attr, None)
            spec: Optional[HandlerSpec] = getattr(func, _HANDLER_ATTR, None)
            if spec is None:
                continue
            permissions = (*spec.permissions, *getattr(func, _PERMISSIONS_ATTR, ()))
            found.append(PluginHandler(self, attr, spec.intent_type, spec.priority, permissions, getattr(self, attr)))
        self.__dict__["_astros_handlers"] = sorted(found, key=lambda h: -h.priority)
        return list(self.__dict__["_astros_handlers"])

    def intent_types(self) -> List[str]:
        """Every intent type this plugin handles: ``handles`` and its handlers' types."""
        return sorted({*self.handles, *(h.intent_type for h in self.all_handlers())})

    def sentence_files(self) -> List[Path]:
        """The hassil sentence templates this plugin ships: ``sentences/*.yaml`` beside its module."""
        folder = Path(inspect.getfile(type(self))).parent / "sentences"
        return sorted(folder.glob("*.yaml")) if folder.is_dir() else []

    async def call_plugin(self, plugin_name: str, handler_name: str, data: Dict[str, Any]) -> Response:
        """Call another plugin's handler with ``data`` as the intent's entities.

        The call runs with the permissions of the user whose request is being handled.
        """
        if self.context is None:
            raise RuntimeError("plugin is not loaded by a plugin manager")
        return await self.context.call(plugin_name, handler_name, data)
