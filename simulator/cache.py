"""The user cache: data derived from content and packages, rebuilt when what it came from changes.

Every cached file is named by a key, a hash over everything it was derived
from (content bytes, the versions and data files of the packages it reads,
a format number), so a change anywhere builds a new file instead of reusing
a stale one.  Files are written atomically (a temporary file, then
``os.replace``), carry a checksum of their payload, and a file that cannot be
read back (truncated, corrupt, written by another version) is ignored and
rebuilt, never fatal: the cache is a convenience.

``SIMULATOR_CACHE_DIR`` overrides the platform's user cache directory.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
_MAGIC = b"SIMCACHE1\n"
_DIGEST = 16  # bytes of sha256 kept as the payload's checksum
KEEP = 8  # files of one kind kept (the most recently written): other phrasebooks, other versions


def cache_dir() -> Path:
    override = os.environ.get("SIMULATOR_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("after-sales-simulator", appauthor=False))


def digest(parts: Iterable[bytes | str]) -> str:
    """A short hex key over ``parts`` (each hashed apart, so their boundaries count)."""
    total = hashlib.sha256()
    for part in parts:
        total.update(hashlib.sha256(part.encode() if isinstance(part, str) else part).digest())
    return total.hexdigest()[:24]


def package_stamp(package: str, data_file: str) -> str:
    """What identifies an installed package's data: its version and the data file's size and mtime.

    Cheap (no import of the package, no ``importlib.metadata``, which costs
    ~35 ms): the package is located with ``find_spec`` and its version read
    from the ``*.dist-info`` directory beside it.  Any reinstall or upgrade
    changes the stamp.
    """
    from importlib.util import find_spec

    try:
        spec = find_spec(package)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        return f"{package}:missing"
    where = Path(next(iter(spec.submodule_search_locations)))
    version = "?"
    prefix = package.replace("-", "_").lower() + "-"
    try:
        for entry in os.scandir(where.parent):
            if entry.name.lower().startswith(prefix) and entry.name.endswith(".dist-info"):
                version = entry.name[len(prefix) : -len(".dist-info")]
                break
    except OSError:
        pass
    try:
        info = (where / data_file).stat()
        data = f"{info.st_size}:{info.st_mtime_ns}"
    except OSError:
        data = "no-data"
    return f"{package}:{version}:{where}:{data}"


def source_stamp(module_file: str, names: Iterable[str]) -> bytes:
    """The bytes of the named modules beside ``module_file``: code whose change must rebuild a cache."""
    here = Path(module_file).parent
    parts = []
    for name in names:
        try:
            parts.append(name.encode() + b"\0" + (here / name).read_bytes())
        except OSError:
            parts.append(name.encode())
    return b"\0\0".join(parts)


def path_for(kind: str, key: str, suffix: str = "bin") -> Path:
    return cache_dir() / f"{kind}-{key}.{suffix}"


def read(path: Path) -> bytes | None:
    """The payload of a cache file, or None if it is missing or does not check out."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    head = len(_MAGIC) + _DIGEST
    if len(blob) < head or not blob.startswith(_MAGIC):
        return None
    payload = blob[head:]
    if hashlib.sha256(payload).digest()[:_DIGEST] != blob[len(_MAGIC) : head]:
        return None
    return payload


def write(path: Path, payload: bytes) -> None:
    """Write ``payload`` atomically and drop the oldest files of its kind; failures are ignored."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(_MAGIC + hashlib.sha256(payload).digest()[:_DIGEST] + payload)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        prune(path)
    except OSError:
        pass  # a read-only or full cache only costs the next start a rebuild


def prune(path: Path, keep: int = KEEP) -> None:
    """Remove all but the ``keep`` newest files of ``path``'s kind (``kind-*.suffix``)."""
    kind = path.name.rsplit("-", 1)[0]
    try:
        files = sorted(path.parent.glob(f"{kind}-*{path.suffix}"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[keep:]:
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass


def cached(
    kind: str,
    key: str,
    build: Callable[[], T],
    dumps: Callable[[T], bytes],
    loads: Callable[[bytes], T],
    suffix: str = "bin",
) -> T:
    """The value for ``key``: read from the cache, or built and written there.

    ``loads`` may raise anything on a payload it does not accept (a file of an
    older layout): the value is then rebuilt.
    """
    path = path_for(kind, key, suffix)
    payload = read(path)
    if payload is not None:
        try:
            return loads(payload)
        except Exception:  # any unreadable cache is rebuilt
            pass
    value = build()
    try:
        data = dumps(value)
    except Exception:  # a value that cannot be stored is still returned
        return value
    write(path, data)
    return value
