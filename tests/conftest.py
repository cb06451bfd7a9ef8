"""Shared fixtures: an isolated data directory and one compiled phrasebook."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from simulator import locations
from simulator.matcher import Matcher, load_matcher

if TYPE_CHECKING:
    from simulator.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
PG_URL = os.environ.get("SIMULATOR_TEST_PG_URL")


def require_pg() -> str:
    """The PostgreSQL server's admin URL; the test is skipped without one, and fails in CI."""
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must provide a PostgreSQL server (SIMULATOR_TEST_PG_URL); see .ci/postgres.sh")
        pytest.skip("no PostgreSQL server (set SIMULATOR_TEST_PG_URL, as .ci/run does)")
    return PG_URL


def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    admin_url = require_pg()
    import psycopg

    name = "sim_" + uuid.uuid4().hex[:12]
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The store's URL: a SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield str(tmp_path / "progress.sqlite3")
    else:
        yield from pg_database()


@pytest.fixture(scope="module")
def scenarios(matcher: Matcher) -> dict[str, Scenario]:
    """The bundled scenarios, checked against the bundled phrasebook."""
    from simulator.scenario import load_scenarios

    categories = {c.id: c.kind for c in matcher.categories.values()}
    return {s.id: s for s in load_scenarios([locations.bundled_scenarios_dir()], categories)}


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
