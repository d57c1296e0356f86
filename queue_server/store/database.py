"""One SQLite file per office, opened the same way everywhere.

Durability: WAL with ``synchronous=FULL``, so a ticket the API confirmed is on disk
before the answer leaves — it survives ``kill -9`` and a power cut.  (``NORMAL``
would survive a crashed process but may lose the last commits on power loss.)

Writes are serialised twice: a process-wide lock keeps our own threads in line
without busy-waiting, and ``BEGIN IMMEDIATE`` takes SQLite's write lock *before*
anything is read, so what a transaction reads cannot change before it writes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from queue_server.store.migrations import migrations

DATABASE_NAME = "queue.db"


class Store:
    """Hands each thread its own connection to one database file."""

    def __init__(self, path: Path, publisher: Callable[[list], None] | None = None):
        self.path = path
        self.publisher = publisher
        self._local = threading.local()
        self._write_lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        migrations.apply(self.db)

    @property
    def db(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = sqlite_utils.Database(_connect(self.path))
        return db

    @contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """One write transaction, holding the write lock from its first read."""
        db = self.db
        with self._write_lock:
            self._local.pending = []
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.conn.rollback()
                raise
            db.execute("COMMIT")
            # Published after the commit, still under the lock: subscribers see events
            # only once they are durable, and always in the order of the log.
            if self._local.pending and self.publisher is not None:
                self.publisher(self._local.pending)

    def publish_on_commit(self, items: list) -> None:
        """Queue recorded events to be published when the current write commits."""
        self._local.pending.extend(items)

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 10000")
    # Hundreds of server threads may each hold a connection: keep each page cache small.
    conn.execute("PRAGMA cache_size = -1024")
    return conn
