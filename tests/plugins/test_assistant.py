"""The assistant plugin: small talk about AstrOS, and announcements."""

from __future__ import annotations

from astros.events import EventType
from tests.conftest import builtin_plugin, make_intent


async def _say(h, text: str, intent: str = "HassRespond", **entities):
    result = await h.manager.dispatch(make_intent(intent, text=text, **entities))
    assert result.response is not None, result.reason
    return result.response


async def test_hello(load_plugin):
    h = await load_plugin(builtin_plugin("assistant"))
    reply = await _say(h, "hi", response="default")
    assert reply.success and reply.message == "Hi! How can I help?"


async def test_what_can_you_do_lists_the_enabled_skills(load_plugin):
    h = await load_plugin(builtin_plugin("assistant"), toml='[plugins]\nenabled_plugins = ["assistant", "timers", "lists"]\n')
    reply = await _say(h, "what can you do?", response="default")
    assert reply.message == (
        'I can run timers and keep your shopping and to-do lists. '
        'Try saying "Set a timer for 5 minutes" or "Add milk to my shopping list".'
    )
    assert reply.data["examples"] == reply.suggestions == ["Set a timer for 5 minutes", "Add milk to my shopping list"]


async def test_what_can_i_say_with_every_skill(load_plugin):
    h = await load_plugin(builtin_plugin("assistant"))
    reply = await _say(h, "What can I say?")
    assert reply.message.startswith("I can run timers, wake you up, control your lights and devices")
    assert "What's the weather like tomorrow?" in reply.data["examples"]


async def test_listening_and_privacy_answers_are_honest(load_plugin):
    h = await load_plugin(builtin_plugin("assistant"), toml='[plugins]\nenabled_plugins = ["assistant"]\n')
    listening = await _say(h, "are you always listening?")
    assert "only to notice my wake word" in listening.message and "Nothing is recorded" in listening.message
    privacy = await _say(h, "where does my data go?")
    assert privacy.message.startswith("Your data stays on this device")
    assert "weather" not in privacy.message


async def test_privacy_names_what_does_leave_the_device(load_plugin):
    toml = '[ai]\ndefault_provider = "openai"\n[ai.providers.openai]\nmodel = "x"\n'
    h = await load_plugin(builtin_plugin("assistant"), toml=toml)
    privacy = await _say(h, "is my data private?")
    assert "your location, never your voice, is sent to the weather service" in privacy.message
    assert "sent to openai" in privacy.message


async def test_who_made_you_and_thanks(load_plugin):
    h = await load_plugin(builtin_plugin("assistant"))
    assert (await _say(h, "who made you?")).message.startswith("I'm AstrOS")
    assert (await _say(h, "thanks a lot")).message == "You're welcome!"
    assert (await _say(h, "anything", response="listening")).data["topic"] == "listening"


async def test_broadcast_publishes_an_announcement(load_plugin):
    h = await load_plugin(builtin_plugin("assistant"))
    reply = await h.ask("HassBroadcast", message="dinner is ready")
    assert reply.success and reply.message == "Announced: dinner is ready."
    assert [(e.type, e.data) for e in h.events] == [(EventType.ANNOUNCEMENT, {"message": "dinner is ready"})]


async def test_broadcast_needs_a_message(load_plugin):
    h = await load_plugin(builtin_plugin("assistant"))
    reply = await h.ask("HassBroadcast", message="  ")
    assert not reply.success and reply.message == "What should I announce?"
    assert h.events == []
