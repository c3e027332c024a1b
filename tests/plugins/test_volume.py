"""The volume plugin: the appliance's speaker level and mute, and handing media players over."""

from __future__ import annotations

from typing import Any

import pytest

from astros.events import EventType
from astros.plugins.base import BasePlugin, plugin_handler
from astros.types import Intent, Response
from tests.conftest import builtin_plugin

HOME = """
[home]
area = "Kitchen"
[[home.areas]]
name = "Kitchen"
[[home.areas]]
name = "Living Room"
[[home.devices]]
name = "TV"
domain = "media_player"
area = "Living Room"
[[home.devices]]
name = "Ceiling light"
domain = "light"
area = "Kitchen"
"""


class RecordingMedia(BasePlugin):
    """A media plugin that records what it is asked, in place of the real one."""

    name = "media"
    version = "0"
    description = "records calls"
    author = "tests"

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def initialize(self) -> None: ...

    async def shutdown(self) -> None: ...

    @plugin_handler("HassSetVolume")
    async def set_volume(self, intent: Intent) -> Response:
        self.calls.append(("set_volume", dict(intent.entities)))
        return Response(True, f"Set the {intent.entities['name']} volume to {intent.entities['volume_level']}%.")

    @plugin_handler("HassMediaPlayerMute")
    async def mute(self, intent: Intent) -> Response:
        self.calls.append(("mute", dict(intent.entities)))
        return Response(True, "Muted the TV.")


def _volume_events(h) -> list[dict]:
    return [e.data for e in h.events if e.type == EventType.VOLUME_CHANGED]


async def test_set_volume_is_stored_and_published(load_plugin):
    h = await load_plugin(builtin_plugin("volume"))
    assert await h.plugin.get_level() == 50
    reply = await h.ask("HassSetVolume", volume_level=40)
    assert reply.success and reply.message == "Volume set to 40%."
    assert await h.plugin.get_level() == 40
    assert _volume_events(h) == [{"level": 40, "muted": False}]
    assert reply.data == {"level": 40, "muted": False}


async def test_set_volume_is_clamped_with_a_note(load_plugin):
    h = await load_plugin(builtin_plugin("volume"))
    assert (await h.ask("HassSetVolume", volume_level=150)).message == "Volume set to 100%, the maximum."
    assert (await h.ask("HassSetVolume", volume_level=-5)).message == "Volume set to 0%, the minimum."
    assert (await h.ask("HassSetVolume", volume_level="30")).message == "Volume set to 30%."
    bad = await h.ask("HassSetVolume", volume_level="loud")
    assert not bad.success and bad.message == "The volume must be a number from 0 to 100."
    assert await h.plugin.get_level() == 30


async def test_relative_steps(load_plugin):
    h = await load_plugin(builtin_plugin("volume"))
    assert (await h.ask("HassSetVolumeRelative", volume_step="up")).message == "Turned the volume up to 60%."
    assert (await h.ask("HassSetVolumeRelative", volume_step="down")).message == "Turned the volume down to 50%."
    assert (await h.ask("HassSetVolumeRelative", volume_step=-20)).message == "Turned the volume down to 30%."
    assert (await h.ask("HassSetVolumeRelative", volume_step=25)).message == "Turned the volume up to 55%."
    assert (await h.ask("HassSetVolumeRelative")).message == "Turned the volume up to 65%."


async def test_relative_steps_stop_at_the_limits(load_plugin):
    h = await load_plugin(builtin_plugin("volume"), toml="[plugins.settings.volume]\ndefault_level = 95\nstep = 5\n")
    assert (await h.ask("HassSetVolumeRelative", volume_step=20)).message == "Turned the volume up to 100%, the maximum."
    at_top = await h.ask("HassSetVolumeRelative", volume_step="up")
    assert at_top.success and at_top.message == "The volume is already at the maximum, 100%."
    await h.ask("HassSetVolume", volume_level=3)
    assert (await h.ask("HassSetVolumeRelative", volume_step="down")).message == "Turned the volume down to 0%, the minimum."
    assert (await h.ask("HassSetVolumeRelative", volume_step="down")).message == "The volume is already at the minimum, 0%."


async def test_mute_and_unmute_the_appliance(load_plugin):
    h = await load_plugin(builtin_plugin("volume"))
    await h.ask("HassSetVolume", volume_level=35)
    assert (await h.ask("HassMediaPlayerMute")).message == "Muted."
    assert await h.plugin.is_muted()
    assert (await h.ask("HassMediaPlayerMute")).message == "I'm already muted."
    assert (await h.ask("HassMediaPlayerUnmute")).message == "Unmuted; the volume is 35%."
    assert not await h.plugin.is_muted()
    assert _volume_events(h)[-2:] == [{"level": 35, "muted": True}, {"level": 35, "muted": False}]


async def test_setting_the_volume_unmutes(load_plugin):
    h = await load_plugin(builtin_plugin("volume"))
    await h.ask("HassMediaPlayerMute")
    await h.ask("HassSetVolume", volume_level=20)
    assert not await h.plugin.is_muted()


async def test_volume_and_mute_survive_a_restart(load_plugin):
    first = await load_plugin(builtin_plugin("volume"))
    await first.ask("HassSetVolume", volume_level=70)
    await first.ask("HassMediaPlayerMute")
    await first.manager.shutdown()
    second = await load_plugin(builtin_plugin("volume"))
    assert await second.plugin.get_level() == 70
    assert await second.plugin.is_muted()


async def test_bad_settings_stop_the_plugin_loading():
    plugin = builtin_plugin("volume")()
    plugin.config = {"step": 0}
    with pytest.raises(ValueError, match="plugins.settings.volume.step must be a whole number from 1 to 100"):
        await plugin.initialize()


async def test_a_named_media_player_is_handed_to_the_media_plugin(load_plugin):
    h = await load_plugin(builtin_plugin("volume"), toml=HOME)
    media = RecordingMedia()
    assert await h.manager.initialize_plugin(media)
    reply = await h.ask("HassSetVolume", name="TV", volume_level=90)
    assert reply.message == "Set the TV volume to 90%."
    assert media.calls == [("set_volume", {"name": "TV", "volume_level": 90})]
    assert await h.plugin.get_level() == 50 and _volume_events(h) == []


async def test_an_area_with_media_players_is_handed_over(load_plugin):
    h = await load_plugin(builtin_plugin("volume"), toml=HOME)
    media = RecordingMedia()
    assert await h.manager.initialize_plugin(media)
    await h.ask("HassSetVolume", area="Living Room", volume_level=20)
    assert media.calls == [("set_volume", {"area": "Living Room", "volume_level": 20})]
    own = await h.ask("HassSetVolume", area="Kitchen", context_area="Kitchen", volume_level=20)
    assert own.message == "Volume set to 20%."


async def test_media_players_without_a_media_handler_get_a_clear_reply(load_plugin):
    h = await load_plugin(builtin_plugin("volume"), toml=HOME)
    reply = await h.ask("HassSetVolumeRelative", name="TV", volume_step="up")
    assert not reply.success and reply.message == "I can't change the volume of TV yet."
    unknown = await h.ask("HassSetVolume", name="Ceiling light", volume_level=10)
    assert not unknown.success and unknown.message == "I don't know a media player called Ceiling light."


async def test_muting_a_media_player_is_left_to_the_media_plugin(load_plugin):
    h = await load_plugin(builtin_plugin("volume"), toml=HOME)
    media = RecordingMedia()
    assert await h.manager.initialize_plugin(media)
    assert (await h.ask("HassMediaPlayerMute", name="TV")).message == "Muted the TV."
    assert not await h.plugin.is_muted()
    assert (await h.ask("HassMediaPlayerMute")).message == "Muted."
    assert await h.plugin.is_muted()
