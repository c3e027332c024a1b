"""The dice plugin of docs/plugins.md works as the tutorial says, so the tutorial cannot rot."""

from __future__ import annotations

import importlib.util
import random
import re
from datetime import timezone
from pathlib import Path

import pytest

from astros.config import parse_config
from astros.plugins.loader import load_folder
from astros import AstrOSAgent, UserRequest
from astros.events import EventBus
from astros.home import Home
from astros.plugins.base import PluginContext
from astros.plugins.manager import PluginManager
from astros.security.permissions import PermissionManager
from astros.storage import plugin_storage
from astros.storage.database import DatabaseManager
from astros.types import utcnow

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "docs" / "examples"
TUTORIAL = ROOT / "docs" / "plugins.md"


def _tutorial_tests():
    """The tests docs/plugins.md shows (docs/examples/test_dice.py), collected here as well."""
    spec = importlib.util.spec_from_file_location("docs_examples_test_dice", EXAMPLES / "test_dice.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_TUTORIAL = _tutorial_tests()
test_tutorial_rolls_one_die = _TUTORIAL.test_rolls_one_die
test_tutorial_remembers_the_last_roll = _TUTORIAL.test_remembers_the_last_roll


def tutorial_files() -> dict[str, str]:
    """Code blocks in docs/plugins.md introduced by ``<!-- file: PATH -->``, by PATH."""
    text = TUTORIAL.read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- file: (\S+) -->\s*```\w*\n(.*?)```", text, flags=re.S)
    return {path: body for path, body in blocks}


def test_the_tutorial_shows_the_example_files_exactly() -> None:
    shown = tutorial_files()
    assert set(shown) >= {
        "docs/examples/dice/__init__.py",
        "docs/examples/dice/sentences/en.yaml",
        "docs/examples/test_dice.py",
    }
    for path, body in shown.items():
        assert (ROOT / path).read_text(encoding="utf-8") == body, f"{path} differs from docs/plugins.md"


@pytest.fixture
def dice_class():
    return load_folder(EXAMPLES / "dice")


async def test_dice_through_the_harness(load_plugin, dice_class) -> None:
    h = await load_plugin(dice_class, toml="[plugins.settings.dice]\nsides = 20\n")
    h.plugin.rng = random.Random(1)
    reply = await h.ask("DiceRoll")
    assert re.fullmatch(r"You rolled an? (\d+)\.", reply.message)
    assert reply.data["sides"] == 20 and 1 <= reply.data["results"][0] <= 20

    two = await h.ask("DiceRoll", count=2, sides=6)
    first, second = two.data["results"]
    assert two.message == f"You rolled {first} and {second}, {first + second} in total."

    last = await h.ask("DiceLastRoll")
    assert last.message == f"You last rolled {first} and {second}, {first + second} in total."
    assert (await h.ask("DiceCount")).message == "You have rolled 2 times."
    assert [e.data["text"] for e in h.events] == [reply.message, two.message]


async def test_dice_refuses_too_many_dice(load_plugin, dice_class) -> None:
    h = await load_plugin(dice_class)
    reply = await h.ask("DiceRoll", count=50)
    assert reply.success is False
    assert reply.message == "I can roll between 1 and 10 dice at once."


async def test_the_last_roll_is_forgotten_after_ten_minutes(load_plugin, dice_class, monkeypatch) -> None:
    h = await load_plugin(dice_class)
    await h.ask("DiceRoll")
    now = plugin_storage.time.time()
    monkeypatch.setattr(plugin_storage.time, "time", lambda: now + 601)
    assert (await h.ask("DiceLastRoll")).message == "You haven't rolled anything in the last ten minutes."


async def test_a_bad_setting_stops_the_plugin_with_a_reason(tmp_path, dice_class) -> None:
    config = parse_config(f'data_dir = "{tmp_path}"\n[plugins.settings.dice]\nsides = 1\n')
    db = DatabaseManager(config.database_path)
    await db.connect()
    try:
        home, bus = Home(config.home), EventBus()
        manager = PluginManager(
            config, db, PermissionManager(db, config.permissions), home, bus,
            lambda call: PluginContext(config, home, db, bus, timezone.utc, call),
        )
        assert not await manager.initialize_plugin(dice_class())
        assert "sides must be a whole number from 2 to 100; got 1" in manager.failed["dice"].error
    finally:
        await db.close()


async def test_dice_loads_from_plugin_paths_and_answers_spoken_requests(tmp_path) -> None:
    config = parse_config(
        f'data_dir = "{tmp_path}"\n[plugins]\nplugin_paths = ["{EXAMPLES}"]\nenabled_plugins = ["dice"]\n'
    )
    agent = AstrOSAgent(config=config)
    await agent.start()
    try:
        assert [p.name for p in agent.plugins.list_plugins() if p.status == "active"] == ["dice"]

        async def say(text: str) -> str:
            return (await agent.process_request(UserRequest(text, "owner", "docs", utcnow()))).message

        assert re.fullmatch(r"You rolled an? [1-6]\.", await say("roll a die"))
        assert re.fullmatch(r"You rolled \d+ and \d+, \d+ in total\.", await say("roll two dice"))
        assert re.fullmatch(r"You rolled an? \d+\.", await say("could you roll a 20 sided die"))
        assert (await say("what did I roll")).startswith("You last rolled ")
        assert await say("how many times have I rolled") == "You have rolled 3 times."
    finally:
        await agent.stop()

