"""The two database backends behind one small interface.

The store's SQL is shared; a driver supplies what differs: connecting, the
placeholder style, the id column type, transactions and a migration lock.
Never connects at import time.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from .errors import StoreError
from .migrations import APP_MARKER

SQLITE_MAGIC = b"SQLite format 3\x00"
MEMORY = ":memory:"


class Driver(Protocol):
    """What the store needs from a database backend."""

    name: str
    id_column: str  # the DDL of an auto-increment primary key
    read_only: bool  # reads work, every write raises StoreError
    row_lock: str  # appended to a SELECT that is about to be updated in the same transaction

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    def transaction(self, lock: bool = False) -> AbstractContextManager[None]: ...

    def table_names(self) -> set[str]: ...

    def close(self) -> None: ...


class SQLiteDriver(Driver):
    """A SQLite file: WAL journal, busy timeout, one IMMEDIATE transaction per write.

    The file is identified through a read-only connection before anything is
    written (switching to WAL rewrites the header), so a file that is not ours
    is never changed.  A file we may not write opens read-only: reading works,
    writing says why it cannot.
    """

    name = "sqlite"
    id_column = "INTEGER PRIMARY KEY AUTOINCREMENT"
    row_lock = ""  # BEGIN IMMEDIATE already holds the database's write lock

    def __init__(self, path: Path):
        self.path = path
        memory = str(path) == MEMORY  # SQLite's own name for a database that lives and dies in memory
        if not memory:
            _check_sqlite_file(path)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"无法创建进度数据库所在的目录 {path.parent}（{_os_reason(exc)}）；请用 --db 指定其他路径。"
                ) from None
        self.read_only = not memory and path.exists() and not _writable(path)
        try:
            if not memory and path.exists() and path.stat().st_size:
                _identify(path)
            if self.read_only:
                self.conn = sqlite3.connect(
                    f"{path.resolve().as_uri()}?mode=ro",
                    uri=True,
                    timeout=30,
                    isolation_level=None,
                    check_same_thread=False,
                )
            else:
                # isolation_level=None: we issue BEGIN/COMMIT ourselves.
                self.conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA busy_timeout = 30000")
            self.conn.execute("PRAGMA foreign_keys = ON")
            if not self.read_only:
                mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()
                if mode is None:
                    raise sqlite3.DatabaseError("journal mode")
                self.conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"无法打开进度数据库 {path}：{_sqlite_reason(exc)}。文件未做任何改动。") from None
        self._depth = 0
        # The TUI writes turns from a worker thread and reads on the UI thread:
        # one connection, so every use is serialised (a transaction holds it).
        self._lock = threading.RLock()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self.conn.execute(sql, tuple(params)).fetchall()
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"进度数据库出错（{self.path}）：{_sqlite_reason(exc)}") from exc

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
            if self.read_only:
                raise StoreError(
                    f"进度数据库 {self.path} 是只读的：可以查看记录，"
                    "但不能保存练习；请检查文件权限或用 --db 指定其他路径。"
                )
            # IMMEDIATE takes the write lock up front, so concurrent writers queue
            # on the busy timeout instead of failing halfway through.
            self.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._depth = 0
                if self.conn.in_transaction:  # SQLite rolls back by itself on some errors (a full disk)
                    self.conn.execute("ROLLBACK")
                raise
            self._depth = 0
            self.execute("COMMIT")

    def table_names(self) -> set[str]:
        return {row[0] for row in self.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def close(self) -> None:
        # Under the lock: closing while a worker thread's query runs on this connection
        # crashes the interpreter (a segfault inside sqlite3). A turn being saved finishes
        # first; a read that comes after gets a StoreError (closed database), not a crash.
        with self._lock:
            self.conn.close()


def _writable(path: Path) -> bool:
    """Whether this process may change ``path`` (and create its journal beside it)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _identify(path: Path) -> None:
    """Refuse a SQLite file that is not a progress database, reading it only."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"无法打开进度数据库 {path}：{_sqlite_reason(exc)}。文件未做任何改动。") from None
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            return
        marker = conn.execute("SELECT value FROM meta WHERE key = 'app'").fetchall() if "meta" in tables else []
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"无法打开进度数据库 {path}：{_sqlite_reason(exc)}。文件未做任何改动。") from None
    finally:
        conn.close()
    if not marker or marker[0][0] != APP_MARKER:
        raise StoreError(
            f"{path} 属于别的程序（不是本程序的进度数据库），为保护数据没有改动它；请用 --db 指定其他路径。"
        )


_SQLITE_REASONS = [
    ("database or disk is full", "磁盘已满，没能写入（已保存的内容不受影响）；请清理磁盘空间后再试"),
    ("attempt to write a readonly database", "文件是只读的，不能写入"),
    ("database is locked", "数据库正被其他程序占用，等待超时；请稍后再试"),
    ("file is not a database", "文件已损坏或不是 SQLite 数据库"),
    ("database disk image is malformed", "文件已损坏"),
    ("unable to open database file", "无法打开文件（路径或权限有误）"),
    ("disk I/O error", "磁盘读写出错"),
]


def _sqlite_reason(exc: sqlite3.Error) -> str:
    """The SQLite error in Chinese (the common ones); others keep SQLite's words after a Chinese lead."""
    text = str(exc)
    for needle, reason in _SQLITE_REASONS:
        if needle in text:
            return reason
    return f"数据库错误（{text}）"


def _os_reason(exc: OSError) -> str:
    """Why a file operation failed, in Chinese."""
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        return "路径中有一段是文件而不是目录"
    if isinstance(exc, PermissionError):
        return "没有权限"
    return exc.strerror or str(exc)


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
    read_only = False  # the server's grants decide
    row_lock = " FOR UPDATE"

    def __init__(self, url: str):
        try:
            import psycopg
        except ImportError:  # pragma: no cover - psycopg ships with the test extras
            raise StoreError(
                "使用 PostgreSQL 需要安装 psycopg：pip install 'after-sales-simulator[postgres]'"
            ) from None
        self._psycopg = psycopg
        self.url = url
        try:
            self.conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise StoreError(scrub(f"无法连接 PostgreSQL（{redact(url)}）：{str(exc).strip()}", url)) from None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            with self.conn.cursor() as cursor:
                # No parameters: the SQL goes as written (a function body may contain %).
                cursor.execute(sql.replace("?", "%s") if params else sql, tuple(params) or None)
                return cursor.fetchall() if cursor.description else []
        except self._psycopg.Error as exc:
            raise StoreError(self._reason(exc)) from exc

    def _reason(self, exc: Exception) -> str:
        if isinstance(exc, self._psycopg.errors.InsufficientPrivilege):
            # The server refused by its grants or row-level security: say whose account it is.
            user = self.conn.info.user
            return scrub(f"数据库账号 {user} 没有权限做这件事（服务器拒绝：{str(exc).strip()}）", self.url)
        if isinstance(exc, self._psycopg.OperationalError):
            return scrub(f"与 PostgreSQL 服务器的连接中断（{str(exc).strip()}）", self.url)
        return scrub(f"PostgreSQL 出错：{str(exc).strip()}", self.url)

    @contextmanager
    def transaction(self, lock: bool = False) -> Iterator[None]:
        try:
            with self.conn.transaction():
                if lock:
                    # Serialise migrations between processes opening the store at once.
                    self.execute("SELECT pg_advisory_xact_lock(727274001)")
                yield
        except self._psycopg.Error as exc:  # the commit itself failed (server gone, say)
            raise StoreError(self._reason(exc)) from exc

    def table_names(self) -> set[str]:
        # The catalog, not information_schema: that one hides tables this role has no right on.
        rows = self.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        return {row[0] for row in rows}

    def close(self) -> None:
        self.conn.close()


def _secrets(url: str) -> list[str]:
    """The passwords a connection URL carries (in the credentials or as ``?password=``)."""
    parts = urlsplit(url)
    found = [parts.password] if parts.password else []
    found += [value for key, value in parse_qsl(parts.query, keep_blank_values=True) if key == "password" and value]
    return found


def redact(url: str) -> str:
    """The URL without its password, whichever way it was given."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if parts.password is not None:
            netloc = netloc.replace(f":{parts.password}@", ":***@", 1)
        query = "&".join(
            f"{key}={'***' if key == 'password' else value}"
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
        )
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:
        return "（无法解析的地址）"


def scrub(message: str, url: str) -> str:
    """``message`` with every password from ``url`` replaced by ***."""
    for secret in _secrets(url):
        message = message.replace(secret, "***")
    return message
