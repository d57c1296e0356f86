"""Copies of the office database: taken while the server runs, checked, and put back.

The copy uses SQLite's online backup API in one step: it reads one consistent
snapshot inside a read transaction.  In WAL mode a reader never blocks the writer,
so the server keeps issuing and calling while a backup runs; its commits simply are
not in this copy.  Every file written here is private (0600): a copy holds the
same accounts, tokens and visits as the database.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from queue_server.store.migrations import migrations

PRIVATE = 0o600


class BackupError(Exception):
    """The copy could not be made or checked; the message says which file and why."""


def backup(database: Path, target: Path) -> int:
    """Copy ``database`` to ``target`` (a file; replaced when present); answers its page count."""
    if not database.is_file():
        raise BackupError(f"{database}: no database there")
    if not target.parent.exists():
        target.parent.mkdir(parents=True, mode=0o700)  # a new backups folder is private too
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    _create_private(partial)
    try:
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
        copy = sqlite3.connect(partial)
        try:
            source.execute("PRAGMA busy_timeout = 30000")
            source.backup(copy)  # pages=-1: one consistent snapshot
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            copy.close()
            source.close()
        problem = integrity_problem(partial)
        if problem:
            raise BackupError(f"{target}: the copy fails its check: {problem}")
        pages = page_count(partial)
        os.replace(partial, target)
    except sqlite3.Error as error:
        raise BackupError(f"{database} → {target}: {error}") from None
    finally:
        partial.unlink(missing_ok=True)
    return pages


def restore(source: Path, database: Path) -> Path | None:
    """Put the copy ``source`` in place of ``database``; answers where the replaced one was kept.

    The copy is checked first (integrity and that it is this product's database); the
    current database, if any, is first saved beside it as ``<name>.before-restore``.
    The caller makes sure no server has the database open.
    """
    problem = integrity_problem(source) or _foreign(source)
    if problem:
        raise BackupError(f"{source}: refused: {problem}")
    kept = None
    if database.exists():
        kept = database.with_name(database.name + ".before-restore")
        backup(database, kept)
    for leftover in (Path(f"{database}-wal"), Path(f"{database}-shm")):
        leftover.unlink(missing_ok=True)
    database.unlink(missing_ok=True)
    database.parent.mkdir(parents=True, exist_ok=True)
    _create_private(database)
    try:
        origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        target = sqlite3.connect(database)
        try:
            origin.backup(target)
        finally:
            target.close()
            origin.close()
    except sqlite3.Error as error:
        raise BackupError(f"{source} → {database}: {error}") from None
    return kept


def integrity_problem(path: Path) -> str | None:
    """None when SQLite's integrity check passes, else what it found."""
    if not path.is_file():
        return "no such file"
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
        finally:
            connection.close()
    except sqlite3.Error as error:
        return str(error)
    found = [row[0] for row in rows]
    return None if found == ["ok"] else "; ".join(found[:5])


def page_count(path: Path) -> int:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(connection.execute("PRAGMA page_count").fetchone()[0])
    finally:
        connection.close()


def _foreign(path: Path) -> str | None:
    """Why the file is not a database of this product (no recorded migration of ours)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        with contextlib.suppress(sqlite3.Error):
            found = connection.execute(
                "SELECT count(*) FROM _sqlite_migrations WHERE migration_set = ?",
                [migrations.name]).fetchone()[0]
            if found:
                return None
    finally:
        connection.close()
    return "not a database of the queue server (no recorded migration)"


def _create_private(path: Path) -> None:
    """Create an empty file readable by its owner only, before anything is written to it."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE))
    with contextlib.suppress(OSError):  # an existing file keeps its mode otherwise
        path.chmod(PRIVATE)
