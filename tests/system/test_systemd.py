"""systemd: the unit passes systemd-analyze, AstrOS speaks the notify protocol (READY, WATCHDOG,
STOPPING) over a real unix datagram socket, and starting it under systemd where one runs."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from astros.system import notify as notify_module
from astros.system.notify import keep_watchdog_fed, notify, watchdog_interval

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "systemd" / "astros.service"
needs_systemd_analyze = pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                                           reason="systemd-analyze is missing (Debian package systemd)")


def local_unit(tmp_path: Path) -> Path:
    """The unit with ExecStart pointing at this checkout's astros (the image installs it in /opt/astros)."""
    text = UNIT.read_text().replace("/opt/astros/.venv/bin/astros", str(ROOT / ".venv" / "bin" / "astros"))
    path = tmp_path / "astros.service"
    path.write_text(text)
    return path


@needs_systemd_analyze
def test_the_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    done = subprocess.run(["systemd-analyze", "verify", str(local_unit(tmp_path))], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr


@needs_systemd_analyze
def test_the_unit_is_hardened(tmp_path: Path) -> None:
    done = subprocess.run(["systemd-analyze", "security", "--offline=true", "--no-pager", str(local_unit(tmp_path))],
                          capture_output=True, text=True, timeout=60)
    overall = next(line for line in done.stdout.splitlines() if "Overall exposure level" in line)
    score = float(overall.split(":")[1].split()[0])
    assert score <= 2.5, overall  # systemd calls up to 3.9 "OK"; a default unit scores 9.6
    text = UNIT.read_text()
    for setting in ("Type=notify", "WatchdogSec=", "Restart=on-failure", "User=astros", "SupplementaryGroups=audio gpio",
                    "NoNewPrivileges=yes", "ProtectSystem=strict", "StateDirectory=astros", "PrivateTmp=yes",
                    "ProtectHome=yes", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK"):
        assert setting in text, setting


@pytest.fixture
def listener(tmp_path: Path):
    """A unix datagram socket standing in for systemd's notify socket."""
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(10)
    yield path, sock
    sock.close()


def test_notify_sends_datagrams(listener) -> None:
    path, sock = listener
    assert notify("READY=1", {"NOTIFY_SOCKET": str(path)})
    assert sock.recv(4096) == b"READY=1"
    assert not notify("READY=1", {})  # not under systemd: nothing to do
    assert not notify("READY=1", {"NOTIFY_SOCKET": str(path) + ".gone"})  # a refusal is not a crash


def test_notify_to_an_abstract_socket() -> None:
    name = f"astros-test-{os.getpid()}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(5)
        assert notify("WATCHDOG=1", {"NOTIFY_SOCKET": "@" + name})
        assert sock.recv(4096) == b"WATCHDOG=1"


def test_watchdog_interval_is_half_of_systemds() -> None:
    pid = str(os.getpid())
    assert watchdog_interval({"WATCHDOG_USEC": "60000000", "WATCHDOG_PID": pid}) == 30.0
    assert watchdog_interval({"WATCHDOG_USEC": "60000000", "WATCHDOG_PID": "1"}) is None  # meant for another
    assert watchdog_interval({}) is None
    assert watchdog_interval({"WATCHDOG_USEC": "soon"}) is None


async def test_the_watchdog_is_fed_from_the_event_loop(listener, monkeypatch) -> None:
    path, sock = listener
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    sock.setblocking(False)
    task = asyncio.create_task(keep_watchdog_fed(0.05))
    await asyncio.sleep(0.28)
    task.cancel()
    pings = []
    while True:
        try:
            pings.append(sock.recv(4096))
        except BlockingIOError:
            break
    assert len(pings) >= 3 and set(pings) == {b"WATCHDOG=1"}


def test_astros_run_tells_systemd_it_is_ready_and_stopping(listener, tmp_path: Path) -> None:
    """A real ``astros run`` with NOTIFY_SOCKET and WATCHDOG_USEC as systemd sets them."""
    path, sock = listener
    config = tmp_path / "config.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\n[voice]\nenabled = false\n')
    env = dict(os.environ, NOTIFY_SOCKET=str(path), WATCHDOG_USEC="1000000")
    proc = subprocess.Popen([sys.executable, "-c", "import os, sys; os.environ['WATCHDOG_PID'] = str(os.getpid()); "
                             "from astros.cli import main; sys.exit(main(sys.argv[1:]))",
                             "run", "--config", str(config), "--port", "0"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        started = time.monotonic()
        first = sock.recv(4096).decode()
        messages = [first]
        while len([m for m in messages if m == "WATCHDOG=1"]) < 2:
            messages.append(sock.recv(4096).decode())
        assert any(m.startswith("READY=1") for m in messages), messages
        assert time.monotonic() - started < 60
        proc.send_signal(signal.SIGTERM)
        while "STOPPING=1" not in messages:
            messages.append(sock.recv(4096).decode())
        assert proc.wait(30) == 0
    finally:
        proc.kill()
        proc.wait()


def test_starting_the_service_under_systemd(tmp_path: Path) -> None:
    init = Path("/proc/1/comm").read_text().strip()
    if init != "systemd":
        pytest.skip(f"PID 1 here is {init!r}, not systemd: there is no service manager to start astros.service "
                    "under (a container); the unit is checked with systemd-analyze instead")
    if os.geteuid() != 0 or shutil.which("systemd-run") is None:
        pytest.skip("starting a system service needs root and systemd-run")
    unit = f"astros-test-{os.getpid()}"
    config = tmp_path / "config.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\n[voice]\nenabled = false\n[api]\nport = 0\n')
    subprocess.run(["systemd-run", f"--unit={unit}", "--collect", "-p", "Type=notify", "-p", "WatchdogSec=30",
                    f"--setenv=ASTROS_CONFIG={config}", str(ROOT / ".venv" / "bin" / "astros"), "run"],
                   check=True, timeout=60)
    try:
        state = ""
        for _ in range(120):  # Type=notify: "active" only once AstrOS has sent READY=1
            state = subprocess.run(["systemctl", "is-active", unit], capture_output=True, text=True).stdout.strip()
            if state != "activating":
                break
            time.sleep(0.5)
        assert state == "active"
    finally:
        subprocess.run(["systemctl", "stop", unit], timeout=60)
