"""A full disk and a read-only disk under a running server: clear answers, nothing corrupted, and
the office carries on when the disk takes writes again.

A full disk: the data directory is a small tmpfs mounted for the test (needs root, as
on the CI machine; skipped elsewhere) that really fills.  A read-only database:
SQLite's ``query_only`` on the server's connection (Linux refuses to remount a disk
read-only while files on it are open for writing).  SQLite's page limit
(``max_page_count``) gives the full-disk fault without a mount as well.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.support.live_server import LiveServer

SIZE = "6m"


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@pytest.fixture
def small_disk(tmp_path):
    mountpoint = tmp_path / "disk"
    mountpoint.mkdir()
    if os.geteuid() != 0 or not _mount("-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(mountpoint)):
        pytest.skip("needs root to mount a small tmpfs")
    try:
        yield mountpoint
    finally:
        _mount("-o", "remount,rw", str(mountpoint))
        if subprocess.run(["umount", str(mountpoint)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True)


@pytest.fixture
def server_on_small_disk(small_disk, tmp_path):
    server = LiveServer(small_disk / "office", log_dir=tmp_path)
    server.data_dir.mkdir()
    server.start()
    yield server
    server.stop()


def _issue(server, request_id: str) -> tuple[int, dict]:
    return server.request("POST", "/api/v1/tickets", token=server.kiosk_token, timeout=30, body={
        "life_situation": "job_search", "language": "ru", "request_id": request_id})


def _fill(disk: Path) -> Path:
    filler = disk / "filler"
    with contextlib.suppress(OSError), filler.open("wb", buffering=0) as handle:
        while True:
            handle.write(b"\0" * 65536)
    return filler


def _check_database(server, confirmed: dict[str, str]) -> None:
    """After a clean stop: the file passes its check and holds every confirmed ticket, once each."""
    connection = sqlite3.connect(server.data_dir / "queue.db")
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = connection.execute("SELECT id, prefix || seq FROM tickets").fetchall()
    finally:
        connection.close()
    numbers = dict(rows)
    assert set(confirmed) <= set(numbers)
    assert len(set(numbers.values())) == len(numbers), "a number was given twice"


def test_a_full_disk_refuses_with_a_code_corrupts_nothing_and_the_office_resumes(server_on_small_disk,
                                                                                  small_disk):
    server = server_on_small_disk
    confirmed: dict[str, str] = {}
    for _ in range(5):
        status, body = _issue(server, str(uuid.uuid4()))
        assert status == 201
        confirmed[body["id"]] = body["number"]

    filler = _fill(small_disk)
    refused_id, body = None, {}
    for _ in range(400):  # the write-ahead log may still have room for a few commits
        request_id = str(uuid.uuid4())
        status, body = _issue(server, request_id)
        if status == 201:
            confirmed[body["id"]] = body["number"]
            continue
        refused_id = request_id
        break
    assert refused_id is not None, "the full disk never refused a ticket"
    assert status == 503, body
    assert body["error"] == "storage_unavailable" and "full" in body["reason"]
    status, health = server.request("GET", "/healthz")
    assert status == 503 and "writes failing" in health["database"]
    status, _ = server.request("GET", "/api/v1/queues", token=server.kiosk_token)
    assert status == 200  # reading goes on

    filler.unlink()  # space returns
    status, body = _issue(server, refused_id)  # the kiosk's retry of the refused request
    assert status == 201, body
    confirmed[body["id"]] = body["number"]
    assert server.request("GET", "/healthz")[0] == 200
    server.stop()
    _check_database(server, confirmed)


def test_a_read_only_database_refuses_with_a_code_and_writes_resume(services, signed_in):
    """SQLite-level: ``query_only`` makes the connection refuse writes as a read-only file would
    (a tmpfs cannot be remounted read-only while the server has its files open)."""
    kiosk, hall = signed_in("kiosk"), signed_in("administrator")
    db = services.store.db
    db.execute("PRAGMA query_only = ON")
    answer = kiosk.post("/api/v1/tickets", json={"life_situation": "job_search", "language": "ru",
                                                 "request_id": "read-only"})
    assert answer.status_code == 503
    assert answer.get_json()["error"] == "storage_unavailable" and "read-only" in answer.get_json()["reason"]
    assert kiosk.post("/api/v1/devices/heartbeat").status_code == 503
    assert hall.get("/api/v1/queues").status_code == 200  # reading goes on
    assert services.tickets.open_tickets() == []
    db.execute("PRAGMA query_only = OFF")
    answer = kiosk.post("/api/v1/tickets", json={"life_situation": "job_search", "language": "ru",
                                                 "request_id": "read-only"})
    assert answer.status_code == 201
    assert [t.id for t in services.tickets.open_tickets()] == [answer.get_json()["id"]]


def test_a_server_started_on_a_read_only_data_directory_says_so(tmp_path):
    data = tmp_path / "office"
    data.mkdir()
    data.chmod(0o500)
    try:
        root_writes_anyway = os.access(data, os.W_OK)  # then a read-only tmpfs stands in
        if root_writes_anyway and (os.geteuid() != 0 or not _mount("-t", "tmpfs", "-o", "ro,size=1m",
                                                                     "tmpfs", str(data))):
            pytest.skip("cannot make a read-only directory here")
        result = subprocess.run([sys.executable, "-m", "queue_server", "run", "--data", str(data),
                                 "--port", "0"], capture_output=True, text=True, timeout=60)
    finally:
        subprocess.run(["umount", str(data)], capture_output=True)
        data.chmod(0o700)
    assert result.returncode == 2, result.stderr
    assert "cannot write to the data directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_sqlite_page_limit_refuses_the_write_whole_and_the_next_one_succeeds(services, signed_in):
    """The same fault without a mount: SQLite's page limit stands in for the disk's size."""
    kiosk, hall = signed_in("kiosk"), signed_in("administrator")
    db = services.store.db  # this thread's connection, the one the test client's requests use
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")
    answers = [kiosk.post("/api/v1/tickets", json={"life_situation": "job_search", "language": "ru",
                                                   "request_id": f"limit-{n}"}) for n in range(40)]
    refused = [a for a in answers if a.status_code == 503]
    assert refused and refused[0].get_json()["error"] == "storage_unavailable"
    assert refused[0].headers["Retry-After"]
    assert hall.get("/healthz").status_code == 503
    db.execute("PRAGMA max_page_count = 1073741823")
    retry = kiosk.post("/api/v1/tickets", json={"life_situation": "job_search", "language": "ru",
                                                "request_id": "limit-39"})
    assert retry.status_code in (200, 201)
    assert hall.get("/healthz").status_code == 200
    issued = [a.get_json()["id"] for a in answers if a.status_code == 201] + [retry.get_json()["id"]]
    assert {t.id for t in services.tickets.open_tickets()} == set(issued)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
