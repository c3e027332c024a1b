"""Tests for the dice plugin, run with AstrOS's test fixtures (tests/conftest.py)."""

import random
from pathlib import Path

from astros.plugins.loader import load_folder

DICE = load_folder(Path(__file__).parent / "dice")  # imported the way AstrOS imports it


async def test_rolls_one_die(load_plugin):
    h = await load_plugin(DICE, toml="[plugins.settings.dice]\nsides = 20\n")
    h.plugin.rng = random.Random(1)  # a fixed seed: the same roll every run
    reply = await h.ask("DiceRoll")
    assert reply.success
    assert reply.message == "You rolled a 5."
    assert reply.data == {"results": [5], "sides": 20}


async def test_remembers_the_last_roll(load_plugin):
    h = await load_plugin(DICE)
    rolled = await h.ask("DiceRoll", count=2)
    last = await h.ask("DiceLastRoll")
    assert last.message == rolled.message.replace("You rolled", "You last rolled")
