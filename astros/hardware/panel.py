"""The appliance's panel: its buttons and LEDs, wired to the voice and the volume while it runs.

``astros run`` starts it as an aiohttp cleanup context (:func:`gpio_ctx`) after the voice. Where
the machine has no GPIO chip, or none of the pins can be had, that is a log line and the rest of
AstrOS runs on.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any, Callable, Optional

from ..config import GpioConfig
from ..events import EventBus
from .buttons import ButtonController, VoiceControls, VoiceFinder, VolumeChanger
from .gpio import GpioPins
from .leds import StatusLights

_LOGGER = logging.getLogger(__name__)


class Panel:
    """Buttons acting on the voice and the volume, LEDs following the event bus."""

    def __init__(self, config: GpioConfig, events: EventBus, voice: VoiceFinder,
                 volume: Optional[VolumeChanger] = None, volume_step: int = 10,
                 pins: Optional[GpioPins] = None) -> None:
        self.config = config
        self.events = events
        self.pins = pins or GpioPins()
        self.buttons = ButtonController(config, self.pins, voice, volume, volume_step)
        self.lights: Optional[StatusLights] = None
        self._unsubscribe: Optional[Callable[[], None]] = None

    async def start(self) -> None:
        """Claim the pins and start following events (call on the event loop)."""
        if not self.config.enabled or not (self.config.buttons or self.config.leds or self.config.ring.leds):
            _LOGGER.debug("No buttons or LEDs configured")
            return
        buttons = self.buttons.start()
        self.lights = StatusLights.from_config(self.config, self.pins)
        self._unsubscribe = self.events.subscribe(self.lights.on_event)
        lights = len(self.lights.indicators)
        if buttons or lights:
            _LOGGER.info("GPIO: %d of %d buttons and %d of %d LEDs (a ring counts as one) in use", buttons,
                         len(self.config.buttons), lights, len(self.config.leds) + bool(self.config.ring.leds))
        else:
            _LOGGER.warning("GPIO: none of the configured buttons or LEDs can be used on this machine")

    async def close(self) -> None:
        """Stop following events and release every pin."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        await self.buttons.close()
        if self.lights is not None:
            self.lights.close()
        self.pins.close()

    async def __aenter__(self) -> "Panel":
        await self.start()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()


def volume_of(agent: Any) -> tuple[Optional[VolumeChanger], int]:
    """The volume plugin's ``change_level`` and its step, or (None, 10) when it is not loaded."""
    plugin = getattr(agent.plugins, "plugins", {}).get("volume")
    if plugin is None:
        return None, 10
    return plugin.change_level, int(getattr(plugin, "step", 10))


@contextlib.asynccontextmanager
async def gpio_ctx(app: Any) -> AsyncIterator[None]:
    """An aiohttp cleanup context: the buttons and LEDs work for as long as the app runs."""
    from ..api.keys import AGENT
    from ..voice.service import VOICE

    agent = app[AGENT]
    service = app.get(VOICE)

    def voice() -> Optional[VoiceControls]:
        return getattr(service, "pipeline", None)

    volume, step = volume_of(agent)
    async with Panel(agent.config.gpio, agent.events, voice, volume, step):
        yield
