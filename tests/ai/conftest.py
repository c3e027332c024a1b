"""A loopback model server that speaks OpenAI's and Anthropic's wire formats, scripted per test."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import pytest
from aiohttp import web

from tests.conftest import serve


@dataclass
class Reply:
    """One scripted answer: JSON (``body``) or server-sent events (``events``: (event, data) pairs)."""

    status: int = 200
    body: Any = None
    events: Optional[List[tuple]] = None
    delay: float = 0.0
    """Seconds before answering (JSON) or between events (SSE)."""
    headers: Dict[str, str] = field(default_factory=dict)
    pauses: Dict[int, float] = field(default_factory=dict)
    """SSE: more seconds before the event of that index (a model that stops to think)."""


class ModelServer:
    """Answers POSTs with the scripted replies in order; records every request, when each event
    went out (``event_times``, ``time.monotonic()``) and whether a streamed reply has ended."""

    def __init__(self) -> None:
        self.replies: List[Reply] = []
        self.requests: List[Dict[str, Any]] = []
        self.url = ""
        self.event_times: List[float] = []
        self.finished = asyncio.Event()
        """Set when a streamed reply has been sent to its end."""

    def script(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append({"path": request.path, "headers": dict(request.headers), "json": body})
        reply = self.replies.pop(0) if self.replies else Reply(500, {"error": {"message": "no reply scripted"}})
        if reply.events is None:
            await asyncio.sleep(reply.delay)
            return web.json_response(reply.body, status=reply.status, headers=reply.headers)
        response = web.StreamResponse(status=200, headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        loop = asyncio.get_running_loop()
        for index, (event, data) in enumerate(reply.events):
            await asyncio.sleep(reply.delay + reply.pauses.get(index, 0.0))
            text = (f"event: {event}\n" if event else "") + f"data: {data if isinstance(data, str) else json.dumps(data)}\n\n"
            self.event_times.append(loop.time())
            await response.write(text.encode())
        await response.write_eof()
        self.finished.set()
        return response


@contextlib.asynccontextmanager
async def serving(server: ModelServer) -> AsyncIterator[str]:
    """``server`` on a free loopback port, answering POSTs to any path; yields its base URL."""
    app = web.Application()
    app.router.add_post("/{tail:.*}", server.handle)
    async with serve(app) as server.url:
        yield server.url


@pytest.fixture
async def model_server() -> AsyncIterator[ModelServer]:
    server = ModelServer()
    async with serving(server):
        yield server


# -- OpenAI wire format ---------------------------------------------------------------------------

def openai_text(text: str, model: str = "gpt-4o-mini") -> Reply:
    return Reply(body={
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 20, "completion_tokens": 5, "total_tokens": 25},
    })


def openai_tool_call(name: str, arguments: Dict[str, Any], call_id: str = "call_1") -> Reply:
    return Reply(body={
        "id": "chatcmpl-2", "object": "chat.completion", "created": 1, "model": "gpt-4o-mini",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
            "role": "assistant", "content": None,
            "tool_calls": [{"id": call_id, "type": "function",
                            "function": {"name": name, "arguments": json.dumps(arguments)}}]}}],
        "usage": {"prompt_tokens": 30, "completion_tokens": 10, "total_tokens": 40},
    })


def openai_stream(pieces: List[str], delay: float = 0.0, tool: Optional[tuple] = None,
                  pauses: Optional[Dict[int, float]] = None) -> Reply:
    """A streamed reply of ``pieces`` (event 1 + i carries piece i; event 0 is the role chunk)."""

    def chunk(delta: Dict[str, Any], finish: Optional[str] = None) -> Dict[str, Any]:
        return {"id": "chatcmpl-3", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini",
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    events: List[tuple] = [("", chunk({"role": "assistant", "content": ""}))]
    events += [("", chunk({"content": piece})) for piece in pieces]
    if tool is not None:
        name, arguments = tool
        text = json.dumps(arguments)
        events.append(("", chunk({"tool_calls": [{"index": 0, "id": "call_9", "type": "function",
                                                  "function": {"name": name, "arguments": ""}}]})))
        for i in range(0, len(text), 7):
            events.append(("", chunk({"tool_calls": [{"index": 0, "function": {"arguments": text[i:i + 7]}}]})))
    events.append(("", chunk({}, "tool_calls" if tool else "stop")))
    events.append(("", {"id": "chatcmpl-3", "object": "chat.completion.chunk", "model": "gpt-4o-mini", "choices": [],
                        "usage": {"prompt_tokens": 10, "completion_tokens": 7, "total_tokens": 17}}))
    events.append(("", "[DONE]"))
    return Reply(events=events, delay=delay, pauses=pauses or {})


def openai_error(status: int, message: str, code: str = "", kind: str = "invalid_request_error", **headers: str) -> Reply:
    return Reply(status, {"error": {"message": message, "type": kind, "param": None, "code": code or None}},
                 headers=dict(headers))


# -- Anthropic wire format ------------------------------------------------------------------------

def anthropic_message(text: str = "", tool: Optional[tuple] = None) -> Reply:
    content: List[Dict[str, Any]] = [{"type": "text", "text": text}] if text else []
    if tool is not None:
        content.append({"type": "tool_use", "id": "toolu_01", "name": tool[0], "input": tool[1]})
    return Reply(body={
        "id": "msg_01", "type": "message", "role": "assistant", "model": "claude-3-5-haiku-20241022",
        "content": content, "stop_reason": "tool_use" if tool else "end_turn", "stop_sequence": None,
        "usage": {"input_tokens": 12, "output_tokens": 6},
    })


def anthropic_stream(pieces: List[str], tool: Optional[tuple] = None, delay: float = 0.0) -> Reply:
    events: List[tuple] = [
        ("message_start", {"type": "message_start", "message": {
            "id": "msg_02", "type": "message", "role": "assistant", "content": [], "model": "claude-3-5-haiku-20241022",
            "stop_reason": None, "usage": {"input_tokens": 12, "output_tokens": 1}}}),
        ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        ("ping", {"type": "ping"}),
    ]
    events += [("content_block_delta", {"type": "content_block_delta", "index": 0,
                                        "delta": {"type": "text_delta", "text": p}}) for p in pieces]
    events.append(("content_block_stop", {"type": "content_block_stop", "index": 0}))
    if tool is not None:
        text = json.dumps(tool[1])
        events.append(("content_block_start", {"type": "content_block_start", "index": 1, "content_block": {
            "type": "tool_use", "id": "toolu_02", "name": tool[0], "input": {}}}))
        for i in range(0, len(text), 5):
            events.append(("content_block_delta", {"type": "content_block_delta", "index": 1,
                                                   "delta": {"type": "input_json_delta", "partial_json": text[i:i + 5]}}))
        events.append(("content_block_stop", {"type": "content_block_stop", "index": 1}))
    events.append(("message_delta", {"type": "message_delta", "delta": {"stop_reason": "tool_use" if tool else "end_turn"},
                                     "usage": {"output_tokens": 9}}))
    events.append(("message_stop", {"type": "message_stop"}))
    return Reply(events=events, delay=delay)


def anthropic_error(status: int, kind: str, message: str, **headers: str) -> Reply:
    return Reply(status, {"type": "error", "error": {"type": kind, "message": message}}, headers=dict(headers))
