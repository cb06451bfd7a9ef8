"""Content files on disk: which YAML files a list of paths names (no YAML parser needed to ask)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def yaml_files(paths: list[Path]) -> list[Path]:
    """Expand directories into their ``*.yaml`` files, sorted, each file once (a file path stays as given)."""
    out: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml")) if path.is_dir() else [path]
        for file in found:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                out.append(file)
    return out


def scenario_files(paths: Iterable[Path]) -> list[Path]:
    """Scenario files: the ``*.yaml`` files under directories (recursively), each file once."""
    out: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        found = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")) if path.is_dir() else [path]
        for file in found:
            if file.resolve() not in seen:
                seen.add(file.resolve())
                out.append(file)
    return out


def fingerprint(files: list[Path]) -> list[bytes]:
    """Each file's name and bytes (an unreadable file by its name alone): what a cache of their content is keyed by."""
    parts = []
    for file in files:
        try:
            parts.append(str(file).encode() + b"\0" + file.read_bytes())
        except OSError:
            parts.append(str(file).encode() + b"\0unreadable")
    return parts
