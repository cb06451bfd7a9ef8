"""The ``simulator`` command line (a thin adapter over the core and the store).

``main`` parses and dispatches; ``common`` holds what commands share; one
module per family of commands: ``judging`` (score, eval), ``content``
(validate, test, schema), ``play``, ``review`` (history, transcript, report, plot).
"""

from __future__ import annotations

from .main import build_parser, entry, main

__all__ = ["build_parser", "entry", "main"]
