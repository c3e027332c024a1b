"""PluginStorage: a persistent key-value store per plugin, with expiry."""

from __future__ import annotations

import pytest

from astros.storage import plugin_storage
from astros.storage.database import DatabaseManager
from astros.storage.plugin_storage import PluginStorage


class Clock:
    """A stand-in for ``time.time`` that only moves when told to."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(plugin_storage.time, "time", fake)
    return fake


async def test_set_get_exists_delete(database) -> None:
    store = PluginStorage(database, "timers")
    assert await store.get("missing") is None
    assert await store.get("missing", "fallback") == "fallback"
    assert await store.exists("missing") is False

    await store.set("kitchen", {"minutes": 5, "labels": ["pasta", "eggs"], "on": True})
    assert await store.get("kitchen") == {"minutes": 5, "labels": ["pasta", "eggs"], "on": True}
    assert await store.exists("kitchen") is True

    await store.set("kitchen", 7)  # overwrite
    assert await store.get("kitchen") == 7

    assert await store.delete("kitchen") is True
    assert await store.delete("kitchen") is False
    assert await store.get("kitchen", "gone") == "gone"


async def test_stored_none_and_falsy_values_are_not_absent(database) -> None:
    store = PluginStorage(database, "p")
    await store.set("nothing", None)
    await store.set("zero", 0)
    assert await store.exists("nothing") and await store.exists("zero")
    assert await store.get("nothing", "default") is None
    assert await store.get("zero", "default") == 0


async def test_list_keys_with_prefix(database) -> None:
    store = PluginStorage(database, "lists")
    for key in ("shopping:milk", "shopping:eggs", "todo:call mum", "shopping_old"):
        await store.set(key, True)
    assert await store.list_keys() == ["shopping:eggs", "shopping:milk", "shopping_old", "todo:call mum"]
    assert await store.list_keys("shopping:") == ["shopping:eggs", "shopping:milk"]
    assert await store.list_keys("%") == []  # no LIKE wildcards
    assert await store.list_keys("nothing") == []


async def test_namespaces_are_isolated(database) -> None:
    timers, alarms = PluginStorage(database, "timers"), PluginStorage(database, "alarms")
    await timers.set("next", "timer value")
    await alarms.set("next", "alarm value")
    assert await timers.get("next") == "timer value"
    assert await alarms.get("next") == "alarm value"
    assert await alarms.delete("next") is True
    assert await timers.get("next") == "timer value"
    assert await alarms.list_keys() == []
    assert await timers.list_keys() == ["next"]


async def test_ttl_expiry(database, clock) -> None:
    store = PluginStorage(database, "weather")
    await store.set("forecast", "sunny", ttl=60)
    await store.set("forever", "kept")
    clock.now += 59
    assert await store.get("forecast") == "sunny"
    clock.now += 1
    assert await store.get("forecast") is None
    assert await store.exists("forecast") is False
    assert await store.delete("forecast") is False  # nothing live was there
    assert await store.list_keys() == ["forever"]


async def test_ttl_really_expires_with_the_real_clock(database) -> None:
    import asyncio

    store = PluginStorage(database, "p")
    await store.set("brief", "here", ttl=1)
    assert await store.get("brief") == "here"
    await asyncio.sleep(1.05)
    assert await store.get("brief") is None


async def test_setting_again_without_ttl_makes_a_value_permanent(database, clock) -> None:
    store = PluginStorage(database, "p")
    await store.set("k", 1, ttl=10)
    await store.set("k", 2)
    clock.now += 3600
    assert await store.get("k") == 2


async def test_list_keys_purges_expired_rows(database, clock) -> None:
    store = PluginStorage(database, "p")
    await store.set("old", 1, ttl=5)
    clock.now += 10
    assert await store.list_keys() == []
    assert await database.execute_query("SELECT key FROM plugin_storage WHERE plugin = 'p'") == []


@pytest.mark.parametrize("ttl", [0, -5])
async def test_ttl_must_be_positive(database, ttl) -> None:
    store = PluginStorage(database, "p")
    with pytest.raises(ValueError, match="ttl"):
        await store.set("k", 1, ttl=ttl)
    assert await store.exists("k") is False


@pytest.mark.parametrize("value", [object(), {1, 2}, b"bytes", {"nested": object()}])
async def test_non_json_value_is_a_type_error_and_nothing_is_stored(database, value) -> None:
    store = PluginStorage(database, "p")
    await store.set("k", "old")
    with pytest.raises(TypeError):
        await store.set("k", value)
    assert await store.get("k") == "old"
    with pytest.raises(TypeError):
        await store.set("fresh", value)
    assert await store.list_keys() == ["k"]


async def test_values_survive_reopening_the_database(tmp_path) -> None:
    path = tmp_path / "astros.db"
    db = DatabaseManager(path)
    await db.connect()
    await PluginStorage(db, "lists").set("shopping", ["milk", "bread"])
    await PluginStorage(db, "lists").set("soon gone", 1, ttl=3600)
    await db.close()

    reopened = DatabaseManager(path)
    await reopened.connect()
    try:
        store = PluginStorage(reopened, "lists")
        assert await store.get("shopping") == ["milk", "bread"]
        assert await store.list_keys() == ["shopping", "soon gone"]
    finally:
        await reopened.close()
