"""Home devices: switch, dim, colour, open, lock, read and ask about the devices of the home.

Say "turn off the kitchen lights", "kill the lights in here", "set the bedroom lamp to 50%",
"make the lights red", "open the curtains halfway", "lock the front door", "is the kitchen light
on?", "which lights are on?", "what is the outside temperature?", "set the temperature to 21
degrees", "start the vacuum".

Which devices a request means is decided in :mod:`.targets`: a name picks one device; an area or
floor with a kind of device picks a group ("the lights" in the room the request came from); no
area or floor means the whole home ("turn off all the lights" switches off every light).

Every device's state (on/off, brightness, colour, position, temperatures, sensor values) is kept
in the ``home_device_state`` table, so it survives restarts and can be asked for. How commands
reach a device depends on its ``backend`` (see docs/home.md): ``""`` keeps state only, ``"gpio"``
drives a pin, ``"mqtt"`` talks to Zigbee2MQTT, Tasmota or plain MQTT devices through ``[mqtt]``.
Every change publishes a ``device_changed`` event.

Settings, ``[plugins.settings.home]``:
- ``mqtt_timeout`` (number, default 3): seconds a command may take to reach the MQTT broker
  before AstrOS answers that it couldn't reach the device.

Controlling needs the ``home.control`` permission, asking ``home.read``.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from astros.config import DEVICE_DOMAINS, DeviceConfig
from astros.hardware.gpio import GpioUnavailable
from astros.plugins.base import BasePlugin, plugin_handler
from astros.types import Intent, Response

from .answers import capitalized, summarize
from .backends import Backends
from .backends.formats import parse_state, state_topics
from .backends.mqtt import DEFAULT_TIMEOUT
from .climate import ClimateHandlers
from .colors import find_color
from .control import Controller, device_data
from .devices import AREA_DEFAULT, CONTROLLABLE, OPENABLE, Command, the, verb
from .slots import SlotError, percent
from .state import MIGRATIONS, StateStore
from .targets import Target, resolve
from .vacuum import VacuumHandlers

_LOGGER = logging.getLogger(__name__)
CONTROL = ["home.control"]
READ = ["home.read"]


class HomePlugin(ClimateHandlers, VacuumHandlers, BasePlugin):
    """Controls and reports on the devices configured in ``[[home.devices]]``."""

    name = "home"
    version = "1.0.0"
    description = "Switch, dim, open and lock the home's devices, and say what state they are in"
    author = "AstrOS"
    migrations = MIGRATIONS

    def __init__(self) -> None:
        super().__init__()
        self.controller: Optional[Controller] = None
        self._by_topic: Dict[str, List[DeviceConfig]] = {}

    async def initialize(self) -> None:
        assert self.context is not None
        timeout = (self.config or {}).get("mqtt_timeout", DEFAULT_TIMEOUT)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= 60:
            raise ValueError(f"plugins.settings.home.mqtt_timeout: must be a number of seconds from 0 to 60; got {timeout!r}")
        self.home = self.context.home
        backends = Backends(self.context.config.mqtt, float(timeout))
        self.controller = Controller(self.home, StateStore(self.context.database), backends, self.context.events)
        for device in self.home.devices:
            if device.backend == "mqtt":
                for topic in state_topics(device):
                    self._by_topic.setdefault(topic, []).append(device)
        if self.context.background:
            await self._claim_pins()

    async def _claim_pins(self) -> None:
        """Claim the GPIO pins now and put outputs back in their stored state (after a restart)."""
        assert self.controller is not None
        for device in (d for d in self.home.devices if d.backend == "gpio"):
            try:
                self.controller.backends.gpio.prepare(device, await self.controller.state_of(device))
            except GpioUnavailable as err:
                _LOGGER.warning("GPIO: %s on %s cannot be used: %s", device.name, device.pin, err)

    async def run_background(self) -> None:
        """Listen to the MQTT devices' state reports for as long as the appliance runs."""
        if self._by_topic and self.controller is not None:
            await self.controller.backends.mqtt.run(sorted(self._by_topic), self._on_report)

    async def _on_report(self, topic: str, payload: bytes) -> None:
        assert self.controller is not None
        for device in self._by_topic.get(topic, []):
            changes = parse_state(device, topic, payload)
            if changes:
                await self.controller.report(device, changes)

    async def shutdown(self) -> None:
        if self.controller is not None:
            self.controller.backends.close()

    # -- switching -----------------------------------------------------------------------------

    @plugin_handler("HassTurnOn", requires_permissions=CONTROL)
    async def handle_turn_on(self, intent: Intent) -> Response:
        """Switch on, open, lock, start or activate the devices the request means."""
        return await self._switch(intent, True)

    @plugin_handler("HassTurnOff", requires_permissions=CONTROL)
    async def handle_turn_off(self, intent: Intent) -> Response:
        """Switch off, close, unlock or stop the devices the request means."""
        return await self._switch(intent, False)

    async def _switch(self, intent: Intent, power: bool) -> Response:
        target = self._target(intent, CONTROLLABLE, AREA_DEFAULT)
        if isinstance(target, Response):
            return target
        device = target.devices[0]
        if target.single and device.domain not in CONTROLLABLE:
            return Response(False, f"I can't turn {'on' if power else 'off'} {the(device)}.")
        if device.domain == "scene" and not power:
            return Response(False, f"{capitalized(the(device))} can't be turned off.")
        domains = {d.domain for d in target.devices}
        action = verb(domains.pop(), power) if len(domains) == 1 else ("Turned on" if power else "Turned off")
        return await self.controller.act(target, lambda _: Command(power=power), f"{action} {target.label}.")

    # -- lights and covers ---------------------------------------------------------------------

    @plugin_handler("HassLightSet", requires_permissions=CONTROL)
    async def handle_light_set(self, intent: Intent) -> Response:
        """Set the brightness (0-100) and/or colour of a light or of the lights in an area."""
        try:
            brightness = percent(intent.entities, "brightness")
        except SlotError as err:
            return Response(False, str(err))
        color_name = intent.entities.get("color")
        color = find_color(str(color_name)) if color_name else None
        if color_name and color is None:
            return Response(False, f"I don't know the colour {color_name}.")
        if brightness is None and color is None:
            return Response(False, "What should I set the lights to?")
        target = self._target(intent, {"light"})
        if isinstance(target, Response):
            return target
        if target.single and target.devices[0].domain != "light":
            return Response(False, f"{capitalized(the(target.devices[0]))} isn't a light I can dim or colour.")
        command = Command(brightness=brightness, color=color)
        if brightness == 0 and color is None:
            return await self.controller.act(target, lambda _: command, f"Turned off {target.label}.")
        setting = " at ".join(str(part) for part in (color, f"{brightness}%" if brightness is not None else None) if part)
        return await self.controller.act(target, lambda _: command, f"Set {target.label} to {setting}.")

    @plugin_handler("HassSetPosition", requires_permissions=CONTROL)
    async def handle_set_position(self, intent: Intent) -> Response:
        """Open a cover or valve to a position, 0 (closed) to 100 (open)."""
        try:
            position = percent(intent.entities, "position")
        except SlotError as err:
            return Response(False, str(err))
        if position is None:
            return Response(False, "How far should I open it?")
        target = self._target(intent, OPENABLE)
        if isinstance(target, Response):
            return target
        if target.single and target.devices[0].domain not in OPENABLE:
            return Response(False, f"{capitalized(the(target.devices[0]))} can't be set to a position.")
        if position in (0, 100):
            done = f"{'Opened' if position else 'Closed'} {target.label}."
        else:
            done = f"Set {target.label} to {position}% open."
        return await self.controller.act(target, lambda _: Command(position=position), done)

    # -- questions -----------------------------------------------------------------------------

    @plugin_handler("HassGetState", requires_permissions=READ)
    async def handle_get_state(self, intent: Intent) -> Response:
        """Say the state of a device or a group; with ``state``, whether they are in it and which."""
        target = self._target(intent, DEVICE_DOMAINS)
        if isinstance(target, Response):
            return target
        asked = intent.entities.get("state")
        asked = str(asked).strip().lower() if asked else None
        states = await self.controller.states_of(target.devices)
        devices = [device_data(d, states[d.name]) for d in target.devices]
        return Response(True, summarize(target, states, asked), data={"devices": devices})

    # -- shared --------------------------------------------------------------------------------

    def _target(self, intent: Intent, domains: Any, default: Any = None) -> Target | Response:
        """The devices the intent means, or a Response saying why there are none."""
        if not self.home.devices:
            return Response(False, "There are no devices set up yet; add them to [[home.devices]] in config.toml.")
        entities = intent.entities
        if not any(entities.get(k) for k in ("name", "area", "floor", "domain", "device_class")):
            return Response(False, "Which device do you mean?")
        target = resolve(self.home, entities, domains, default)
        return Response(False, target) if isinstance(target, str) else target
