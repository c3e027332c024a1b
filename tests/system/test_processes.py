"""ProcessManager: only allow-listed programs, no shell, bounded output, nothing hangs; system facts."""

from __future__ import annotations

import builtins
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from astros.system import sysinfo
from astros.system.processes import CommandError, ProcessManager

PYTHON = os.path.realpath(sys.executable)


@pytest.fixture
def processes() -> ProcessManager:
    return ProcessManager(["echo", "sleep", "yes", PYTHON], timeout_s=5,
                          max_output_bytes=10_000)


INJECTIONS = [
    "echo hi; touch {pwned}",
    "echo hi && touch {pwned}",
    "echo hi | touch {pwned}",
    "echo $(touch {pwned})",
    "echo `touch {pwned}`",
    "echo hi > {pwned}",
    "echo hi\ntouch {pwned}",
]


@pytest.mark.parametrize("template", INJECTIONS)
async def test_shell_metacharacters_are_plain_text(processes: ProcessManager, tmp_path: Path, template: str) -> None:
    pwned = tmp_path / "pwned"
    result = await processes.run_command(template.format(pwned=pwned))
    assert result.success
    assert not pwned.exists()
    assert str(pwned) in result.stdout  # echoed back as words, not run


@pytest.mark.parametrize("command", ["rm -rf /tmp/nothing", "sh -c 'echo hi'", "bash", "env echo hi",
                                     "/usr/bin/env echo"])
async def test_commands_off_the_list_are_refused(processes: ProcessManager, command: str) -> None:
    with pytest.raises(builtins.PermissionError) as caught:
        await processes.run_command(command)
    assert caught.value.code == "command-not-allowed"


async def test_a_lookalike_program_elsewhere_is_not_the_allowed_one(processes: ProcessManager, tmp_path: Path) -> None:
    fake = tmp_path / "echo"
    shutil.copy(shutil.which("echo"), fake)
    with pytest.raises(builtins.PermissionError):
        await processes.run_command(str(fake) + " hi")
    with pytest.raises((CommandError, builtins.PermissionError)):
        await processes.run_command("./echo hi", cwd=str(tmp_path))
    result = await processes.run_command("echo hi", env={"PATH": str(tmp_path)})  # PATH cannot redirect it
    assert result.command[0] == os.path.realpath(shutil.which("echo"))


@pytest.mark.parametrize("command", ["", "   ", "echo 'unbalanced", "no-such-program-xyz"])
async def test_bad_commands_get_a_clear_error(processes: ProcessManager, command: str) -> None:
    with pytest.raises(CommandError):
        await processes.run_command(command)


async def test_an_entry_with_arguments_allows_exactly_those() -> None:
    processes = ProcessManager(["echo restart music"])
    result = await processes.run_command("echo restart music now")
    assert result.stdout == "restart music now\n"
    for refused in ("echo stop music", "echo restart", "echo"):
        with pytest.raises(builtins.PermissionError):
            await processes.run_command(refused)


async def test_hung_commands_are_killed_at_the_timeout(processes: ProcessManager) -> None:
    started = time.monotonic()
    result = await processes.run_command("sleep 60", timeout=0.3)
    assert result.timed_out and not result.success and result.returncode == -9
    assert time.monotonic() - started < 30  # far below the 60 s the command asked for


async def test_children_holding_the_output_open_are_killed_too(processes: ProcessManager) -> None:
    code = "import subprocess, sys; p = subprocess.Popen(['sleep', '60']); print(p.pid, flush=True)"
    result = await processes.run_command(f"{PYTHON} -c \"{code}\"", timeout=0.5)
    child = int(result.stdout.split()[0])
    assert result.timed_out
    time.sleep(0.1)
    assert not psutil.pid_exists(child) or psutil.Process(child).status() == psutil.STATUS_ZOMBIE


async def test_huge_output_is_cut_off_and_the_flood_stopped(processes: ProcessManager) -> None:
    result = await processes.run_command("yes", timeout=300)  # prints forever
    assert result.truncated and not result.success
    assert not result.timed_out, "the flood was stopped by the timeout, not by the output limit"
    assert result.returncode is not None and result.returncode < 0  # killed, not finished
    assert len(result.stdout) == 10_000
    code = "import sys; sys.stderr.write('e' * 10_000_000)"
    flooded = await processes.run_command(f"{PYTHON} -c \"{code}\"")
    assert flooded.truncated and len(flooded.stderr) == 10_000


async def test_exit_status_output_and_environment(processes: ProcessManager, tmp_path: Path) -> None:
    code = "import os, sys; print(os.getcwd(), os.environ['GREETING']); sys.exit(3)"
    result = await processes.run_command(f"{PYTHON} -c \"{code}\"", cwd=str(tmp_path), env={"GREETING": "hello"})
    assert result.returncode == 3 and not result.success
    assert result.stdout.strip() == f"{tmp_path} hello"


async def test_kill_only_allow_listed_processes(processes: ProcessManager) -> None:
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        stranger = ProcessManager(["echo"])
        with pytest.raises(builtins.PermissionError):
            await stranger.kill_process(sleeper.pid)
        assert sleeper.poll() is None  # still running
        assert await processes.kill_process(sleeper.pid) is True
        assert sleeper.wait(2) is not None
    finally:
        sleeper.kill()
    assert await processes.kill_process(sleeper.pid) is False  # gone
    for protected in (1, os.getpid()):
        with pytest.raises(builtins.PermissionError):
            await processes.kill_process(protected)


async def test_running_processes_include_this_one(processes: ProcessManager) -> None:
    infos = await processes.get_running_processes()
    mine = next(info for info in infos if info.pid == os.getpid())
    assert mine.memory_bytes > 0 and mine.cmdline


async def test_system_info(processes: ProcessManager) -> None:
    info = await processes.get_system_info()
    assert 0 < info.memory_available_bytes <= info.memory_total_bytes
    assert 0 <= info.cpu_percent <= 100 and info.cpu_count >= 1
    assert 0 < info.disk_free_bytes <= info.disk_total_bytes
    assert info.uptime_s > 0
    assert info.temperature_c is None or -50 < info.temperature_c < 150


def test_temperature_from_the_boards_thermal_zone(monkeypatch, tmp_path: Path) -> None:
    """A Raspberry Pi reports its SoC temperature in millidegrees in sysfs."""
    zone = tmp_path / "temp"
    zone.write_text("48312\n")
    monkeypatch.setattr(sysinfo, "THERMAL_ZONE", zone)
    monkeypatch.setattr(sysinfo, "_sensor_readings", lambda: {})
    assert sysinfo.cpu_temperature() == 48.3
    zone.unlink()
    assert sysinfo.cpu_temperature() is None
