"""Tools from the plugins' handlers: one per intent, schemas from templates and the slot vocabulary."""

from __future__ import annotations

from astros.ai.tools import build_tools, tool_entities
from astros.home import Home
from astros.plugins.loader import BUILTIN_PLUGIN_PATH, load_folder, plugin_folders
from tests.conftest import make_config


def tools_for(toml: str = ""):
    home = Home(make_config(toml).home)
    plugins = [load_folder(folder)() for folder in plugin_folders([BUILTIN_PLUGIN_PATH])]
    return {tool.name: tool for tool in build_tools(plugins, home)}, home


def test_every_spoken_intent_is_a_tool_with_its_slots() -> None:
    tools, _ = tools_for('[[home.areas]]\nname = "Kitchen"\n[[home.areas]]\nname = "Hall"\n')
    assert {"HassTurnOn", "HassLightSet", "HassStartTimer", "HassListAddItem", "AlarmSet", "AstrosMemoryRecall"} <= set(tools)
    assert "HassNevermind" not in tools and "MediaPlayerSetVolume" not in tools  # nothing to do / internal only
    light = tools["HassLightSet"].parameters
    assert light["properties"]["brightness"]["type"] == "integer" and light["properties"]["brightness"]["maximum"] == 100
    assert light["properties"]["area"]["enum"] == ["Kitchen", "Hall"]
    assert set(tools["AlarmSet"].parameters["properties"]) >= {"time", "date"}
    assert tools["HassTurnOn"].description.endswith("Changes something. (skill: home)")
    assert "Only reads" in tools["HassGetState"].description
    assert tools["HassGetCurrentTime"].parameters["properties"] == {}


def test_arguments_become_typed_canonical_slots() -> None:
    tools, home = tools_for('[[home.areas]]\nname = "Living Room"\naliases = ["lounge"]\n'
                            '[[home.devices]]\nname = "Reading lamp"\ndomain = "light"\n')
    entities = tool_entities({"area": "lounge", "brightness": "40", "name": "reading lamp", "bogus": 1, "color": None},
                             tools["HassLightSet"], home)
    assert entities == {"area": "Living Room", "brightness": 40, "name": "Reading lamp"}
