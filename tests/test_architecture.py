"""The domain core stays free of terminals and databases (harlequin's hygiene test)."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE = [
    "simulator.text",
    "simulator.phrasebook",
    "simulator.hits",
    "simulator.phrases",
    "simulator.patterns",
    "simulator.pattern_engine",
    "simulator.context",
    "simulator.selftest",
    "simulator.matcher",
    "simulator.judge",
    "simulator.scoring",
    "simulator.evaluation",
    "simulator.scenario",
    "simulator.dialogue",
    "simulator.playtest",
    "simulator.progress",
    "simulator.charts",
    "simulator.sources",
    "simulator.search",
    "simulator.assignments",
    "simulator.recommend",
]
FORBIDDEN = ["textual", "sqlite3", "psycopg", "rich"]


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_no_ui_or_store(module: str) -> None:
    code = (
        f"import sys, {module}; bad = [m for m in {FORBIDDEN!r} if m in sys.modules]; print(bad); sys.exit(bool(bad))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# -- the import graph (grimp: every import statement, inside functions too) -----------------

import tomllib  # noqa: E402
from pathlib import Path  # noqa: E402

import grimp  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ADAPTERS = ("simulator.cli", "simulator.tui", "simulator.store", "simulator.locations", "simulator.render")


def _graph() -> grimp.ImportGraph:
    return grimp.build_graph("simulator", include_external_packages=False)


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_anywhere_in_the_package() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = _graph()
    graph.add_import(importer="simulator.text", imported="simulator.dialogue")  # dialogue already imports text
    assert any({"simulator.text", "simulator.dialogue"} <= set(c) for c in _cycles(graph))


def test_every_module_is_either_core_or_an_adapter() -> None:
    """A new module must be listed in the core contract (pyproject) or live in an adapter."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    [core] = [c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "core"]
    listed = set(core["source_modules"])
    unclassified = [
        m
        for m in sorted(_graph().modules)
        if m not in listed and m not in ("simulator", "simulator.__main__") and not m.startswith(ADAPTERS)
    ]
    assert unclassified == []
    assert set(CORE) <= listed  # the run-time check above covers the same modules
