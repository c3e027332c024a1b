"""The language-model fallback: what AstrOS does with a request no skill understood.

Local first: the agent asks this only when the intent recognizer found nothing sure enough. The
request goes to the configured provider with the recent conversation and the plugins' handlers
as tools. Each tool call is dispatched through the same :class:`PluginManager` as a spoken
request, as the same user (permission checks and the plugin timeout apply), and its result goes
back to the model until it answers in words (at most ``[ai] tool_rounds`` rounds of tools).

Streaming: :meth:`LanguageModelFallback.stream` returns a :class:`ReplyStream`, an async
iterator of text pieces with :meth:`ReplyStream.sentences` for speaking sentence by sentence.
Through the agent, a request whose ``metadata`` holds ``on_text`` and/or ``on_sentence``
callables (plain or async) gets the reply streamed to them while ``process_request`` runs.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, Dict, List, Optional

from ..config import AstrOSConfig
from ..errors import AIError, ConfigError
from ..home import Home
from ..plugins.manager import PluginManager
from ..types import Intent, ProcessingResult, Response, UserRequest, utcnow
from .base import BaseAIProvider
from .conversation import ConversationHistory
from .factory import AIProvider
from .sentences import SentenceSplitter, sentences
from .tools import build_tools, tool_entities
from .types import AIResponse, Message, Tool, ToolCall

_LOGGER = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You are AstrOS, the voice assistant of this home. Your answers are spoken aloud: reply in one to "
    "three short, plain sentences, with no lists, markdown or emoji. Use the tools to act on the home or "
    "to look things up; never claim you did something a tool did not confirm. When a tool result says "
    "refused, tell the person they are not allowed to do that. {home}It is {now}."
)
FAILURE_WORDS = {
    "timeout": "did not answer in time",
    "unreachable": "could not be reached",
    "no-key": "has no API key set up",
    "bad-key": "refused its API key",
    "rate-limited": "is busy right now",
    "model-unknown": "does not know the configured model",
}


class ReplyStream:
    """A model's reply as it arrives: ``async for text in stream``; ``response`` once it is done."""

    def __init__(self, pieces: AsyncIterator[str]) -> None:
        self._pieces = pieces
        self.response: Optional[Response] = None

    def __aiter__(self) -> AsyncIterator[str]:
        return self._pieces

    def sentences(self, splitter: Optional[SentenceSplitter] = None) -> AsyncIterator[str]:
        """The reply sentence by sentence, each as soon as it is complete."""
        return sentences(self._pieces, splitter)


class LanguageModelFallback:
    """Answers requests the skills did not understand, using the configured language model."""

    def __init__(
        self, config: AstrOSConfig, plugins: PluginManager, home: Home, now: Callable[[], Any],
        provider: Optional[BaseAIProvider] = None,
    ) -> None:
        self.config = config.ai
        self.plugins = plugins
        self.home = home
        self.now = now
        self.history = ConversationHistory(self.config.history_turns, self.config.history_tokens)
        self.provider = provider if provider is not None else self._make_provider()
        self._tools: Optional[List[Tool]] = None

    def _make_provider(self) -> Optional[BaseAIProvider]:
        name = self.config.default_provider
        if not self.config.enabled or not name:
            return None
        try:
            return AIProvider.create(name, dict(self.config.providers.get(name, {})))
        except (ValueError, AIError) as err:
            raise ConfigError(f"ai.default_provider: {err}") from err

    @property
    def available(self) -> bool:
        """True when a language model is configured and enabled."""
        return self.provider is not None

    async def close(self) -> None:
        """Close the provider's connections."""
        if self.provider is not None:
            await self.provider.close()

    def note(self, request: UserRequest, answer: str) -> None:
        """Remember an exchange a skill answered, so the model knows what was just said."""
        if self.available and request.text.strip() and answer:
            self.history.add(request.user_id, request.session_id, request.text, answer)

    def tools(self) -> List[Tool]:
        """The plugins' handlers as tools (built once the plugins are loaded)."""
        if self._tools is None:
            self._tools = build_tools(self.plugins.plugins.values(), self.home)
        return self._tools

    # -- answering -------------------------------------------------------------------------------

    async def handle(self, intent: Intent) -> ProcessingResult:
        """The outcome for a request the skills did not understand (``intent`` has no type)."""
        if self.provider is None:
            return ProcessingResult(intent, error="not-understood")
        try:
            response = await self.respond(intent.original_request)
        except AIError as err:
            _LOGGER.warning("Language model %s could not answer: %s", getattr(self.provider, "name", ""), err.message)
            message = failure_message(err, getattr(self.provider, "name", ""))
            response = Response(False, message, metadata={"error": "not-understood", "ai_error": err.code})
        return ProcessingResult(intent, response=response, plugin="language-model")

    async def respond(self, request: UserRequest) -> Response:
        """The model's answer to ``request``; streamed to ``on_text``/``on_sentence`` in its metadata."""
        on_text = request.metadata.get("on_text")
        on_sentence = request.metadata.get("on_sentence")
        if not (callable(on_text) or callable(on_sentence)):
            return await self._run(request)
        stream = self.stream(request)
        splitter = SentenceSplitter()
        async for piece in stream:
            await _call(on_text, piece)
            for sentence in splitter.feed(piece):
                await _call(on_sentence, sentence)
        for sentence in splitter.flush():
            await _call(on_sentence, sentence)
        assert stream.response is not None
        return stream.response

    def stream(self, request: UserRequest) -> ReplyStream:
        """The model's answer as it arrives (see :class:`ReplyStream`); raises AIError while iterated."""
        reply: ReplyStream

        async def live() -> AsyncIterator[str]:
            result: Dict[str, Any] = {}
            async for piece in self._conversation(request, True, result):
                yield piece
            reply.response = result["response"]

        reply = ReplyStream(live())
        return reply

    async def _run(self, request: UserRequest) -> Response:
        result: Dict[str, Any] = {}
        async for _piece in self._conversation(request, False, result):
            pass
        return result["response"]

    async def _conversation(self, request: UserRequest, streaming: bool, result: Dict[str, Any]) -> AsyncIterator[str]:
        """Talk with the model, running its tool calls, until it answers; yields text as it comes."""
        if self.provider is None:
            raise AIError("no language model is configured ([ai] default_provider)", "not-configured")
        messages = [self._system(request), *self.history.messages(request.user_id, request.session_id),
                    Message("user", request.text, utcnow())]
        said: List[str] = []
        actions: List[Dict[str, Any]] = []
        reply = AIResponse("", 0, "")
        tokens = 0
        for round_number in range(self.config.tool_rounds + 1):
            tools = self.tools() if round_number < self.config.tool_rounds else []
            if streaming:
                async for chunk in self.provider.stream(messages, self.config.max_tokens, self.config.temperature, tools=tools):
                    if chunk.text:
                        said.append(chunk.text)
                        yield chunk.text
                    if chunk.response is not None:
                        reply = chunk.response
            else:
                reply = await self.provider.chat(messages, self.config.max_tokens, self.config.temperature, tools=tools)
                said.append(reply.content)
            tokens += reply.tokens_used
            if not reply.tool_calls:
                break
            messages.append(Message("assistant", reply.content, utcnow(), {"tool_calls": reply.tool_calls}))
            for call in reply.tool_calls:
                outcome = await self._run_tool(call, request)
                actions.append(outcome)
                messages.append(Message("tool", json.dumps(outcome["result"]), utcnow(),
                                        {"tool_call_id": call.id, "name": call.name}))
        text = "".join(said).strip() or _summary(actions)
        self.history.add(request.user_id, request.session_id, request.text, text)
        result["response"] = Response(
            success=True, message=text, data={"actions": actions},
            metadata={"source": "language-model", "provider": getattr(self.provider, "name", ""),
                      "model": reply.model, "tokens_used": tokens},
        )

    def _system(self, request: UserRequest) -> Message:
        area = request.context.get("area") or self.home.area
        parts = []
        if self.home.areas:
            parts.append("Areas: " + ", ".join(a.name for a in self.home.areas) + ". ")
        if self.home.devices:
            parts.append("Devices: " + "; ".join(
                f"{d.name} ({d.domain}{', ' + d.area if d.area else ''})" for d in self.home.devices) + ". ")
        if area:
            parts.append(f"The person is in the {area}; 'here' means there. ")
        now = self.now()
        return Message("system", SYSTEM_PROMPT.format(home="".join(parts), now=now.strftime("%A %d %B %Y, %H:%M")))

    async def _run_tool(self, call: ToolCall, request: UserRequest) -> Dict[str, Any]:
        """Dispatch one tool call as an intent of the requesting user."""
        tool = next((t for t in self.tools() if t.name == call.name), None)
        record: Dict[str, Any] = {"tool": call.name, "arguments": dict(call.arguments)}
        if tool is None:
            record["result"] = {"ok": False, "error": f"there is no tool called {call.name}"}
            return record
        entities = tool_entities(call.arguments, tool, self.home)
        self._fill_area(call.name, entities, request)
        intent = Intent(call.name, 1.0, entities, {"layer": "language-model"}, utcnow(), request)
        outcome = await self.plugins.dispatch(intent)
        if outcome.response is not None:
            record["result"] = {"ok": outcome.response.success, "message": outcome.response.message}
        elif outcome.error == "permission-denied":
            record["result"] = {"ok": False, "refused": True,
                                "message": f"Refused: this person is not allowed to do that ({outcome.reason})."}
        else:
            record["result"] = {"ok": False, "error": outcome.error, "message": outcome.reason or "it did not work"}
        _LOGGER.info("Tool %s for %s: %s", call.name, request.user_id, record["result"].get("ok"))
        return record

    def _fill_area(self, intent_type: str, entities: Dict[str, Any], request: UserRequest) -> None:
        """Act where the person is when the model named no device, area or floor (as the recognizer does)."""
        from ..intents.vocabulary import AREA_INTENTS

        area = request.context.get("area") or self.home.area
        if intent_type in AREA_INTENTS and area and not ({"name", "area", "floor"} & set(entities)):
            entities["area"] = area
            entities["context_area"] = True


def _summary(actions: List[Dict[str, Any]]) -> str:
    messages = [a["result"].get("message", "") for a in actions if a["result"].get("message")]
    return " ".join(messages) or "Done."


def failure_message(err: AIError, provider: str) -> str:
    """What to say when the model could not help with a request the skills did not understand."""
    words = FAILURE_WORDS.get(err.code, "could not answer")
    return f"Sorry, I didn't understand that, and the language model ({provider}) {words}."


async def _call(callback: Any, value: str) -> None:
    if callable(callback):
        outcome = callback(value)
        if inspect.isawaitable(outcome):
            await outcome
