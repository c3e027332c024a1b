"""The memory skill: remember, recall by meaning, forget, list; per user; across restarts."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from astros.storage.vectors import VectorStore
from tests.conftest import builtin_plugin, make_intent

PARAPHRASES = Path(__file__).resolve().parent.parent / "data" / "memory_paraphrases.tsv"
THINGS = ["passport", "torch", "umbrella", "drill", "charger", "tape measure", "sewing kit", "first aid kit",
          "spare batteries", "board games", "winter coats", "camping stove", "photo albums", "tax papers"]
PLACES = ["attic", "garage", "blue box", "shed", "cellar", "wardrobe", "desk drawer", "car boot", "back porch"]
PEOPLE = ["Anna", "Ben", "Chloe", "David", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jack", "Kofi", "Lena"]


def paraphrase_pairs() -> list[tuple[str, str]]:
    rows = [line.split("\t") for line in PARAPHRASES.read_text().splitlines() if line and not line.startswith("#")]
    return [(fact, question) for fact, question in rows]


def distractors(count: int) -> list[str]:
    """Plausible household facts, all different, none about the paraphrase set's subjects."""
    made = [f"the {thing} is in the {place}" for thing, place in itertools.product(THINGS, PLACES)]
    made += [f"{person}'s favourite {kind} is {value}" for person, kind, value in itertools.product(
        PEOPLE, ["film", "song", "colour", "dish"], ["number one", "the blue one", "the old classic", "the new one"])]
    made += [f"{person} owes me {n} pounds" for person, n in itertools.product(PEOPLE, range(5, 100, 7))]
    made += [f"box {n} holds the {thing}" for n, thing in itertools.product(range(1, 40), THINGS)]
    assert len(set(made)) >= count
    return made[:count]


async def ask(harness, intent_type: str, text: str = "", user: str = "owner", **slots):
    result = await harness.manager.dispatch(make_intent(intent_type, user_id=user, text=text, **slots))
    assert result.response is not None, (result.error, result.reason)
    return result.response


async def test_remember_recall_forget_and_list(load_plugin) -> None:
    h = await load_plugin(builtin_plugin("memory"))
    said = await ask(h, "AstrosMemoryRemember", message="that the wifi password is hunter2")
    assert said.message == "Okay, I'll remember that the wifi password is hunter2."
    await ask(h, "AstrosMemoryRemember", message="my car is on level 3")
    recalled = await ask(h, "AstrosMemoryRecall", text="what's the password for the wireless?", message="the wireless")
    assert recalled.message == "You told me the wifi password is hunter2."
    car = await ask(h, "AstrosMemoryRecall", text="where did I park the car?", message="the car")
    assert car.message == "You told me your car is on level 3."
    listed = await ask(h, "AstrosMemoryList")
    assert listed.message.startswith("I remember 2 things:") and "your car is on level 3" in listed.message
    gone = await ask(h, "AstrosMemoryForget", text="forget the wifi password", message="the wifi password")
    assert gone.message == "Okay, I've forgotten that the wifi password is hunter2."
    again = await ask(h, "AstrosMemoryRecall", text="what's the wifi password?", message="wifi")
    assert again.success is False and again.message == "I don't remember anything about that."
    assert (await ask(h, "AstrosMemoryForget", name="all")).data == {"forgotten": 1}
    assert (await ask(h, "AstrosMemoryList")).message == "You haven't asked me to remember anything yet."


async def test_a_new_value_replaces_the_old_one(load_plugin) -> None:
    h = await load_plugin(builtin_plugin("memory"))
    await ask(h, "AstrosMemoryRemember", message="the garage code is 1234")
    updated = await ask(h, "AstrosMemoryRemember", message="the garage code is 9876")
    assert updated.message == "Okay, updated that the garage code is 9876."
    assert (await ask(h, "AstrosMemoryList")).data["memories"] == ["the garage code is 9876"]


async def test_each_person_has_their_own_memory(load_plugin) -> None:
    h = await load_plugin(builtin_plugin("memory"))
    await ask(h, "AstrosMemoryRemember", user="ann", message="my locker code is 4821")
    bob = await ask(h, "AstrosMemoryRecall", user="bob", text="what's my locker code?", message="locker code")
    assert bob.success is False
    ann = await ask(h, "AstrosMemoryRecall", user="ann", text="what's my locker code?", message="locker code")
    assert ann.message == "You told me your locker code is 4821."
    assert (await ask(h, "AstrosMemoryForget", user="bob", name="all")).data == {"forgotten": 0}
    assert (await ask(h, "AstrosMemoryList", user="ann")).data["memories"] == ["my locker code is 4821"]


async def test_memories_survive_a_restart(load_plugin, tmp_path) -> None:
    h = await load_plugin(builtin_plugin("memory"))
    await ask(h, "AstrosMemoryRemember", message="the spare key is under the blue flower pot")
    await h.manager.shutdown()  # the appliance stops; chromadb's files are closed
    again = await load_plugin(builtin_plugin("memory"))
    found = await ask(again, "AstrosMemoryRecall", text="where is the extra house key hidden?", message="key")
    assert found.message == "You told me the spare key is under the blue flower pot."
    assert (tmp_path / "vectors").is_dir()


async def test_the_memory_permission_is_needed(load_plugin) -> None:
    h = await load_plugin(builtin_plugin("memory"), toml='[permissions]\ndefault = ["home.read"]\n')
    result = await h.manager.dispatch(make_intent("AstrosMemoryRemember", message="x is y"))
    assert result.error == "permission-denied" and "memory" in result.reason


async def test_bad_setting_is_reported(load_plugin) -> None:
    with pytest.raises(AssertionError, match="min_score"):
        await load_plugin(builtin_plugin("memory"), toml="[plugins.settings.memory]\nmin_score = 3\n")


async def test_recall_of_paraphrases_among_a_thousand_facts(load_plugin) -> None:
    h = await load_plugin(builtin_plugin("memory"))
    pairs = paraphrase_pairs()
    facts = [fact for fact, _ in pairs] + distractors(1000 - len(pairs))
    store: VectorStore = h.plugin.store
    await store.add_documents(facts, [{"user": "owner", "created": "2025-01-01T00:00:00"}] * len(facts), "memories")
    assert await store.count("memories") == 1000
    hits = 0
    for fact, question in pairs:
        reply = await ask(h, "AstrosMemoryRecall", text=question, message=question)
        hits += reply.data.get("fact") == fact
    recall_at_1 = hits / len(pairs)
    print(f"memory recall@1 over {len(pairs)} paraphrases among 1000 facts: {recall_at_1:.2f}")
    assert recall_at_1 >= 0.8
