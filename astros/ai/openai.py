"""OpenAI's Chat Completions and Embeddings APIs (also spoken by local model servers).

Wire format: ``POST {base_url}/chat/completions`` with ``messages``, ``tools`` (function
calling) and ``stream`` (server-sent ``data:`` chunks ending with ``[DONE]``);
``POST {base_url}/embeddings``. The key is sent as ``Authorization: Bearer``; from
``OPENAI_API_KEY`` when the configuration has none.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any, Dict, List

from ..errors import AIError
from .base import BaseAIProvider, ProviderSettings, image_part, read_settings, require_key
from .http import HttpSettings, JsonClient
from .types import AIResponse, Message, StreamChunk, Tool, ToolCall

_LOGGER = logging.getLogger(__name__)
KEY_ENV = "OPENAI_API_KEY"


def read_openai_error(body: Any) -> tuple[str, str]:
    """(code or type, message) of an OpenAI error body ``{"error": {...}}``."""
    error = body["error"]
    if isinstance(error, str):
        return "", error
    return str(error.get("code") or error.get("type") or ""), str(error.get("message") or "")


class OpenAIProvider(BaseAIProvider):
    """OpenAI (or any server speaking its Chat Completions API)."""

    name = "openai"
    default_base_url = "https://api.openai.com/v1"
    default_model = "gpt-4o-mini"
    default_embedding_model = "text-embedding-3-small"
    key_env = KEY_ENV
    needs_key = True
    token_limit_field = "max_completion_tokens"
    stream_usage = True

    def __init__(self, config: Dict[str, Any]):
        super().__init__(config)
        self.settings: ProviderSettings = read_settings(
            str(config.get("name") or self.name), {k: v for k, v in config.items() if k not in ("type", "name")},
            base_url=self.default_base_url, model=self.default_model, key_env=self.key_env,
            embedding_model=self.default_embedding_model,
        )
        headers = {"Content-Type": "application/json"}
        if self.settings.api_key:
            headers["Authorization"] = f"Bearer {self.settings.api_key}"
        s = self.settings
        http = HttpSettings(s.name, s.base_url, headers, s.timeout, s.max_retries, s.retry_backoff, s.api_key)
        self.http = JsonClient(http, read_openai_error)

    def _check(self) -> None:
        if self.needs_key:
            require_key(self.settings, self.key_env)

    async def close(self) -> None:
        await self.http.close()

    # -- requests ------------------------------------------------------------------------------

    def _body(self, messages: List[Message], max_tokens: int, temperature: float, kwargs: Dict[str, Any]) -> Dict[str, Any]:
        body: Dict[str, Any] = {
            "model": kwargs.get("model") or self.settings.model,
            "messages": [wire_message(m) for m in messages],
            self.token_limit_field: max_tokens,
            "temperature": temperature,
        }
        tools: List[Tool] = kwargs.get("tools") or []
        if tools:
            body["tools"] = [
                {"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}}
                for t in tools
            ]
        return body

    async def complete(self, prompt: str, max_tokens: int = 150, temperature: float = 0.7, **kwargs: Any) -> AIResponse:
        return await self.chat([Message("user", prompt)], max_tokens, temperature, **kwargs)

    async def chat(self, messages: List[Message], max_tokens: int = 150, temperature: float = 0.7, **kwargs: Any) -> AIResponse:
        self._check()
        data = await self.http.post("chat/completions", self._body(messages, max_tokens, temperature, kwargs))
        try:
            return parse_completion(data)
        except (KeyError, IndexError, TypeError) as err:
            raise AIError(f"{self.settings.name} answered in an unexpected shape ({err!r})", "bad-response") from err

    async def stream(
        self, messages: List[Message], max_tokens: int = 150, temperature: float = 0.7, **kwargs: Any
    ) -> AsyncIterator[StreamChunk]:
        self._check()
        body = self._body(messages, max_tokens, temperature, kwargs)
        body["stream"] = True
        if self.stream_usage:
            body["stream_options"] = {"include_usage": True}
        builder = _StreamBuilder(body["model"])
        async for _event, data in self.http.stream("chat/completions", body):
            if data.strip() == "[DONE]":
                break
            text = builder.add(_load(data, self.settings.name))
            if text:
                yield StreamChunk(text=text)
        yield StreamChunk(response=builder.response())

    async def embed(self, texts: List[str]) -> List[List[float]]:
        self._check()
        data = await self.http.post("embeddings", {"model": self.settings.embedding_model, "input": list(texts)})
        try:
            rows = sorted(data["data"], key=lambda row: row.get("index", 0))
            return [list(map(float, row["embedding"])) for row in rows]
        except (KeyError, TypeError, ValueError) as err:
            raise AIError(f"{self.settings.name} answered embeddings in an unexpected shape", "bad-response") from err

    async def analyze_image(self, image_path: str, prompt: str) -> AIResponse:
        media, data = image_part(image_path)
        return await self.chat([Message("user", prompt, metadata={"image": (media, data)})])


def wire_message(message: Message) -> Dict[str, Any]:
    """A :class:`Message` in Chat Completions form."""
    meta = message.metadata
    if message.role == "tool":
        return {"role": "tool", "tool_call_id": meta.get("tool_call_id", ""), "content": message.content}
    if meta.get("image"):
        media, data = meta["image"]
        parts = [{"type": "text", "text": message.content},
                 {"type": "image_url", "image_url": {"url": f"data:{media};base64,{data}"}}]
        return {"role": message.role, "content": parts}
    wire: Dict[str, Any] = {"role": message.role, "content": message.content}
    calls: List[ToolCall] = meta.get("tool_calls") or []
    if calls:
        wire["content"] = message.content or None
        wire["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": json.dumps(c.arguments)}}
            for c in calls
        ]
    return wire


def parse_arguments(text: str) -> Dict[str, Any]:
    """A tool call's JSON arguments; a model's broken JSON becomes no arguments."""
    try:
        value = json.loads(text) if text and text.strip() else {}
    except json.JSONDecodeError:
        _LOGGER.warning("A tool call's arguments were not JSON; calling it without arguments")
        return {}
    return value if isinstance(value, dict) else {}


def parse_completion(data: Dict[str, Any]) -> AIResponse:
    """An ``chat.completion`` object as an :class:`AIResponse`."""
    choice = data["choices"][0]
    message = choice["message"]
    calls = [
        ToolCall(c.get("id") or f"call_{i}", c["function"]["name"], parse_arguments(c["function"].get("arguments", "")))
        for i, c in enumerate(message.get("tool_calls") or [])
    ]
    usage = data.get("usage") or {}
    metadata: Dict[str, Any] = {"finish_reason": choice.get("finish_reason")}
    if calls:
        metadata["tool_calls"] = calls
    return AIResponse(message.get("content") or "", int(usage.get("total_tokens") or 0), str(data.get("model", "")), None, metadata)


def _load(data: str, provider: str) -> Dict[str, Any]:
    try:
        value = json.loads(data)
    except json.JSONDecodeError as err:
        raise AIError(f"{provider} streamed something that is not JSON", "bad-response") from err
    if isinstance(value, dict) and "error" in value:
        kind, message = read_openai_error(value)
        raise AIError(f"{provider} stopped the answer: {message or kind}", "server-error")
    return value if isinstance(value, dict) else {}


class _StreamBuilder:
    """Puts a streamed completion back together: its text, tool calls and token count."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.text: List[str] = []
        self.calls: Dict[int, Dict[str, str]] = {}
        self.tokens = 0
        self.finish = None

    def add(self, chunk: Dict[str, Any]) -> str:
        """Take one chunk; returns its new text."""
        self.model = chunk.get("model") or self.model
        if chunk.get("usage"):
            self.tokens = int(chunk["usage"].get("total_tokens") or 0)
        choices = chunk.get("choices") or []
        if not choices:
            return ""
        self.finish = choices[0].get("finish_reason") or self.finish
        delta = choices[0].get("delta") or {}
        for call in delta.get("tool_calls") or []:
            slot = self.calls.setdefault(int(call.get("index", 0)), {"id": "", "name": "", "arguments": ""})
            slot["id"] = call.get("id") or slot["id"]
            function = call.get("function") or {}
            slot["name"] += function.get("name") or ""
            slot["arguments"] += function.get("arguments") or ""
        text = delta.get("content") or ""
        self.text.append(text)
        return text

    def response(self) -> AIResponse:
        calls = [
            ToolCall(c["id"] or f"call_{i}", c["name"], parse_arguments(c["arguments"]))
            for i, c in sorted(self.calls.items())
        ]
        metadata: Dict[str, Any] = {"finish_reason": self.finish, "streamed": True}
        if calls:
            metadata["tool_calls"] = calls
        return AIResponse("".join(self.text), self.tokens, self.model, None, metadata)
