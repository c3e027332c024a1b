"""The system skill: memory, CPU, temperature, storage and uptime answers; restarting allowed services."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import builtin_plugin, make_intent


def toml_for(tmp_path: Path, allowed: str = "", command: str = "") -> str:
    settings = f'[plugins.settings.system]\nrestart_command = "{command}"\n' if command else ""
    return (f'timezone = "UTC"\n[system]\nfile_roots = ["{tmp_path}"]\nallowed_commands = [{allowed}]\n'
            f'[system.services]\nmusic = "{tmp_path}/mpd.service"\n'
            f'[permissions.users]\nowner = ["*"]\n{settings}')


@pytest.mark.parametrize("subject, pattern", [
    ("memory", r"^\d+\.\d gigabytes of \d+\.\d gigabytes of memory is free \(\d+% in use\)\.$"),
    ("cpu", r"^The processor is \d+% busy across (\d+ cores|one core)\.$"),
    ("disk", r"^\d+(\.\d)? (giga|mega)bytes of \d+(\.\d)? (giga|mega)bytes of storage is free\.$"),
    ("uptime", r"^The system has been up for (\d+ (day|hour|minute)s?( and \d+ (hour|minute)s?)?|less than a minute)\.$"),
    ("temperature", r"^(The CPU is at \d+ degrees Celsius|This board doesn't report its CPU temperature)\.$"),
])
async def test_questions_about_the_machine(load_plugin, tmp_path: Path, subject: str, pattern: str) -> None:
    h = await load_plugin(builtin_plugin("system"), toml=toml_for(tmp_path))
    response = await h.manager.dispatch(make_intent("AstrosSystemStatus", user_id="voice", subject=subject))
    assert response.response is not None, response.reason  # system.read is a default permission
    assert re.match(pattern, response.response.message), response.response.message
    assert response.response.data["memory_total_bytes"] > 0


async def test_temperature_where_the_board_reports_one(load_plugin, tmp_path: Path, monkeypatch) -> None:
    from astros.system import sysinfo

    zone = tmp_path / "temp"
    zone.write_text("51234\n")  # what a Raspberry Pi's /sys/class/thermal/thermal_zone0/temp holds
    monkeypatch.setattr(sysinfo, "THERMAL_ZONE", zone)
    monkeypatch.setattr(sysinfo, "_sensor_readings", lambda: {})
    h = await load_plugin(builtin_plugin("system"), toml=toml_for(tmp_path))
    response = await h.ask("AstrosSystemStatus", subject="temperature")
    assert response.message == "The CPU is at 51 degrees Celsius."


async def test_everything_at_once(load_plugin, tmp_path: Path) -> None:
    h = await load_plugin(builtin_plugin("system"), toml=toml_for(tmp_path))
    response = await h.ask("AstrosSystemStatus", subject="all")
    assert "of memory is free" in response.message and "busy across" in response.message


async def test_restart_an_allowed_service(load_plugin, tmp_path: Path) -> None:
    """``touch`` stands in for systemctl: the real program runs, with the unit from the config."""
    h = await load_plugin(builtin_plugin("system"), toml=toml_for(tmp_path, '"touch"', "touch {unit}"))
    response = await h.ask("AstrosSystemRestartService", service="music")
    assert response.success and response.message == "I restarted the music service."
    assert (tmp_path / "mpd.service").exists()


async def test_restart_refused_when_the_command_is_not_allowed(load_plugin, tmp_path: Path) -> None:
    h = await load_plugin(builtin_plugin("system"), toml=toml_for(tmp_path, '"echo"', "touch {unit}"))
    response = await h.ask("AstrosSystemRestartService", service="the music service")
    assert not response.success and response.message == "I'm not allowed to restart the music service."
    assert not (tmp_path / "mpd.service").exists()


async def test_unknown_services_and_spoken_tricks_run_nothing(load_plugin, tmp_path: Path) -> None:
    h = await load_plugin(builtin_plugin("system"), toml=toml_for(tmp_path, '"touch"', "touch {unit}"))
    for spoken in ("printer", f"music; touch {tmp_path}/pwned", "$(touch pwned)"):
        response = await h.ask("AstrosSystemRestartService", service=spoken)
        assert not response.success and response.message.startswith("I don't know a service called")
    assert list(tmp_path.glob("pwned*")) == []


async def test_a_failing_restart_says_why(load_plugin, tmp_path: Path) -> None:
    h = await load_plugin(builtin_plugin("system"), toml=toml_for(tmp_path, '"ls"', "ls {unit}"))
    response = await h.ask("AstrosSystemRestartService", service="music")
    assert not response.success and response.message.startswith("The music service did not restart: ")
    assert "No such file" in response.message


async def test_the_voice_user_cannot_restart(load_plugin, tmp_path: Path) -> None:
    h = await load_plugin(builtin_plugin("system"), toml=toml_for(tmp_path, '"touch"', "touch {unit}"))
    result = await h.manager.dispatch(make_intent("AstrosSystemRestartService", user_id="voice", service="music"))
    assert result.error == "permission-denied" and "system.control" in result.reason
    assert not (tmp_path / "mpd.service").exists()
