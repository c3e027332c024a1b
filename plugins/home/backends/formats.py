"""MQTT message formats: what AstrOS publishes for a command, and how it reads a device's reports.

- ``zigbee2mqtt``: commands are JSON to ``<topic>/set`` (``{"state": "ON", "brightness": 127}``,
  brightness 0-254); the device's JSON state arrives on ``<topic>``.
- ``tasmota``: commands to ``cmnd/<topic>/POWER`` (``ON``/``OFF``), ``Dimmer`` (0-100),
  ``Color`` (``#rrggbb``), ``ShutterPosition``/``ShutterOpen``/``ShutterClose``; state from
  ``stat/<topic>/RESULT``, ``stat/<topic>/POWER``, ``tele/<topic>/STATE`` and ``tele/<topic>/SENSOR``.
- ``plain``: ``ON``/``OFF`` (``OPEN``/``CLOSE``, ``LOCK``/``UNLOCK``, ``START``/``RETURN_TO_BASE``) to
  ``<topic>/set``; numbers to ``<topic>/brightness/set``, ``/position/set``, ``/temperature/set``;
  the state (the same words, or a sensor's number) arrives on ``<topic>``.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple

from astros.config import DeviceConfig

from ..colors import hex_color
from ..devices import OPENABLE, Command, power_state

Message = Tuple[str, str]
_BINARY_KEYS = {  # binary_sensor device_class -> (zigbee2mqtt key, True means "on")
    "door": ("contact", False), "window": ("contact", False), "garage_door": ("contact", False),
    "opening": ("contact", False), "motion": ("occupancy", True), "occupancy": ("occupancy", True),
    "presence": ("presence", True), "moisture": ("water_leak", True), "battery": ("battery_low", True),
}
_SENSOR_KEYS = ("temperature", "humidity", "pressure", "illuminance", "co2", "power", "energy", "voltage")


class UnsupportedCommand(Exception):
    """The device's MQTT format has no message for this command."""


def command_messages(device: DeviceConfig, command: Command) -> List[Message]:
    """The (topic, payload) messages that carry ``command`` to ``device``."""
    topic = device.topic or ""
    encode = {"zigbee2mqtt": _zigbee2mqtt, "tasmota": _tasmota, "plain": _plain}[device.mqtt_format]
    messages = encode(device, topic, command)
    if not messages:
        raise UnsupportedCommand(f"the {device.mqtt_format} format has no command for that")
    return messages


def _power_word(device: DeviceConfig, power: bool) -> str:
    if device.domain in OPENABLE:
        return "OPEN" if power else "CLOSE"
    if device.domain == "lock":
        return "LOCK" if power else "UNLOCK"
    if device.domain == "vacuum":
        return "START" if power else "RETURN_TO_BASE"
    return "ON" if power else "OFF"


def _zigbee2mqtt(device: DeviceConfig, topic: str, command: Command) -> List[Message]:
    body: Dict[str, Any] = {}
    if command.power is not None:
        if device.domain == "climate":
            body["system_mode"] = "heat" if command.power else "off"
        else:
            body["state"] = _power_word(device, command.power)
    if command.brightness is not None:
        body["state"] = "ON" if command.brightness > 0 else "OFF"
        if command.brightness > 0:
            body["brightness"] = round(command.brightness * 254 / 100)
    if command.color is not None:
        body["state"] = "ON"
        body["color"] = {"hex": hex_color(command.color)}
    if command.position is not None:
        body["position"] = command.position
    if command.temperature is not None:
        body["current_heating_setpoint"] = command.temperature
    return [(f"{topic}/set", json.dumps(body))] if body and command.clean_area is None else []


def _tasmota(device: DeviceConfig, topic: str, command: Command) -> List[Message]:
    base = f"cmnd/{topic}"
    if device.domain in OPENABLE:
        if command.position is not None:
            return [(f"{base}/ShutterPosition", str(command.position))]
        if command.power is not None:
            return [(f"{base}/ShutterOpen" if command.power else f"{base}/ShutterClose", "")]
        return []
    if device.domain not in ("light", "switch", "fan", "media_player"):
        return []
    messages: List[Message] = []
    if command.power is not None:
        messages.append((f"{base}/POWER", "ON" if command.power else "OFF"))
    if command.brightness is not None:
        messages.append((f"{base}/Dimmer", str(command.brightness)) if command.brightness else (f"{base}/POWER", "OFF"))
    if command.color is not None:
        messages.append((f"{base}/Color", hex_color(command.color).upper()))
    return messages


def _plain(device: DeviceConfig, topic: str, command: Command) -> List[Message]:
    messages: List[Message] = []
    if command.power is not None:
        messages.append((f"{topic}/set", _power_word(device, command.power)))
    numbers = {"brightness": command.brightness, "position": command.position, "temperature": command.temperature}
    for key, value in numbers.items():
        if value is not None:
            messages.append((f"{topic}/{key}/set", _number(value)))
    if command.color is not None:
        messages.append((f"{topic}/color/set", command.color))
    if command.clean_area is not None:
        messages.append((f"{topic}/clean_area/set", command.clean_area))
    return messages


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# -- reports from devices ------------------------------------------------------------------------


def state_topics(device: DeviceConfig) -> List[str]:
    """The topics on which ``device`` reports its state."""
    topic = device.topic or ""
    if device.mqtt_format == "tasmota":
        return [f"stat/{topic}/RESULT", f"stat/{topic}/POWER", f"tele/{topic}/STATE", f"tele/{topic}/SENSOR"]
    return [topic]


def parse_state(device: DeviceConfig, topic: str, payload: bytes) -> Optional[Dict[str, Any]]:
    """The state changes a report on ``topic`` means for ``device``; None if it says nothing of use."""
    text = payload.decode("utf-8", errors="replace").strip()
    data = _json(text)
    if device.mqtt_format == "tasmota":
        return _parse_tasmota(device, topic, text, data)
    if device.mqtt_format == "zigbee2mqtt" and isinstance(data, dict):
        return _parse_json(device, data) or None
    if device.mqtt_format == "plain":
        return _parse_plain(device, text, data)
    return None


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _parse_json(device: DeviceConfig, data: Dict[str, Any]) -> Dict[str, Any]:
    """zigbee2mqtt's state object (also Tasmota's RESULT/STATE after renaming) -> state changes."""
    if device.domain == "sensor":
        value = _sensor_value(device, data)
        return {} if value is None else {"value": value}
    if device.domain == "binary_sensor":
        return _binary(device, data)
    changes: Dict[str, Any] = {}
    word = _state_word(device, data.get("lock_state") or data.get("state"))
    if word:
        changes["state"] = word
    if isinstance(data.get("brightness"), (int, float)):
        changes["brightness"] = round(data["brightness"] * 100 / 254)
    if isinstance(data.get("position"), (int, float)):
        changes["position"] = int(data["position"])
        if device.domain in OPENABLE:
            changes["state"] = "open" if data["position"] > 0 else "closed"
    for key, name in (("current_heating_setpoint", "target_temperature"), ("local_temperature", "current_temperature")):
        if isinstance(data.get(key), (int, float)):
            changes[name] = float(data[key])
    return changes


def _state_word(device: DeviceConfig, value: Any) -> Optional[str]:
    if not isinstance(value, str):
        return None
    word = value.strip().lower()
    if word in ("on", "off"):
        return power_state(device.domain, word == "on")
    aliases = {"lock": "locked", "unlock": "unlocked", "close": "closed", "opened": "open", "stop": None}
    word = aliases.get(word, word)
    known = {"open", "closed", "locked", "unlocked", "cleaning", "docked", "returning", "idle", "paused"}
    return word if word in known else None


def _sensor_value(device: DeviceConfig, data: Dict[str, Any]) -> Any:
    keys = [device.device_class] if device.device_class else list(_SENSOR_KEYS)
    for key in keys:
        for name, value in data.items():
            if name.lower() == key and isinstance(value, (int, float)) and not isinstance(value, bool):
                return value
    return None


def _binary(device: DeviceConfig, data: Dict[str, Any]) -> Dict[str, Any]:
    key, active = _BINARY_KEYS.get(device.device_class or "", (device.device_class or "state", True))
    if isinstance(data.get(key), bool):
        return {"state": "on" if data[key] == active else "off"}
    value = data.get("state")
    if isinstance(value, bool):
        return {"state": "on" if value else "off"}
    word = value.strip().upper() if isinstance(value, str) else ""
    if word in ("ON", "OPEN", "TRUE", "DETECTED", "WET", "1"):
        return {"state": "on"}
    if word in ("OFF", "CLOSED", "FALSE", "CLEAR", "DRY", "0"):
        return {"state": "off"}
    return {}


def _parse_tasmota(device: DeviceConfig, topic: str, text: str, data: Any) -> Optional[Dict[str, Any]]:
    if topic.endswith("/POWER"):
        return _parse_plain(device, text, None)
    if not isinstance(data, dict):
        return None
    flat = _flatten(data)
    renamed: Dict[str, Any] = {}
    power = flat.get("power") or flat.get("power1")
    if power is not None:
        renamed["state"] = power
    if isinstance(flat.get("dimmer"), (int, float)):
        renamed["brightness"] = round(flat["dimmer"] * 254 / 100)
    if isinstance(flat.get("position"), (int, float)):
        renamed["position"] = flat["position"]
    renamed.update({k: v for k, v in flat.items() if k in _SENSOR_KEYS or k == device.device_class})
    return _parse_json(device, renamed) or None


def _flatten(data: Dict[str, Any]) -> Dict[str, Any]:
    """Tasmota nests readings ({"DS18B20": {"Temperature": 21.5}}); keys lower-cased, first one wins."""
    flat: Dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            for inner, item in _flatten(value).items():
                flat.setdefault(inner, item)
        else:
            flat.setdefault(key.lower(), value)
    return flat


def _parse_plain(device: DeviceConfig, text: str, data: Any) -> Optional[Dict[str, Any]]:
    if device.domain == "sensor":
        return {"value": data} if isinstance(data, (int, float)) and not isinstance(data, bool) else (
            {"value": text} if text else None
        )
    if device.domain == "binary_sensor":
        return _binary(device, {"state": text})
    word = _state_word(device, text)
    if word:
        return {"state": word}
    if isinstance(data, (int, float)) and device.domain in OPENABLE:
        return {"position": int(data), "state": "open" if data > 0 else "closed"}
    return None

