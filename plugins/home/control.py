"""Carrying out commands on a group of devices, keeping their state, and saying what happened."""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, Iterable, List

from astros.config import DeviceConfig
from astros.events import EventBus, EventType
from astros.home import Home
from astros.types import Response
from astros.wording import join_words

from .backends import Backends, Failure
from .devices import Command, rest_state, resulting_state, the
from .state import StateStore
from .targets import Target

_LOGGER = logging.getLogger(__name__)


def device_data(device: DeviceConfig, state: Dict[str, Any]) -> Dict[str, Any]:
    """A device and its state as ``Response.data`` and events carry it."""
    return {"name": device.name, "domain": device.domain, "area": device.area, "state": dict(state)}


class Controller:
    """Applies commands through the backends, stores the new states and publishes ``device_changed``."""

    def __init__(self, home: Home, store: StateStore, backends: Backends, events: EventBus) -> None:
        self.home = home
        self.store = store
        self.backends = backends
        self.events = events

    async def state_of(self, device: DeviceConfig) -> Dict[str, Any]:
        """The device's state: stored (or its resting state), overlaid with what its backend reads now."""
        return (await self.states_of([device]))[device.name]

    async def states_of(self, devices: Iterable[DeviceConfig]) -> Dict[str, Dict[str, Any]]:
        """The states of ``devices``, by name."""
        devices = list(devices)
        stored = await self.store.get_many(d.name for d in devices)
        states = {}
        for device in devices:
            state = stored.get(device.name, rest_state(device))
            states[device.name] = {**state, **(self.backends.read(device) or {})}
        return states

    async def act(self, target: Target, command_for: Callable[[DeviceConfig], Command], done: str) -> Response:
        """Apply ``command_for(device)`` to every device of ``target``; ``done`` is the success sentence."""
        states = await self.states_of(target.devices)
        batch = [(d, command_for(d), states[d.name]) for d in target.devices]
        failures = await self.backends.apply(batch)
        changed: List[Dict[str, Any]] = []
        for device, command, _ in batch:
            if device.name not in failures:
                state = await self.store.update(device.name, resulting_state(device, command), "command")
                self._changed(device, state, "command")
                changed.append(device_data(device, state))
        return _reply(target, done, failures, changed)

    async def report(self, device: DeviceConfig, changes: Dict[str, Any]) -> None:
        """Store what a device reported about itself and tell subscribers."""
        state = await self.store.update(device.name, changes, "device")
        self._changed(device, state, "device")

    def _changed(self, device: DeviceConfig, state: Dict[str, Any], source: str) -> None:
        data = device_data(device, state)
        self.events.emit(EventType.DEVICE_CHANGED, device=device.name, **{k: v for k, v in data.items() if k != "name"}, source=source)


def _reply(target: Target, done: str, failures: Dict[str, Failure], changed: List[Dict[str, Any]]) -> Response:
    data: Dict[str, Any] = {"devices": changed}
    if not failures:
        return Response(True, done, data=data)
    failed = [d for d in target.devices if d.name in failures]
    data["failed"] = [{"name": d.name, "reason": failures[d.name].reason} for d in failed]
    names = join_words([the(d) for d in failed], "or" if not changed else "and")
    hints = " ".join(dict.fromkeys(f.hint for f in failures.values() if f.hint))
    if changed:
        message = f"{done.rstrip('.')}, but I couldn't reach {names}."
    else:
        message = f"I couldn't reach {names}."
    return Response(False, f"{message} {hints}".strip(), data=data)
