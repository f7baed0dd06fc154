"""Consistent copies of a live SQLite database (``voting backup`` / ``voting restore``).

Both directions use SQLite's online backup API (:meth:`sqlite3.Connection.backup`):
the copy is one read transaction of the source, so it is a consistent snapshot
even while ballots are being cast (WAL lets the writers carry on meanwhile).
PostgreSQL has its own tools: ``pg_dump`` and ``pg_restore``.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

#: Tables every database of this app has; a file without them is not a backup.
REQUIRED_TABLES = ("alembic_version", "conferences", "ballots", "tokens")


class BackupError(Exception):
    pass


def sqlite_path(url: str) -> Path | None:
    """The database file of a ``sqlite:///…`` URL, else None (another database)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("an in-memory database cannot be backed up")
    return Path(parsed.database)


def _check(conn: sqlite3.Connection, what: str) -> str:
    """Integrity-check a database and return its schema revision."""
    result = conn.execute("PRAGMA integrity_check").fetchone()
    if not result or result[0] != "ok":
        raise BackupError(f"{what} fails SQLite's integrity check: {result and result[0]}")
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise BackupError(f"{what} is not a database of this app (no {', '.join(missing)})")
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(row[0]) if row else "?"


def backup(source: Path, target: Path) -> str:
    """Copy the live database ``source`` into the file ``target``; returns its revision.

    Written to a temporary file beside ``target``, checked, then renamed into
    place, so a failed backup never leaves a half-written file under that name.
    """
    if not source.exists():
        raise BackupError(f"no database at {source}")
    target = target.resolve()
    if target == source.resolve():
        raise BackupError("the backup cannot overwrite the database itself")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            # pages=-1: the whole database in one step, i.e. one read snapshot.
            src.backup(dst, pages=-1)
            # A self-contained single file: no -wal beside it.
            dst.execute("PRAGMA journal_mode=DELETE")
            revision = _check(dst, "the copy")
        finally:
            dst.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    os.replace(partial, target)
    return revision


def in_use(target: Path) -> bool:
    """Whether another connection seems to hold the database open.

    SQLite removes the ``-wal`` file when the last connection closes cleanly,
    so its presence means a server (or a crashed one) has the database.
    """
    wal = target.with_name(target.name + "-wal")
    return wal.exists()


def restore(source: Path, target: Path) -> str:
    """Copy the backup ``source`` over the database ``target``; returns its revision."""
    if not source.exists():
        raise BackupError(f"no backup at {source}")
    if source.resolve() == target.resolve():
        raise BackupError("the backup and the database are the same file")
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        revision = _check(src, str(source))
        target.parent.mkdir(parents=True, exist_ok=True)
        dst = sqlite3.connect(target, timeout=30)
        try:
            # The backup API locks the destination while it writes, and leaves
            # it exactly equal to the source; the app switches it back to WAL.
            src.backup(dst, pages=-1)
            dst.execute("PRAGMA journal_mode=WAL")
            _check(dst, "the restored database")
        finally:
            dst.close()
    finally:
        src.close()
    return revision
