"""A small client for Open-Meteo's forecast and geocoding APIs, with errors made plain.

Every failure - no connection, a timeout, an HTTP error status, a body that is not the JSON
expected - becomes a :class:`WeatherServiceError` whose ``code`` says which kind it was, so the
plugin can answer in words and never raise.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import aiohttp

_LOGGER = logging.getLogger(__name__)

CURRENT_FIELDS = "temperature_2m,weather_code,wind_speed_10m"
DAILY_FIELDS = "temperature_2m_max,temperature_2m_min,precipitation_probability_max,weather_code"


class WeatherServiceError(Exception):
    """The weather service could not be asked, or its answer could not be read."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        """``unreachable`` (network, timeout, HTTP status) or ``unreadable`` (bad body)."""


@dataclass(frozen=True)
class Place:
    """Where to get the weather for."""

    latitude: float
    longitude: float
    timezone: str
    """An IANA zone name, or ``auto`` to let the service pick the place's own."""
    name: Optional[str] = None
    """The place's name, for the reply; None for the configured home location."""


@dataclass(frozen=True)
class Day:
    """One day of the forecast."""

    date: str
    high: float
    low: float
    weather_code: Optional[int]
    precipitation_probability: Optional[int]


@dataclass(frozen=True)
class Forecast:
    """The weather now and the days ahead, as the service gave them."""

    temperature: float
    weather_code: Optional[int]
    wind_speed: Optional[float]
    days: List[Day]


class OpenMeteoClient:
    """Asks Open-Meteo for forecasts and place coordinates over one HTTP session."""

    def __init__(self, base_url: str, geocoding_url: str, timeout_s: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.geocoding_url = geocoding_url.rstrip("/")
        self.timeout_s = timeout_s
        self._session: Optional[aiohttp.ClientSession] = None

    async def close(self) -> None:
        """Close the HTTP session; safe to call twice."""
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def forecast(self, place: Place, days: int, fahrenheit: bool) -> Forecast:
        """The current weather and ``days`` days of forecast (1-16) at ``place``."""
        params: Dict[str, str] = {
            "latitude": _coordinate(place.latitude),
            "longitude": _coordinate(place.longitude),
            "current": CURRENT_FIELDS,
            "daily": DAILY_FIELDS,
            "timezone": place.timezone,
            "forecast_days": str(days),
        }
        if fahrenheit:
            params.update(temperature_unit="fahrenheit", wind_speed_unit="mph")
        body = await self._get_json(f"{self.base_url}/v1/forecast", params)
        try:
            return _parse_forecast(body)
        except (KeyError, TypeError, ValueError, IndexError) as err:
            raise WeatherServiceError("unreadable", f"forecast had an unexpected shape: {err!r}") from err

    async def geocode(self, name: str) -> Optional[Place]:
        """The best match for the place called ``name``; None if the service knows no such place."""
        body = await self._get_json(
            f"{self.geocoding_url}/v1/search", {"name": name, "count": "1", "language": "en", "format": "json"}
        )
        try:
            results = body.get("results") or []
            if not results:
                return None
            found = results[0]
            return Place(float(found["latitude"]), float(found["longitude"]),
                         str(found.get("timezone") or "auto"), str(found.get("name") or name))
        except (AttributeError, KeyError, TypeError, ValueError) as err:
            raise WeatherServiceError("unreadable", f"geocoding had an unexpected shape: {err!r}") from err

    async def _get_json(self, url: str, params: Dict[str, str]) -> Any:
        """GET ``url`` and decode its JSON body, within the timeout."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout_s))
        try:
            async with self._session.get(url, params=params) as response:
                if response.status != 200:
                    raise WeatherServiceError("unreachable", f"{url} answered HTTP {response.status}")
                text = await response.text()
        except (aiohttp.ClientError, TimeoutError, OSError) as err:
            raise WeatherServiceError("unreachable", f"{url}: {err!r}") from err
        try:
            return json.loads(text)
        except ValueError as err:
            raise WeatherServiceError("unreadable", f"{url} sent a body that is not JSON") from err


def _parse_forecast(body: Dict[str, Any]) -> Forecast:
    current, daily = body["current"], body["daily"]
    days = [
        Day(
            date=str(date),
            high=float(daily["temperature_2m_max"][i]),
            low=float(daily["temperature_2m_min"][i]),
            weather_code=_maybe_int(daily.get("weather_code", [None] * (i + 1))[i]),
            precipitation_probability=_maybe_int(daily.get("precipitation_probability_max", [None] * (i + 1))[i]),
        )
        for i, date in enumerate(daily["time"])
    ]
    return Forecast(
        temperature=float(current["temperature_2m"]),
        weather_code=_maybe_int(current.get("weather_code")),
        wind_speed=None if current.get("wind_speed_10m") is None else float(current["wind_speed_10m"]),
        days=days,
    )


def _coordinate(value: float) -> str:
    """A coordinate to five decimals (about a metre), without trailing zeros: 52.2, -0.12574."""
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _maybe_int(value: Any) -> Optional[int]:
    return None if value is None else int(round(float(value)))
