"""The administrator's maintenance of an office's data: backup, restore, the server's lock."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from queue_server.store import backup as copies
from queue_server.store.backup import BackupError
from queue_server.store.data_lock import DataDirInUse, DataDirLock
from queue_server.store.database import DATABASE_NAME

__all__ = ["BackupError", "DataDirInUse", "backup", "default_backup_path", "restore", "server_lock"]

BACKUP_DIR = "backups"


def default_backup_path(data_dir: Path, now: datetime) -> Path:
    return Path(data_dir) / BACKUP_DIR / f"queue-{now:%Y%m%d-%H%M%S}.db"


def backup(data_dir: Path, target: Path) -> int:
    """A checked copy of the office database at ``target``, while the server may run; its pages."""
    return copies.backup(Path(data_dir) / DATABASE_NAME, Path(target))


def restore(data_dir: Path, source: Path) -> Path | None:
    """Replace the office database by the checked copy ``source``; refused while a server runs.

    Answers where the replaced database was kept.  The next start migrates the copy
    if it comes from an older release.
    """
    with DataDirLock(Path(data_dir)):
        return copies.restore(Path(source), Path(data_dir) / DATABASE_NAME)


def server_lock(data_dir: Path) -> DataDirLock:
    """Held by a running server, so that ``restore`` cannot pull its database away."""
    return DataDirLock(Path(data_dir)).acquire()
