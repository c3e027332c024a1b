"""A small home and one prepared recognizer shared by the intent tests (loading takes seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from astros.config import AreaConfig, DeviceConfig, FloorConfig, HomeConfig, IntentsConfig
from astros.embeddings import SentenceEmbedder
from astros.home import Home
from astros.intents.recognizer import IntentRecognizer

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"


def small_home() -> Home:
    """Three rooms on one floor, a few lights, a fan, a TV and a shopping list."""
    return Home(
        HomeConfig(
            area="Living Room",
            floors=[FloorConfig(name="Ground Floor", aliases=["downstairs"])],
            areas=[
                AreaConfig(name="Kitchen", floor="Ground Floor"),
                AreaConfig(name="Living Room", aliases=["Lounge"], floor="Ground Floor"),
                AreaConfig(name="Bedroom"),
            ],
            devices=[
                DeviceConfig(name="Kitchen ceiling", domain="light", aliases=["big light"], area="Kitchen"),
                DeviceConfig(name="Reading lamp", domain="light", area="Living Room"),
                DeviceConfig(name="Bedside lamp", domain="light", area="Bedroom"),
                DeviceConfig(name="Ceiling fan", domain="fan", area="Bedroom"),
                DeviceConfig(name="Bedroom curtain", domain="cover", device_class="curtain", area="Bedroom"),
                DeviceConfig(name="TV", domain="media_player", area="Living Room"),
                DeviceConfig(name="Shopping List", domain="todo"),
            ],
        )
    )


@pytest.fixture(scope="session")
def embedder() -> SentenceEmbedder:
    """The real embedding model, loaded once."""
    return SentenceEmbedder()


@pytest.fixture(scope="session")
def recognizer(embedder: SentenceEmbedder) -> IntentRecognizer:
    """A prepared recognizer with every built-in plugin's templates, over the small home."""
    recognizer = IntentRecognizer(small_home(), IntentsConfig())
    recognizer._embedder = embedder
    recognizer.add_sentence_files(sorted(PLUGINS.glob("*/sentences/*.yaml")))
    recognizer.prepare_sync()
    return recognizer
