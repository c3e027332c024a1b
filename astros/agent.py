"""AstrOSAgent: the one object everything talks to.

It owns the configuration, the database, the home, the event bus, the plugins, the intent
recognizer and the response generator, and turns each :class:`UserRequest` into a :class:`Response`.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import time
from datetime import datetime, tzinfo
from typing import Any, Awaitable, Callable, Dict, Optional
from zoneinfo import ZoneInfo

import psutil

from .ai.fallback import LanguageModelFallback
from .config import AstrOSConfig, load_config
from .confirmation import describe, yes_or_no
from .errors import ProcessingError
from .events import EventBus, EventType, PipelineEvent
from .home import Home
from .intents.decision import Decision, decide
from .intents.recognizer import IntentRecognizer
from .plugins.base import BasePlugin, PluginContext
from .plugins.manager import PluginManager
from .response import ResponseGenerator
from .security.permissions import PermissionManager
from .storage.database import DatabaseManager
from .types import Context, Intent, ProcessingResult, Response, ResponseFormat, SystemStatus, UserRequest, utcnow

_LOGGER = logging.getLogger(__name__)


def local_timezone(name: str) -> tzinfo:
    """The configured IANA zone, or the system's own when ``name`` is empty."""
    if name:
        return ZoneInfo(name)
    return datetime.now().astimezone().tzinfo or ZoneInfo("UTC")


class AstrOSAgent:
    """Main AstrOS system orchestrator."""

    def __init__(self, config_path: Optional[str] = None, *, config: Optional[AstrOSConfig] = None) -> None:
        """Initialize AstrOS agent.

        Args:
            config_path: Path to configuration file (None: the standard places, else defaults)
            config: an already loaded configuration, instead of a path
        """
        self.config = config if config is not None else load_config(config_path)
        self.timezone = local_timezone(self.config.timezone)
        self.home = Home(self.config.home)
        self.events = EventBus()
        self.database = DatabaseManager(self.config.database, path=self.config.database_path)
        self.permissions = PermissionManager(self.database, self.config.permissions)
        self.plugins = PluginManager(
            self.config, self.database, self.permissions, self.home, self.events, self._plugin_context
        )
        self.recognizer = IntentRecognizer(self.home, self.config.intents, self.timezone, self.config.data_path / "cache")
        self.responses = ResponseGenerator()
        self.fallback = LanguageModelFallback(self.config, self.plugins, self.home, self._now)
        self.status = "stopped"
        self._background = False
        self._started_at = 0.0
        self._sessions: Dict[str, float] = {}
        self._questions: Dict[str, Intent] = {}  # session -> the guess it was asked about
        self._process = psutil.Process(os.getpid())

    def _now(self) -> Any:
        from datetime import datetime

        return datetime.now(self.timezone)

    def _plugin_context(self, call: Callable[..., Any]) -> PluginContext:
        return PluginContext(
            self.config, self.home, self.database, self.events, self.timezone, call, self._background
        )

    async def start(self, background: bool = False) -> None:
        """Start the AstrOS agent: open storage, load plugins, prepare the recognizer.

        Args:
            background: also run the plugins' background work (timers ringing); the appliance does,
                one-shot commands such as ``astros ask`` do not.
        """
        self.status = "starting"
        self._background = background
        self._started_at = time.monotonic()
        self._process.cpu_percent(None)
        try:
            await self.database.connect()
            await self.plugins.load_all()
            self.recognizer.add_sentence_files(self.plugins.sentence_files())
            await self.recognizer.prepare()
        except BaseException:
            self.status = "error"
            await self.database.close()
            raise
        if background:
            await asyncio.to_thread(self.recognizer.warm_up)  # the first spoken request is not slowed
            self.events.subscribe(self._run_delayed_command)
            self.plugins.start_background()
        self.status = "running"
        _LOGGER.info("AstrOS started with %d plugins", len(self.plugins.plugins))

    def _run_delayed_command(self, event: PipelineEvent) -> Optional[Awaitable[Response]]:
        """Carry out the command a finished timer held ("in 5 minutes turn off the lights")."""
        command = event.data.get("command") if event.type is EventType.TIMER_FINISHED else None
        if not command:
            return None
        user = event.data.get("user_id") or self.config.agent.voice_user
        context = {"area": event.data["area"]} if event.data.get("area") else {}
        return self.process_request(UserRequest(command, user, f"timer-{event.data.get('id')}", utcnow(), context))

    async def stop(self) -> None:
        """Stop the AstrOS agent gracefully."""
        self.status = "stopping"
        await self.plugins.shutdown()
        await self.fallback.close()
        await self.database.close()
        self.status = "stopped"

    async def __aenter__(self) -> "AstrOSAgent":
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def register_plugin(self, plugin: BasePlugin) -> None:
        """Register a plugin with the system (loaded on start, or at once when already running)."""
        self.plugins.register_plugin(plugin)

    async def load_registered(self) -> None:
        """Initialize plugins registered after start and teach the recognizer their sentences."""
        loaded = await self.plugins.load_pending()
        for plugin in loaded:
            self.recognizer.add_sentence_files(plugin.sentence_files())
        if loaded:
            await self.recognizer.prepare()

    async def process_request(self, request: UserRequest) -> Response:
        """Process a user request.

        Raises:
            ProcessingError: If the agent is not running.
        """
        if self.status != "running":
            raise ProcessingError(f"AstrOS is {self.status}, not running", "not-running")
        if self.plugins.has_pending:
            await self.load_registered()
        self._touch(request.session_id)
        context = self._context(request)
        if not request.text.strip():
            return Response(False, "I didn't catch a request.", metadata={"error": "empty-request"})
        pending = self._questions.pop(request.session_id, None)
        if pending is not None:
            answer = yes_or_no(request.text)
            if answer is False:
                return Response(True, "Okay, I won't.")
            if answer is True:
                return await self.responses.generate(await self._handle(pending), context)
        intent = await self.recognizer.recognize(request)
        self.events.emit(EventType.INTENT, text=request.text, intent=intent.type or None, entities=intent.entities)
        decision = decide(intent.type, intent.confidence, str(intent.context.get("layer", "")), self.config.intents,
                          str(request.context.get("heard", "")) if request.context else "")
        if decision is Decision.NOT_UNDERSTOOD:
            result = await self.fallback.handle(intent)  # the language model, when one is configured
        elif decision is Decision.ASK:
            self._questions[request.session_id] = intent
            return Response(True, f"Did you mean: {describe(intent)}?", requires_followup=True,
                            metadata={"intent": intent.type, "confirm": True})
        else:
            result = await self._handle(intent)
            self.fallback.note(request, result.response.message if result.response else "")
        return await self.responses.generate(result, context)

    def _touch(self, session_id: str) -> None:
        """Note activity on a session, forgetting sessions idle past the timeout."""
        now = time.monotonic()
        if len(self._sessions) > 1000:
            cutoff = now - self.config.agent.session_timeout
            self._sessions = {sid: seen for sid, seen in self._sessions.items() if seen >= cutoff}
        self._sessions[session_id] = now

    async def _handle(self, intent: Intent) -> ProcessingResult:
        custom = self.recognizer.custom_handlers.get(intent.type)
        if custom is not None and not self.plugins.handlers_for(intent.type):
            return await self._run_custom(custom, intent)
        return await self.plugins.dispatch(intent)

    async def _run_custom(self, handler: Callable[..., Any], intent: Intent) -> ProcessingResult:
        try:
            answer = handler(intent)
            if inspect.isawaitable(answer):
                answer = await answer
        except Exception as err:  # noqa: BLE001 - reported, never raised to the caller
            _LOGGER.exception("Custom handler for %s failed", intent.type)
            return ProcessingResult(intent, error="plugin-failed", reason=f"the {intent.type} handler failed ({err})")
        response = answer if isinstance(answer, Response) else Response(True, str(answer))
        return ProcessingResult(intent, response=response)

    def _context(self, request: UserRequest) -> Context:
        fmt = request.context.get("format") or request.metadata.get("format")
        try:
            chosen = ResponseFormat(fmt) if fmt else None
        except ValueError:
            chosen = None
        return Context(request.user_id, request.session_id, chosen, request.context.get("area") or self.home.area)

    async def get_status(self) -> SystemStatus:
        """Get current system status."""
        cutoff = time.monotonic() - self.config.agent.session_timeout
        active = sum(1 for seen in self._sessions.values() if seen >= cutoff)
        running = self.status in ("running", "stopping")
        return SystemStatus(
            status=self.status,
            uptime=int(time.monotonic() - self._started_at) if running else 0,
            plugins_loaded=len(self.plugins.plugins),
            active_sessions=active,
            memory_usage=round(self._process.memory_info().rss / 1_048_576, 1),
            cpu_usage=self._process.cpu_percent(None),
        )
