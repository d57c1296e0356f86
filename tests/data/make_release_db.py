"""Writes ``release-2026-11.db``: an office database of the previous release (migrations m001–m003).

Run once, at the commit whose migrations ended at m003 (``python -m tests.data.make_release_db``);
the file is committed and never regenerated, since later code has later migrations.
tests/test_upgrade.py opens it with the current server and checks every ticket survives.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from queue_server.config import DEMO_OFFICE_PATH, load_office
from queue_server.domain.clock import ManualClock
from queue_server.service import open_services

TARGET = Path(__file__).with_name("release-2026-11.db")
FRIDAY_10_00 = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def make(target: Path = TARGET) -> None:
    work = target.with_suffix(".work")
    work.mkdir(exist_ok=True)
    clock = ManualClock(FRIDAY_10_00)
    services = open_services(work, load_office(DEMO_OFFICE_PATH), clock)
    services.accounts.create_user("curator1", "curator", "release-password", ("window_3",), actor="cli")
    services.accounts.add_device("kiosk-1", "kiosk", actor="cli", token="release-kiosk-token")
    services.accounts.add_device("hall", "display", actor="cli", token="release-display-token")
    tickets = services.tickets
    situations = ["job_search", "lost_job", "youth", "legal", "not_sure", "business_start"]
    issued = []
    for n in range(18):
        clock.advance(minutes=2)
        issued.append(tickets.issue(life_situation=situations[n % len(situations)], language="ru",
                                    priority=n % 7 == 0, actor="device:kiosk-1",
                                    request_id=f"release-{n}").ticket)
    for workplace in ("window_1", "window_3", "window_5"):
        services.desk.set_workplace_status(workplace, "open", user="curator1", actor="cli")
    for _ in range(4):  # served to the end
        called = tickets.call_next("window_1", actor="curator1")
        tickets.start(called.id, workplace="window_1", actor="curator1")
        clock.advance(minutes=5)
        tickets.finish(called.id, services=["job_search_help"], result="done", workplace="window_1",
                       actor="curator1")
    sent = tickets.call_next("window_3", actor="curator1")  # sent on, waiting again
    tickets.start(sent.id, workplace="window_3", actor="curator1")
    tickets.redirect(sent.id, queue="psychologist", workplace=None, comment="", return_to_me=True,
                     from_workplace="window_3", actor="curator1")
    tickets.cancel(issued[-1].id, reason="left", workplace=None, actor="curator1")
    called = tickets.call_next("window_5", actor="curator1")  # left called
    assert called is not None
    services.desk.request_help("kiosk-1")
    services.close()
    source = sqlite3.connect(work / "queue.db")
    target.unlink(missing_ok=True)
    copy = sqlite3.connect(target)
    source.backup(copy)
    copy.execute("PRAGMA journal_mode = DELETE")
    copy.execute("PRAGMA page_size = 1024")  # small pages: a small file in the repository
    copy.execute("VACUUM")
    copy.close()
    source.close()
    for leftover in work.iterdir():
        leftover.unlink()
    work.rmdir()


if __name__ == "__main__":
    make()
