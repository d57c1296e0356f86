"""Personal data expires: a month of visits, then the purge; the reports' numbers stay."""

from __future__ import annotations

import json
from datetime import timedelta

from queue_server.store.retention import PERSONAL

DAYS = 40
COMMENT = "2 группа инвалидности, нужен пандус"


def play_a_month(services, clock):
    """Each day: four visits at window 1 (two with a phone), one redirected with a comment."""
    tickets = services.tickets
    for _ in range(DAYS):
        ids = []
        for n in range(4):
            issued = tickets.issue(life_situation="job_search", language="ru", priority=False,
                                   actor="kiosk", phone="+7 912 345-67-8" + str(n) if n % 2 else None)
            ids.append(issued.ticket.id)
        for n, ticket_id in enumerate(ids):
            tickets.call(ticket_id, "window_1", actor="reception")
            clock.advance(minutes=3)
            tickets.start(ticket_id, workplace="window_1", actor="reception")
            clock.advance(minutes=7)
            if n == 0:
                tickets.redirect(ticket_id, queue="curator", workplace=None, comment=COMMENT,
                                 return_to_me=False, from_workplace="window_1", actor="reception")
                tickets.cancel(ticket_id, reason="ушёл, плохо себя чувствует", workplace=None,
                               actor="admin")
            else:
                tickets.finish(ticket_id, services=["resume"], result="резюме составлено",
                               workplace="window_1", actor="reception")
        services.delivery.deliver_due()
        clock.advance(days=1, minutes=-40)


def report(db) -> list:
    """What reports read: visits per day and status, their waits and service times, services."""
    return [
        list(db.query("SELECT day, status, COUNT(*) AS n, "
                      "SUM(julianday(called_at) - julianday(issued_at)) AS waiting, "
                      "SUM(julianday(finished_at) - julianday(started_at)) AS serving "
                      "FROM tickets GROUP BY day, status ORDER BY day, status")),
        list(db.query("SELECT service, COUNT(*) AS n FROM delivered_services GROUP BY service")),
        list(db.query("SELECT type, COUNT(*) AS n FROM events GROUP BY type ORDER BY type")),
        list(db.query("SELECT kind, status, COUNT(*) AS n FROM outbox GROUP BY kind, status")),
    ]


def personal_left(db, before: str) -> dict[str, int]:
    return {
        "comments": db.execute("SELECT COUNT(*) FROM tickets WHERE comment != '' AND issued_at < ?",
                               [before]).fetchone()[0],
        "event texts": sum(1 for row in db.query("SELECT payload FROM events WHERE at < ?", [before])
                           if any(json.loads(row["payload"]).get(k) for k in ("comment", "reason", "result"))
                           and "to_workplace" not in json.loads(row["payload"])),
        "phones": db.execute("SELECT COUNT(*) FROM contacts WHERE phone IS NOT NULL AND created_at < ?",
                             [before]).fetchone()[0],
        "messages": db.execute("SELECT COUNT(*) FROM outbox WHERE (recipient != '' OR body != '') "
                               "AND created_at < ?", [before]).fetchone()[0],
    }


def test_purge_erases_personal_data_after_the_period_and_keeps_the_numbers(services, signed_in, clock):
    assert signed_in("reception").post("/api/v1/workplaces/window_1/status",
                                       json={"status": "open"}).status_code == 204
    play_a_month(services, clock)
    db = services.store.db
    cutoff = (clock.now() - timedelta(days=30)).isoformat()
    before = report(db)
    old = personal_left(db, cutoff)
    assert all(old.values()), old  # the month really holds every kind of personal data

    would = services.notifier.purge(dry_run=True)
    assert report(db) == before and personal_left(db, cutoff) == old  # a dry run changes nothing
    assert would["tickets"] == old["comments"] and would["contacts"] == old["phones"]

    done = services.notifier.purge(dry_run=False)
    assert done == would
    assert personal_left(db, cutoff) == {"comments": 0, "event texts": 0, "phones": 0, "messages": 0}
    recent = personal_left(db, "9999")
    assert all(recent.values()), recent  # the last 30 days keep theirs
    assert report(db) == before  # counts and durations for the reports are unchanged
    assert services.notifier.purge(dry_run=True) == {entry.table: 0 for entry in PERSONAL}
    # The event log still replays into the same tickets (the purged comments stay blank).
    history = services.tickets.history(db.execute("SELECT id FROM tickets ORDER BY issued_at").fetchone()[0])
    assert [s.event.type for s in history][-1] == "ticket.cancelled"


def test_purge_on_the_command_line(tmp_path, capsys):
    from queue_server import cli

    assert cli.main(["purge", "--dry-run", "--data", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "older than 30 days: would erase in" in out and "contacts: 0 rows" in out
