"""kill -9 in the middle of writes: every acknowledged write survives and the database is consistent.

A child process runs the real agent and writes through the real plugins as fast as it can (a
timer, a list item and a memory per round), printing a line for each write once its handler has
answered. The test SIGKILLs it mid-stream, several times, each time reopening the same data
directory; then it checks SQLite's integrity and that every acknowledged timer, item and memory
is there.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from astros.storage.vectors import VectorStore

NOUNS = (
    "apple violin garage passport tractor umbrella dentist volcano lemon keyboard bicycle harbour "
    "telescope pillow lantern compass saddle trumpet chimney anchor blanket candle ladder mirror "
    "necklace orchard pebble quilt rocket scarf teapot wallet yacht zebra acorn barrel cactus "
    "dolphin easel falcon glacier hammock igloo jigsaw kettle lobster magnet notebook oyster "
    "parrot quiver raincoat sandal thimble unicorn vase walnut xylophone yoghurt zipper biscuit "
    "canoe dragon envelope feather goblet helmet iceberg jacket kayak lighthouse mitten napkin "
    "olive pepper quarry ribbon sapphire tulip urn vinegar whistle anvil banjo cobweb doorbell "
    "emerald fiddle gazebo hedgehog inkwell juggler koala lasso meadow nutmeg ostrich pyramid "
    "raft spinach tornado utensil velvet windmill axe beehive cabbage dagger eggplant fountain"
).split()
PLACES = ("kitchen", "attic", "glovebox", "wardrobe", "shed", "basement")


def fact(number: int) -> str:
    """A memory unlike every other one (similar ones would replace each other)."""
    run, k = divmod(number, 1000)
    return f"my {NOUNS[run * 36 + k]} is in the {PLACES[k % len(PLACES)]}"


WRITER = r'''
import asyncio, sys
from astros.agent import AstrOSAgent
from astros.config import parse_config
from astros.types import Intent, UserRequest, utcnow

NOUNS, PLACES = sys.argv[3].split(), sys.argv[4].split()

async def main(data_dir, start):
    config = parse_config(f'data_dir = "{data_dir}"\ntimezone = "UTC"\n[voice]\nenabled = false\n')
    async with AstrOSAgent(config=config) as agent:
        print("ready", flush=True)
        i = start
        while True:
            i += 1
            for kind, name, slots in (
                ("timer", "HassStartTimer", {"minutes": 30, "name": f"timer {i}"}),
                ("item", "HassListAddItem", {"name": "Shopping List", "item": f"thing {i}"}),
                ("memory", "AstrosMemoryRemember", {"message": fact(i)}),
            ):
                if kind == "memory" and slots["message"] is None:
                    continue  # this run has used up its distinct facts
                request = UserRequest("", "owner", "durability", utcnow(), {})
                result = await agent.plugins.dispatch(Intent(name, 1.0, slots, {}, utcnow(), request))
                if result.response is not None and result.response.success:
                    print(kind, i, flush=True)

def fact(number):
    run, k = divmod(number, 1000)
    return f"my {NOUNS[run * 36 + k]} is in the {PLACES[k % len(PLACES)]}" if k < 36 else None

asyncio.run(main(sys.argv[1], int(sys.argv[2])))
'''


def write_until_killed(data_dir: Path, start: int, writes: int) -> dict[str, set[int]]:
    """Run the writer, SIGKILL it after ``writes`` acknowledged writes; the acknowledged ones."""
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(data_dir), str(start), " ".join(NOUNS),
                             " ".join(PLACES)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    acked: dict[str, set[int]] = {"timer": set(), "item": set(), "memory": set()}
    deadline = time.monotonic() + 90
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        count = 0
        while count < writes and time.monotonic() < deadline:
            kind, number = proc.stdout.readline().split()
            acked[kind].add(int(number))
            count += 1
        os.kill(proc.pid, signal.SIGKILL)  # in the middle of the next writes
        proc.wait(10)
        for line in proc.stdout:  # acknowledged before the kill landed
            kind, number = line.split()
            acked[kind].add(int(number))
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    return acked


def test_kill_9_loses_no_acknowledged_write(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    acked: dict[str, set[int]] = {"timer": set(), "item": set(), "memory": set()}
    start = 0
    for writes in (45, 31, 52):  # three runs, each killed at a different point
        run = write_until_killed(data_dir, start, writes)
        for kind, numbers in run.items():
            acked[kind] |= numbers
        start += 1000

    database = sqlite3.connect(data_dir / "astros.db")
    try:
        assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert database.execute("PRAGMA foreign_key_check").fetchall() == []
        timers = {name for (name,) in database.execute("SELECT name FROM timers")}
        items = {item for (item,) in database.execute("SELECT item FROM list_items")}
    finally:
        database.close()
    assert {f"timer {i}" for i in acked["timer"]} <= timers
    assert {f"thing {i}" for i in acked["item"]} <= items
    assert len(acked["timer"]) >= 30 and len(acked["item"]) >= 30 and acked["memory"]

    async def memories() -> set[str]:
        store = VectorStore(data_dir / "vectors")
        try:
            return {doc.content for doc in await store.list_documents("memories")}
        finally:
            await store.close()

    stored = asyncio.run(memories())
    assert {fact(i) for i in acked["memory"]} <= stored
