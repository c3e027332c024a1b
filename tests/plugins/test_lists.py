"""The lists plugin: shopping and to-do lists, kept in the database across restarts."""

from __future__ import annotations

from tests.conftest import builtin_plugin, make_intent

HOME = """
timezone = "Europe/London"
[[home.devices]]
name = "Chores"
domain = "todo"
aliases = ["house jobs"]
"""


async def _rows(harness, sql: str = "SELECT * FROM list_items ORDER BY rowid") -> list[dict]:
    return await harness.manager.database.execute_query(sql)


async def test_add_and_read_back_the_shopping_list(load_plugin):
    h = await load_plugin(builtin_plugin("lists"))
    reply = await h.ask("HassShoppingListAddItem", item="apples")
    assert reply.success and reply.message == "Added apples to your shopping list."
    await h.ask("HassListAddItem", name="Shopping List", item="milk")
    await h.ask("HassListAddItem", name="shopping", item=" bread. ")
    reply = await h.ask("HassListGetItems", name="Shopping List")
    assert reply.message == "Your shopping list has apples, milk and bread."
    assert [i["item"] for i in reply.data["items"]] == ["apples", "milk", "bread"]
    assert reply.data["list"] == "Shopping List"


async def test_empty_list_and_single_item(load_plugin):
    h = await load_plugin(builtin_plugin("lists"))
    assert (await h.ask("HassListGetItems", name="To-do")).message == "Your to-do list is empty."
    await h.ask("HassListAddItem", name="to do", item="call mum")
    reply = await h.ask("HassListGetItems", name="To-do List")
    assert reply.message == "Your to-do list has call mum."


async def test_grocery_means_the_shopping_list(load_plugin):
    h = await load_plugin(builtin_plugin("lists"))
    reply = await h.ask("HassListAddItem", name="Grocery List", item="eggs")
    assert reply.message == "Added eggs to your shopping list."
    assert (await h.ask("HassListGetItems", name="groceries")).data["items"][0]["item"] == "eggs"


async def test_duplicates_are_not_added_twice(load_plugin):
    h = await load_plugin(builtin_plugin("lists"))
    await h.ask("HassShoppingListAddItem", item="Apples")
    reply = await h.ask("HassShoppingListAddItem", item="apple")
    assert reply.success and reply.message == "You already have Apples on your shopping list."
    assert len(await _rows(h)) == 1


async def test_complete_checks_off_with_a_timestamp(load_plugin):
    h = await load_plugin(builtin_plugin("lists"))
    await h.ask("HassShoppingListAddItem", item="apples")
    await h.ask("HassShoppingListAddItem", item="tomatoes")
    reply = await h.ask("HassShoppingListCompleteItem", item="APPLE")
    assert reply.success and reply.message == "Checked off apples."
    rows = await _rows(h)
    assert rows[0]["completed_at"] is not None and rows[0]["created_at"] <= rows[0]["completed_at"]
    assert rows[1]["completed_at"] is None
    assert (await h.ask("HassListGetItems")).message == "Your shopping list has tomatoes."
    again = await h.ask("HassShoppingListCompleteItem", item="apples")
    assert again.message == "You already checked off apples."


async def test_adding_a_checked_off_item_puts_it_back(load_plugin):
    h = await load_plugin(builtin_plugin("lists"))
    await h.ask("HassShoppingListAddItem", item="milk")
    await h.ask("HassShoppingListCompleteItem", item="milk")
    reply = await h.ask("HassShoppingListAddItem", item="milk")
    assert reply.message == "Added milk to your shopping list."
    assert (await h.ask("HassListGetItems")).message == "Your shopping list has milk."


async def test_missing_items_are_reported(load_plugin):
    h = await load_plugin(builtin_plugin("lists"))
    reply = await h.ask("HassShoppingListCompleteItem", item="caviar")
    assert not reply.success and reply.message == "I couldn't find caviar on your shopping list."
    reply = await h.ask("HassListRemoveItem", name="Shopping List", item="caviar")
    assert not reply.success
    reply = await h.ask("HassShoppingListAddItem", item="  ")
    assert not reply.success and reply.message == "What should I add to your shopping list?"
    assert await _rows(h) == []


async def test_remove_deletes_the_item(load_plugin):
    h = await load_plugin(builtin_plugin("lists"))
    await h.ask("HassShoppingListAddItem", item="bread")
    await h.ask("HassShoppingListAddItem", item="butter")
    reply = await h.ask("HassListRemoveItem", name="Shopping List", item="Bread")
    assert reply.success and reply.message == "Removed bread from your shopping list."
    assert [r["item"] for r in await _rows(h)] == ["butter"]
    assert [i["item"] for i in reply.data["items"]] == ["butter"]


async def test_todo_devices_are_lists(load_plugin):
    h = await load_plugin(builtin_plugin("lists"), toml=HOME)
    reply = await h.ask("HassListAddItem", name="house jobs", item="take out the trash")
    assert reply.message == "Added take out the trash to your Chores list."
    reply = await h.ask("HassListCompleteItem", name="Chores", item="Take out the trash")
    assert reply.message == "Checked off take out the trash."
    assert "Chores" in await h.plugin.list_names()


async def test_new_lists_are_created_by_adding(load_plugin):
    h = await load_plugin(builtin_plugin("lists"))
    unknown = await h.ask("HassListGetItems", name="Trader Joes")
    assert not unknown.success and unknown.message == "You don't have a list called Trader Joes."
    reply = await h.ask("HassListAddItem", name="Trader Joes", item="apples")
    assert reply.message == "Added apples to your Trader Joes list."
    assert (await h.ask("HassListGetItems", name="trader joes list")).message == "Your Trader Joes list has apples."
    lists = await _rows(h, "SELECT name FROM lists ORDER BY name")
    assert {"name": "Trader Joes"} in lists


async def test_creating_lists_can_be_turned_off(load_plugin):
    h = await load_plugin(builtin_plugin("lists"), toml="[plugins.settings.lists]\ncreate_lists = false\n")
    reply = await h.ask("HassListAddItem", name="Hardware Store", item="nails")
    assert not reply.success and reply.message == "You don't have a list called Hardware Store."
    assert await _rows(h) == []


async def test_lists_need_the_lists_permission(load_plugin):
    h = await load_plugin(builtin_plugin("lists"), toml='[permissions]\ndefault = ["home.read"]\n')
    result = await h.manager.dispatch(make_intent("HassShoppingListAddItem", item="x"))
    assert result.error == "permission-denied"


async def test_lists_survive_a_restart(load_plugin):
    first = await load_plugin(builtin_plugin("lists"))
    await first.ask("HassShoppingListAddItem", item="coffee")
    await first.manager.shutdown()
    second = await load_plugin(builtin_plugin("lists"))
    reply = await second.ask("HassListGetItems", name="Shopping List")
    assert reply.message == "Your shopping list has coffee."


async def test_shopping_intents_honour_a_named_list(load_plugin):
    h = await load_plugin(builtin_plugin("lists"))
    await h.ask("HassListAddItem", name="To-do", item="milk")
    reply = await h.ask("HassShoppingListCompleteItem", name="to-do", item="milk")
    assert reply.message == "Checked off milk."
    assert (await h.ask("HassShoppingListAddItem", name=None, item="tea")).message == "Added tea to your shopping list."
