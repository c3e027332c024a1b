"""The WebSocket: auth first, requests and responses, live events, slow clients dropped."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from aiohttp import WSMsgType

from astros.api.keys import AGENT, WEBSOCKETS
from astros.api.websocket import WebSocketManager
from astros.events import EventType

from .conftest import Api

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def receive_json(ws, kind: str, timeout: float = 5.0) -> dict:
    """The next message of type ``kind`` (skipping live status updates of other kinds)."""
    deadline = time.monotonic() + timeout
    while True:
        msg = await ws.receive(timeout=max(0.01, deadline - time.monotonic()))
        assert msg.type == WSMsgType.TEXT, f"expected {kind}, got {msg.type} {msg.data} {msg.extra}"
        data = json.loads(msg.data)
        if data["type"] == kind:
            return data


async def connect(api: Api, session, user: str):
    ws = await session.ws_connect(api.ws_url(user))
    await ws.send_json({"type": "auth", "data": {"token": await api.user(user)}})
    assert (await receive_json(ws, "auth"))["data"]["success"] is True
    return ws


async def test_request_gets_a_response(api: Api, session) -> None:
    ws = await connect(api, session, "bob")
    await ws.send_json({"type": "request", "data": {"text": "set a timer for 6 minutes"}, "id": 7})
    reply = await receive_json(ws, "response")
    assert reply["data"]["success"] is True and reply["data"]["message"] == "Timer set for 6 minutes."
    assert reply["id"] == 7
    await ws.close()


async def test_status_events_reach_every_client(api: Api, session) -> None:
    bob, carl = await connect(api, session, "bob"), await connect(api, session, "carl")
    await bob.send_json({"type": "request", "data": {"text": "set a timer for 8 minutes"}})
    for ws in (bob, carl):
        status = await receive_json(ws, "status")
        while status["data"]["status"] != "timer_started":
            status = await receive_json(ws, "status")
        assert status["data"]["data"]["seconds"] == 480
    await bob.close()
    await carl.close()


async def test_what_someone_asked_is_not_sent_to_others(api: Api, session) -> None:
    carl = await connect(api, session, "carl")
    status, _ = await api.post("/api/v1/process", {"text": "add secret gift to my shopping list"}, user="bob")
    assert status == 200
    seen = []
    try:
        while True:
            seen.append((await carl.receive(timeout=0.5)).data)
    except asyncio.TimeoutError:
        pass
    assert seen and not any("secret gift" in text for text in seen)
    await carl.close()


async def test_announcements_from_the_appliance(api: Api, session) -> None:
    ws = await connect(api, session, "bob")
    api.app[AGENT].events.emit(EventType.TIMER_FINISHED, id="t1", message="Your 5 minute timer is done.")
    announcement = await receive_json(ws, "announcement")
    assert announcement["data"] == {"event": "timer_finished", "message": "Your 5 minute timer is done."}
    await ws.close()


async def test_no_auth_within_the_timeout_closes_with_4008(api: Api, session) -> None:
    async with session.ws_connect(api.ws_url("bob")) as ws:
        msg = await ws.receive(timeout=5)
        assert msg.type == WSMsgType.CLOSE and msg.data == 4008


@pytest.mark.parametrize("first", [
    {"type": "auth", "data": {"token": "nonsense"}},
    {"type": "request", "data": {"text": "timer status"}},
    {"type": "auth", "data": {}},
])
async def test_a_wrong_first_message_closes_with_4001(api: Api, session, first) -> None:
    async with session.ws_connect(api.ws_url("bob")) as ws:
        await ws.send_json(first)
        msg = await ws.receive(timeout=5)
        assert msg.type == WSMsgType.CLOSE and msg.data == 4001


async def test_bad_messages_after_auth_get_an_error_not_a_close(api: Api, session) -> None:
    ws = await connect(api, session, "bob")
    await ws.send_str("{oops")
    assert (await receive_json(ws, "error"))["data"]["code"] == "invalid-message"
    await ws.send_str("[" * 30_000 + "]" * 30_000)
    assert (await receive_json(ws, "error"))["data"]["code"] == "invalid-message"
    await ws.send_json({"type": "request", "data": {"text": 42}})
    assert (await receive_json(ws, "error"))["data"]["code"] == "invalid-request"
    await ws.send_json({"type": "ping", "data": {"n": 1}})
    assert (await receive_json(ws, "pong"))["data"] == {"n": 1}
    await ws.close()


async def test_logout_closes_the_sessions_websocket(api: Api, session) -> None:
    token = await api.user("wendy")
    ws = await connect(api, session, "wendy")
    await api.client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    msg = await ws.receive(timeout=5)
    assert msg.type == WSMsgType.CLOSE and msg.data == 4001


async def test_a_slow_client_is_dropped_and_the_others_keep_receiving(api: Api, session) -> None:
    """A client that stops reading fills its queue and is closed; nobody waits for it."""
    manager: WebSocketManager = api.app[WEBSOCKETS]
    fast = await connect(api, session, "bob")
    slow = await connect(api, session, "carl")
    slow_client = next(iter(manager._clients["carl"]))
    blocked = asyncio.Event()

    async def never(_text: str) -> None:  # a phone whose network stalled
        await blocked.wait()

    slow_client.ws.send_str = never  # type: ignore[method-assign]
    started = time.monotonic()
    for n in range(50):
        await manager.broadcast_message({"type": "status", "data": {"status": "test", "n": n}})
        await asyncio.sleep(0.002)  # events come one after another, not all in one instant
    assert time.monotonic() - started < 5.0, "a broadcast waited for a slow client"
    for n in range(50):
        message = await receive_json(fast, "status")
        while message["data"].get("n") is None:
            message = await receive_json(fast, "status")
        assert message["data"]["n"] == n
    await asyncio.sleep(0.1)
    assert slow_client.dropped and "carl" not in manager._clients
    blocked.set()
    await fast.close()
    await slow.close()
