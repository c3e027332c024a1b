"""The weather plugin against a loopback server that speaks Open-Meteo's forecast and geocoding APIs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web

from tests.conftest import builtin_plugin, serve

TZ = "Europe/London"


def _forecast_body(days: int = 7, start: date | None = None) -> dict[str, Any]:
    """A forecast shaped like Open-Meteo's /v1/forecast answer."""
    start = start or datetime.now(ZoneInfo(TZ)).date()
    return {
        "latitude": 52.2,
        "longitude": 0.12,
        "timezone": TZ,
        "current_units": {"temperature_2m": "°C", "weather_code": "wmo code", "wind_speed_10m": "km/h"},
        "current": {"time": f"{start}T10:00", "interval": 900, "temperature_2m": 12.3, "weather_code": 3,
                    "wind_speed_10m": 14.2},
        "daily_units": {"temperature_2m_max": "°C"},
        "daily": {
            "time": [str(start + timedelta(days=i)) for i in range(days)],
            "temperature_2m_max": [15.2, 11.0, 9.6, 8.0, 7.5, 6.9, 8.8][:days],
            "temperature_2m_min": [7.8, 4.4, 2.0, -1.6, 0.0, 1.2, 2.2][:days],
            "precipitation_probability_max": [40, 70, 0, None, 10, 20, 30][:days],
            "weather_code": [3, 61, 0, 73, 2, 45, 95][:days],
        },
    }


@dataclass
class FakeOpenMeteo:
    """What the loopback service will answer, and every request it was sent."""

    url: str = ""
    status: int = 200
    body: Any = None
    delay_s: float = 0.0
    places: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    async def forecast(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((request.path, dict(request.query)))
        await asyncio.sleep(self.delay_s)
        if self.status != 200:
            return web.json_response({"error": True, "reason": "Bad request"}, status=self.status)
        body = self.body if self.body is not None else _forecast_body()
        if isinstance(body, str):
            return web.Response(text=body, content_type="application/json")
        return web.json_response(body)

    async def search(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((request.path, dict(request.query)))
        found = self.places.get(request.query.get("name", "").lower())
        return web.json_response({"results": [found], "generationtime_ms": 0.5} if found else {"generationtime_ms": 0.5})


@pytest.fixture
async def service() -> AsyncIterator[FakeOpenMeteo]:
    fake = FakeOpenMeteo(places={"london": {"id": 2643743, "name": "London", "latitude": 51.50853,
                                            "longitude": -0.12574, "timezone": "Europe/London",
                                            "country": "United Kingdom"}})
    app = web.Application()
    app.router.add_get("/v1/forecast", fake.forecast)
    app.router.add_get("/v1/search", fake.search)
    async with serve(app) as fake.url:
        yield fake


def _toml(url: str, located: bool = True, **extra: Any) -> str:
    lines = [f'timezone = "{TZ}"', "[plugins.settings.weather]", f'base_url = "{url}"', f'geocoding_url = "{url}"']
    if located:
        lines += ["latitude = 52.2", "longitude = 0.12", 'location_name = "Cambridge"']
    lines += [f"{key} = {json.dumps(value)}" for key, value in extra.items()]
    return "\n".join(lines) + "\n"


async def test_weather_today_at_home(load_plugin, service):
    h = await load_plugin(builtin_plugin("weather"), toml=_toml(service.url))
    reply = await h.ask("HassGetWeather")
    assert reply.success
    assert reply.message == "It's 12 degrees and cloudy. Today: a high of 15 and a low of 8, with a 40% chance of rain."
    (path, query), = service.requests
    assert path == "/v1/forecast"
    assert query == {
        "latitude": "52.2",
        "longitude": "0.12",
        "current": "temperature_2m,weather_code,wind_speed_10m",
        "daily": "temperature_2m_max,temperature_2m_min,precipitation_probability_max,weather_code",
        "timezone": TZ,
        "forecast_days": "1",
    }
    assert reply.data["current"] == {"temperature": 12.3, "weather_code": 3, "condition": "cloudy skies",
                                     "wind_speed": 14.2}


async def test_tomorrow_and_later_days(load_plugin, service):
    h = await load_plugin(builtin_plugin("weather"), toml=_toml(service.url))
    today = datetime.now(ZoneInfo(TZ)).date()
    reply = await h.ask("HassGetWeather", date=str(today + timedelta(days=1)))
    assert reply.message == "Tomorrow: light rain, a high of 11 and a low of 4, with a 70% chance of rain."
    assert service.requests[-1][1]["forecast_days"] == "2"
    third = today + timedelta(days=3)
    reply = await h.ask("HassGetWeather", date=third.isoformat())
    assert reply.message == f"On {third:%A}: snow, a high of 8 and a low of -2."
    dry = await h.ask("HassGetWeather", date=str(today + timedelta(days=2)))
    assert dry.message.endswith("clear skies, a high of 10 and a low of 2, with no rain expected.")


async def test_fahrenheit_is_asked_for(load_plugin, service):
    h = await load_plugin(builtin_plugin("weather"), toml=_toml(service.url, units="fahrenheit"))
    await h.ask("HassGetWeather")
    query = service.requests[-1][1]
    assert query["temperature_unit"] == "fahrenheit" and query["wind_speed_unit"] == "mph"


async def test_a_named_place_is_geocoded(load_plugin, service):
    h = await load_plugin(builtin_plugin("weather"), toml=_toml(service.url, located=False))
    reply = await h.ask("HassGetWeather", name="London")
    assert reply.message.startswith("In London it's 12 degrees and cloudy. Today: a high of 15")
    (search, search_query), (forecast, forecast_query) = service.requests
    assert search == "/v1/search" and search_query["name"] == "London" and search_query["count"] == "1"
    assert forecast_query["latitude"] == "51.50853" and forecast_query["longitude"] == "-0.12574"
    assert forecast_query["timezone"] == "Europe/London"
    assert reply.data["place"] == "London"


async def test_home_by_name_is_not_geocoded(load_plugin, service):
    h = await load_plugin(builtin_plugin("weather"), toml=_toml(service.url))
    assert (await h.ask("HassGetWeather", name="cambridge")).success
    assert [path for path, _ in service.requests] == ["/v1/forecast"]


async def test_unknown_place(load_plugin, service):
    h = await load_plugin(builtin_plugin("weather"), toml=_toml(service.url))
    reply = await h.ask("HassGetWeather", name="Atlantis")
    assert not reply.success and reply.message == "I couldn't find a place called Atlantis."


async def test_no_location_configured(load_plugin, service):
    h = await load_plugin(builtin_plugin("weather"), toml=_toml(service.url, located=False))
    reply = await h.ask("HassGetWeather")
    assert not reply.success
    assert reply.message == "I don't know where you are yet: set a location for the weather in the configuration."
    assert service.requests == []


@pytest.mark.parametrize("status", [400, 500, 503])
async def test_error_statuses(load_plugin, service, status):
    service.status = status
    h = await load_plugin(builtin_plugin("weather"), toml=_toml(service.url))
    reply = await h.ask("HassGetWeather")
    assert not reply.success and reply.message == "I couldn't reach the weather service."


async def test_a_slow_service_times_out(load_plugin, service):
    service.delay_s = 1.0
    h = await load_plugin(builtin_plugin("weather"), toml=_toml(service.url, timeout=0.2))
    started = asyncio.get_running_loop().time()
    reply = await h.ask("HassGetWeather")
    assert asyncio.get_running_loop().time() - started < 0.8
    assert not reply.success and reply.message == "I couldn't reach the weather service."


@pytest.mark.parametrize("body", ["{not json", "[]", json.dumps({"current": {}, "daily": {}})])
async def test_malformed_answers(load_plugin, service, body):
    service.body = body
    h = await load_plugin(builtin_plugin("weather"), toml=_toml(service.url))
    reply = await h.ask("HassGetWeather")
    assert not reply.success and reply.message == "The weather service sent an answer I couldn't understand."


async def test_nobody_listening(load_plugin, service):
    h = await load_plugin(builtin_plugin("weather"), toml=_toml("http://127.0.0.1:9"))
    reply = await h.ask("HassGetWeather")
    assert not reply.success and reply.message == "I couldn't reach the weather service."


async def test_days_that_cannot_be_answered(load_plugin, service):
    h = await load_plugin(builtin_plugin("weather"), toml=_toml(service.url))
    today = datetime.now(ZoneInfo(TZ)).date()
    past = await h.ask("HassGetWeather", date=str(today - timedelta(days=1)))
    assert not past.success and "past" in past.message
    far = await h.ask("HassGetWeather", date=str(today + timedelta(days=30)))
    assert not far.success and far.message == "I can only see the weather up to 15 days ahead."
    assert not (await h.ask("HassGetWeather", date="someday")).success
    assert service.requests == []


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"latitude": 95, "longitude": 0}, "latitude must be a number from -90 to 90"),
        ({"latitude": 52.2}, "needs both latitude and longitude"),
        ({"units": "kelvin"}, "units must be"),
        ({"base_url": "ftp://x"}, "base_url must be an http"),
        ({"colour": "blue"}, "has no key 'colour'"),
    ],
)
async def test_bad_settings_are_refused(settings, problem):
    plugin = builtin_plugin("weather")()
    plugin.config = settings
    with pytest.raises(ValueError, match=problem):
        await plugin.initialize()
