"""The Textual terminal UI (an adapter over the core and the store)."""

from __future__ import annotations


def run_app(db_url: str | None = None) -> int:
    """Open the TUI; returns the exit code."""
    from .app import SimulatorApp

    SimulatorApp(db_url).run()
    return 0
