"""The media plugin: media players as state, picked by name, area or the requesting area."""

from __future__ import annotations

from astros.events import EventType
from tests.conftest import builtin_plugin

HOME = """
[home]
area = "Living Room"

[[home.floors]]
name = "First Floor"

[[home.areas]]
name = "Living Room"
[[home.areas]]
name = "Kitchen"
[[home.areas]]
name = "Bedroom"
floor = "First Floor"
[[home.areas]]
name = "Garage"

[[home.devices]]
name = "TV"
domain = "media_player"
area = "Living Room"
[[home.devices]]
name = "Kitchen Speaker"
domain = "media_player"
area = "Kitchen"
[[home.devices]]
name = "Kitchen Light"
domain = "light"
area = "Kitchen"
"""

ONE_PLAYER = """
[[home.areas]]
name = "Living Room"
[[home.areas]]
name = "Office"

[[home.devices]]
name = "Radio"
domain = "media_player"
area = "Living Room"
"""


async def load_media(load_plugin, toml: str = HOME):
    return await load_plugin(builtin_plugin("media"), toml=toml)


async def test_play_pause_resume_skip(load_plugin):
    h = await load_media(load_plugin)
    played = await h.ask("HassMediaSearchAndPlay", search_query="jazz", name="TV")
    assert played.success and played.message == "Playing jazz on the TV."
    assert played.data["players"][0]["state"]["state"] == "playing"
    assert (await h.ask("HassMediaPause", name="TV")).message == "Paused the TV."
    assert (await h.ask("HassMediaUnpause", name="TV")).message == "Resumed jazz on the TV."
    assert (await h.ask("HassMediaNext", name="TV")).message == "Skipped to the next track on the TV."
    assert (await h.ask("HassMediaPrevious", name="TV")).message == "Went back to the previous track on the TV."
    changed = [e for e in h.events if e.type == EventType.DEVICE_CHANGED]
    assert len(changed) == 5 and changed[-1].data["device"] == "TV"


async def test_requesting_area_picks_its_player(load_plugin):
    h = await load_media(load_plugin)
    played = await h.ask("HassMediaSearchAndPlay", search_query="the news", area="Kitchen", context_area=True)
    assert played.message == "Playing the news on the Kitchen Speaker."
    # No area at all: the appliance's own area (home.area).
    assert (await h.ask("HassMediaSearchAndPlay", search_query="Queen")).message == "Playing Queen on the TV."


async def test_area_without_player_says_so(load_plugin):
    h = await load_media(load_plugin)
    response = await h.ask("HassMediaPause", area="Garage")
    assert not response.success and response.message == "There's no media player in the Garage."
    assert (await h.ask("HassMediaPause", floor="First Floor")).message == "There's no media player on the First Floor."
    assert (await h.ask("HassMediaPause", name="Kitchen Light")).message == "The Kitchen Light isn't a media player."
    # Requesting area without a player and several players elsewhere: AstrOS asks.
    response = await h.ask("HassMediaPause", area="Bedroom", context_area=True)
    assert response.message == "Which media player do you mean?"


async def test_only_player_is_the_default(load_plugin):
    h = await load_media(load_plugin, ONE_PLAYER)
    response = await h.ask("HassMediaSearchAndPlay", search_query="Serial", area="Office", context_area=True)
    assert response.message == "Playing Serial on the Radio."


async def test_nothing_playing(load_plugin):
    h = await load_media(load_plugin)
    response = await h.ask("HassMediaPause", name="TV")
    assert not response.success and response.message == "Nothing is playing on the TV."
    assert (await h.ask("HassMediaUnpause", name="TV")).message == "There's nothing to resume on the TV."
    assert (await h.ask("HassMediaSearchAndPlay", name="TV")).message == "What should I play?"


async def test_mute_and_volume(load_plugin):
    h = await load_media(load_plugin)
    assert (await h.ask("HassMediaPlayerMute", name="TV")).message == "Muted the TV."
    already = await h.ask("HassMediaPlayerMute", name="TV")
    assert already.success and already.message == "The TV is already muted."
    assert (await h.ask("HassMediaPlayerUnmute", name="TV")).message == "Unmuted the TV."
    response = await h.manager.call("media", "set_volume", {"name": "TV", "volume_level": 30})
    assert response.message == "Set the volume of the TV to 30%."
    response = await h.manager.call("media", "set_volume_relative", {"name": "TV", "volume_step": "up"})
    assert response.message == "Turned the TV up to 40%."
    assert response.data["players"][0]["state"]["volume"] == 40
    refused = await h.manager.call("media", "set_volume", {"name": "TV", "volume_level": 300})
    assert not refused.success


async def test_state_survives_a_restart(load_plugin):
    h = await load_media(load_plugin)
    await h.ask("HassMediaSearchAndPlay", search_query="jazz", name="TV")
    await h.ask("HassMediaPause", name="TV")
    await h.manager.shutdown()
    again = await load_media(load_plugin)
    assert (await again.ask("HassMediaUnpause", name="TV")).message == "Resumed jazz on the TV."


async def test_needs_home_control(load_plugin):
    h = await load_media(load_plugin, '[permissions]\ndefault = ["home.read"]\n' + HOME)
    from tests.conftest import make_intent

    result = await h.manager.dispatch(make_intent("HassMediaPause", name="TV"))
    assert result.error == "permission-denied"


async def test_no_players(load_plugin):
    h = await load_media(load_plugin, "")
    response = await h.ask("HassMediaPause")
    assert not response.success and "media_player" in response.message
