"""The Textual terminal UI (an adapter over the core and the store)."""

from __future__ import annotations

from pathlib import Path


def run_app(
    db_url: str | None = None, scenarios: list[Path] | None = None, phrasebook: list[Path] | None = None
) -> int:
    """Open the TUI (with extra scenario and phrasebook paths, like ``play``'s); returns the exit code."""
    from .app import SimulatorApp
    from .services import Services

    SimulatorApp(services=Services(db_url, scenarios=scenarios, phrasebook=phrasebook)).run()
    return 0
