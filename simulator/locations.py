"""Where things live: bundled content, user data, the default database.

Every location can be overridden by an environment variable; the tests point
them at ``tmp_path`` so nothing touches a real user's data.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "after-sales-simulator"
_PACKAGE = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    # A built wheel carries the content inside the package (see pyproject's
    # force-include); a checkout or an editable install has it at the top.
    inside = _PACKAGE / "_content" / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / name


def bundled_phrasebook_dir() -> Path:
    return Path(os.environ.get("SIMULATOR_PHRASEBOOK_DIR") or _bundled("phrasebook"))


def bundled_scenarios_dir() -> Path:
    return Path(os.environ.get("SIMULATOR_SCENARIOS_DIR") or _bundled("scenarios"))


def bundled_corpus_dir() -> Path:
    return Path(os.environ.get("SIMULATOR_CORPUS_DIR") or _bundled("corpus"))


def data_dir() -> Path:
    """Per-user data directory (``SIMULATOR_HOME`` overrides it)."""
    override = os.environ.get("SIMULATOR_HOME")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def user_phrasebook_dir() -> Path:
    """Trainers' own phrasebook files, loaded beside the bundled ones."""
    return data_dir() / "phrasebook"


def user_scenarios_dir() -> Path:
    return data_dir() / "scenarios"


def database_setting() -> str | None:
    """``SIMULATOR_DB`` when it is set (a database chosen on purpose), else None."""
    return os.environ.get("SIMULATOR_DB") or None


def default_database() -> str:
    """``SIMULATOR_DB`` or a SQLite file in the data directory."""
    return database_setting() or str(data_dir() / "progress.sqlite3")


def _sources(bundled: Path, user: Path, extra: list[Path] | None) -> list[Path]:
    sources = [bundled]
    if user.is_dir() and any(user.glob("*.y*ml")):
        sources.append(user)
    for path in extra or []:
        if path.resolve() not in {s.resolve() for s in sources}:
            sources.append(path)
    return sources


def phrasebook_sources(extra: list[Path] | None = None) -> list[Path]:
    """The bundled phrasebook, the user's own directory if any, then ``extra``."""
    return _sources(bundled_phrasebook_dir(), user_phrasebook_dir(), extra)


def scenario_sources(extra: list[Path] | None = None) -> list[Path]:
    """The bundled scenarios, the user's own directory if any, then ``extra``."""
    return _sources(bundled_scenarios_dir(), user_scenarios_dir(), extra)


def user_corpus_dir() -> Path:
    """Trainers' own labelled replies, learned from beside the bundled corpus."""
    return data_dir() / "corpus"


def corpus_sources(extra: list[Path] | None = None) -> list[Path]:
    """The bundled corpus, the user's own directory if any, then ``extra``."""
    return _sources(bundled_corpus_dir(), user_corpus_dir(), extra)


def schemas_dir() -> Path:
    """Where ``simulator schema --write`` puts the JSON Schemas for editors by default."""
    return data_dir() / "schemas"


def settings_file() -> Path:
    """Small per-user settings (the last trainee, the theme)."""
    return data_dir() / "settings.json"
