"""How list names and list items are compared and spoken.

A list is known by a *key*: its name in lower case, without punctuation or a trailing "list"
("Shopping List", "shopping" and "my shopping list" share the key ``shopping``). An item is known by
its own key: lower case, single spaces, and its last word cut to the stem its singular and
plural share, so "Apples" and "apple", "tomatoes" and "tomato" are the same item.
"""

from __future__ import annotations

import re
from typing import Final

from astros.home import normalize_name

SHOPPING_LIST: Final = "Shopping List"
TODO_LIST: Final = "To-do List"

BUILT_IN_SPOKEN: Final = {SHOPPING_LIST: "shopping list", TODO_LIST: "to-do list"}
"""How the two built-in lists are said in replies."""

ALIASES: Final = {
    "shopping": SHOPPING_LIST,
    "grocery": SHOPPING_LIST,
    "groceries": SHOPPING_LIST,
    "grocery shopping": SHOPPING_LIST,
    "todo": TODO_LIST,
    "to do": TODO_LIST,
    "todos": TODO_LIST,
    "to dos": TODO_LIST,
    "task": TODO_LIST,
    "tasks": TODO_LIST,
}
"""Words that mean a built-in list unless a list of exactly that name exists."""

_LEADING = re.compile(r"^(?:my|the|our|a)\s+")
_TRAILING_LIST = re.compile(r"\s+list$|^list$")
_ITEM_PUNCTUATION = re.compile(r"^[\s\"'.,;:!?]+|[\s\"'.,;:!?]+$")
_SINGULAR_KEEP = ("ss", "us", "is")


def list_key(name: str) -> str:
    """The key a list name is compared by: "My Shopping-List" -> "shopping"."""
    key = normalize_name(name.replace("-", " "))
    key = _LEADING.sub("", key)
    return _TRAILING_LIST.sub("", key).strip()


def display_list_name(name: str) -> str:
    """A new list's stored name, as the person said it, tidied: "trader joe's" -> "Trader Joe's"."""
    words = " ".join(name.split())
    if list_key(words) == "":
        return words
    return words if any(ch.isupper() for ch in words) else words.title()


def spoken_list_name(name: str) -> str:
    """How a list is called in a reply: "shopping list", "Chores list", "Trader Joes list"."""
    if name in BUILT_IN_SPOKEN:
        return BUILT_IN_SPOKEN[name]
    return name if name.lower().endswith("list") else f"{name} list"


def clean_item(text: str) -> str:
    """An item as it is stored and spoken: trimmed, single-spaced, without stray punctuation."""
    return _ITEM_PUNCTUATION.sub("", " ".join(str(text).split()))


def item_key(text: str) -> str:
    """The key an item is compared by: lower case, its last word stemmed ("Red Apples" -> "red appl")."""
    words = normalize_name(text).split()
    if not words:
        return ""
    return " ".join([*words[:-1], singular(words[-1])])


def singular(word: str) -> str:
    """A stem of ``word`` that its singular and plural share: "apples"/"apple" -> "appl"."""
    if len(word) > 3 and not word.endswith(_SINGULAR_KEEP):
        if word.endswith("ies"):
            word = word[:-3] + "y"
        elif word.endswith(("sses", "shes", "ches", "xes", "zes")):
            word = word[:-2]
        elif word.endswith("s"):
            word = word[:-1]
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def join_items(items: list[str]) -> str:
    """Items as a spoken list: "apples, milk and bread"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
