"""Which devices a request means, from its slots: name, area, floor, domain and device_class.

Rules, in order:
1. A ``name`` picks that one device ("all" or "everything" as a name means no name).
2. Otherwise ``area`` or ``floor`` plus ``domain`` (and ``device_class``) pick every matching
   device there; with no kind named, an area means the kinds the intent acts on by default
   ("turn off the kitchen" = its lights, switches and fans).
3. No area and no floor means the whole home: "turn off all the lights" switches every light
   (the recognizer adds the requesting area when the person said "the lights" without "all").
4. When the area only came from where the request was made (``context_area``) and nothing of
   that kind is there, the one such device in the home is meant ("open the garage door" from the
   kitchen); if the home has several, nothing is guessed.
Nothing matching gives a sentence saying so ("There are no lights in the Garage.").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Collection, Dict, List, Optional, Tuple, Union

from astros.config import DeviceConfig
from astros.home import Home, normalize_name

from .devices import noun, the

_ANY_NAME = frozenset({"all", "everything", "every", "all of them"})
_CLASS_SYNONYMS = {"garage": "garage_door", "blind": "blind", "curtains": "curtain", "shades": "shade"}


@dataclass(frozen=True)
class Target:
    """The devices a request means, and how a reply names them."""

    devices: List[DeviceConfig]
    label: str
    """"the Bedroom Lamp", "the kitchen lights", "all the lights", "everything in the kitchen"."""
    where: str = ""
    """" in the Kitchen", " on the First Floor" or "" (the whole home)."""
    kind: str = "devices"
    """The plural noun for the group: "lights", "curtains"."""
    single: bool = False
    """True when a name picked one device."""


def resolve(
    home: Home, entities: Dict[str, Any], domains: Collection[str], default: Optional[Collection[str]] = None
) -> Union[Target, str]:
    """The devices ``entities`` mean among ``domains``, or a sentence saying why there are none.

    Args:
        home: the configured home.
        entities: the intent's slots.
        domains: the kinds of device the intent can act on at all.
        default: the kinds meant when no domain is given (``domains`` if None).
    """
    name = entities.get("name")
    if isinstance(name, str) and name.strip() and normalize_name(name) not in _ANY_NAME:
        device = home.find_device(name)
        if device is None:
            return f"I don't know a device called {name}."
        return Target([device], the(device), kind=noun(device.domain), single=True)
    return _group(home, entities, domains, default)


def _group(
    home: Home, entities: Dict[str, Any], domains: Collection[str], default: Optional[Collection[str]]
) -> Union[Target, str]:
    place = _place(home, entities)
    if isinstance(place, str):
        return place
    area, floor = place
    domain, device_class = entities.get("domain"), _device_class(entities.get("device_class"))
    if domain:
        kinds = {domain} & set(domains)
        if not kinds:
            return f"I can't do that with {noun(domain, device_class)}."
    else:  # a device class alone ("the garage door") may be of any kind the intent acts on
        kinds = set(domains if device_class or default is None else default)
    named_kind = bool(domain or device_class or len(kinds) == 1)
    kind = noun(domain or next(iter(kinds)), device_class) if named_kind else "devices"
    found = _matching(home, kinds, device_class, area, floor)
    if not found and area and entities.get("context_area"):
        anywhere = _matching(home, kinds, device_class, None, None)
        if len(anywhere) == 1:
            return Target(anywhere, the(anywhere[0]), kind=kind, single=True)
    where = f" in the {area}" if area else f" on the {floor}" if floor else ""
    if not found:
        return f"There are no {kind}{where or ' in the home'}."
    label = the(found[0]) if len(found) == 1 and not where else _label(kind, area, floor, named_kind)
    return Target(found, label, where, kind)


def _place(home: Home, entities: Dict[str, Any]) -> Union[Tuple[Optional[str], Optional[str]], str]:
    """The canonical (area, floor) the slots name (an area wins over a floor), or why not."""
    area, floor = entities.get("area"), entities.get("floor")
    if isinstance(area, str) and area:
        found = home.find_area(area)
        return (found.name, None) if found else f"I don't know an area called {area}."
    if isinstance(floor, str) and floor:
        level = home.find_floor(floor)
        return (None, level.name) if level else f"I don't know a floor called {floor}."
    return None, None


def _device_class(value: Any) -> Optional[str]:
    if not isinstance(value, str) or not value:
        return None
    return _CLASS_SYNONYMS.get(value, value)


def _matching(
    home: Home, kinds: Collection[str], device_class: Optional[str], area: Optional[str], floor: Optional[str]
) -> List[DeviceConfig]:
    return [
        d
        for d in home.devices_in(area=area, floor=floor)
        if d.domain in kinds and (device_class is None or _device_class(d.device_class) == device_class)
    ]


def _label(kind: str, area: Optional[str], floor: Optional[str], named_kind: bool) -> str:
    if not named_kind:
        return f"everything in the {area.lower()}" if area else f"everything on the {floor}" if floor else "everything"
    if area:
        return f"the {area.lower()} {kind}"
    if floor:
        return f"the {kind} on the {floor}"
    return f"all the {kind}"
