"""Backup while the office works, restore with the server stopped, and upgrade from the last release."""

from __future__ import annotations

import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from queue_server.domain.clock import ManualClock
from queue_server.service import open_services
from queue_server.store.migrations import migrations
from tests.support.app_fixtures import DEMO_OFFICE, MONDAY_10_00

RELEASE_DB = Path(__file__).parent / "data" / "release-2026-11.db"  # migrations m001–m003


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "queue_server", *args], capture_output=True, text=True,
                          timeout=60)


def _tickets(path: Path) -> dict[str, tuple]:
    connection = sqlite3.connect(path)
    try:
        return {row[0]: row[1:] for row in connection.execute(
            "SELECT id, day, prefix, seq, status, queue, life_situation FROM tickets")}
    finally:
        connection.close()


def test_the_current_server_opens_a_release_database_migrates_it_and_keeps_every_ticket(tmp_path):
    before = _tickets(RELEASE_DB)
    assert len(before) == 18
    shutil.copy(RELEASE_DB, tmp_path / "queue.db")
    services = open_services(tmp_path, DEMO_OFFICE, ManualClock(MONDAY_10_00))
    try:
        applied = {row["name"] for row in services.store.db.query("SELECT name FROM _sqlite_migrations")}
        assert applied == {m.name for m in migrations._migrations}
        for ticket_id, (_day, prefix, seq, status, _queue, _situation) in before.items():
            ticket = services.tickets.ticket(ticket_id)
            assert (ticket.prefix, ticket.seq, ticket.status.value) == (prefix, seq, status)
            assert services.tickets.history(ticket_id)  # the history folds back to the ticket
        waiting = [t for t in services.tickets.open_tickets() if t.status.value == "waiting"]
        assert len(waiting) == 12
        assert services.accounts.user("curator1") is not None
    finally:
        services.close()


def test_backup_while_tickets_are_issued_writes_a_checked_private_copy(live_server):
    failures: list[object] = []
    issued: list[str] = []
    stop = threading.Event()

    def issue_all_the_time() -> None:
        while not stop.is_set():
            status, body = live_server.request("POST", "/api/v1/tickets", token=live_server.kiosk_token,
                                               body={"life_situation": "job_search", "language": "ru"},
                                               timeout=30)
            (issued.append(body["id"]) if status == 201 else failures.append((status, body)))

    kiosk = threading.Thread(target=issue_all_the_time)
    kiosk.start()
    try:
        _wait_for(lambda: len(issued) >= 5)
        copies = []
        for n in range(3):
            target = live_server.data_dir / "copies" / f"copy-{n}.db"
            before = len(issued)
            result = _cli("backup", "--data", str(live_server.data_dir), "--to", str(target))
            assert result.returncode == 0, result.stderr
            assert "integrity ok" in result.stdout
            copies.append((target, issued[:before]))
        after_backups = len(issued)
        _wait_for(lambda: len(issued) >= after_backups + 5)  # still issuing after the copies
    finally:
        stop.set()
        kiosk.join(30)
    assert failures == []
    for target, confirmed_before in copies:
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        assert set(confirmed_before) <= set(_tickets(target))


def test_a_long_reader_does_not_stop_issuing(live_server):
    reader = sqlite3.connect(live_server.data_dir / "queue.db")
    try:
        reader.execute("BEGIN")
        held = reader.execute("SELECT count(*) FROM tickets").fetchone()[0]
        numbers = [live_server.issue()["number"] for _ in range(10)]
        assert len(set(numbers)) == 10
        assert reader.execute("SELECT count(*) FROM tickets").fetchone()[0] == held  # its snapshot
    finally:
        reader.rollback()
        reader.close()
    status, _ = live_server.request("GET", "/api/v1/queues", token=live_server.kiosk_token)
    assert status == 200


def test_restore_is_refused_while_the_server_runs_and_works_once_it_stopped(live_server, tmp_path):
    kept = live_server.issue()["id"]
    copy = tmp_path / "kept.db"
    assert _cli("backup", "--data", str(live_server.data_dir), "--to", str(copy)).returncode == 0
    live_server.issue()  # after the copy: gone after the restore

    refused = _cli("restore", str(copy), "--data", str(live_server.data_dir))
    assert refused.returncode == 1
    assert "running on this data directory" in refused.stderr
    assert live_server.request("GET", "/healthz")[0] == 200  # untouched

    live_server.stop()
    restored = _cli("restore", str(copy), "--data", str(live_server.data_dir))
    assert restored.returncode == 0, restored.stderr
    assert (live_server.data_dir / "queue.db.before-restore").exists()
    assert stat.S_IMODE((live_server.data_dir / "queue.db").stat().st_mode) == 0o600
    live_server.start()
    assert set(_tickets(live_server.data_dir / "queue.db")) == {kept}
    assert live_server.request("GET", f"/api/v1/tickets/{kept}", token=live_server.kiosk_token)[0] == 200


def test_restore_of_a_release_copy_is_migrated_by_the_next_start(live_server, tmp_path):
    live_server.stop()
    assert _cli("restore", str(RELEASE_DB), "--data", str(live_server.data_dir)).returncode == 0
    live_server.start()
    assert set(_tickets(live_server.data_dir / "queue.db")) == set(_tickets(RELEASE_DB))
    status, body = live_server.request("POST", "/api/v1/tickets", token=live_server.kiosk_token,
                                       body={"life_situation": "job_search", "language": "ru"})
    assert status == 201, body


@pytest.mark.parametrize("content, reason", [
    (b"not a database at all" * 100, "file is not a database"),
    (None, "not a database of the queue server"),
])
def test_restore_refuses_a_broken_or_foreign_file_and_keeps_the_database(tmp_path, content, reason):
    data = tmp_path / "office"
    shutil.copy(RELEASE_DB, tmp_path / "release.db")
    assert _cli("restore", str(tmp_path / "release.db"), "--data", str(data)).returncode == 0
    bad = tmp_path / "bad.db"
    if content is None:
        sqlite3.connect(bad).execute("CREATE TABLE other (x)").connection.close()
    else:
        bad.write_bytes(content)
    refused = _cli("restore", str(bad), "--data", str(data))
    assert refused.returncode == 1 and reason in refused.stderr, refused.stderr
    assert set(_tickets(data / "queue.db")) == set(_tickets(RELEASE_DB))


def test_a_second_server_on_the_same_data_directory_is_refused(live_server):
    second = _cli("run", "--data", str(live_server.data_dir), "--port", "0")
    assert second.returncode == 2
    assert "running on this data directory" in second.stderr


def _wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.05)
