"""The ``astros`` command as a user runs it: real processes, a real data directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

HOME_TOML = """
timezone = "UTC"
[home]
area = "Living Room"
[[home.areas]]
name = "Kitchen"
[[home.areas]]
name = "Living Room"
[[home.devices]]
name = "Kitchen lights"
domain = "light"
area = "Kitchen"
[[home.devices]]
name = "Floor lamp"
domain = "light"
area = "Living Room"
"""


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'data_dir = "{tmp_path / "data"}"\n{HOME_TOML}')
    return path


def astros(*args: str, stdin: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the astros command line in a fresh process."""
    env = {**os.environ, "GPIOZERO_PIN_FACTORY": "mock"}
    return subprocess.run(
        [sys.executable, "-m", "astros", *args],
        input=stdin, capture_output=True, text=True, timeout=timeout, env=env,
    )


def test_ask_sets_a_timer(config_file: Path) -> None:
    result = astros("ask", "--config", str(config_file), "set a timer for 5 minutes")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Timer set for 5 minutes."


def test_ask_kill_the_lights_switches_them_off(config_file: Path) -> None:
    assert astros("ask", "--config", str(config_file), "turn on the kitchen lights").returncode == 0
    result = astros("ask", "--config", str(config_file), "kill the lights in the kitchen")
    assert result.returncode == 0, result.stderr
    assert "off" in result.stdout.lower() and "kitchen" in result.stdout.lower()
    state = astros("ask", "--config", str(config_file), "--json", "are the kitchen lights on")
    assert "off" in json.loads(state.stdout)["message"].lower()


def test_ask_json_and_not_understood(config_file: Path) -> None:
    result = astros("ask", "--config", str(config_file), "--json", "recite a sonnet about tax law")
    reply = json.loads(result.stdout)
    assert result.returncode == 1
    assert reply["success"] is False
    assert "didn't understand" in reply["message"]
    assert reply["suggestions"]


def test_recognize_prints_one_json_object_per_line(config_file: Path) -> None:
    lines = "turn off the kitchen lights\n\nwhat time is it\nblah blah blah qwerty\n"
    result = astros("recognize", "--config", str(config_file), stdin=lines)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["text"] for r in records] == ["turn off the kitchen lights", "what time is it", "blah blah blah qwerty"]
    assert records[0]["intent"] == "HassTurnOff"
    entities = records[0]["entities"]
    assert entities.get("name") == "Kitchen lights" or entities.get("area") == "Kitchen"
    assert records[1]["intent"] == "HassGetCurrentTime"
    assert records[2]["intent"] is None


def test_plugins_lists_the_built_in_skills(config_file: Path) -> None:
    result = astros("plugins", "--config", str(config_file), "--json")
    names = {p["name"]: p for p in json.loads(result.stdout)}
    for name in ("timers", "alarms", "clock", "lists", "home", "volume", "nevermind"):
        assert names[name]["status"] == "active"
    assert "HassStartTimer" in names["timers"]["intents"]


def test_config_error_names_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[plugins]\nplugin_timeout = "soon"\n')
    result = astros("ask", "--config", str(bad), "hello")
    assert result.returncode == 2
    assert str(bad) in result.stderr and "plugins.plugin_timeout" in result.stderr
    assert "Traceback" not in result.stderr


def test_timer_set_before_a_restart_rings_once_in_the_appliance(config_file: Path) -> None:
    """A timer set while the appliance is down rings when ``astros run`` comes up, exactly once."""
    assert astros("ask", "--config", str(config_file), "set a timer for 2 seconds").returncode == 0
    env = {**os.environ, "GPIOZERO_PIN_FACTORY": "mock"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "astros", "run", "--config", str(config_file)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
    )
    try:
        deadline = time.monotonic() + 60
        line = ""
        while time.monotonic() < deadline and "timer" not in line.lower():
            line = proc.stdout.readline()
        assert "timer" in line.lower() and "2 second" in line
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "timer" not in out.lower(), "the timer rang twice"
