"""The plugins' handlers as tools a language model may call (function calling).

One tool per intent a loaded plugin handles, named after the intent (``HassTurnOn``). Its JSON
schema is derived, for any plugin, from two things: the slots its sentence templates fill
(``{list}`` / ``{list:slot}`` references, followed through ``<rules>``, and fixed ``slots:``),
and AstrOS's slot vocabulary below, which says what each slot holds (a device name, a percentage,
a clock time ...). Areas and floors are offered as the home's own names. A tool call becomes an
:class:`~astros.types.Intent` with those slots, dispatched like any spoken request.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Set

import yaml

from ..config import DEVICE_DOMAINS
from ..home import Home
from ..intents.vocabulary import AREA_INTENTS, QUERY_INTENTS
from ..plugins.base import BasePlugin
from .types import Tool

_LOGGER = logging.getLogger(__name__)
COMMON_RULES = Path(__file__).resolve().parent.parent / "intents" / "sentences" / "_common.yaml"
_LIST_REF = re.compile(r"\{(\w+)(?::(\w+))?\}")
_RULE_REF = re.compile(r"<(\w+)>")
SKIPPED_INTENTS = frozenset({"HassNevermind"})

_STRING = {"type": "string"}
_PERCENT = {"type": "integer", "minimum": 0, "maximum": 100}
_COUNT = {"type": "integer", "minimum": 0}
VOCABULARY: Dict[str, tuple[Dict[str, Any], str]] = {
    "name": (_STRING, "the device, list, timer or place by its name"),
    "area": (_STRING, "an area (room) of the home"),
    "floor": (_STRING, "a floor of the home"),
    "domain": ({"type": "string", "enum": sorted(DEVICE_DOMAINS)}, "the kind of device"),
    "device_class": (_STRING, "the kind of cover or sensor: curtain, blind, garage_door, window, door ..."),
    "brightness": (_PERCENT, "brightness in percent"),
    "position": (_PERCENT, "open position in percent (0 closed, 100 open)"),
    "volume_level": (_PERCENT, "volume in percent"),
    "volume_step": ({"type": ["string", "integer"]}, "\"up\", \"down\" or a signed step in percent"),
    "temperature": ({"type": "number"}, "temperature in degrees"),
    "color": (_STRING, "a colour name such as red or warm white"),
    "hours": (_COUNT, "hours (of a new timer, or to add or remove)"),
    "minutes": (_COUNT, "minutes (of a new timer, or to add or remove)"),
    "seconds": (_COUNT, "seconds (of a new timer, or to add or remove)"),
    "start_hours": (_COUNT, "hours of the timer meant, as it was set"),
    "start_minutes": (_COUNT, "minutes of the timer meant, as it was set"),
    "start_seconds": (_COUNT, "seconds of the timer meant, as it was set"),
    "item": (_STRING, "the list item"),
    "search_query": (_STRING, "what to search for or play"),
    "message": (_STRING, "the message text"),
    "state": (_STRING, "a state such as on, off, open, closed, locked"),
    "time": ({"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"}, "clock time, 24-hour HH:MM"),
    "date": ({"type": "string", "format": "date"}, "date, YYYY-MM-DD"),
    "media_class": (_STRING, "what kind of media: music, podcast, radio ..."),
    "conversation_command": (_STRING, "a command to carry out when a timer finishes"),
}
# Template lists whose values the recognizer turns into vocabulary slots.
RAW_SLOTS: Dict[str, str] = {
    "domain_noun": "domain", "cover_class": "device_class", "detected_class": "device_class",
    "alarm_time": "time", "alarm_date": "date", "alarm_label": "name", "timer_name": "name",
    "location": "name", "brightness_level": "brightness", "volume_step_amount": "volume_step",
}


class TemplateSlots:
    """Which vocabulary slots each intent's templates fill, read from hassil YAML files."""

    def __init__(self, files: Iterable[Path]) -> None:
        self.rules: Dict[str, str] = {}
        self.slots: Dict[str, Set[str]] = {}
        self.fixed: Dict[str, Dict[str, Set[Any]]] = {}
        for path in [COMMON_RULES, *files]:
            self._read(path)

    def _read(self, path: Path) -> None:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as err:
            _LOGGER.warning("Cannot read sentence templates %s for tools: %s", path, err)
            return
        self.rules.update({k: str(v) for k, v in (data.get("expansion_rules") or {}).items()})
        for intent, body in (data.get("intents") or {}).items():
            for block in (body or {}).get("data") or []:
                texts = self.slots.setdefault(intent, set())
                texts.update(block.get("sentences") or [])
                for key, value in (block.get("slots") or {}).items():
                    if value is not None:
                        self.fixed.setdefault(intent, {}).setdefault(key, set()).add(value)

    def slots_of(self, intent: str) -> Set[str]:
        """The vocabulary slots ``intent`` takes."""
        found: Set[str] = set(self.fixed.get(intent, {}))
        for sentence in self.slots.get(intent, ()):
            found |= self._lists(str(sentence), set())
        names = {RAW_SLOTS.get(name, name) for name in found}
        if intent in AREA_INTENTS:
            names |= {"name", "area", "floor"}
        return {name for name in names if name in VOCABULARY}

    def _lists(self, text: str, seen: Set[str]) -> Set[str]:
        names = {slot or name for name, slot in _LIST_REF.findall(text)}
        for rule in _RULE_REF.findall(text):
            if rule not in seen and rule in self.rules:
                seen.add(rule)
                names |= self._lists(self.rules[rule], seen)
        return names


def build_tools(plugins: Iterable[BasePlugin], home: Home) -> List[Tool]:
    """One tool per intent the loaded plugins handle."""
    plugins = list(plugins)
    templates = TemplateSlots(path for plugin in plugins for path in plugin.sentence_files())
    tools: Dict[str, Tool] = {}
    for plugin in plugins:
        for handler in plugin.all_handlers():
            intent = handler.intent_type
            if intent in tools or intent in SKIPPED_INTENTS or intent not in templates.slots:
                continue  # internal intents (reached through call_plugin only) are no tools
            doc = (handler.func.__doc__ or plugin.description or intent).strip().splitlines()[0].replace("``", "")
            kind = "Only reads or answers." if intent in QUERY_INTENTS else "Changes something."
            schema = _schema(templates.slots_of(intent), templates.fixed.get(intent, {}), home)
            tools[intent] = Tool(intent, f"{doc} {kind} (skill: {plugin.name})", schema)
    return list(tools.values())


def _schema(slots: Set[str], fixed: Dict[str, Set[Any]], home: Home) -> Dict[str, Any]:
    properties: Dict[str, Any] = {}
    for slot in sorted(slots):
        schema, description = VOCABULARY[slot]
        prop = dict(schema, description=description)
        choices = _choices(slot, fixed, home)
        if choices:
            prop["enum"] = choices
        properties[slot] = prop
    return {"type": "object", "properties": properties, "additionalProperties": False}


def _choices(slot: str, fixed: Dict[str, Set[Any]], home: Home) -> Optional[List[str]]:
    if slot == "area" and home.areas:
        return [area.name for area in home.areas]
    if slot == "floor" and home.floors:
        return [floor.name for floor in home.floors]
    return None


def tool_entities(arguments: Dict[str, Any], tool: Optional[Tool], home: Home) -> Dict[str, Any]:
    """A tool call's arguments as intent slots: known slots only, typed and with canonical names."""
    allowed = (tool.parameters.get("properties") or {}) if tool else {}
    entities: Dict[str, Any] = {}
    for key, value in arguments.items():
        if key not in allowed or value is None or value == "":
            continue
        entities[key] = _typed(allowed[key], value)
    for key, finder in (("area", home.find_area), ("floor", home.find_floor), ("name", home.find_device)):
        if isinstance(entities.get(key), str):
            found = finder(entities[key])
            entities[key] = found.name if found is not None else entities[key]
    return entities


def _typed(schema: Dict[str, Any], value: Any) -> Any:
    kind = schema.get("type")
    try:
        if kind == "integer" and not isinstance(value, bool):
            return int(round(float(value)))
        if kind == "number" and not isinstance(value, bool):
            return float(value)
    except (TypeError, ValueError):
        return value
    if kind == "string" and not isinstance(value, str):
        return str(value)
    return value
