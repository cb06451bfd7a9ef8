"""The domain core stays free of terminals and databases (harlequin's hygiene test)."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE = [
    "simulator.text", "simulator.phrasebook", "simulator.hits", "simulator.phrases", "simulator.patterns",
    "simulator.pattern_engine", "simulator.context", "simulator.selftest", "simulator.matcher", "simulator.judge",
    "simulator.scoring",
    "simulator.evaluation", "simulator.scenario", "simulator.dialogue", "simulator.playtest", "simulator.progress",
    "simulator.charts",
]
FORBIDDEN = ["textual", "sqlite3", "psycopg", "rich"]


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_no_ui_or_store(module: str) -> None:
    code = f"import sys, {module}; bad = [m for m in {FORBIDDEN!r} if m in sys.modules]; print(bad); sys.exit(bool(bad))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
