"""Hardware test fixtures: gpiozero mock pins, and the voice fixtures (real engines, a real agent)."""

from __future__ import annotations

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from tests.voice.conftest import agent, engines  # noqa: F401 - fixtures used by the panel tests


@pytest.fixture
def pins(monkeypatch):
    """Fresh gpiozero mock pins for one test."""
    factory = MockFactory()
    monkeypatch.setattr(Device, "pin_factory", factory)
    yield factory
    factory.reset()
