"""The voice command line as a user runs it: real processes, real recordings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from astros.voice.audio import SAMPLE_RATE, read_audio, write_wav

from .conftest import COMMANDS, HOME_TOML, WAKE, spoken_command


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'data_dir = "{tmp_path / "data"}"\n{HOME_TOML}')
    return path


def astros(*args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GPIOZERO_PIN_FACTORY": "mock"}
    return subprocess.run([sys.executable, "-m", "astros", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_listen_prints_every_event_with_times(config_file: Path, tmp_path: Path) -> None:
    recording = tmp_path / "in.wav"
    write_wav(recording, spoken_command("turn off lights in the Office"), SAMPLE_RATE)
    reply = tmp_path / "reply.wav"
    result = astros("listen", "--config", str(config_file), "--input", str(recording), "--events",
                    "--output", str(reply))
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(set(e) == {"type", "t", "wall", "data"} for e in events)
    kinds = [e["type"] for e in events]
    assert kinds[:2] == ["wake_word_detected", "listening"] and kinds[-1] == "idle"
    intent = events[kinds.index("intent")]["data"]
    assert intent["intent"] == "HassTurnOff" and intent["entities"]["area"] == "Office"
    assert "tts_speaking" in kinds
    assert 1.0 < events[0]["t"] < 2.0  # the wake word ends about 1.5 s into the recording
    assert len(read_audio(reply)) > SAMPLE_RATE // 2


def test_transcribe_wake_and_bad_input(config_file: Path, tmp_path: Path) -> None:
    result = astros("transcribe", "--config", str(config_file), "--json", str(COMMANDS / "what time is it.wav"))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["text"].lower().startswith("what time is it")
    wake = astros("wake", "--config", str(config_file), "--wake-word", "alexa",
                  str(WAKE / "pymicro_wakeword" / "alexa" / "1.wav"))
    assert wake.returncode == 0 and len(wake.stdout.split()) == 1 and 0.5 < float(wake.stdout) < 3.0
    junk = tmp_path / "notes.wav"
    junk.write_text("hello")
    bad = astros("transcribe", "--config", str(config_file), str(junk))
    assert bad.returncode == 2 and "not an audio file" in bad.stderr and "Traceback" not in bad.stderr


def test_say_writes_a_wav(config_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "say.wav"
    result = astros("say", "--config", str(config_file), "-o", str(out), "Hello there. How are you?")
    assert result.returncode == 0, result.stderr
    assert 1.0 < len(read_audio(out)) / SAMPLE_RATE < 4.0


def test_run_without_a_microphone_says_so_and_keeps_serving(config_file: Path) -> None:
    env = {**os.environ, "GPIOZERO_PIN_FACTORY": "mock", "PULSE_SERVER": "unix:/nonexistent"}
    appliance = subprocess.Popen([sys.executable, "-m", "astros", "run", "--config", str(config_file),
                                  "--host", "127.0.0.1", "--port", "0"],
                                 env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            line = appliance.stderr.readline()
            lines.append(line)
            if "No input device found" in line or not line:
                break
        assert any("No input device found" in line for line in lines), "".join(lines)
        time.sleep(0.5)
        assert appliance.poll() is None, "".join(lines)
    finally:
        appliance.terminate()
        appliance.wait(timeout=20)
