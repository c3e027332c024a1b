"""Anthropic's Messages API: chat, tool use and streaming.

Wire format: ``POST {base_url}/v1/messages`` with ``x-api-key`` and ``anthropic-version``
headers; the system prompt is a top-level ``system`` field; tool calls are ``tool_use`` content
blocks and their results ``tool_result`` blocks in the next user message; streaming sends named
server-sent events (``message_start``, ``content_block_delta`` ... ``message_stop``). Anthropic
has no embeddings API, so ``embed`` uses the offline model. The key comes from
``ANTHROPIC_API_KEY`` when the configuration has none.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any, Dict, List

from ..errors import AIError
from .base import BaseAIProvider, image_part, read_settings, require_key
from .http import HttpSettings, JsonClient
from .offline import embed_offline
from .openai import parse_arguments
from .types import AIResponse, Message, StreamChunk, Tool, ToolCall

KEY_ENV = "ANTHROPIC_API_KEY"
API_VERSION = "2023-06-01"


def read_anthropic_error(body: Any) -> tuple[str, str]:
    """(type, message) of an Anthropic error body ``{"type": "error", "error": {...}}``."""
    error = body["error"]
    return str(error.get("type") or ""), str(error.get("message") or "")


class AnthropicProvider(BaseAIProvider):
    """Claude models through the Messages API."""

    name = "anthropic"

    def __init__(self, config: Dict[str, Any]):
        super().__init__(config)
        self.settings = read_settings(
            str(config.get("name") or self.name), {k: v for k, v in config.items() if k not in ("type", "name")},
            base_url="https://api.anthropic.com", model="claude-3-5-haiku-latest", key_env=KEY_ENV,
        )
        s = self.settings
        headers = {"content-type": "application/json", "anthropic-version": API_VERSION}
        if s.api_key:
            headers["x-api-key"] = s.api_key
        http = HttpSettings(s.name, s.base_url, headers, s.timeout, s.max_retries, s.retry_backoff, s.api_key)
        self.http = JsonClient(http, read_anthropic_error)
        self.embedder = config.get("embedder")

    async def close(self) -> None:
        await self.http.close()

    def _body(self, messages: List[Message], max_tokens: int, temperature: float, kwargs: Dict[str, Any]) -> Dict[str, Any]:
        require_key(self.settings, KEY_ENV)
        system = "\n\n".join(m.content for m in messages if m.role == "system")
        body: Dict[str, Any] = {
            "model": kwargs.get("model") or self.settings.model,
            "max_tokens": max_tokens,
            "temperature": min(temperature, 1.0),
            "messages": wire_messages([m for m in messages if m.role != "system"]),
        }
        if system:
            body["system"] = system
        tools: List[Tool] = kwargs.get("tools") or []
        if tools:
            body["tools"] = [{"name": t.name, "description": t.description, "input_schema": t.parameters} for t in tools]
        return body

    async def complete(self, prompt: str, max_tokens: int = 150, temperature: float = 0.7, **kwargs: Any) -> AIResponse:
        return await self.chat([Message("user", prompt)], max_tokens, temperature, **kwargs)

    async def chat(self, messages: List[Message], max_tokens: int = 150, temperature: float = 0.7, **kwargs: Any) -> AIResponse:
        data = await self.http.post("v1/messages", self._body(messages, max_tokens, temperature, kwargs))
        try:
            return parse_message(data)
        except (KeyError, TypeError) as err:
            raise AIError(f"{self.settings.name} answered in an unexpected shape ({err!r})", "bad-response") from err

    async def stream(
        self, messages: List[Message], max_tokens: int = 150, temperature: float = 0.7, **kwargs: Any
    ) -> AsyncIterator[StreamChunk]:
        body = self._body(messages, max_tokens, temperature, kwargs)
        body["stream"] = True
        builder = _StreamBuilder(body["model"], self.settings.name)
        async for event, data in self.http.stream("v1/messages", body):
            text = builder.add(event, data)
            if text:
                yield StreamChunk(text=text)
            if event == "message_stop":
                break
        yield StreamChunk(response=builder.response())

    async def embed(self, texts: List[str]) -> List[List[float]]:
        return await embed_offline(texts, self.embedder)

    async def analyze_image(self, image_path: str, prompt: str) -> AIResponse:
        media, data = image_part(image_path)
        return await self.chat([Message("user", prompt, metadata={"image": (media, data)})])


def wire_messages(messages: List[Message]) -> List[Dict[str, Any]]:
    """Messages in Anthropic's form; consecutive tool results join one user message."""
    wire: List[Dict[str, Any]] = []
    for message in messages:
        if message.role == "tool":
            block = {"type": "tool_result", "tool_use_id": message.metadata.get("tool_call_id", ""),
                     "content": message.content}
            if wire and wire[-1]["role"] == "user" and isinstance(wire[-1]["content"], list):
                wire[-1]["content"].append(block)
            else:
                wire.append({"role": "user", "content": [block]})
            continue
        wire.append({"role": message.role, "content": _content(message)})
    return wire


def _content(message: Message) -> Any:
    meta = message.metadata
    calls: List[ToolCall] = meta.get("tool_calls") or []
    if meta.get("image"):
        media, data = meta["image"]
        return [{"type": "image", "source": {"type": "base64", "media_type": media, "data": data}},
                {"type": "text", "text": message.content}]
    if not calls:
        return message.content
    blocks: List[Dict[str, Any]] = [{"type": "text", "text": message.content}] if message.content else []
    blocks += [{"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments} for c in calls]
    return blocks


def parse_message(data: Dict[str, Any]) -> AIResponse:
    """A Messages API ``message`` object as an :class:`AIResponse`."""
    text = "".join(block.get("text", "") for block in data["content"] if block.get("type") == "text")
    calls = [ToolCall(b["id"], b["name"], dict(b.get("input") or {})) for b in data["content"] if b.get("type") == "tool_use"]
    usage = data.get("usage") or {}
    tokens = int(usage.get("input_tokens") or 0) + int(usage.get("output_tokens") or 0)
    metadata: Dict[str, Any] = {"finish_reason": data.get("stop_reason")}
    if calls:
        metadata["tool_calls"] = calls
    return AIResponse(text, tokens, str(data.get("model", "")), None, metadata)


class _StreamBuilder:
    """Puts a streamed message back together from its events."""

    def __init__(self, model: str, provider: str) -> None:
        self.model = model
        self.provider = provider
        self.text: List[str] = []
        self.blocks: Dict[int, Dict[str, Any]] = {}
        self.tokens = 0
        self.stop_reason = None

    def add(self, event: str, data: str) -> str:
        """Take one event; returns its new text."""
        try:
            payload = json.loads(data)
        except json.JSONDecodeError as err:
            raise AIError(f"{self.provider} streamed something that is not JSON", "bad-response") from err
        kind = payload.get("type", event)
        if kind == "error":
            error = payload.get("error") or {}
            code = "rate-limited" if error.get("type") == "rate_limit_error" else "server-error"
            raise AIError(f"{self.provider} stopped the answer: {error.get('message') or error.get('type')}", code)
        if kind == "message_start":
            message = payload.get("message") or {}
            self.model = message.get("model") or self.model
            self.tokens += int((message.get("usage") or {}).get("input_tokens") or 0)
        elif kind == "content_block_start":
            self.blocks[int(payload.get("index", 0))] = dict(payload.get("content_block") or {}, partial="")
        elif kind == "content_block_delta":
            return self._delta(int(payload.get("index", 0)), payload.get("delta") or {})
        elif kind == "message_delta":
            self.stop_reason = (payload.get("delta") or {}).get("stop_reason") or self.stop_reason
            self.tokens += int((payload.get("usage") or {}).get("output_tokens") or 0)
        return ""

    def _delta(self, index: int, delta: Dict[str, Any]) -> str:
        block = self.blocks.setdefault(index, {"type": "text", "partial": ""})
        if delta.get("type") == "input_json_delta":
            block["partial"] += delta.get("partial_json") or ""
            return ""
        text = delta.get("text") or ""
        self.text.append(text)
        return text

    def response(self) -> AIResponse:
        calls = [
            ToolCall(b.get("id", f"toolu_{i}"), b.get("name", ""), parse_arguments(b["partial"]) or dict(b.get("input") or {}))
            for i, b in sorted(self.blocks.items()) if b.get("type") == "tool_use"
        ]
        metadata: Dict[str, Any] = {"finish_reason": self.stop_reason, "streamed": True}
        if calls:
            metadata["tool_calls"] = calls
        return AIResponse("".join(self.text), self.tokens, self.model, None, metadata)
