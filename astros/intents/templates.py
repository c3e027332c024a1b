"""The exact layer: plugins' hassil sentence templates, with slot lists taken from the home.

Each plugin ships ``sentences/en.yaml`` in hassil's syntax; this module merges them with the shared
rules in ``astros/intents/sentences/_common.yaml``, fills the slot lists from the configured home
(device, area and floor names with their aliases), matches a sentence and picks the best parse.
It also draws random example sentences from the templates for the tolerant layer.
"""

from __future__ import annotations

import logging
import random
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from hassil import Intents, recognize_all
from hassil.expression import (
    Alternative,
    Expression,
    Group,
    ListReference,
    Permutation,
    RuleReference,
    Sentence,
    TextChunk,
)
from hassil.intents import RangeSlotList, SlotList, TextSlotList, WildcardSlotList
from hassil.models import MatchEntity
from hassil.recognize import RecognizeResult
from hassil.util import merge_dict

from ..errors import ConfigError
from ..home import Home

if TYPE_CHECKING:
    from .grammar import CommandGrammar

_LOGGER = logging.getLogger(__name__)

COMMON_SENTENCES = Path(__file__).parent / "sentences"

# Name lists restricted to one device domain: list name -> domains.
DOMAIN_NAME_LISTS: dict[str, tuple[str, ...]] = {
    "device_name": (
        "light", "switch", "fan", "cover", "lock", "media_player", "climate", "vacuum", "valve",
        "scene", "script",
    ),
    "light_name": ("light",),
    "cover_name": ("cover", "valve"),
    "script_name": ("script",),
    "scene_name": ("scene",),
    "valve_name": ("valve",),
    "vacuum_name": ("vacuum",),
    "media_name": ("media_player",),
    "climate_name": ("climate",),
    "weather_name": ("weather",),
    "person_name": ("person",),
    "list_name": ("todo",),
}
# Domains whose devices are not things to switch, so {name} leaves them out.
_NOT_SWITCHABLE = {"todo", "weather", "person"}


@dataclass
class TemplateMatch:
    """One template parse: the intent, its raw slot values and how literal the match was."""

    intent: str
    slots: dict[str, Any]
    slot_texts: dict[str, str]
    metadata: dict[str, Any] = field(default_factory=dict)
    wildcards: tuple[str, ...] = ()
    open_ended: bool = False
    """Free text (a wildcard) runs to the end of the sentence, so the speaker may not be done with it
    ("remember that the code is ..."); "add apples to my shopping list" is closed."""


def _name_list(name: str, pairs: Iterable[tuple[str, str]]) -> TextSlotList:
    unique = sorted({(spoken, canonical) for spoken, canonical in pairs if spoken.strip()})
    return TextSlotList.from_tuples(unique, name=name) if unique else TextSlotList(name=name, values=[])


def number_variant(name: str) -> str | None:
    """``name`` with its last word in the other grammatical number ("Standing Light" -> "Standing
    Lights", "Office lights" -> "Office light"), or None when the last word is not a plain word.
    People say a device's name either way, and speech to text hears the plural "s" unreliably."""
    words = name.split()
    last = words[-1] if words else ""
    if len(last) < 3 or not last.isalpha():
        return None
    if last.lower().endswith("ss"):
        return None
    if last.lower().endswith("s"):
        other = last[:-2] if last.lower().endswith(("ches", "shes", "xes")) else last[:-1]
    else:
        other = last + ("es" if last.lower().endswith(("ch", "sh", "x")) else "s")
    return " ".join([*words[:-1], other])


def _device_names(home: Home, domains: Iterable[str] | None, leave_out: Iterable[str] = (),
                  variants: bool = True) -> Iterator[tuple[str, str]]:
    """(spoken, canonical) for the home's devices of ``domains`` (None: every domain but
    ``leave_out``): names, aliases, and each in the other number when no other name of the home
    (device, area or floor) is said that way."""
    named = (*home.devices, *home.areas, *home.floors)
    taken = {text.lower() for item in named for text in (item.name, *item.aliases)}
    for device in home.devices:
        if (domains is not None and device.domain not in domains) or device.domain in leave_out:
            continue
        for text in (device.name, *device.aliases):
            yield text, device.name
            other = number_variant(text) if variants else None
            if other is not None and other.lower() not in taken:
                yield other, device.name


def home_slot_lists(home: Home, variants: bool = True) -> dict[str, SlotList]:
    """The slot lists that come from the home: {name}, {area}, {floor} and per-domain names
    (with ``variants``, device names also in the other number, see :func:`number_variant`)."""
    def spoken(items: Iterable[Any]) -> Iterator[tuple[str, str]]:
        for item in items:
            for text in (item.name, *item.aliases):
                yield text, item.name

    lists: dict[str, SlotList] = {
        "name": _name_list("name", _device_names(home, None, _NOT_SWITCHABLE, variants)),
        "area": _name_list("area", spoken(home.areas)),
        "floor": _name_list("floor", spoken(home.floors)),
    }
    for list_name, domains in DOMAIN_NAME_LISTS.items():
        lists[list_name] = _name_list(list_name, _device_names(home, domains, variants=variants))
    return lists


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
    except (OSError, yaml.YAMLError) as err:
        raise ConfigError(f"{path}: cannot read sentence templates: {err}", "sentences-invalid") from err
    if not isinstance(data, dict) or not isinstance(data.get("intents", {}), dict):
        raise ConfigError(f"{path}: sentence templates need an 'intents' mapping", "sentences-invalid")
    return data


def _score(result: RecognizeResult) -> tuple:
    """Sort key, lowest first: named device first, then fewer/shorter wildcards, more literal text."""
    wildcards = [e for e in result.entities_list if e.is_wildcard]
    named = any(e.name == "name" and not e.is_wildcard for e in result.entities_list)
    listed = sum(len(e.text) for e in result.entities_list if not e.is_wildcard)
    return (
        not named,
        len(wildcards),
        sum(len(e.text or "") for e in wildcards),
        -(result.text_chunks_matched + listed),
        result.intent.name,
    )


def _runs_to_end(entity: MatchEntity, text: str) -> bool:
    """True when the wildcard ``entity`` takes the last words of ``text`` (or its place is unknown)."""
    if entity.text_span is None:
        return True
    return re.search(r"\w", text[entity.text_span[1]:]) is None


class TemplateMatcher:
    """Matches text against the merged sentence templates of every plugin."""

    def __init__(self, home: Home) -> None:
        self.home = home
        self._documents: list[dict[str, Any]] = []
        self._intents: Intents | None = None
        self._slot_lists: dict[str, SlotList] = {}
        self._sample_lists: dict[str, SlotList] = {}
        self._grammar: tuple[Intents, Any] | None = None
        self._grammar_lock = threading.Lock()

    def add_files(self, paths: Iterable[Path]) -> None:
        """Queue hassil YAML files; they take effect at the next ``build``."""
        for path in paths:
            self._documents.append(_load_yaml(Path(path)))

    def add_sentences(self, intent_type: str, sentences: list[str]) -> None:
        """Queue extra templates for one intent type."""
        self._documents.append({"language": "en", "intents": {intent_type: {"data": [{"sentences": sentences}]}}})

    def build(self) -> None:
        """Merge the shared rules and every queued file into one hassil ``Intents``."""
        merged: dict[str, Any] = {}
        for path in sorted(COMMON_SENTENCES.glob("*.yaml")):
            merge_dict(merged, _load_yaml(path))
        for document in self._documents:
            merge_dict(merged, document)
        try:
            self._intents = Intents.from_dict(merged)
            for intent in self._intents.intents.values():
                for data in intent.data:
                    data.sentences  # hassil parses templates lazily: surface errors now
        except Exception as err:  # hassil raises assorted errors for bad templates
            raise ConfigError(f"sentence templates are invalid: {err}", "sentences-invalid") from err
        self._slot_lists = home_slot_lists(self.home)
        self._sample_lists = home_slot_lists(self.home, variants=False)  # examples use the names as configured
        _LOGGER.debug("Loaded templates for %d intents", len(self._intents.intents))

    @property
    def intent_types(self) -> list[str]:
        """Every intent type that has templates."""
        return sorted(self._intents.intents) if self._intents else []

    def match(self, text: str) -> TemplateMatch | None:
        """The best parse of ``text``, or None when no template matches."""
        if self._intents is None:
            raise RuntimeError("TemplateMatcher.build() has not been called")
        results = list(recognize_all(text, self._intents, slot_lists=self._slot_lists, language="en"))
        if not results:
            return None
        best = min(results, key=_score)
        return TemplateMatch(
            intent=best.intent.name,
            slots={name: entity.value for name, entity in best.entities.items()},
            slot_texts={name: entity.text_clean for name, entity in best.entities.items()},
            metadata=dict(best.intent_metadata or {}),
            wildcards=tuple(e.name for e in best.entities_list if e.is_wildcard),
            open_ended=any(_runs_to_end(entity, text) for entity in best.entities_list if entity.is_wildcard),
        )

    def grammar(self) -> "CommandGrammar":
        """The closed grammar of these templates with the home's names (made once per build)."""
        if self._intents is None:
            raise RuntimeError("TemplateMatcher.build() has not been called")
        with self._grammar_lock:  # built once, even when a command asks while the pipeline builds it
            if self._grammar is None or self._grammar[0] is not self._intents:
                from .grammar import CommandGrammar

                self._grammar = (self._intents, CommandGrammar(self._intents, self._slot_lists))
            return self._grammar[1]

    def samples(self, per_intent: int, seed: int = 7) -> list[tuple[str, str]]:
        """Random example sentences, ``per_intent`` per intent type (wildcards filled with stand-ins)."""
        if self._intents is None:
            raise RuntimeError("TemplateMatcher.build() has not been called")
        sampler = _Sampler(self._intents, self._sample_lists, random.Random(seed))
        examples: list[tuple[str, str]] = []
        for intent in self._intents.intents.values():
            sentences = [(data, s) for data in intent.data for s in data.sentences]
            if not sentences:
                continue
            seen: set[str] = set()
            for _ in range(per_intent * 3):
                data, sentence = sampler.rng.choice(sentences)
                text = sampler.sentence(sentence, data.expansion_rules, data.slot_lists)
                if text and text not in seen:
                    seen.add(text)
                    examples.append((intent.name, text))
                if len(seen) >= per_intent:
                    break
        return examples


_WILDCARD_FILLERS = {
    "search_query": ["some jazz", "the beatles", "my workout playlist", "the news podcast"],
    "item": ["milk", "eggs", "call the plumber"],
    "timer_name": ["pizza", "pasta", "laundry"],
    "message": ["dinner is ready", "we are leaving soon"],
    "location": ["paris", "new york"],
    "alarm_time": ["seven", "6:30 am", "half past eight"],
    "alarm_label": ["work", "gym"],
    "sensor_property": ["power", "level", "humidity"],
    "search_artist": ["queen"],
    "conversation_command": ["turn off the lights"],
}


class _Sampler:
    """Draws one random sentence from a hassil template."""

    def __init__(self, intents: Intents, slot_lists: dict[str, SlotList], rng: random.Random) -> None:
        self.intents = intents
        self.lists = {**intents.slot_lists, **slot_lists}
        self.rng = rng

    def sentence(self, sentence: Sentence, rules: dict, lists: dict) -> str:
        words = self._walk(sentence.expression, {**self.intents.expansion_rules, **rules}, {**self.lists, **lists}, 0)
        return " ".join("".join(words).split())

    def _walk(self, exp: Expression, rules: dict, lists: dict, depth: int) -> list[str]:
        if depth > 30:
            return []
        if isinstance(exp, TextChunk):
            return [exp.original_text or exp.text]
        if isinstance(exp, Alternative):
            items = list(exp.items)
            if exp.is_optional and self.rng.random() < 0.5:
                return []
            return self._walk(self.rng.choice(items), rules, lists, depth + 1) if items else []
        if isinstance(exp, Permutation):
            items = list(exp.items)
            self.rng.shuffle(items)
            return [w for item in items for w in self._walk(item, rules, lists, depth + 1) + [" "]]
        if isinstance(exp, Group):
            return [w for item in exp.items for w in self._walk(item, rules, lists, depth + 1)]
        if isinstance(exp, RuleReference):
            rule = rules.get(exp.rule_name)
            return self._walk(rule.expression, rules, lists, depth + 1) if rule else []
        if isinstance(exp, ListReference):
            return [self._list_value(exp.list_name, lists)]
        return []

    def _list_value(self, list_name: str, lists: dict) -> str:
        slot_list = lists.get(list_name)
        if isinstance(slot_list, TextSlotList) and slot_list.values:
            value = self.rng.choice(slot_list.values)
            return " ".join(self._walk(value.text_in, {**self.intents.expansion_rules}, lists, 1))
        if isinstance(slot_list, RangeSlotList):
            return str(self.rng.randrange(max(slot_list.start, 1), slot_list.stop + 1, slot_list.step))
        if isinstance(slot_list, WildcardSlotList) or slot_list is None:
            return self.rng.choice(_WILDCARD_FILLERS.get(list_name, ["something"]))
        return ""
