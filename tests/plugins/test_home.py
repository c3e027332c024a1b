"""The home plugin on a real database: targets, replies, state kept across restarts, GPIO on
gpiozero's mock pins, and MQTT devices against a real Mosquitto broker started by the tests."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiomqtt
import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory, MockPWMPin

from astros.events import EventType
from tests.conftest import builtin_plugin

HOME = """
[home]
area = "Living Room"

[[home.floors]]
name = "First Floor"

[[home.areas]]
name = "Kitchen"
floor = "First Floor"
[[home.areas]]
name = "Living Room"
aliases = ["lounge"]
floor = "First Floor"
[[home.areas]]
name = "Garage"
[[home.areas]]
name = "Bedroom"

[[home.devices]]
name = "Kitchen ceiling"
domain = "light"
area = "Kitchen"
[[home.devices]]
name = "Kitchen countertop"
domain = "light"
area = "Kitchen"
[[home.devices]]
name = "Kitchen Switch"
domain = "switch"
area = "Kitchen"
[[home.devices]]
name = "Living Room Lamp"
domain = "light"
area = "Living Room"
[[home.devices]]
name = "Bedroom Lamp"
domain = "light"
area = "Bedroom"
[[home.devices]]
name = "Curtain Left"
domain = "cover"
device_class = "curtain"
area = "Living Room"
[[home.devices]]
name = "Garage Door"
domain = "cover"
device_class = "garage_door"
area = "Garage"
[[home.devices]]
name = "Front Door"
domain = "lock"
[[home.devices]]
name = "Outside Temperature"
domain = "sensor"
device_class = "temperature"
area = "Garage"
[[home.devices]]
name = "Thermostat"
domain = "climate"
area = "Living Room"
[[home.devices]]
name = "Rover"
domain = "vacuum"
area = "Living Room"
[[home.devices]]
name = "Party Mode"
domain = "scene"
"""


@pytest.fixture
def mock_pins(monkeypatch):
    """Fresh gpiozero mock pins (PWM-capable) for one test."""
    factory = MockFactory(pin_class=MockPWMPin)
    monkeypatch.setattr(Device, "pin_factory", factory)
    yield factory
    factory.reset()


async def load_home(load_plugin, toml: str = HOME, background: bool = False):
    return await load_plugin(builtin_plugin("home"), toml=toml, background=background)


async def test_kill_the_lights_in_the_kitchen(load_plugin):
    h = await load_home(load_plugin)
    await h.ask("HassTurnOn", area="Kitchen", domain="light")
    response = await h.ask("HassTurnOff", area="Kitchen", domain="light")
    assert response.success
    assert response.message == "Turned off the kitchen lights."
    assert {d["name"]: d["state"]["state"] for d in response.data["devices"]} == {
        "Kitchen ceiling": "off",
        "Kitchen countertop": "off",
    }
    state = await h.ask("HassGetState", area="Kitchen", domain="light", state="on")
    assert state.message == "No lights in the Kitchen are on."


async def test_name_picks_one_device_and_reply_names_it(load_plugin):
    h = await load_home(load_plugin)
    response = await h.ask("HassTurnOn", name="Bedroom Lamp")
    assert response.success and response.message == "Turned on the Bedroom Lamp."
    assert (await h.ask("HassGetState", name="Bedroom Lamp", state="on")).message == "Yes, the Bedroom Lamp is on."
    assert (await h.ask("HassGetState", name="bedroom lamp", state="off")).message == "No, the Bedroom Lamp is on."


async def test_every_change_publishes_device_changed(load_plugin):
    h = await load_home(load_plugin)
    await h.ask("HassTurnOn", area="Kitchen", domain="light")
    changed = [e for e in h.events if e.type == EventType.DEVICE_CHANGED]
    assert sorted(e.data["device"] for e in changed) == ["Kitchen ceiling", "Kitchen countertop"]
    assert all(e.data["state"]["state"] == "on" and e.data["source"] == "command" for e in changed)


async def test_area_alone_switches_its_lights_and_switches(load_plugin):
    h = await load_home(load_plugin)
    response = await h.ask("HassTurnOn", area="Kitchen")
    assert response.message == "Turned on everything in the kitchen."
    assert len(response.data["devices"]) == 3


async def test_all_the_lights_without_area_is_the_whole_home(load_plugin):
    h = await load_home(load_plugin)
    response = await h.ask("HassTurnOn", domain="light")
    assert response.message == "Turned on all the lights."
    assert len(response.data["devices"]) == 4
    which = await h.ask("HassGetState", domain="light", state="on")
    assert which.message == "All 4 lights are on."
    await h.ask("HassTurnOff", name="Bedroom Lamp")
    which = await h.ask("HassGetState", domain="light", state="on")
    assert which.message == "3 of the 4 lights are on: Kitchen ceiling, Kitchen countertop and Living Room Lamp."


async def test_floor_picks_the_areas_on_it(load_plugin):
    h = await load_home(load_plugin)
    response = await h.ask("HassTurnOn", floor="First Floor", domain="light")
    assert response.message == "Turned on the lights on the First Floor."
    assert {d["name"] for d in response.data["devices"]} == {"Kitchen ceiling", "Kitchen countertop", "Living Room Lamp"}


async def test_nothing_matching_says_so(load_plugin):
    h = await load_home(load_plugin)
    response = await h.ask("HassTurnOff", area="Garage", domain="light")
    assert not response.success
    assert response.message == "There are no lights in the Garage."
    assert (await h.ask("HassTurnOn", name="Hall Light")).message == "I don't know a device called Hall Light."
    assert (await h.ask("HassTurnOn")).message == "Which device do you mean?"


async def test_requesting_area_falls_back_to_the_only_such_device(load_plugin):
    h = await load_home(load_plugin)
    response = await h.ask("HassTurnOn", domain="cover", device_class="garage", area="Kitchen", context_area=True)
    assert response.success and response.message == "Opened the Garage Door."
    # Several lights elsewhere: nothing is guessed.
    response = await h.ask("HassTurnOn", domain="light", area="Garage", context_area=True)
    assert not response.success and response.message == "There are no lights in the Garage."


async def test_light_set_brightness_and_colour(load_plugin):
    h = await load_home(load_plugin)
    response = await h.ask("HassLightSet", area="Kitchen", brightness=50)
    assert response.success and response.message == "Set the kitchen lights to 50%."
    response = await h.ask("HassLightSet", name="Bedroom Lamp", color="Red", brightness=20)
    assert response.message == "Set the Bedroom Lamp to red at 20%."
    state = await h.ask("HassGetState", name="Bedroom Lamp")
    assert state.message == "The Bedroom Lamp is on at 20%."
    assert state.data["devices"][0]["state"]["color"] == "red"


async def test_light_set_refuses_bad_values(load_plugin):
    h = await load_home(load_plugin)
    assert (await h.ask("HassLightSet", name="Bedroom Lamp", brightness=150)).message == (
        "The brightness must be between 0 and 100 percent."
    )
    assert (await h.ask("HassLightSet", name="Bedroom Lamp", color="plaid")).message == "I don't know the colour plaid."
    response = await h.ask("HassLightSet", name="Kitchen Switch", brightness=50)
    assert not response.success and "isn't a light" in response.message


async def test_covers_locks_and_scenes_use_their_own_words(load_plugin):
    h = await load_home(load_plugin)
    assert (await h.ask("HassTurnOn", name="Front Door")).message == "Locked the Front Door."
    assert (await h.ask("HassGetState", name="Front Door")).message == "The Front Door is locked."
    assert (await h.ask("HassGetState", name="Front Door", state="unlocked")).message == "No, the Front Door is locked."
    assert (await h.ask("HassTurnOff", name="Curtain Left")).message == "Closed the Curtain Left."
    assert (await h.ask("HassTurnOn", name="Party Mode")).message == "Activated Party Mode."
    refused = await h.ask("HassTurnOn", name="Outside Temperature")
    assert not refused.success and refused.message == "I can't turn on the Outside Temperature."


async def test_set_position(load_plugin):
    h = await load_home(load_plugin)
    response = await h.ask("HassSetPosition", area="Living Room", domain="cover", device_class="curtain", position=40)
    assert response.message == "Set the living room curtains to 40% open."
    assert (await h.ask("HassGetState", name="Curtain Left")).message == "The Curtain Left is 40% open."
    assert (await h.ask("HassGetState", name="Curtain Left", state="open")).message.startswith("Yes")
    refused = await h.ask("HassSetPosition", name="Bedroom Lamp", position=40)
    assert not refused.success


async def test_sensor_without_backend_does_not_know_yet(load_plugin):
    h = await load_home(load_plugin)
    response = await h.ask("HassGetState", name="Outside Temperature")
    assert response.success and response.message == "I don't know the Outside Temperature yet."


async def test_state_survives_a_restart(load_plugin):
    h = await load_home(load_plugin)
    await h.ask("HassLightSet", name="Living Room Lamp", brightness=30)
    await h.manager.shutdown()
    again = await load_home(load_plugin)
    assert (await again.ask("HassGetState", name="Living Room Lamp")).message == "The Living Room Lamp is on at 30%."


async def test_permissions(load_plugin):
    toml = HOME.replace("[home]", '[permissions]\ndefault = ["home.read"]\n\n[home]', 1)
    h = await load_home(load_plugin, toml)
    result = await h.manager.dispatch(__import__("tests.conftest", fromlist=["make_intent"]).make_intent(
        "HassTurnOn", name="Bedroom Lamp"))
    assert result.error == "permission-denied" and "home.control" in result.reason
    assert (await h.ask("HassGetState", name="Bedroom Lamp")).success


async def test_climate(load_plugin):
    h = await load_home(load_plugin)
    response = await h.ask("HassClimateSetTemperature", temperature=20.5)
    assert response.success and response.message == "Set the Thermostat to 20.5 degrees."
    response = await h.ask("HassClimateSetTemperature", area="Living Room", temperature=21)
    assert response.message == "Set the temperature in the Living Room to 21 degrees."
    answer = await h.ask("HassClimateGetTemperature", area="Living Room")
    assert answer.message == (
        "I don't know the current temperature in the Living Room yet, but the Thermostat is set to 21 degrees."
    )
    assert (await h.ask("HassClimateGetTemperature", area="Bedroom")).message == "There are no thermostats in the Bedroom."
    assert not (await h.ask("HassClimateSetTemperature", temperature=500)).success


async def test_vacuum(load_plugin):
    h = await load_home(load_plugin)
    assert (await h.ask("HassVacuumStart", name="Rover")).message == "Started the Rover."
    assert (await h.ask("HassGetState", name="Rover")).message == "The Rover is cleaning."
    assert (await h.ask("HassVacuumReturnToBase")).message == "Sent the Rover back to its dock."
    assert (await h.ask("HassVacuumCleanArea", area="Kitchen")).message == "Sent the Rover to clean the Kitchen."
    assert (await h.ask("HassGetState", name="Rover")).message == "The Rover is cleaning the Kitchen."
    assert (await h.ask("HassVacuumStart", floor="First Floor")).message == "Started the Rover."


async def test_no_devices_configured(load_plugin):
    h = await load_plugin(builtin_plugin("home"), toml="")
    response = await h.ask("HassTurnOn", domain="light")
    assert not response.success and "[[home.devices]]" in response.message


# -- GPIO on gpiozero's mock pins -----------------------------------------------------------------

GPIO_HOME = """
[[home.areas]]
name = "Office"

[[home.devices]]
name = "Desk Lamp"
domain = "light"
area = "Office"
backend = "gpio"
pin = "GPIO17"

[[home.devices]]
name = "Heater"
domain = "switch"
area = "Office"
backend = "gpio"
pin = "BOARD13"

[[home.devices]]
name = "Window"
domain = "binary_sensor"
device_class = "window"
area = "Office"
backend = "gpio"
pin = "GPIO22"
"""


async def test_gpio_light_dims_with_pwm_and_switch_toggles(load_plugin, mock_pins):
    h = await load_home(load_plugin, GPIO_HOME)
    response = await h.ask("HassLightSet", name="Desk Lamp", brightness=25)
    assert response.success, response.message
    assert mock_pins.pin(17).state == pytest.approx(0.25)
    await h.ask("HassTurnOn", name="Heater")
    assert mock_pins.pin(27).state == 1  # BOARD13 is GPIO27
    await h.ask("HassTurnOff", area="Office")
    assert mock_pins.pin(17).state == 0 and mock_pins.pin(27).state == 0


async def test_gpio_input_reports_its_state(load_plugin, mock_pins):
    h = await load_home(load_plugin, GPIO_HOME, background=True)  # claims the pins at start
    mock_pins.pin(22).drive_high()
    assert (await h.ask("HassGetState", name="Window")).message == "The Window is open."
    mock_pins.pin(22).drive_low()
    assert (await h.ask("HassGetState", name="Window", state="open")).message == "No, the Window is closed."


async def test_gpio_light_without_pwm_switches(load_plugin, monkeypatch):
    factory = MockFactory()  # plain mock pins: no PWM
    monkeypatch.setattr(Device, "pin_factory", factory)
    try:
        h = await load_home(load_plugin, GPIO_HOME)
        assert (await h.ask("HassLightSet", name="Desk Lamp", brightness=40)).success
        assert factory.pin(17).state is True
    finally:
        await h.manager.shutdown()
        factory.reset()


async def test_gpio_outputs_restored_after_restart(load_plugin, mock_pins):
    h = await load_home(load_plugin, GPIO_HOME, background=True)
    await h.ask("HassTurnOn", name="Heater")
    await h.manager.shutdown()
    mock_pins.reset()
    assert mock_pins.pin(27).state == 0
    await load_home(load_plugin, GPIO_HOME, background=True)
    assert mock_pins.pin(27).state == 1


async def test_gpio_missing_chip_is_a_clear_reply(load_plugin, monkeypatch, caplog):
    monkeypatch.setattr(Device, "pin_factory", None)
    monkeypatch.setenv("GPIOZERO_PIN_FACTORY", "lgpio")  # not installed here, as on a desktop
    h = await load_home(load_plugin, GPIO_HOME, background=True)
    response = await h.ask("HassTurnOn", name="Heater")
    assert not response.success
    assert response.message == "I couldn't reach the Heater. This machine has no usable GPIO pins."
    assert "GPIO" in caplog.text


# -- MQTT against a real Mosquitto broker ---------------------------------------------------------

MOSQUITTO = shutil.which("mosquitto") or next(
    (p for p in ("/usr/sbin/mosquitto", "/usr/bin/mosquitto") if Path(p).exists()), None
)
needs_mosquitto = pytest.mark.skipif(
    MOSQUITTO is None, reason="the mosquitto broker is not installed (Debian package: mosquitto)"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def start_broker(tmp_path):
    """``port = await start_broker(port=None)``: a real Mosquitto on 127.0.0.1, stopped after the test."""
    started: list[subprocess.Popen] = []

    async def start(port: int | None = None) -> int:
        port = port or free_port()
        conf = tmp_path / f"mosquitto-{port}.conf"
        conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
        proc = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append(proc)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                return port
            assert proc.poll() is None, "mosquitto exited at start"
            await asyncio.sleep(0.05)
        raise AssertionError("mosquitto did not start listening")

    yield start
    for proc in started:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def mqtt_home(port: int, fmt: str = "zigbee2mqtt", topic: str = "zigbee2mqtt/kitchen_light", extra: str = "") -> str:
    return f"""
[mqtt]
host = "127.0.0.1"
port = {port}

[plugins.settings.home]
mqtt_timeout = 2

[[home.areas]]
name = "Kitchen"

[[home.devices]]
name = "kitchen light"
domain = "light"
area = "Kitchen"
backend = "mqtt"
topic = "{topic}"
mqtt_format = "{fmt}"
{extra}
"""


@contextlib.asynccontextmanager
async def device_side(port: int, *topics: str):
    """A client playing the device: subscribed to ``topics``."""
    async with aiomqtt.Client("127.0.0.1", port, identifier="test-device") as client:
        for topic in topics:
            await client.subscribe(topic)
        yield client


async def next_message(client: aiomqtt.Client) -> tuple[str, str]:
    async with asyncio.timeout(5):
        message = await anext(aiter(client.messages))
    return str(message.topic), bytes(message.payload).decode()


async def until(check, seconds: float = 5.0) -> None:
    """Wait until ``await check()`` is true."""
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def connected(h) -> None:
    await asyncio.wait_for(h.plugin.controller.backends.mqtt.connected.wait(), 5)


@needs_mosquitto
async def test_mqtt_zigbee2mqtt_command_and_reported_state(start_broker, load_plugin):
    port = await start_broker()
    h = await load_home(load_plugin, mqtt_home(port), background=True)
    await connected(h)
    async with device_side(port, "zigbee2mqtt/kitchen_light/set") as device:
        response = await h.ask("HassLightSet", name="kitchen light", brightness=50)
        assert response.success and response.message == "Set the kitchen light to 50%."
        topic, payload = await next_message(device)
        assert topic == "zigbee2mqtt/kitchen_light/set"
        assert json.loads(payload) == {"state": "ON", "brightness": 127}
        await device.publish("zigbee2mqtt/kitchen_light", json.dumps({"state": "OFF", "brightness": 127}))

        async def reported_off() -> bool:
            return (await h.ask("HassGetState", name="kitchen light")).message == "The kitchen light is off."

        await until(reported_off)
    assert any(e.type == EventType.DEVICE_CHANGED and e.data["source"] == "device" for e in h.events)


@needs_mosquitto
async def test_mqtt_one_shot_process_connects_to_publish(start_broker, load_plugin):
    port = await start_broker()
    h = await load_home(load_plugin, mqtt_home(port), background=False)
    async with device_side(port, "zigbee2mqtt/#") as device:
        response = await h.ask("HassTurnOff", area="Kitchen", domain="light")
        assert response.success and response.message == "Turned off the kitchen lights."
        assert await next_message(device) == ("zigbee2mqtt/kitchen_light/set", '{"state": "OFF"}')


@needs_mosquitto
async def test_mqtt_tasmota(start_broker, load_plugin):
    port = await start_broker()
    sensor = """
[[home.devices]]
name = "Outside Temperature"
domain = "sensor"
device_class = "temperature"
backend = "mqtt"
topic = "garden"
mqtt_format = "tasmota"
"""
    h = await load_home(load_plugin, mqtt_home(port, "tasmota", "kitchen", sensor), background=True)
    await connected(h)
    async with device_side(port, "cmnd/kitchen/#") as device:
        await h.ask("HassTurnOn", name="kitchen light")
        assert await next_message(device) == ("cmnd/kitchen/POWER", "ON")
        await h.ask("HassLightSet", name="kitchen light", brightness=30)
        assert await next_message(device) == ("cmnd/kitchen/Dimmer", "30")
        await device.publish("stat/kitchen/RESULT", '{"POWER":"OFF"}')
        await device.publish("tele/garden/SENSOR", '{"Time":"2024-01-01T10:00:00","AM2301":{"Temperature":21.5,"Humidity":40}}')

        async def reported() -> bool:
            light = await h.ask("HassGetState", name="kitchen light")
            temp = await h.ask("HassGetState", name="Outside Temperature")
            return light.message == "The kitchen light is off." and temp.message == "The Outside Temperature is 21.5 degrees."

        await until(reported)


@needs_mosquitto
async def test_mqtt_plain(start_broker, load_plugin):
    port = await start_broker()
    h = await load_home(load_plugin, mqtt_home(port, "plain", "home/kitchen/light"), background=True)
    await connected(h)
    async with device_side(port, "home/kitchen/light/set") as device:
        await h.ask("HassTurnOn", name="kitchen light")
        assert await next_message(device) == ("home/kitchen/light/set", "ON")
        await device.publish("home/kitchen/light", "OFF")

        async def reported_off() -> bool:
            return (await h.ask("HassGetState", name="kitchen light", state="on")).message.startswith("No,")

        await until(reported_off)


async def test_mqtt_broker_down_is_a_clear_failure(load_plugin):
    h = await load_home(load_plugin, mqtt_home(free_port()))
    started = time.monotonic()
    response = await h.ask("HassTurnOff", name="kitchen light")
    assert time.monotonic() - started < 5  # mqtt_timeout is 2 s
    assert not response.success
    assert response.message == "I couldn't reach the kitchen light."
    assert (await h.ask("HassGetState", name="kitchen light")).message == "I don't know the state of the kitchen light yet."


async def test_mqtt_silent_broker_is_bounded(load_plugin):
    """A broker that accepts the connection but never answers: the reply still comes in time."""
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        h = await load_home(load_plugin, mqtt_home(port).replace("mqtt_timeout = 2", "mqtt_timeout = 1"))
        started = time.monotonic()
        response = await h.ask("HassTurnOn", name="kitchen light")
        assert time.monotonic() - started < 4  # mqtt_timeout is 1 s
        assert response.message == "I couldn't reach the kitchen light."


@needs_mosquitto
async def test_mqtt_reconnects_and_logs_once_per_outage(start_broker, load_plugin, monkeypatch, caplog):
    link_module = sys.modules["astros_plugin_home.backends.mqtt"]
    monkeypatch.setattr(link_module, "BACKOFF_START", 0.05)
    monkeypatch.setattr(link_module, "BACKOFF_MAX", 0.1)
    port = free_port()
    caplog.set_level(logging.WARNING)
    h = await load_home(load_plugin, mqtt_home(port), background=True)
    await asyncio.sleep(0.6)  # several attempts against nothing
    assert sum("unreachable" in r.getMessage() for r in caplog.records) == 1
    await start_broker(port)
    await connected(h)
    async with device_side(port) as device:
        await device.publish("zigbee2mqtt/kitchen_light", '{"state": "ON"}')

        async def reported_on() -> bool:
            return (await h.ask("HassGetState", name="kitchen light")).message == "The kitchen light is on."

        await until(reported_on)
