"""The language-model fallback end to end through AstrOSAgent, with a loopback model server."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
import pytest_asyncio

from astros import AstrOSAgent, UserRequest
from astros.config import parse_config
from astros.types import utcnow

from .conftest import ModelServer, openai_error, openai_stream, openai_text, openai_tool_call, serving

pytestmark = pytest.mark.asyncio(loop_scope="module")

HOME = """
timezone = "UTC"

[intents]
min_confidence = {min_confidence}

[permissions]
default = ["home.read", "timers", "memory"]

[permissions.users]
owner = ["*"]

[ai]
default_provider = "openai"

[ai.providers.openai]
base_url = "{url}/v1"
api_key = "sk-test-key"
retry_backoff = 0.01

[home]
area = "Living Room"

[[home.areas]]
name = "Living Room"

[[home.areas]]
name = "Kitchen"

[[home.devices]]
name = "Reading lamp"
domain = "light"
area = "Living Room"

[[home.devices]]
name = "Kitchen lights"
domain = "light"
area = "Kitchen"
"""
DARK = "it's a bit gloomy in here, isn't it?"  # no skill understands this one
_sessions = itertools.count()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def server():
    model = ModelServer()
    async with serving(model):
        yield model


async def make_agent(server: ModelServer, data, min_confidence: float = 0.5) -> AstrOSAgent:
    text = f'data_dir = "{data}"\n' + HOME.format(url=server.url, min_confidence=min_confidence)
    agent = AstrOSAgent(config=parse_config(text, "fallback-test.toml"))
    await agent.start()
    return agent


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def agent(server, tmp_path_factory):
    agent = await make_agent(server, tmp_path_factory.mktemp("astros-ai"))
    yield agent
    await agent.stop()


@pytest.fixture(autouse=True)
def fresh(server):
    server.requests.clear()
    server.replies.clear()


async def ask(agent: AstrOSAgent, text: str, user: str = "owner", session: str | None = None, **metadata: Any):
    request = UserRequest(text, user, session or f"s{next(_sessions)}", utcnow(), {}, metadata)
    return await agent.process_request(request)


async def lamp_state(agent: AstrOSAgent) -> str | None:
    rows = await agent.database.execute_query(
        "SELECT state FROM home_device_state WHERE device = :d", {"d": "Reading lamp"})
    return rows[0]["state"] if rows else None


async def test_unmatched_request_acts_through_a_skill(agent, server) -> None:
    server.script(openai_tool_call("HassTurnOn", {"domain": "light"}), openai_text("I've switched on the reading lamp for you."))
    reply = await ask(agent, DARK)
    assert reply.success is True
    assert reply.message == "I've switched on the reading lamp for you."
    assert reply.metadata["source"] == "language-model"
    assert await lamp_state(agent) == "on"
    first, second = (r["json"] for r in server.requests)
    assert first["messages"][-1] == {"role": "user", "content": DARK}
    assert "HassTurnOn" in {tool["function"]["name"] for tool in first["tools"]}
    assert "Reading lamp" in first["messages"][0]["content"]  # the home is described
    result = json.loads(second["messages"][-1]["content"])
    assert result["ok"] is True and result["message"] == "Turned on the living room lights."
    assert reply.data["actions"][0]["tool"] == "HassTurnOn"
    await ask(agent, "turn off the reading lamp")


async def test_a_user_without_permission_is_refused(agent, server) -> None:
    server.script(openai_tool_call("HassTurnOn", {"name": "Reading lamp"}), openai_text("Sorry, you're not allowed to do that."))
    before = await lamp_state(agent)
    reply = await ask(agent, DARK, user="guest")
    assert reply.message == "Sorry, you're not allowed to do that."
    result = json.loads(server.requests[1]["json"]["messages"][-1]["content"])
    assert result["ok"] is False and result["refused"] is True and "home.control" in result["message"]
    assert await lamp_state(agent) == before != "on"


async def test_a_streamed_reply_arrives_sentence_by_sentence(agent, server) -> None:
    server.script(openai_stream(["Eggs and spinach make ", "a fine omelette. Add ", "a little cheese!"]))
    sentences: list[str] = []
    pieces: list[str] = []
    reply = await ask(agent, "what should I cook with eggs and spinach?", on_sentence=sentences.append,
                      on_text=pieces.append)
    assert sentences == ["Eggs and spinach make a fine omelette.", "Add a little cheese!"]
    assert "".join(pieces) == reply.message == "Eggs and spinach make a fine omelette. Add a little cheese!"
    assert server.requests[0]["json"]["stream"] is True


async def test_the_conversation_so_far_is_sent(agent, server) -> None:
    server.script(openai_text("Try an omelette."), openai_text("About ten minutes."))
    await ask(agent, "what time is it", session="talk")  # answered locally, still part of the conversation
    await ask(agent, "what should I cook with eggs and spinach?", session="talk")
    await ask(agent, "and how long does that take?", session="talk")
    second = server.requests[1]["json"]["messages"]
    roles = [(m["role"], m["content"]) for m in second[1:]]
    assert roles[0][0] == "user" and roles[0][1] == "what time is it"
    assert roles[2:] == [("user", "what should I cook with eggs and spinach?"), ("assistant", "Try an omelette."),
                         ("user", "and how long does that take?")]
    other = await ask(agent, "blorp, what now?", session="another")  # another session starts afresh
    assert len(server.requests[2]["json"]["messages"]) == 2 and other.success is False  # nothing scripted: 500


async def test_a_local_match_never_reaches_the_model(agent, server) -> None:
    reply = await ask(agent, "set a timer for 5 minutes")
    assert reply.message == "Timer set for 5 minutes."
    assert server.requests == []


async def test_a_failing_model_still_answers_plainly(agent, server) -> None:
    server.script(openai_error(401, "Incorrect API key provided", "invalid_api_key"))
    reply = await ask(agent, "what should I cook tonight?")
    assert reply.success is False
    assert reply.message == "Sorry, I didn't understand that, and the language model (openai) refused its API key."
    assert reply.metadata["ai_error"] == "bad-key" and reply.suggestions


async def test_what_the_recognizer_understands_by_meaning_stays_local(agent, server) -> None:
    reply = await ask(agent, "it's a bit dark in here, isn't it?")  # near "it's too dark in here"
    assert reply.metadata["intent"] == "HassTurnOn"
    assert server.requests == []
    await ask(agent, "turn off the lights in the living room")


async def test_a_disabled_model_is_never_asked(server, tmp_path) -> None:
    text = f'data_dir = "{tmp_path}"\n' + HOME.format(url=server.url, min_confidence=0.5).replace(
        'default_provider = "openai"', 'default_provider = "openai"\nenabled = false')
    agent = AstrOSAgent(config=parse_config(text, "off.toml"))
    await agent.start()
    try:
        reply = await ask(agent, "what should I cook with eggs and spinach?")
    finally:
        await agent.stop()
    assert reply.message == "Sorry, I didn't understand that." and server.requests == []
