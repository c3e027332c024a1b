"""Lists: the shopping list, the to-do list and any other list, kept on the appliance.

Say "add apples to my shopping list", "check off apples", "remove milk from the to-do list" or
"what's on my shopping list?".

Which lists exist:
- "Shopping List" and "To-do List", always;
- every home device whose domain is ``todo`` (by its name or any alias);
- every list somebody added an item to: adding to an unknown list creates it ("add apples to my
  Trader Joes list"), unless ``create_lists = false``; checking off, removing or reading an unknown
  list is refused with a clear answer, so a misheard name never invents a list.

"Grocery", "groceries" and "shopping" mean the shopping list, and "todo", "to do" and "tasks" the
to-do list, unless a list of exactly that name exists (a ``todo`` device called "Grocery List" is
its own list). No list named at all means the shopping list.

Items are compared without regard to case, spacing, stray punctuation or a plural ending
("Apples" is "apple"); adding an item that is already on the list (and not checked off) adds
nothing. Checked-off items are kept, with their time, but no longer read back.

Settings, ``[plugins.settings.lists]``:
- ``create_lists`` (bool, default true): whether adding to an unknown list creates it.

Every reply's ``data`` holds ``list`` (the list's name) and ``items`` (its open items: ``id``,
``item``, ``created_at``, ``completed_at``), plus ``item`` for the item just changed.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any, Dict, List, Optional

from astros.plugins.base import BasePlugin, plugin_handler
from astros.types import Intent, Response

from .naming import (
    ALIASES,
    SHOPPING_LIST,
    TODO_LIST,
    clean_item,
    display_list_name,
    item_key,
    join_items,
    list_key,
    spoken_list_name,
)

_LOGGER = logging.getLogger(__name__)
MAX_ITEM_LENGTH = 200  # characters


class ListsPlugin(BasePlugin):
    """Shopping and to-do lists: add, check off, remove and read back items."""

    name = "lists"
    version = "1.0.0"
    description = "Shopping and to-do lists: add, check off, remove and read back items"
    author = "AstrOS"
    requires_permissions = ["lists"]

    migrations = (
        """CREATE TABLE lists (
            key TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL)""",
        """CREATE TABLE list_items (
            id TEXT PRIMARY KEY, list_key TEXT NOT NULL, item TEXT NOT NULL, item_key TEXT NOT NULL,
            created_at TEXT NOT NULL, completed_at TEXT)""",
        "CREATE INDEX list_items_by_list ON list_items (list_key, item_key)",
    )

    def __init__(self) -> None:
        super().__init__()
        self._lock = asyncio.Lock()
        self.create_lists = True

    async def initialize(self) -> None:
        settings = self.config or {}
        create = settings.get("create_lists", True)
        if not isinstance(create, bool):
            raise ValueError(f"plugins.settings.lists.create_lists must be true or false; got {create!r}")
        self.create_lists = create

    async def shutdown(self) -> None:
        """Nothing to release: every change is already in the database."""

    # -- handlers --------------------------------------------------------------------------------

    @plugin_handler("HassListAddItem")
    async def add_item(self, intent: Intent) -> Response:
        """Add ``item`` to the list ``name`` (created if new)."""
        return await self._add(intent.entities.get("name"), intent.entities.get("item"))

    @plugin_handler("HassShoppingListAddItem")
    async def add_shopping_item(self, intent: Intent) -> Response:
        """Add ``item`` to the shopping list (or to ``name``, should the recognizer give one)."""
        return await self._add(intent.entities.get("name") or SHOPPING_LIST, intent.entities.get("item"))

    @plugin_handler("HassListCompleteItem")
    async def complete_item(self, intent: Intent) -> Response:
        """Check ``item`` off the list ``name``."""
        return await self._complete(intent.entities.get("name"), intent.entities.get("item"))

    @plugin_handler("HassShoppingListCompleteItem")
    async def complete_shopping_item(self, intent: Intent) -> Response:
        """Check ``item`` off the shopping list (or off ``name``, should the recognizer give one)."""
        return await self._complete(intent.entities.get("name") or SHOPPING_LIST, intent.entities.get("item"))

    @plugin_handler("HassListRemoveItem")
    async def remove_item(self, intent: Intent) -> Response:
        """Take ``item`` off the list ``name`` altogether."""
        return await self._remove(intent.entities.get("name"), intent.entities.get("item"))

    @plugin_handler("HassListGetItems")
    async def get_items(self, intent: Intent) -> Response:
        """Read back the open items of the list ``name``."""
        list_name = await self.resolve_list(intent.entities.get("name"))
        if list_name is None:
            return self._unknown_list(intent.entities.get("name"))
        items = await self.open_items(list_name)
        spoken = spoken_list_name(list_name)
        if not items:
            message = f"Your {spoken} is empty."
        else:
            message = f"Your {spoken} has {join_items([row['item'] for row in items])}."
        return Response(True, message, data=self._data(list_name, items))

    # -- the work behind the handlers ------------------------------------------------------------

    async def _add(self, name: Any, raw_item: Any) -> Response:
        list_name = await self.resolve_list(name, create=self.create_lists)
        if list_name is None:
            return self._unknown_list(name)
        item, problem = self._read_item(raw_item, f"What should I add to your {spoken_list_name(list_name)}?")
        if problem:
            return problem
        spoken = spoken_list_name(list_name)
        async with self._lock:
            await self._ensure_list(list_name)
            existing = await self._find(list_name, item, completed=False)
            if existing:
                items = await self.open_items(list_name)
                data = self._data(list_name, items, existing[0])
                return Response(True, f"You already have {existing[0]['item']} on your {spoken}.", data=data)
            row = await self._insert(list_name, item)
        items = await self.open_items(list_name)
        return Response(True, f"Added {item} to your {spoken}.", data=self._data(list_name, items, row))

    async def _complete(self, name: Any, raw_item: Any) -> Response:
        list_name = await self.resolve_list(name)
        if list_name is None:
            return self._unknown_list(name)
        item, problem = self._read_item(raw_item, "What should I check off?")
        if problem:
            return problem
        async with self._lock:
            found = await self._find(list_name, item, completed=False)
            if found:
                row = {**found[0], "completed_at": self._now()}
                await self.context.database.update("list_items", row["id"], {"completed_at": row["completed_at"]})
        items = await self.open_items(list_name)
        if found:
            return Response(True, f"Checked off {row['item']}.", data=self._data(list_name, items, row))
        done = await self._find(list_name, item, completed=True)
        if done:
            message = f"You already checked off {done[0]['item']}."
            return Response(True, message, data=self._data(list_name, items, done[0]))
        return self._not_on_list(list_name, item, items)

    async def _remove(self, name: Any, raw_item: Any) -> Response:
        list_name = await self.resolve_list(name)
        if list_name is None:
            return self._unknown_list(name)
        item, problem = self._read_item(raw_item, "What should I remove?")
        if problem:
            return problem
        async with self._lock:
            found = await self._find(list_name, item, completed=None)
            for row in found:
                await self.context.database.delete("list_items", row["id"])
        items = await self.open_items(list_name)
        if not found:
            return self._not_on_list(list_name, item, items)
        message = f"Removed {found[0]['item']} from your {spoken_list_name(list_name)}."
        return Response(True, message, data=self._data(list_name, items, found[0]))

    # -- lists -----------------------------------------------------------------------------------

    async def resolve_list(self, name: Any, create: bool = False) -> Optional[str]:
        """The canonical name of the list called ``name``; None if there is none (and not ``create``)."""
        spoken = " ".join(str(name).split()) if name else ""
        key = list_key(spoken)
        if not key:
            return SHOPPING_LIST
        known = await self.known_lists()
        if key in known:
            return known[key]
        if key in ALIASES:
            return ALIASES[key]
        return display_list_name(spoken) if create else None

    async def known_lists(self) -> Dict[str, str]:
        """Every list there is, by key: the built-in ones, ``todo`` devices, and lists people made."""
        known = {list_key(SHOPPING_LIST): SHOPPING_LIST, list_key(TODO_LIST): TODO_LIST}
        for row in await self.context.database.execute_query("SELECT key, name FROM lists"):
            known.setdefault(row["key"], row["name"])
        for device in self.context.home.devices_in(domain="todo"):
            for spoken in (device.name, *device.aliases):
                known.setdefault(list_key(spoken), device.name)
        return known

    async def list_names(self) -> List[str]:
        """The names of every list, sorted (for the phone app and the ``plugins`` command)."""
        return sorted(set((await self.known_lists()).values()))

    async def open_items(self, list_name: str) -> List[Dict[str, Any]]:
        """The items of ``list_name`` not yet checked off, oldest first."""
        return await self.context.database.execute_query(
            "SELECT id, item, created_at, completed_at FROM list_items "
            "WHERE list_key = :key AND completed_at IS NULL ORDER BY created_at, rowid",
            {"key": list_key(list_name)},
        )

    async def _ensure_list(self, list_name: str) -> None:
        await self.context.database.execute(
            "INSERT OR IGNORE INTO lists (key, name, created_at) VALUES (:key, :name, :now)",
            {"key": list_key(list_name), "name": list_name, "now": self._now()},
        )

    # -- items -----------------------------------------------------------------------------------

    async def _find(self, list_name: str, item: str, completed: Optional[bool]) -> List[Dict[str, Any]]:
        """Rows of ``item`` on ``list_name``: open ones, checked-off ones (newest first) or all (None)."""
        state = {True: "AND completed_at IS NOT NULL", False: "AND completed_at IS NULL", None: ""}[completed]
        return await self.context.database.execute_query(
            "SELECT id, item, created_at, completed_at FROM list_items "
            f"WHERE list_key = :key AND item_key = :item {state} ORDER BY completed_at DESC, created_at, rowid",
            {"key": list_key(list_name), "item": item_key(item)},
        )

    async def _insert(self, list_name: str, item: str) -> Dict[str, Any]:
        row = {
            "id": uuid.uuid4().hex,
            "list_key": list_key(list_name),
            "item": item,
            "item_key": item_key(item),
            "created_at": self._now(),
            "completed_at": None,
        }
        await self.context.database.insert("list_items", row)
        _LOGGER.info("Added %r to %s", item, list_name)
        return {k: row[k] for k in ("id", "item", "created_at", "completed_at")}

    @staticmethod
    def _read_item(raw: Any, question: str) -> tuple[str, Optional[Response]]:
        """The cleaned item text, or a reply saying what is wrong with it."""
        item = clean_item(raw) if raw is not None else ""
        if not item_key(item):
            return "", Response(False, question)
        if len(item) > MAX_ITEM_LENGTH:
            return "", Response(False, f"That item is too long; keep it under {MAX_ITEM_LENGTH} characters.")
        return item, None

    # -- replies ---------------------------------------------------------------------------------

    def _unknown_list(self, name: Any) -> Response:
        spoken = " ".join(str(name).split())
        return Response(False, f"You don't have a list called {spoken}.", data={"list": None, "items": []})

    def _not_on_list(self, list_name: str, item: str, items: List[Dict[str, Any]]) -> Response:
        message = f"I couldn't find {item} on your {spoken_list_name(list_name)}."
        return Response(False, message, data=self._data(list_name, items))

    @staticmethod
    def _data(list_name: str, items: List[Dict[str, Any]], item: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        data: Dict[str, Any] = {"list": list_name, "items": [dict(row) for row in items]}
        if item is not None:
            data["item"] = dict(item)
        return data

    def _now(self) -> str:
        return self.context.now().isoformat(timespec="seconds")
