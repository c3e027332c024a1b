"""Weather: the weather now and the forecast, here or in a named place, from Open-Meteo.

Say "what's the weather?", "what's the weather like tomorrow?" or "will it rain in London on
Saturday?". The answer reads like "It's 12 degrees and cloudy. Today: a high of 15 and a low of 8,
with a 40% chance of rain." For a later day: "Tomorrow: light rain, a high of 15 and a low of 8,
with a 70% chance of rain."

Slots: ``name`` (optional) a place - the configured ``location_name`` or a home device of domain
``weather`` means home; any other name is looked up with Open-Meteo's geocoding API; ``date``
(optional) an ISO date, today if absent, up to 15 days ahead.

This is the one skill that talks to a service outside the house: it sends the coordinates (never
any audio or text said) to ``base_url`` and, for named places, the place's name to
``geocoding_url``. Any failure there - no network, a timeout, an error status, an unreadable
answer - is a plain reply ("I couldn't reach the weather service."), bounded by ``timeout``.

Settings, ``[plugins.settings.weather]``:
- ``latitude``, ``longitude`` (numbers, no default): where home is. Without them only named places work.
- ``location_name`` (string, default ""): home's name, so "the weather in <it>" means home.
- ``units`` ("celsius" or "fahrenheit", default "celsius").
- ``timeout`` (seconds, default 8): the longest a whole lookup may take.
- ``base_url`` (default "https://api.open-meteo.com"): the forecast API.
- ``geocoding_url`` (default "https://geocoding-api.open-meteo.com"): the geocoding API.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict
from datetime import date
from typing import Any, Dict, Optional

from astros.home import normalize_name
from astros.plugins.base import BasePlugin, plugin_handler
from astros.types import Intent, Response

from .openmeteo import Forecast, OpenMeteoClient, Place, WeatherServiceError
from .settings import WeatherSettings
from .wording import condition, day_label, day_sentence, now_sentence

_LOGGER = logging.getLogger(__name__)
MAX_DAYS_AHEAD = 15  # Open-Meteo forecasts 16 days, today included

NOT_CONFIGURED = "I don't know where you are yet: set a location for the weather in the configuration."
UNREACHABLE = "I couldn't reach the weather service."
UNREADABLE = "The weather service sent an answer I couldn't understand."


class WeatherPlugin(BasePlugin):
    """The weather now and the forecast, from Open-Meteo."""

    name = "weather"
    version = "1.0.0"
    description = "The weather now and the forecast, from Open-Meteo"
    author = "AstrOS"

    def __init__(self) -> None:
        super().__init__()
        self.settings = WeatherSettings()
        self.client: Optional[OpenMeteoClient] = None

    async def initialize(self) -> None:
        self.settings = WeatherSettings.from_config(self.config or {})
        s = self.settings
        self.client = OpenMeteoClient(s.base_url, s.geocoding_url, s.timeout)

    async def shutdown(self) -> None:
        if self.client is not None:
            await self.client.close()

    @plugin_handler("HassGetWeather")
    async def get_weather(self, intent: Intent) -> Response:
        """The weather at ``name`` (home if absent) on ``date`` (today if absent)."""
        today = self.context.now().date()
        day, problem = self._read_date(intent.entities.get("date"), today)
        if problem is not None:
            return problem
        try:
            place, found = await self._fetch(intent.entities.get("name"), (day - today).days + 1)
        except WeatherServiceError as err:
            _LOGGER.warning("Weather service: %s", err)
            return Response(False, UNREACHABLE if err.code == "unreachable" else UNREADABLE,
                            metadata={"error": f"weather-{err.code}"})
        if not isinstance(found, Forecast):
            return found
        return self._answer(found, place, day, today)

    async def _fetch(self, name: Any, days: int) -> tuple[Optional[Place], Forecast | Response]:
        """The place and its forecast, or a reply saying why not; all within the timeout."""
        try:
            async with asyncio.timeout(self.settings.timeout):
                place, reply = await self._place(name)
                if place is None:
                    return None, reply
                return place, await self.client.forecast(place, days, self.settings.fahrenheit)
        except TimeoutError as err:
            raise WeatherServiceError("unreachable", f"no answer within {self.settings.timeout} s") from err

    # -- reading the request ---------------------------------------------------------------------

    def _read_date(self, raw: Any, today: date) -> tuple[date, Optional[Response]]:
        """The day asked about, or a reply saying why it cannot be answered."""
        if raw in (None, ""):
            return today, None
        try:
            day = raw if isinstance(raw, date) else date.fromisoformat(str(raw)[:10])
        except ValueError:
            return today, Response(False, "I didn't understand which day you meant.")
        if day < today:
            return today, Response(False, "I can only tell you the forecast, not the weather of past days.")
        if (day - today).days > MAX_DAYS_AHEAD:
            return today, Response(False, f"I can only see the weather up to {MAX_DAYS_AHEAD} days ahead.")
        return day, None

    async def _place(self, name: Any) -> tuple[Optional[Place], Optional[Response]]:
        """Where the weather is wanted: home, or a place found by name (or a reply why not)."""
        spoken = " ".join(str(name).split()) if name else ""
        if not spoken or self._is_home(spoken):
            home = self.settings.home_place(self.context.config.timezone)
            return (home, None) if home else (None, Response(False, NOT_CONFIGURED))
        place = await self.client.geocode(spoken)
        if place is None:
            return None, Response(False, f"I couldn't find a place called {spoken}.")
        return place, None

    def _is_home(self, spoken: str) -> bool:
        key = normalize_name(spoken)
        if key in {"here", "home", "outside"}:
            return True
        if self.settings.location_name and key == normalize_name(self.settings.location_name):
            return True
        device = self.context.home.find_device(spoken)
        return device is not None and device.domain == "weather"

    # -- the answer ------------------------------------------------------------------------------

    def _answer(self, forecast: Forecast, place: Place, day: date, today: date) -> Response:
        wanted = next((d for d in forecast.days if d.date == day.isoformat()), None)
        if wanted is None and len(forecast.days) > (day - today).days:
            wanted = forecast.days[(day - today).days]
        if wanted is None:
            return Response(False, UNREADABLE, metadata={"error": "weather-unreadable"})
        label = day_label(day, today, place.name if day != today else None)
        if day == today:
            message = f"{now_sentence(forecast.temperature, forecast.weather_code, place.name)} "
            message += day_sentence(wanted, label, with_condition=False)
        else:
            message = day_sentence(wanted, label, with_condition=True)
        return Response(True, message, data=self._data(forecast, place, wanted))

    def _data(self, forecast: Forecast, place: Place, day: Any) -> Dict[str, Any]:
        return {
            "place": place.name,
            "latitude": place.latitude,
            "longitude": place.longitude,
            "units": self.settings.units,
            "current": {
                "temperature": forecast.temperature,
                "weather_code": forecast.weather_code,
                "condition": condition(forecast.weather_code),
                "wind_speed": forecast.wind_speed,
            },
            "day": {**asdict(day), "condition": condition(day.weather_code)},
        }
