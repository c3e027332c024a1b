"""What each kind of device can do, what a command leaves it in, and how its state is said.

States are stored as a dict: ``state`` (``"on"``/``"off"``, ``"open"``/``"closed"``,
``"locked"``/``"unlocked"``, ``"cleaning"``/``"docked"``, or absent when unknown) plus
attributes: ``brightness`` and ``position`` (percent), ``color`` (a colour name),
``target_temperature`` and ``current_temperature`` (degrees), ``value`` and ``unit`` (sensors),
``cleaning_area`` (vacuums).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Final, Optional

from astros.config import DeviceConfig

SWITCHABLE: Final = frozenset({"light", "switch", "fan", "media_player", "climate", "script", "scene"})
OPENABLE: Final = frozenset({"cover", "valve"})
CONTROLLABLE: Final = SWITCHABLE | OPENABLE | {"lock", "vacuum"}
AREA_DEFAULT: Final = frozenset({"light", "switch", "fan"})
"""What "turn off the kitchen" switches when no kind of device is named."""

_REST_STATE: Final = {
    "light": "off", "switch": "off", "fan": "off", "media_player": "off", "climate": "off",
    "script": "off", "cover": "closed", "valve": "closed", "vacuum": "docked",
}
_VERBS: Final = {  # domain -> (past tense of "on", of "off")
    "cover": ("Opened", "Closed"),
    "valve": ("Opened", "Closed"),
    "lock": ("Locked", "Unlocked"),
    "vacuum": ("Started", "Stopped"),
    "scene": ("Activated", "Deactivated"),
    "script": ("Started", "Stopped"),
}
_NOUNS: Final = {
    "light": "lights", "switch": "switches", "fan": "fans", "cover": "covers", "lock": "locks",
    "sensor": "sensors", "binary_sensor": "sensors", "media_player": "media players",
    "climate": "thermostats", "vacuum": "vacuums", "valve": "valves", "scene": "scenes",
    "script": "scripts", "person": "people",
}
_BINARY_WORDS: Final = {  # binary_sensor device_class -> (word for on, word for off)
    "door": ("open", "closed"), "window": ("open", "closed"), "garage_door": ("open", "closed"),
    "opening": ("open", "closed"), "moisture": ("wet", "dry"), "battery": ("low", "normal"),
    "connectivity": ("connected", "disconnected"), "motion": ("detecting motion", "clear"),
    "occupancy": ("occupied", "clear"), "presence": ("home", "away"), "lock": ("unlocked", "locked"),
    "carbon_monoxide": ("detecting carbon monoxide", "clear"), "gas": ("detecting gas", "clear"),
    "smoke": ("detecting smoke", "clear"), "sound": ("detecting sound", "clear"),
    "vibration": ("detecting vibration", "clear"), "light": ("detecting light", "dark"),
    "tamper": ("tampered with", "clear"), "problem": ("reporting a problem", "OK"), "heat": ("hot", "normal"),
    "cold": ("cold", "normal"), "running": ("running", "not running"), "plug": ("plugged in", "unplugged"),
    "power": ("powered", "without power"), "safety": ("unsafe", "safe"), "battery_charging": ("charging", "not charging"),
}
_THINGS: Final = frozenset({  # device classes that name a thing ("the garage doors"), not a measurement
    "curtain", "shade", "blind", "shutter", "awning", "gate", "garage_door", "door", "window", "damper",
    "outlet", "tv", "speaker", "receiver", "water", "gas",
})
_ASKED: Final = {  # spoken state -> stored state
    "opened": "open", "shut": "closed", "close": "closed", "lock": "locked", "unlock": "unlocked",
    "true": "on", "false": "off", "at home": "home", "not home": "away",
}
_UNITS: Final = {
    "temperature": "degrees", "humidity": "%", "battery": "%", "moisture": "%", "power": "W",
    "energy": "kWh", "voltage": "V", "current": "A", "illuminance": "lx", "pressure": "hPa",
    "atmospheric_pressure": "hPa", "carbon_dioxide": "ppm", "wind_speed": "km/h",
}


@dataclass(frozen=True)
class Command:
    """What to do to one device; fields left None are left as they are."""

    power: Optional[bool] = None
    """True: on, open, lock, start cleaning; False: off, close, unlock, back to the dock."""
    brightness: Optional[int] = None
    color: Optional[str] = None
    position: Optional[int] = None
    temperature: Optional[float] = None
    clean_area: Optional[str] = None


def rest_state(device: DeviceConfig) -> Dict[str, Any]:
    """The state a device AstrOS only keeps state for starts in (empty: not known)."""
    state = _REST_STATE.get(device.domain)
    return {"state": state} if state and not device.backend else {}


def power_state(domain: str, power: bool) -> Optional[str]:
    """The stored state ``power`` leaves a device of ``domain`` in (None for scenes)."""
    if domain in OPENABLE:
        return "open" if power else "closed"
    if domain == "lock":
        return "locked" if power else "unlocked"
    if domain == "vacuum":
        return "cleaning" if power else "docked"
    return None if domain == "scene" else ("on" if power else "off")


def resulting_state(device: DeviceConfig, command: Command) -> Dict[str, Any]:
    """The state fields ``command`` sets on ``device``."""
    changes: Dict[str, Any] = {}
    if command.power is not None:
        state = power_state(device.domain, command.power)
        if state is not None:
            changes["state"] = state
        if device.domain in OPENABLE:
            changes["position"] = 100 if command.power else 0
        if device.domain == "vacuum":
            changes["cleaning_area"] = None
    if command.color is not None:
        changes.update(state="on", color=command.color)
    if command.brightness is not None:
        changes.update(state="on" if command.brightness > 0 else "off", brightness=command.brightness)
    if command.position is not None:
        changes.update(state="open" if command.position > 0 else "closed", position=command.position)
    if command.temperature is not None:
        changes["target_temperature"] = command.temperature
    if command.clean_area is not None:
        changes.update(state="cleaning", cleaning_area=command.clean_area)
    return changes


def verb(domain: str, power: bool) -> str:
    """The past tense for switching a device of ``domain`` on (True) or off."""
    on, off = _VERBS.get(domain, ("Turned on", "Turned off"))
    return on if power else off


def noun(domain: Optional[str], device_class: Optional[str] = None) -> str:
    """The plural a person uses for devices of this kind: "lights", "curtains", "garage doors"."""
    kind = _NOUNS.get(domain or "", "devices")
    if device_class in _THINGS and domain not in ("sensor", "binary_sensor"):
        words = device_class.replace("_", " ")
        return words if words.endswith("s") else words + "s"
    if device_class:
        return f"{device_class.replace('_', ' ')} {kind}"
    return kind


def the(device: DeviceConfig) -> str:
    """The device's name as said in a sentence: "the Bedroom Lamp", but "Party Mode"."""
    if device.domain in {"scene", "script", "person"} or device.name.lower().startswith(("my ", "the ", "our ")):
        return device.name
    return f"the {device.name}"


def unit_for(device: DeviceConfig) -> str:
    """The unit a sensor's value is said in, from its device class (empty if unknown)."""
    return _UNITS.get(device.device_class or "", "")


def format_number(value: float) -> str:
    """A measurement as written: 21.0 -> "21", 20.54 -> "20.5"."""
    rounded = round(float(value), 1)
    return str(int(rounded)) if rounded.is_integer() else str(rounded)


def state_words(device: DeviceConfig, state: Dict[str, Any]) -> Optional[str]:
    """The device's state as words after "is": "on at 50%", "locked", "21.5 degrees"; None if unknown."""
    current = state.get("state")
    if device.domain == "sensor":
        return _measurement(state.get("value"), state.get("unit") or unit_for(device))
    if device.domain == "climate":
        return _climate_words(state)
    if current is None:
        return None
    if device.domain == "binary_sensor":
        on, off = _BINARY_WORDS.get(device.device_class or "", ("on", "off"))
        return on if current == "on" else off
    if device.domain == "light" and current == "on" and state.get("brightness") not in (None, 100):
        return f"on at {state['brightness']}%"
    if device.domain in OPENABLE and current == "open" and state.get("position") not in (None, 0, 100):
        return f"{state['position']}% open"
    if device.domain == "vacuum" and current == "cleaning" and state.get("cleaning_area"):
        return f"cleaning the {state['cleaning_area']}"
    return str(current)


def _measurement(value: Any, unit: str) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = format_number(value)
        return f"{text}{unit}" if unit in ("%",) else f"{text} {unit}".strip()
    return str(value)


def _climate_words(state: Dict[str, Any]) -> Optional[str]:
    target, current = state.get("target_temperature"), state.get("current_temperature")
    parts = []
    if current is not None:
        parts.append(f"at {degrees(current)}")
    if target is not None:
        parts.append(f"set to {degrees(target)}")
    if not parts:
        return state.get("state")
    return " and ".join(parts)


def asked_words(device: DeviceConfig, asked: str) -> str:
    """The asked state as said of this device: a smoke sensor asked "on" -> "detecting smoke"."""
    if device.domain == "binary_sensor" and asked in ("on", "off"):
        on, off = _BINARY_WORDS.get(device.device_class or "", ("on", "off"))
        return on if asked == "on" else off
    return asked


def degrees(value: float) -> str:
    """A temperature in words with digits: 1 -> "1 degree", 20.5 -> "20.5 degrees"."""
    text = format_number(value)
    return f"{text} degree" if text in ("1", "-1") else f"{text} degrees"


def matches(device: DeviceConfig, state: Dict[str, Any], asked: str) -> Optional[bool]:
    """Whether the device is in the ``asked`` state ("on", "open", "locked" ...); None if unknown."""
    current = state.get("state")
    if current is None:
        return None
    wanted = _ASKED.get(asked.lower().strip(), asked.lower().strip())
    if device.domain == "binary_sensor":
        on, off = _BINARY_WORDS.get(device.device_class or "", ("on", "off"))
        wanted = {on: "on", off: "off", "open": "on", "closed": "off", "detected": "on"}.get(wanted, wanted)
    if device.domain in OPENABLE and wanted in ("on", "off"):
        wanted = "open" if wanted == "on" else "closed"
    if device.domain == "lock" and wanted in ("on", "off"):
        wanted = "locked" if wanted == "on" else "unlocked"
    return current == wanted
