"""One SQLite file per office, opened the same way everywhere.

Durability: WAL with ``synchronous=FULL``, so a ticket the API confirmed is on disk
before the answer leaves — it survives ``kill -9`` and a power cut.  (``NORMAL``
would survive a crashed process but may lose the last commits on power loss.)

Writes are serialised twice: a process-wide lock keeps our own threads in line
without busy-waiting, and ``BEGIN IMMEDIATE`` takes SQLite's write lock *before*
anything is read, so what a transaction reads cannot change before it writes.

Under gevent (``queue-server run --worker gevent``) ``threading.local`` is local to a
greenlet, and every HTTP connection is a new greenlet: a connection per
``threading.local`` would be opened for each and never closed.  There a greenlet
borrows a connection while it lives and hands it back when it ends; the write lock
is then gevent's, and the semantics stay the same.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from queue_server.store.migrations import migrations

DATABASE_NAME = "queue.db"
IDLE_CONNECTIONS_KEPT = 8  # gevent mode: connections kept open for the next greenlets
# SQLite's primary result codes for a disk that refuses a write, and what to tell people.
STORAGE_FAULTS = {13: "the disk is full", 8: "the database is read-only", 10: "disk input/output error",
                  14: "the database file cannot be opened"}


class StorageFault(Exception):
    """The disk refused a write (full, read-only, failing): nothing of it was recorded.

    The transaction was rolled back whole, so the database stays as it was; the same
    request succeeds once the disk takes writes again.
    """


def storage_fault(error: BaseException) -> StorageFault | None:
    """The StorageFault an SQLite error stands for, or None when it is another error."""
    code = getattr(error, "sqlite_errorcode", None)
    if not isinstance(error, sqlite3.Error) or code is None or (code & 0xFF) not in STORAGE_FAULTS:
        return None
    return StorageFault(f"{STORAGE_FAULTS[code & 0xFF]} ({error})")


class Store:
    """Hands each thread (or, under gevent, each greenlet) its own connection to one file."""

    def __init__(self, path: Path, publisher: Callable[[list], None] | None = None, *,
                 per_greenlet: bool | None = None):
        self.path = path
        self.publisher = publisher
        # Runs inside each write transaction, just before COMMIT, with what it recorded:
        # rows that must exist exactly when those events do (the notifier's outbox).
        self.before_commit: Callable[[sqlite_utils.Database, list], None] | None = None
        self.write_fault: str | None = None  # why the last write failed, until one succeeds
        self._local = threading.local()
        self._write_lock = threading.Lock()
        if per_greenlet is None:
            per_greenlet = gevent_patched()
        self._connections = GreenletConnections(path) if per_greenlet else None
        make_private(path)
        migrations.apply(self.db)

    @property
    def db(self) -> sqlite_utils.Database:
        if self._connections is not None:
            return self._connections.current()
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
            try:
                db.conn.execute("BEGIN IMMEDIATE")
                yield db
                if self._local.pending and self.before_commit is not None:
                    self.before_commit(db, self._local.pending)
                db.conn.execute("COMMIT")  # a full disk may refuse the commit itself
            except BaseException as error:
                if db.conn.in_transaction:
                    db.conn.rollback()
                fault = storage_fault(error)
                if fault is None:
                    raise
                self.write_fault = str(fault)
                raise fault from error
            self.write_fault = None
            # Published after the commit, still under the lock: subscribers see events
            # only once they are durable, and always in the order of the log.
            if self._local.pending and self.publisher is not None:
                self.publisher(self._local.pending)

    def publish_on_commit(self, items: list) -> None:
        """Queue recorded events to be published when the current write commits."""
        self._local.pending.extend(items)

    def read_only(self):
        """A connection of its own that can only read (``read_only(path)``)."""
        return read_only(self.path)

    def close(self) -> None:
        if self._connections is not None:
            self._connections.close()
            return
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


@contextmanager
def read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection that can only read: long report queries run on it and see one snapshot
    without ever taking, or waiting for, the write lock (WAL).  Usable from any process."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True,
                           check_same_thread=False, timeout=10)
    try:
        conn.execute("PRAGMA query_only = ON")
        conn.execute("PRAGMA cache_size = -16384")
        conn.execute("BEGIN")  # one snapshot for every query of the report
        yield conn
    finally:
        conn.close()


PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
SIDE_FILES = ("-wal", "-shm", "-journal")


def make_private(path: Path) -> None:
    """The office's data (visitors' tickets, password hashes) readable by its owner only.

    The directory is created 0700 and the database 0600 before SQLite opens it;
    SQLite gives its -wal and -shm files the database's mode.  Files an older
    version left readable to all are narrowed too.
    """
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=PRIVATE_DIR)
    if sys.platform == "win32":  # NTFS permissions follow the service account instead
        return
    folder = path.parent.stat()
    if folder.st_mode & 0o077 and folder.st_uid == os.getuid():
        path.parent.chmod(PRIVATE_DIR)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, PRIVATE_FILE))
    for file in (path, *(path.with_name(path.name + side) for side in SIDE_FILES)):
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(PRIVATE_FILE)


def gevent_patched() -> bool:
    """True in a process whose threading gevent has monkey-patched."""
    if "gevent.monkey" not in sys.modules:
        return False
    from gevent import monkey

    return bool(monkey.is_module_patched("threading"))


class GreenletConnections:
    """A connection per live greenlet, handed back to a small idle list when it ends."""

    def __init__(self, path: Path):
        self.path = path
        self.opened = 0  # connections ever opened: a leak shows as growth here
        self._idle: list[sqlite_utils.Database] = []
        self._lent: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def current(self) -> sqlite_utils.Database:
        from greenlet import getcurrent

        borrower = getcurrent()
        db = self._lent.get(borrower)
        if db is None:
            db = self._idle.pop() if self._idle else self._open()
            self._lent[borrower] = db
            # Runs when the greenlet is gone (one HTTP connection, a finished stream).
            weakref.finalize(borrower, self._give_back, db)
        return db

    def _open(self) -> sqlite_utils.Database:
        self.opened += 1
        return sqlite_utils.Database(_connect(self.path))

    def _give_back(self, db: sqlite_utils.Database) -> None:
        try:
            if db.conn.in_transaction:  # a greenlet killed mid-write: its transaction is void
                db.conn.rollback()
        except sqlite3.ProgrammingError:  # closed by Store.close() meanwhile
            return
        if len(self._idle) < IDLE_CONNECTIONS_KEPT:
            self._idle.append(db)
        else:
            db.close()

    @property
    def open_count(self) -> int:
        return len(self._idle) + len(self._lent)

    def close(self) -> None:
        """Close the calling greenlet's connection and the idle ones."""
        from greenlet import getcurrent

        db = self._lent.pop(getcurrent(), None)
        for idle in [*self._idle, *([db] if db is not None else [])]:
            idle.close()
        self._idle.clear()


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 10000")
    # Hundreds of server threads may each hold a connection: keep each page cache small.
    conn.execute("PRAGMA cache_size = -1024")
    return conn
