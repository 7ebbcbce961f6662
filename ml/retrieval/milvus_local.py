"""Embedded Milvus (Milvus Lite 2.5) files: who holds one, and whether it is readable.

Milvus Lite serves a file from one process: the first opener starts the ``milvus`` binary
(the real C++ engine) with the file path on its command line and holds a POSIX lock. A second
process gets only a bare ``ConnectionConfigException`` — and milvus-lite 2.5.1 then deletes the
holder's lock file on its way out, so a third opener would succeed on the same file. So the
holder is found *before* connecting, by its command line, and the open is refused with a
message that names the file and the process. A file that is not a readable SQLite database
(Milvus Lite's storage) is reported as corrupt.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ml.retrieval.protocols import IndexUnavailable

SQLITE_MAGIC = b"SQLite format 3\x00"


class EmbeddedMilvusError(IndexUnavailable):
    """The embedded Milvus file cannot be opened; the message names the file (and holder)."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


class EmbeddedMilvusLocked(EmbeddedMilvusError):
    def __init__(self, path: Path, holder: Holder) -> None:
        super().__init__(
            f"embedded Milvus file {path} is in use by process {holder.pid} ({holder.describe()}); "
            "Milvus Lite serves one file from one process — stop that process, talk to it "
            "(e.g. the running gateway), or set SHOPTALK_MILVUS_URI to a Milvus server",
            path,
        )
        self.holder = holder


@dataclass(frozen=True)
class Holder:
    pid: int
    name: str
    cmdline: str
    engine_pid: int  # the ``milvus`` child serving the file

    def describe(self) -> str:
        return f"{self.name}: {self.cmdline[:160]}" if self.cmdline else self.name


def is_local_uri(uri: str) -> bool:
    """Milvus Lite takes a file path; a server takes ``http(s)://``, ``tcp://`` or ``grpc://``."""
    return "://" not in uri


def find_holder(path: str | Path) -> Holder | None:
    """The process (other than this one) serving ``path`` with an embedded Milvus engine."""
    try:
        import psutil
    except ImportError:  # psutil is optional: then the open fails with the generic message
        return None
    target = str(Path(path).absolute().resolve())
    me = os.getpid()
    for proc in psutil.process_iter(["pid", "ppid", "cmdline"]):
        cmd = proc.info.get("cmdline") or []
        if len(cmd) < 2 or not cmd[0].endswith("milvus_lite/lib/milvus"):
            continue
        try:
            served = str(Path(cmd[1]).absolute().resolve())
        except OSError:
            continue
        if served != target:
            continue
        owner_pid = int(proc.info.get("ppid") or proc.pid)
        if owner_pid == me:
            return None  # our own engine (this process already opened the file)
        try:
            owner = psutil.Process(owner_pid)
            return Holder(owner_pid, owner.name(), " ".join(owner.cmdline()), proc.pid)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return Holder(proc.pid, "milvus", " ".join(cmd), proc.pid)
    return None


def corruption(path: str | Path) -> str | None:
    """Why ``path`` is not a usable Milvus Lite file, or ``None`` if it looks sound (or is new)."""
    file = Path(path)
    if not file.exists() or file.stat().st_size == 0:
        return None
    if file.is_dir():
        return "it is a directory"
    with file.open("rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            return "not a Milvus Lite (SQLite) database"
    try:
        with sqlite3.connect(f"file:{file}?mode=ro", uri=True, timeout=1) as conn:
            verdict = conn.execute("PRAGMA quick_check").fetchone()
    except sqlite3.Error as exc:
        return f"unreadable: {exc}"
    if verdict and verdict[0] != "ok":
        return f"integrity check failed: {verdict[0]}"
    return None


def _known_problem(file: Path) -> EmbeddedMilvusError | None:
    """Another process holds ``file``, or it is corrupt; else ``None``."""
    holder = find_holder(file)
    if holder is not None:
        return EmbeddedMilvusLocked(file, holder)
    problem = corruption(file)
    if problem is not None:
        return EmbeddedMilvusError(f"embedded Milvus file {file} is corrupt ({problem})", file)
    return None


def check_openable(path: str | Path) -> None:
    """Raise :class:`EmbeddedMilvusError` when another process holds ``path`` or it is corrupt."""
    problem = _known_problem(Path(path))
    if problem is not None:
        raise problem


def explain_open_failure(path: str | Path, exc: BaseException) -> EmbeddedMilvusError:
    """The clearest error for a failed open of ``path`` (after the fact)."""
    file = Path(path)
    known = _known_problem(file)
    if known is not None:
        return known
    if not file.parent.exists():
        return EmbeddedMilvusError(f"embedded Milvus file {file}: folder {file.parent} does not exist", file)
    return EmbeddedMilvusError(
        f"embedded Milvus file {file} could not be opened ({type(exc).__name__}: {exc}); "
        "another process may hold it",
        file,
    )
