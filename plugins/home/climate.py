"""Thermostats: "what's the temperature in here?", "set the bedroom to 21 degrees".

With no area, floor or name, every thermostat of the home is meant (most homes have one).
The temperature asked for comes from the thermostats' own readings, else from temperature
sensors in the same place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Final, List

from astros.config import DeviceConfig
from astros.plugins.base import plugin_handler
from astros.types import Intent, Response

from .answers import capitalized, temperature_answer
from .control import device_data
from .devices import Command, degrees, the
from .slots import SlotError, number
from .targets import Target, resolve

if TYPE_CHECKING:
    from .control import Controller

LOWEST: Final = -20.0  # degrees a thermostat can be set to, at least
HIGHEST: Final = 90.0  # degrees at most


class ClimateHandlers:
    """The home plugin's thermostat handlers."""

    controller: "Controller"

    @plugin_handler("HassClimateGetTemperature", requires_permissions=["home.read"])
    async def handle_climate_get_temperature(self, intent: Intent) -> Response:
        """Say the temperature of a thermostat, or of an area, floor or the whole home."""
        entities = intent.entities
        climates = _climate_target(self.controller, entities)
        if isinstance(climates, str) and not (entities.get("area") or entities.get("floor")):
            return Response(False, climates)
        climate_devices = climates.devices if isinstance(climates, Target) else []
        where = climates.where if isinstance(climates, Target) else _where(entities)
        sensors: List[DeviceConfig] = []
        if not (isinstance(climates, Target) and climates.single):
            found = resolve(self.controller.home, {**_place(entities), "device_class": "temperature"}, {"sensor"})
            sensors = found.devices if isinstance(found, Target) else []
        if not climate_devices and not sensors:
            return Response(False, climates if isinstance(climates, str) else f"There are no thermostats{where}.")
        states = await self.controller.states_of([*climate_devices, *sensors])
        if isinstance(climates, Target) and climates.single:
            where = f" at {the(climates.devices[0])}"
        data = {"devices": [device_data(d, states[d.name]) for d in [*climate_devices, *sensors]]}
        return Response(True, temperature_answer(where, climate_devices, sensors, states), data=data)

    @plugin_handler("HassClimateSetTemperature", requires_permissions=["home.control"])
    async def handle_climate_set_temperature(self, intent: Intent) -> Response:
        """Set the target temperature of a thermostat, or of every thermostat in an area or floor."""
        try:
            temperature = number(intent.entities, "temperature")
        except SlotError as err:
            return Response(False, str(err))
        if temperature is None:
            return Response(False, "What temperature should I set?")
        if not LOWEST <= temperature <= HIGHEST:
            return Response(False, f"I can only set temperatures between {LOWEST:g} and {HIGHEST:g} degrees.")
        target = _climate_target(self.controller, intent.entities)
        if isinstance(target, str):
            return Response(False, target)
        if target.single and target.devices[0].domain != "climate":
            return Response(False, f"{capitalized(the(target.devices[0]))} isn't a thermostat.")
        what = target.label if target.single or not target.where else f"the temperature{target.where}"
        done = f"Set {what} to {degrees(temperature)}."
        return await self.controller.act(target, lambda _: Command(temperature=temperature), done)


def _place(entities: Dict[str, Any]) -> Dict[str, Any]:
    return {k: entities[k] for k in ("area", "floor", "context_area") if entities.get(k)}


def _where(entities: Dict[str, Any]) -> str:
    if entities.get("area"):
        return f" in the {entities['area']}"
    return f" on the {entities['floor']}" if entities.get("floor") else ""


def _climate_target(controller: "Controller", entities: Dict[str, Any]) -> Target | str:
    """The thermostats meant: by name, by area or floor, else all of the home's."""
    if entities.get("name"):
        return resolve(controller.home, entities, {"climate", "sensor"})
    return resolve(controller.home, {**_place(entities), "domain": "climate"}, {"climate"})
