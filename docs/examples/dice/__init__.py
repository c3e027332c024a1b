"""Dice: rolls dice and remembers the last roll for ten minutes.

Say "roll a die", "roll two dice", "roll a 20 sided die", then "what did I roll?" or
"how many times have I rolled?".

Settings, ``[plugins.settings.dice]``:
- ``sides`` (whole number, 2-100, default 6): the sides of a die when the request does not say.
"""

from __future__ import annotations

import random

from astros import BasePlugin, Intent, Response, plugin_handler
from astros.events import EventType

LAST_ROLL_SECONDS = 600  # "what did I roll?" works for ten minutes
MAX_DICE = 10


class DicePlugin(BasePlugin):
    """Rolls dice."""

    name = "dice"
    version = "1.0.0"
    description = "Rolls dice and tells you the result"
    author = "AstrOS"

    migrations = (
        "CREATE TABLE dice_rolls (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, total INTEGER NOT NULL)",
    )

    def __init__(self) -> None:
        super().__init__()
        self.sides = 6
        self.rng = random.Random()

    async def initialize(self) -> None:
        sides = self.config.get("sides", 6)
        if isinstance(sides, bool) or not isinstance(sides, int) or not 2 <= sides <= 100:
            raise ValueError(f"plugins.settings.dice.sides must be a whole number from 2 to 100; got {sides!r}")
        self.sides = sides

    async def shutdown(self) -> None:
        pass

    @plugin_handler("DiceRoll")
    async def roll(self, intent: Intent) -> Response:
        count = int(intent.entities.get("count", 1))
        sides = int(intent.entities.get("sides", self.sides))
        if not 1 <= count <= MAX_DICE:
            return Response(False, f"I can roll between 1 and {MAX_DICE} dice at once.")
        results = [self.rng.randint(1, sides) for _ in range(count)]
        message = describe(results)
        await self.storage.set("last_roll", message, ttl=LAST_ROLL_SECONDS)
        user = intent.original_request.user_id
        await self.context.database.insert("dice_rolls", {"user_id": user, "total": sum(results)})
        self.context.events.emit(EventType.ANNOUNCEMENT, text=message)
        return Response(True, message, data={"results": results, "sides": sides})

    @plugin_handler("DiceLastRoll")
    async def last_roll(self, intent: Intent) -> Response:
        message = await self.storage.get("last_roll")
        if message is None:
            return Response(True, "You haven't rolled anything in the last ten minutes.")
        return Response(True, message.replace("You rolled", "You last rolled", 1))

    @plugin_handler("DiceCount")
    async def count_rolls(self, intent: Intent) -> Response:
        rows = await self.context.database.execute_query(
            "SELECT COUNT(*) AS rolls FROM dice_rolls WHERE user_id = :user",
            {"user": intent.original_request.user_id},
        )
        rolls = rows[0]["rolls"]
        return Response(True, f"You have rolled {rolls} {'time' if rolls == 1 else 'times'}.", data={"rolls": rolls})


def describe(results: list[int]) -> str:
    """The sentence for a roll: "You rolled a 4." or "You rolled 3 and 5, 8 in total."."""
    if len(results) == 1:
        article = "an" if results[0] in (8, 11, 18) or 80 <= results[0] <= 89 else "a"
        return f"You rolled {article} {results[0]}."
    listed = ", ".join(str(r) for r in results[:-1]) + f" and {results[-1]}"
    return f"You rolled {listed}, {sum(results)} in total."
