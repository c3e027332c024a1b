"""``astros user`` and ``astros run`` serving the API, as real processes on a real data directory."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .conftest import free_port


def astros(config: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GPIOZERO_PIN_FACTORY": "mock"}
    return subprocess.run([sys.executable, "-m", "astros", *args, "--config", str(config)], input=stdin,
                          capture_output=True, text=True, timeout=120, env=env)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'data_dir = "{tmp_path / "data"}"\ntimezone = "UTC"\n[api]\nhost = "127.0.0.1"\n')
    return path


def test_user_add_list_passwd_remove(config: Path) -> None:
    listed = astros(config, "user", "list")
    assert listed.returncode == 0 and "No users yet" in listed.stdout
    added = astros(config, "user", "add", "ann", "--admin", "--password-stdin", stdin="a good password\n")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "Added ann (admin)."
    assert astros(config, "user", "add", "bob", "--password-stdin", stdin="bobs password\n").returncode == 0
    assert astros(config, "user", "list").stdout.split("\n")[:2] == ["ann  (admin)", "bob"]
    secret = config.parent / "data" / "api_secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    again = astros(config, "user", "add", "bob", "--password-stdin", stdin="whatever123\n")
    assert again.returncode == 2 and "already a user called bob" in again.stderr
    short = astros(config, "user", "add", "cy", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "8 to 1024 characters" in short.stderr and "Traceback" not in short.stderr
    bad = astros(config, "user", "add", "no spaces", "--password-stdin", stdin="long enough pw\n")
    assert bad.returncode == 2 and "user name" in bad.stderr
    changed = astros(config, "user", "passwd", "bob", "--password-stdin", stdin="a new password\n")
    assert changed.returncode == 0 and "sessions have ended" in changed.stdout
    assert astros(config, "user", "remove", "bob").stdout.strip() == "Removed bob."
    missing = astros(config, "user", "remove", "bob")
    assert missing.returncode == 2 and "no user called bob" in missing.stderr
    assert astros(config, "user", "list").stdout.strip() == "ann  (admin)"


def request(url: str, body: dict | None = None, token: str = "") -> dict:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=10) as reply:
        return json.loads(reply.read())


def test_run_serves_the_api_on_the_port_given(config: Path) -> None:
    """With no users, ``astros run`` says how to make the first; a user made meanwhile can log in."""
    port = free_port()
    env = {**os.environ, "GPIOZERO_PIN_FACTORY": "mock"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "astros", "run", "--config", str(config), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        line = proc.stdout.readline()
        assert "astros user add NAME --admin" in line
        base = f"http://127.0.0.1:{port}/api/v1"
        deadline = time.monotonic() + 60
        while True:
            try:
                assert request(base + "/health")["data"]["status"] == "ok"
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "the API did not come up"
                time.sleep(0.2)
        assert astros(config, "user", "add", "ann", "--password-stdin", stdin="a good password\n").returncode == 0
        token = request(base + "/auth/login", {"username": "ann", "password": "a good password"})["data"]["token"]
        reply = request(base + "/process", {"text": "set a timer for 5 minutes"}, token)
        assert reply["message"] == "Timer set for 5 minutes."
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "No users yet" in err and "Traceback" not in err
    assert "a good password" not in err and token not in err
