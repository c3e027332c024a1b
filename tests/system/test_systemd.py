"""systemd: the unit passes systemd-analyze, AstrOS speaks the notify protocol (READY, WATCHDOG,
STOPPING) over a real unix datagram socket, and the shipped unit runs under a real systemd (a
Debian container booted with systemd-nspawn): active once ready, restarted after a crash or a hang."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

import pytest

from astros.config import parse_config
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


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_astros_run_tells_systemd_it_is_ready_and_stopping(listener, tmp_path: Path) -> None:
    """A real ``astros run`` with NOTIFY_SOCKET and WATCHDOG_USEC as systemd sets them."""
    path, sock = listener
    config = tmp_path / "config.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\n[voice]\nenabled = false\n')
    port = free_port()
    env = dict(os.environ, NOTIFY_SOCKET=str(path), WATCHDOG_USEC="1000000")
    proc = subprocess.Popen([sys.executable, "-c", "import os, sys; os.environ['WATCHDOG_PID'] = str(os.getpid()); "
                             "from astros.cli import main; sys.exit(main(sys.argv[1:]))",
                             "run", "--config", str(config), "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sock.settimeout(120)  # start-up loads the models: seconds, more on a busy machine
    try:
        messages = [sock.recv(4096).decode()]
        while not messages[-1].startswith("READY=1"):
            messages.append(sock.recv(4096).decode())
        # READY=1 comes once the API listens: systemd's "active" means the API answers.
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        while len([m for m in messages if m == "WATCHDOG=1"]) < 2:
            messages.append(sock.recv(4096).decode())
        proc.send_signal(signal.SIGTERM)
        while "STOPPING=1" not in messages:
            messages.append(sock.recv(4096).decode())
        assert proc.wait(30) == 0
    finally:
        proc.kill()
        proc.wait()


# --- The service under a real systemd: a Debian root file system booted with systemd-nspawn ---------

SUITE = "bookworm"
MIRROR = os.environ.get("ASTROS_DEBIAN_MIRROR", "http://deb.debian.org/debian")
ROOTFS_CACHE = Path(os.environ.get("ASTROS_TEST_ROOTFS_CACHE", "/var/cache/astros-test-rootfs"))
PYTHON_HOME = Path(sys.base_prefix).resolve()  # the Python the venv was made from
# systemd, and the shared libraries this checkout's Python and venv load (the venv itself is bound in)
PACKAGES = ["systemd", "systemd-sysv", "dbus", "libssl3", "libffi8", "libsqlite3-0", "libreadline8", "libncursesw6",
            "libexpat1", "libbz2-1.0", "liblzma5", "libuuid1", "libstdc++6", "libportaudio2"]
if PYTHON_HOME.is_relative_to("/usr"):
    PACKAGES.append("python3")  # a venv of the system Python: the container needs its own
# What image/stage-astros/00-astros/01-run.sh does for the service user.
ROOTFS_SETUP = "getent group gpio >/dev/null || groupadd --system gpio; " \
    "useradd --system --home-dir /var/lib/astros --no-create-home --shell /usr/sbin/nologin --user-group " \
    "--groups audio,gpio astros"
APPLIANCE_CONFIG = ROOT / "image" / "stage-astros" / "00-astros" / "files" / "config.toml"
WATCHDOG_S = 8


def service_drop_in(tmp_path: Path) -> Path:
    """The drop-in that adapts the shipped unit to this checkout (the unit itself is used unchanged).

    ExecStart runs this checkout's venv; that venv's Python may live under /root or /home, which
    ``ProtectHome=yes`` hides, so those two paths are bound back in read-only. A short watchdog
    keeps the hang test quick."""
    path = tmp_path / "50-test.conf"
    path.write_text(f"[Service]\nExecStart=\nExecStart={ROOT}/.venv/bin/astros run\nProtectHome=tmpfs\n"
                    f"BindReadOnlyPaths={PYTHON_HOME} {ROOT}\nWatchdogSec={WATCHDOG_S}\n")
    return path


def cached_rootfs() -> Path:
    """A minimal Debian root file system with systemd and the astros user, built once with
    debootstrap and kept in ROOTFS_CACHE under a name that changes with what goes into it."""
    key = hashlib.sha256(repr((SUITE, MIRROR, PACKAGES, ROOTFS_SETUP)).encode()).hexdigest()[:12]
    target = ROOTFS_CACHE / f"{SUITE}-{key}"
    ROOTFS_CACHE.mkdir(parents=True, exist_ok=True)
    with open(ROOTFS_CACHE / f"{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run may be building the same one
        if target.is_dir():
            return target
        partial = ROOTFS_CACHE / f"{target.name}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        log = ROOTFS_CACHE / f"{target.name}.log"
        with open(log, "w") as out:
            done = subprocess.run(["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}", SUITE,
                                   str(partial), MIRROR], stdout=out, stderr=subprocess.STDOUT, timeout=1200)
        if done.returncode != 0:
            tail = (log.read_text().strip().splitlines() or ["no output"])[-1]
            pytest.skip(f"debootstrap of Debian {SUITE} from {MIRROR} failed (no network?): {tail}; see {log}")
        subprocess.run(["chroot", str(partial), "sh", "-c", ROOTFS_SETUP], check=True, timeout=120)
        partial.rename(target)
    return target


class Container:
    """A booted systemd-nspawn container: commands run inside it through nsenter."""

    def __init__(self, process: subprocess.Popen, leader: int) -> None:
        self.process = process
        self.leader = leader  # the container's PID 1 (systemd), as the host sees it

    def run(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run a command inside the container (all its namespaces)."""
        return subprocess.run(["nsenter", "-t", str(self.leader), "-a", *args], capture_output=True, text=True,
                              check=check, timeout=timeout)

    def show(self, *properties: str) -> dict[str, str]:
        """``systemctl show astros`` properties."""
        out = self.run("systemctl", "show", "astros.service", "-p", ",".join(properties)).stdout
        return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)

    def wait_for(self, what: str, check, timeout: float = 300) -> dict[str, str]:
        """Poll the service's properties until ``check(properties)`` holds."""
        deadline = time.monotonic() + timeout
        while True:
            props = self.show("ActiveState", "SubState", "MainPID", "NRestarts", "StatusText", "Result")
            if check(props):
                return props
            assert time.monotonic() < deadline, f"astros.service never {what}: {props}\n{self.journal()}"
            time.sleep(0.2)

    def journal(self) -> str:
        """The service's log (systemd's lines and AstrOS's)."""
        return self.run("journalctl", "-u", "astros.service", "--no-pager", "-o", "cat", check=False).stdout

    def health(self) -> dict:
        """GET /api/v1/health from inside the container's network (it has its own loopback)."""
        port = parse_config(APPLIANCE_CONFIG.read_text(), "config.toml").api.port
        code = f"import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:{port}/api/v1/health', " \
               "timeout=10).read().decode())"
        done = subprocess.run(["nsenter", "-t", str(self.leader), "-n", sys.executable, "-c", code],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)


def boot(rootfs: Path, drop_in: Path) -> Container:
    """Boot ``rootfs`` with systemd as PID 1, this checkout, its Python, the shipped unit with the
    drop-in and the image's appliance configuration bound in read-only; writes go to a throwaway
    overlay, and it has its own network."""
    command = ["systemd-nspawn", "--quiet", "--directory", str(rootfs), f"--machine=astros-test-{os.getpid()}",
               "--register=no", "--keep-unit", "--volatile=overlay", "--private-network", "--console=pipe",
               f"--bind-ro={ROOT}", *([] if PYTHON_HOME.is_relative_to("/usr") else [f"--bind-ro={PYTHON_HOME}"]),
               f"--bind-ro={UNIT}:/etc/systemd/system/astros.service",
               f"--bind-ro={drop_in}:/etc/systemd/system/astros.service.d/{drop_in.name}",
               f"--bind-ro={APPLIANCE_CONFIG}:/etc/astros/config.toml", "--boot"]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 180
    state = "not started"
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
        leader = _systemd_child(process.pid)
        if leader is None:
            continue
        container = Container(process, leader)
        done = container.run("systemctl", "is-system-running", "--wait", check=False, timeout=180)
        state = done.stdout.strip() or done.stderr.strip()
        if state in ("running", "degraded"):
            return container
    process.kill()
    _, err = process.communicate(timeout=30)
    pytest.skip(f"systemd-nspawn could not boot a container here (systemd: {state}): "
                f"{' / '.join(err.strip().splitlines()[-3:])}")


def _systemd_child(pid: int) -> Optional[int]:
    """The child of ``pid`` that runs systemd (nspawn's container PID 1), once it does."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    with contextlib.suppress(OSError):
        for child in children.read_text().split():
            if Path(f"/proc/{child}/comm").read_text().strip() == "systemd":
                return int(child)
    return None


@pytest.fixture(scope="module")
def container(tmp_path_factory):
    """A Debian container booted with systemd, the AstrOS unit installed (not started)."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip("booting a systemd container needs root (debootstrap, systemd-nspawn)")
    missing = [tool for tool in ("debootstrap", "systemd-nspawn", "nsenter") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} missing (Debian packages debootstrap, systemd-container, util-linux)")
    booted = boot(cached_rootfs(), service_drop_in(tmp_path_factory.mktemp("systemd")))
    yield booted
    booted.process.terminate()  # nspawn shuts the container down cleanly
    try:
        booted.process.wait(60)
    except subprocess.TimeoutExpired:
        booted.process.kill()
        booted.process.wait()


@pytest.fixture
def running(container: Container) -> Container:
    """The container with astros.service started and active."""
    container.run("systemctl", "start", "astros.service", timeout=330)
    container.wait_for("came up", lambda p: p["ActiveState"] == "active")
    return container


@pytest.mark.timeout(1500)
def test_the_service_is_active_only_once_astros_says_ready(container: Container) -> None:
    """Type=notify: systemd says "activating" while AstrOS loads and "active" once AstrOS has sent
    READY=1, and by then the API answers. The hardening lets it write its data and open its port."""
    container.run("systemctl", "enable", "astros.service")
    assert container.run("systemctl", "is-enabled", "astros.service").stdout.strip() == "enabled"
    container.run("systemctl", "start", "--no-block", "astros.service")
    states: list[str] = []

    def seen(props: dict[str, str]) -> bool:
        if not states or states[-1] != props["ActiveState"]:
            states.append(props["ActiveState"])
        return props["ActiveState"] not in ("inactive", "activating")

    props = container.wait_for("became active", seen)
    assert props["ActiveState"] == "active" and props["SubState"] == "running", props
    assert "activating" in states and states[-1] == "active", states
    assert props["StatusText"] == "AstrOS is running"
    assert container.health()["data"]["status"] == "ok"
    log = container.journal()
    assert "Told systemd AstrOS is ready" in log and "voice is off until a microphone is plugged in" in log
    owner = container.run("stat", "-c", "%U %a", "/var/lib/astros", "/var/lib/astros/astros.db").stdout.split("\n")
    assert owner[:2] == ["astros 750", "astros 640"], owner  # StateDirectory, UMask=0027


@pytest.mark.timeout(600)
def test_a_killed_service_is_started_again(running: Container) -> None:
    """Restart=on-failure: after a kill -9 systemd starts AstrOS again, and it answers."""
    before = running.show("MainPID", "NRestarts")
    running.run("systemctl", "kill", "--signal=KILL", "astros.service")
    running.wait_for("restarted", lambda p: int(p["NRestarts"]) > int(before["NRestarts"])
                     and p["ActiveState"] == "active" and p["MainPID"] not in ("0", before["MainPID"]))
    assert running.health()["data"]["status"] == "ok"
    assert "status=9/KILL" in running.journal()


@pytest.mark.timeout(600)
def test_the_watchdog_restarts_a_hung_service(running: Container) -> None:
    """WatchdogSec: AstrOS pings while its event loop runs; when the loop stops (SIGSTOP here),
    the pings stop and systemd kills and restarts it."""
    first = running.show("WatchdogTimestampMonotonic")["WatchdogTimestampMonotonic"]
    deadline = time.monotonic() + 10 * WATCHDOG_S
    while running.show("WatchdogTimestampMonotonic")["WatchdogTimestampMonotonic"] == first:
        assert time.monotonic() < deadline, "no watchdog ping arrived"
        time.sleep(0.5)
    before = running.show("MainPID", "NRestarts")
    running.run("systemctl", "kill", "--signal=STOP", "--kill-whom=main", "astros.service")
    running.wait_for("restarted after the hang", lambda p: int(p["NRestarts"]) > int(before["NRestarts"])
                     and p["ActiveState"] == "active" and p["MainPID"] not in ("0", before["MainPID"]))
    log = running.journal()
    assert f"Watchdog timeout (limit {WATCHDOG_S}s)!" in log and "Failed with result 'watchdog'" in log
    assert running.health()["data"]["status"] == "ok"
