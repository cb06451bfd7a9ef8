"""Shared fixtures: an isolated data directory and one compiled phrasebook."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator import locations
from simulator.matcher import Matcher, load_matcher

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every user location at a temporary directory."""
    home = tmp_path / "home"
    monkeypatch.setenv("SIMULATOR_HOME", str(home))
    monkeypatch.delenv("SIMULATOR_DB", raising=False)
    return home


@pytest.fixture(scope="session")
def matcher() -> Matcher:
    """The bundled phrasebook, compiled and self-tested once per run."""
    compiled = load_matcher([locations.bundled_phrasebook_dir()])
    compiled.warm_up()
    return compiled
