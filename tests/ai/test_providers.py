"""Each provider against a loopback server speaking its real wire format."""

from __future__ import annotations

import logging

import pytest

from astros.ai import AIProvider, BaseAIProvider, Message, Tool
from astros.ai.types import AIResponse
from astros.errors import AIError

from .conftest import (
    Reply, anthropic_error, anthropic_message, anthropic_stream, openai_error, openai_stream, openai_text,
    openai_tool_call,
)

KEY = "sk-test-SECRET-1234567890"
LIGHTS = Tool("HassTurnOn", "Switch on devices.", {"type": "object", "properties": {"area": {"type": "string"}}})


def provider(kind: str, server, **extra) -> BaseAIProvider:
    base = server.url + ("/v1" if kind != "anthropic" else "")
    return AIProvider.create(kind, {"base_url": base, "api_key": KEY, "retry_backoff": 0.01, **extra})


async def collect(stream) -> tuple[list[str], AIResponse]:
    pieces, final = [], None
    async for chunk in stream:
        if chunk.text:
            pieces.append(chunk.text)
        if chunk.response is not None:
            final = chunk.response
    return pieces, final


# -- OpenAI and local (same wire format) ------------------------------------------------------------

@pytest.mark.parametrize("kind", ["openai", "local"])
async def test_chat_plain_reply(kind, model_server) -> None:
    model_server.script(openai_text("Hello there."))
    ai = provider(kind, model_server)
    reply = await ai.chat([Message("system", "Be brief."), Message("user", "hi")], max_tokens=40)
    await ai.close()
    assert reply.content == "Hello there." and reply.tokens_used == 25 and not reply.tool_calls
    sent = model_server.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["json"]["messages"] == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}]
    assert sent["headers"]["Authorization"] == f"Bearer {KEY}"


async def test_openai_tool_call_and_follow_up(model_server) -> None:
    model_server.script(openai_tool_call("HassTurnOn", {"area": "Kitchen"}), openai_text("The kitchen light is on."))
    ai = provider("openai", model_server)
    first = await ai.chat([Message("user", "light please")], tools=[LIGHTS])
    assert [(c.name, c.arguments) for c in first.tool_calls] == [("HassTurnOn", {"area": "Kitchen"})]
    offered = model_server.requests[0]["json"]["tools"][0]
    assert offered == {"type": "function", "function": {"name": "HassTurnOn", "description": "Switch on devices.",
                                                        "parameters": LIGHTS.parameters}}
    follow = [Message("user", "light please"), Message("assistant", "", metadata={"tool_calls": first.tool_calls}),
              Message("tool", '{"ok": true}', metadata={"tool_call_id": "call_1", "name": "HassTurnOn"})]
    second = await ai.chat(follow, tools=[LIGHTS])
    await ai.close()
    assert second.content == "The kitchen light is on."
    sent = model_server.requests[1]["json"]["messages"]
    assert sent[1]["tool_calls"][0]["function"] == {"name": "HassTurnOn", "arguments": '{"area": "Kitchen"}'}
    assert sent[2] == {"role": "tool", "tool_call_id": "call_1", "content": '{"ok": true}'}


@pytest.mark.parametrize("kind", ["openai", "local"])
async def test_streamed_reply_and_streamed_tool_call(kind, model_server) -> None:
    model_server.script(openai_stream(["Sure", ", turning", " it on."], tool=("HassTurnOn", {"area": "Kitchen"})))
    ai = provider(kind, model_server)
    pieces, final = await collect(ai.stream([Message("user", "light")], tools=[LIGHTS]))
    await ai.close()
    assert pieces == ["Sure", ", turning", " it on."]
    assert final.content == "Sure, turning it on." and final.metadata["streamed"] is True
    assert [(c.id, c.name, c.arguments) for c in final.tool_calls] == [("call_9", "HassTurnOn", {"area": "Kitchen"})]
    assert model_server.requests[0]["json"]["stream"] is True


async def test_openai_embeddings(model_server) -> None:
    model_server.script(Reply(body={"object": "list", "model": "text-embedding-3-small", "data": [
        {"object": "embedding", "index": 1, "embedding": [0.0, 1.0]},
        {"object": "embedding", "index": 0, "embedding": [1.0, 0.0]}], "usage": {"prompt_tokens": 4, "total_tokens": 4}}))
    ai = provider("openai", model_server)
    vectors = await ai.embed(["a", "b"])
    await ai.close()
    assert vectors == [[1.0, 0.0], [0.0, 1.0]]
    assert model_server.requests[0]["json"] == {"model": "text-embedding-3-small", "input": ["a", "b"]}


async def test_local_server_without_embeddings_uses_the_offline_model(model_server) -> None:
    model_server.script(openai_error(404, "model not found", "model_not_found"))
    ai = provider("local", model_server, embedding_model="nomic-embed-text")
    vectors = await ai.embed(["the wifi password is hunter2"])
    again = await ai.embed(["hello"])  # the server is not asked twice
    await ai.close()
    assert len(vectors[0]) == 384 and len(again[0]) == 384
    assert len(model_server.requests) == 1


async def test_local_needs_no_key(model_server, monkeypatch) -> None:
    model_server.script(openai_text("Hi."))
    ai = AIProvider.create("local", {"base_url": model_server.url + "/v1", "model": "llama3.2"})
    reply = await ai.complete("hi")
    await ai.close()
    assert reply.content == "Hi."
    assert "Authorization" not in model_server.requests[0]["headers"]
    assert model_server.requests[0]["json"]["model"] == "llama3.2"


# -- Anthropic ---------------------------------------------------------------------------------------

async def test_anthropic_plain_reply(model_server) -> None:
    model_server.script(anthropic_message("Hello from Claude."))
    ai = provider("anthropic", model_server)
    reply = await ai.chat([Message("system", "Be brief."), Message("user", "hi")], max_tokens=50)
    await ai.close()
    assert reply.content == "Hello from Claude." and reply.tokens_used == 18
    sent = model_server.requests[0]
    assert sent["path"] == "/v1/messages"
    assert sent["headers"]["x-api-key"] == KEY and sent["headers"]["anthropic-version"] == "2023-06-01"
    assert sent["json"]["system"] == "Be brief." and sent["json"]["messages"] == [{"role": "user", "content": "hi"}]


async def test_anthropic_tool_use_and_tool_result(model_server) -> None:
    model_server.script(anthropic_message("Let me.", tool=("HassTurnOn", {"area": "Kitchen"})), anthropic_message("Done."))
    ai = provider("anthropic", model_server)
    first = await ai.chat([Message("user", "light")], tools=[LIGHTS])
    assert first.content == "Let me." and first.tool_calls[0].arguments == {"area": "Kitchen"}
    assert model_server.requests[0]["json"]["tools"] == [
        {"name": "HassTurnOn", "description": "Switch on devices.", "input_schema": LIGHTS.parameters}]
    follow = [Message("user", "light"), Message("assistant", "Let me.", metadata={"tool_calls": first.tool_calls}),
              Message("tool", "switched on", metadata={"tool_call_id": "toolu_01"})]
    assert (await ai.chat(follow, tools=[LIGHTS])).content == "Done."
    await ai.close()
    sent = model_server.requests[1]["json"]["messages"]
    assert sent[1]["content"][1] == {"type": "tool_use", "id": "toolu_01", "name": "HassTurnOn", "input": {"area": "Kitchen"}}
    assert sent[2] == {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01", "content": "switched on"}]}


async def test_anthropic_streamed_reply_with_tool_use(model_server) -> None:
    model_server.script(anthropic_stream(["Okay", ", one moment."], tool=("HassTurnOn", {"area": "Hall"})))
    ai = provider("anthropic", model_server)
    pieces, final = await collect(ai.stream([Message("user", "light")], tools=[LIGHTS]))
    await ai.close()
    assert pieces == ["Okay", ", one moment."]
    assert final.content == "Okay, one moment." and final.tokens_used == 21
    assert [(c.id, c.arguments) for c in final.tool_calls] == [("toolu_02", {"area": "Hall"})]


# -- errors ------------------------------------------------------------------------------------------

ERRORS = {
    "openai": [(openai_error(401, f"Incorrect API key provided: {KEY}", "invalid_api_key"), "bad-key"),
               (openai_error(404, "The model `gpt-9` does not exist", "model_not_found"), "model-unknown"),
               (openai_error(500, "boom", kind="server_error"), "server-error")],
    "anthropic": [(anthropic_error(401, "authentication_error", "invalid x-api-key"), "bad-key"),
                  (anthropic_error(404, "not_found_error", "model: claude-9"), "model-unknown"),
                  (anthropic_error(500, "api_error", "Internal server error"), "server-error")],
}


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
async def test_error_statuses_become_clear_errors(kind, model_server, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    for reply, code in ERRORS[kind]:
        model_server.script(*([reply] * 3))  # 500 is retried, the others are not
        ai = provider(kind, model_server)
        with pytest.raises(AIError) as raised:
            await ai.chat([Message("user", "hi")])
        await ai.close()
        assert raised.value.code == code
        assert KEY not in raised.value.message and KEY[-4:] not in raised.value.message
        model_server.replies.clear()
    assert KEY not in caplog.text and KEY[-4:] not in caplog.text


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
async def test_rate_limit_is_retried_then_succeeds(kind, model_server) -> None:
    if kind == "openai":
        model_server.script(openai_error(429, "Rate limit reached", "rate_limit_exceeded", **{"Retry-After": "0"}),
                            openai_text("Fine now."))
    else:
        model_server.script(anthropic_error(429, "rate_limit_error", "slow down", **{"retry-after": "0"}),
                            anthropic_message("Fine now."))
    ai = provider(kind, model_server)
    assert (await ai.chat([Message("user", "hi")])).content == "Fine now."
    await ai.close()
    assert len(model_server.requests) == 2


async def test_rate_limit_that_persists_is_reported(model_server) -> None:
    model_server.script(*[openai_error(429, "Rate limit reached", "rate_limit_exceeded")] * 3)
    ai = provider("openai", model_server, max_retries=2)
    with pytest.raises(AIError) as raised:
        await ai.chat([Message("user", "hi")])
    await ai.close()
    assert raised.value.code == "rate-limited" and len(model_server.requests) == 3


@pytest.mark.parametrize("kind", ["openai", "anthropic"])
async def test_timeout(kind, model_server) -> None:
    slow = openai_text("late") if kind == "openai" else anthropic_message("late")
    slow.delay = 2.0
    model_server.script(slow)
    ai = provider(kind, model_server, timeout=0.3)
    with pytest.raises(AIError) as raised:
        await ai.chat([Message("user", "hi")])
    await ai.close()
    assert raised.value.code == "timeout" and "0.3 s" in raised.value.message


async def test_unreachable_server() -> None:
    ai = AIProvider.create("local", {"base_url": "http://127.0.0.1:9/v1", "timeout": 2})
    with pytest.raises(AIError) as raised:
        await ai.chat([Message("user", "hi")])
    await ai.close()
    assert raised.value.code == "unreachable" and "127.0.0.1:9" in raised.value.message


@pytest.mark.parametrize("kind,env", [("openai", "OPENAI_API_KEY"), ("anthropic", "ANTHROPIC_API_KEY")])
async def test_no_key_and_key_from_environment(kind, env, model_server, monkeypatch) -> None:
    monkeypatch.delenv(env, raising=False)
    ai = AIProvider.create(kind, {"base_url": model_server.url})
    with pytest.raises(AIError) as raised:
        await ai.chat([Message("user", "hi")])
    assert raised.value.code == "no-key" and env in raised.value.message
    assert model_server.requests == []
    monkeypatch.setenv(env, KEY)
    ai = AIProvider.create(kind, {"base_url": model_server.url + ("/v1" if kind == "openai" else "")})
    model_server.script(openai_text("ok") if kind == "openai" else anthropic_message("ok"))
    assert (await ai.chat([Message("user", "hi")])).content == "ok"
    await ai.close()


def test_factory_lists_registers_and_rejects() -> None:
    assert AIProvider.list_providers()[:3] == ["anthropic", "local", "openai"]

    class Echo(BaseAIProvider):
        async def complete(self, prompt, max_tokens=150, temperature=0.7, **kwargs):
            return AIResponse(prompt, 0, "echo")

        async def chat(self, messages, max_tokens=150, temperature=0.7, **kwargs):
            return AIResponse(messages[-1].content, 0, "echo")

        async def embed(self, texts):
            return [[0.0] for _ in texts]

    AIProvider.register_provider("echo", Echo)
    assert "echo" in AIProvider.list_providers()
    assert isinstance(AIProvider.create("mine", {"type": "echo"}), Echo)
    with pytest.raises(ValueError, match="unknown AI provider 'nope'"):
        AIProvider.create("nope", {})
    with pytest.raises(AIError, match="unknown key 'modle'"):
        AIProvider.create("openai", {"modle": "x"})
