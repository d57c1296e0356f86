"""One server per data directory: a lock on ``server.lock`` held while it runs.

The operating system drops the lock when the process ends in any way (``kill -9``
included), so a crashed server never leaves a stale lock.  ``restore`` uses it to
refuse replacing a database that a running server has open.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

LOCK_NAME = "server.lock"


class DataDirInUse(Exception):
    """Another process (a running server) holds the data directory."""


class DataDirLock:
    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> DataDirLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _lock(fd)
        except OSError:
            os.close(fd)
            raise DataDirInUse(f"{self.path.parent}: a queue server is running on this data "
                               f"directory (it holds {self.path.name}); stop it first") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the lock
            self._fd = None

    def __enter__(self) -> DataDirLock:
        return self.acquire()

    def __exit__(self, *_) -> None:
        self.release()


if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
