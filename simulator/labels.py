"""Category labels for the views that need nothing else of the phrasebook (``report``, ``transcript``, ``plot``).

Loading the phrasebook validates every file with pydantic and compiling it
builds the matcher: ~0.2-0.5 s for a few Chinese names.  :func:`category_labels`
reads the ``id``/``label`` pairs straight from the YAML files and keeps them in
the user cache, keyed by the files' bytes, so a later call reads one small
file.  Labels are cosmetic: a file that cannot be read only leaves its
categories unnamed (the views then show the id).
"""

from __future__ import annotations

import marshal
from pathlib import Path

from .cache import cached, digest
from .contentfiles import fingerprint, yaml_files

FORMAT = 1


def _read_labels(files: list[Path]) -> dict[str, str]:
    """``id -> label`` of every category defined (not only extended) in ``files``, the first definition winning."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    labels: dict[str, str] = {}
    for file in files:
        try:
            data = yaml.load(file.read_text(encoding="utf-8-sig"), Loader=loader)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        categories = data.get("categories") if isinstance(data, dict) else None
        for category in categories if isinstance(categories, list) else []:
            if not isinstance(category, dict) or category.get("extend"):
                continue
            cid, label = category.get("id"), category.get("label")
            if isinstance(cid, str) and isinstance(label, str) and label.strip() and cid not in labels:
                labels[cid] = label.strip()
    return labels


def category_labels(paths: list[Path]) -> dict[str, str]:
    """Category id -> Chinese label for the phrasebook files under ``paths`` (never raises for content)."""
    try:
        files = yaml_files([p for p in paths if p.exists()])
    except OSError:
        return {}
    if not files:
        return {}

    def loads(payload: bytes) -> dict[str, str]:
        labels = marshal.loads(payload)
        if not isinstance(labels, dict):
            raise ValueError("not a label table")
        return labels

    key = digest([f"labels v{FORMAT}", *fingerprint(files)])
    return cached("labels", key, lambda: _read_labels(files), marshal.dumps, loads)
