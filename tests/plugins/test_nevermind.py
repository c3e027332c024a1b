"""The never-mind plugin: a short acknowledgement that changes nothing."""

from __future__ import annotations

from tests.conftest import builtin_plugin


async def test_never_mind_says_okay_and_changes_nothing(load_plugin):
    h = await load_plugin(builtin_plugin("nevermind"))
    before = await h.manager.database.execute_query("SELECT * FROM plugin_storage")
    reply = await h.ask("HassNevermind")
    assert reply.success and reply.message == "Okay."
    assert not reply.requires_followup and reply.metadata == {"cancelled": True}
    assert await h.manager.database.execute_query("SELECT * FROM plugin_storage") == before
    assert h.events == []


async def test_never_mind_needs_no_permission(load_plugin):
    h = await load_plugin(builtin_plugin("nevermind"), toml="[permissions]\ndefault = []\n")
    assert (await h.ask("HassNevermind")).message == "Okay."
