"""Robot vacuums: "start the vacuum", "send the rover back to its dock", "vacuum the kitchen".

A vacuum is picked by name, else by the area or floor it stands in; when no vacuum stands
there and the home has exactly one, that one is sent to clean the place named.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Optional

from astros.config import DeviceConfig
from astros.plugins.base import plugin_handler
from astros.types import Intent, Response

from .answers import capitalized
from .devices import Command, the
from .targets import Target, resolve

if TYPE_CHECKING:
    from .control import Controller


class VacuumHandlers:
    """The home plugin's vacuum handlers."""

    controller: "Controller"

    @plugin_handler("HassVacuumStart", requires_permissions=["home.control"])
    async def handle_vacuum_start(self, intent: Intent) -> Response:
        """Start cleaning: the vacuum named, or those of an area or floor, or the only one."""
        target = _vacuums(self.controller, intent.entities)
        if isinstance(target, str):
            return Response(False, target)
        place = _place_name(self.controller, intent.entities)
        if place and not any(d.area == place or _floor_of(self.controller, d) == place for d in target.devices):
            command, done = Command(clean_area=place), f"Sent {target.label} to clean the {place}."
        else:
            command, done = Command(power=True), f"Started {target.label}."
        return await self.controller.act(target, lambda _: command, done)

    @plugin_handler("HassVacuumReturnToBase", requires_permissions=["home.control"])
    async def handle_vacuum_return(self, intent: Intent) -> Response:
        """Send the vacuum (or vacuums) back to the dock."""
        target = _vacuums(self.controller, intent.entities)
        if isinstance(target, str):
            return Response(False, target)
        docks = "its dock" if len(target.devices) == 1 else "their docks"
        return await self.controller.act(target, lambda _: Command(power=False), f"Sent {target.label} back to {docks}.")

    @plugin_handler("HassVacuumCleanArea", requires_permissions=["home.control"])
    async def handle_vacuum_clean_area(self, intent: Intent) -> Response:
        """Clean one area: the vacuum named, else the one in that area, else the only one."""
        place = _place_name(self.controller, intent.entities, here_too=True)
        if place is None:
            return Response(False, "Which room should I clean?")
        target = _vacuums(self.controller, intent.entities)
        if isinstance(target, str):
            return Response(False, target)
        if len(target.devices) > 1:
            return Response(False, f"Which vacuum should clean the {place}?")
        done = f"Sent {target.label} to clean the {place}."
        return await self.controller.act(target, lambda _: Command(clean_area=place), done)


def _vacuums(controller: "Controller", entities: Dict[str, Any]) -> Target | str:
    home = controller.home
    if entities.get("name"):
        found = resolve(home, entities, {"vacuum"})
        if isinstance(found, Target) and found.devices[0].domain != "vacuum":
            return f"{capitalized(the(found.devices[0]))} isn't a vacuum."
        return found
    found = resolve(home, {**entities, "domain": "vacuum"}, {"vacuum"})
    if isinstance(found, Target) and len(found.devices) == 1:
        return Target(found.devices, the(found.devices[0]), found.where, found.kind)
    every = [d for d in home.devices if d.domain == "vacuum"]
    if isinstance(found, str) and len(every) == 1:
        return Target(every, the(every[0]), kind="vacuums", single=True)
    if isinstance(found, str) and not every:
        return "There is no vacuum in the home."
    return found


def _place_name(controller: "Controller", entities: Dict[str, Any], here_too: bool = False) -> Optional[str]:
    """The area or floor said; the requesting area counts only if ``here_too``."""
    home = controller.home
    said = entities.get("area") and (here_too or not entities.get("context_area"))
    area = home.find_area(str(entities["area"])) if said else None
    floor = home.find_floor(str(entities["floor"])) if entities.get("floor") else None
    return area.name if area else floor.name if floor else None


def _floor_of(controller: "Controller", device: DeviceConfig) -> Optional[str]:
    area = controller.home.find_area(device.area) if device.area else None
    return area.floor if area else None
