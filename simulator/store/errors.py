"""Store errors, with messages in Chinese."""

from pathlib import Path


class StoreError(Exception):
    """The progress database cannot be used; the message says why and what to do."""


class MissingDatabase(StoreError):
    """A SQLite file that does not exist, opened by a command that must not create it."""

    def __init__(self, path: Path):
        super().__init__(f"进度数据库 {path} 不存在")
        self.path = path
