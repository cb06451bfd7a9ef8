"""Shared fixtures: an isolated data directory and one compiled phrasebook."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from simulator import locations
from simulator.matcher import Matcher, load_matcher

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def pytest_configure(config: pytest.Config) -> None:
    # One learned-stage cache per test run, shared with the subprocesses the
    # tests start, so the model is trained once and no user cache is touched.
    os.environ.setdefault("SIMULATOR_CACHE_DIR", tempfile.mkdtemp(prefix="simulator-cache-"))


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


@pytest.fixture(scope="session")
def engine() -> Matcher:
    """The bundled phrasebook with its learned stage (bundled corpus and scenarios), as the product runs."""
    from simulator.engine import attach_learned
    from simulator.scenario import load_scenarios

    compiled = load_matcher([locations.bundled_phrasebook_dir()])
    scenarios = load_scenarios([locations.bundled_scenarios_dir()])
    attach_learned(compiled, [locations.bundled_corpus_dir()], scenarios)
    compiled.warm_up()
    return compiled
