"""``python -m simulator``."""

from .cli import entry

entry()
