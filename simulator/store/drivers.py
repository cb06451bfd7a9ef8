"""The two database backends behind one small interface.

The store's SQL is shared; a driver supplies what differs: connecting, the
placeholder style, the id column type, transactions and a migration lock.
Never connects at import time.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

from .errors import StoreError

SQLITE_MAGIC = b"SQLite format 3\x00"


class Driver(Protocol):
    """What the store needs from a database backend."""

    name: str
    id_column: str  # the DDL of an auto-increment primary key

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def transaction(self, lock: bool = False) -> AbstractContextManager[None]: ...

    def table_names(self) -> set[str]: ...

    def close(self) -> None: ...


class SQLiteDriver(Driver):
    """A SQLite file: WAL journal, busy timeout, one IMMEDIATE transaction per write."""

    name = "sqlite"
    id_column = "INTEGER PRIMARY KEY AUTOINCREMENT"

    def __init__(self, path: Path):
        self.path = path
        _check_sqlite_file(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves.
            self.conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA busy_timeout = 30000")
            self.conn.execute("PRAGMA foreign_keys = ON")
            # Look before touching: switching the journal mode rewrites the
            # file header, which must not happen to somebody else's database.
            tables = {row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if tables and "meta" not in tables:
                self.conn.close()
                raise StoreError(
                    f"{path} 属于别的程序（里面有其他数据表），为保护数据没有改动它；请用 --db 指定其他路径。"
                )
            mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()
            if mode is None:
                raise sqlite3.DatabaseError("journal mode")
            self.conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"无法打开进度数据库 {path}：文件已损坏或不是 SQLite 数据库（{exc}）。文件未做任何改动。") from None
        self._depth = 0
        # The TUI writes turns from a worker thread and reads on the UI thread:
        # one connection, so every use is serialised (a transaction holds it).
        self._lock = threading.RLock()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self.conn.execute(sql, tuple(params)).fetchall()
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"进度数据库出错（{self.path}）：{exc}") from exc

    @contextmanager
    def transaction(self, lock: bool = False) -> Iterator[None]:
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            # IMMEDIATE takes the write lock up front, so concurrent writers queue
            # on the busy timeout instead of failing halfway through.
            self.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._depth = 0
                self.conn.execute("ROLLBACK")
                raise
            self._depth = 0
            self.execute("COMMIT")

    def table_names(self) -> set[str]:
        return {row[0] for row in self.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def close(self) -> None:
        self.conn.close()


def _check_sqlite_file(path: Path) -> None:
    """Refuse files that are not SQLite databases, without touching them."""
    if path.is_dir():
        raise StoreError(f"进度数据库路径 {path} 是一个目录，请指定文件。")
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_MAGIC))
    if header != SQLITE_MAGIC:
        raise StoreError(
            f"{path} 不是本程序的进度数据库（不是 SQLite 文件，可能已损坏或是别的文件）。"
            "为保护数据，程序没有改动它；请用 --db 指定其他路径。"
        )


class PostgresDriver(Driver):
    """A PostgreSQL server shared by a team (psycopg 3, autocommit + explicit transactions)."""

    name = "postgresql"
    id_column = "BIGSERIAL PRIMARY KEY"

    def __init__(self, url: str):
        try:
            import psycopg
        except ImportError:  # pragma: no cover - psycopg ships with the test extras
            raise StoreError("使用 PostgreSQL 需要安装 psycopg：pip install 'after-sales-simulator[postgres]'") from None
        self._psycopg = psycopg
        self.url = url
        try:
            self.conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise StoreError(f"无法连接 PostgreSQL（{_redact(url)}）：{str(exc).strip()}") from None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            with self.conn.cursor() as cursor:
                cursor.execute(sql.replace("?", "%s"), tuple(params))
                return cursor.fetchall() if cursor.description else []
        except self._psycopg.Error as exc:
            raise StoreError(f"PostgreSQL 出错：{str(exc).strip()}") from exc

    @contextmanager
    def transaction(self, lock: bool = False) -> Iterator[None]:
        with self.conn.transaction():
            if lock:
                # Serialise migrations between processes opening the store at once.
                self.execute("SELECT pg_advisory_xact_lock(727274001)")
            yield

    def table_names(self) -> set[str]:
        rows = self.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
        return {row[0] for row in rows}

    def close(self) -> None:
        self.conn.close()


def _redact(url: str) -> str:
    """Hide a password in a connection URL."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.split("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}@{host}"
    return url
