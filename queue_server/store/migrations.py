"""Schema changes, recorded in the database and applied at start (sqlite-utils Migrations)."""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

migrations = Migrations("odno_okno")


@migrations()
def m001_event_log_and_tickets(db: sqlite_utils.Database) -> None:
    db.execute("""
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            type TEXT NOT NULL,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            workplace TEXT,
            ticket_id TEXT,
            payload TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX events_ticket ON events (ticket_id)")
    db.execute("""
        CREATE TABLE tickets (
            id TEXT PRIMARY KEY,
            day TEXT NOT NULL,
            prefix TEXT NOT NULL,
            seq INTEGER NOT NULL,
            queue TEXT NOT NULL,
            life_situation TEXT NOT NULL,
            language TEXT NOT NULL,
            priority INTEGER NOT NULL,
            status TEXT NOT NULL,
            issued_at TEXT NOT NULL,
            queued_at TEXT NOT NULL,
            workplace TEXT,
            target_workplace TEXT,
            "returning" INTEGER NOT NULL DEFAULT 0,
            return_stack TEXT NOT NULL DEFAULT '[]',
            calls INTEGER NOT NULL DEFAULT 0,
            called_at TEXT,
            started_at TEXT,
            finished_at TEXT,
            postponed_until TEXT,
            postponed_by TEXT,
            appointment_at TEXT,
            comment TEXT NOT NULL DEFAULT '',
            request_id TEXT UNIQUE,
            UNIQUE (day, prefix, seq)
        )""")
    # Only open tickets are read on the hot paths (call next, queue counts): a partial
    # index keeps those reads independent of the size of the history.
    db.execute("""CREATE INDEX tickets_open ON tickets (status, queue)
                  WHERE status IN ('waiting', 'called', 'serving', 'postponed')""")
    db.execute("CREATE INDEX tickets_day ON tickets (day, workplace)")
    db.execute("""
        CREATE TABLE counters (
            day TEXT NOT NULL,
            prefix TEXT NOT NULL,
            last INTEGER NOT NULL,
            PRIMARY KEY (day, prefix)
        )""")
    db.execute("""
        CREATE TABLE delivered_services (
            ticket_id TEXT NOT NULL REFERENCES tickets(id),
            service TEXT NOT NULL,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            workplace TEXT
        )""")


@migrations()
def m002_accounts_devices_sessions(db: sqlite_utils.Database) -> None:
    db.execute("""
        CREATE TABLE users (
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            workplaces TEXT NOT NULL DEFAULT '[]',
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        )""")
    db.execute("""
        CREATE TABLE devices (
            name TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            token_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            printer TEXT,
            printer_detail TEXT,
            seen_at TEXT
        )""")
    db.execute("""
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            user TEXT NOT NULL REFERENCES users(name),
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        )""")
    db.execute("""
        CREATE TABLE sign_in_failures (
            key TEXT PRIMARY KEY,
            failures INTEGER NOT NULL,
            last_at TEXT NOT NULL
        )""")
    db.execute("""
        CREATE TABLE workplace_state (
            id TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            user TEXT,
            since TEXT NOT NULL
        )""")
    db.execute("""
        CREATE TABLE help_calls (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            device TEXT NOT NULL,
            at TEXT NOT NULL,
            acknowledged_by TEXT,
            acknowledged_at TEXT
        )""")
    db.execute("""
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            workplace TEXT,
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        )""")


@migrations()
def m003_numbers_from_the_tickets(db: sqlite_utils.Database) -> None:
    """Numbers come from the tickets' own unique index; a separate counter row only
    added a page to every issuing commit.  UNIQUE (day, prefix, seq) also serves
    "tickets of a day", so the extra day index goes too."""
    db.execute("DROP TABLE counters")
    db.execute("DROP INDEX tickets_day")


@migrations()
def m004_appointments(db: sqlite_utils.Database) -> None:
    """Bookings made by the call centre or a curator, checked in at the kiosk.

    name, phone, email and consent are the visitor's personal data: they live in this
    table only (never in events, tickets or the audit) so a purge can blank them here.
    """
    db.execute("""
        CREATE TABLE appointments (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            code TEXT NOT NULL,
            queue TEXT NOT NULL,
            life_situation TEXT NOT NULL,
            slot_at TEXT NOT NULL,
            status TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            email TEXT NOT NULL DEFAULT '',
            consent INTEGER NOT NULL DEFAULT 0,
            needs_help INTEGER NOT NULL DEFAULT 0,
            companion INTEGER NOT NULL DEFAULT 0,
            help_taken_by TEXT,
            help_taken_at TEXT,
            ticket_id TEXT,
            booked_by TEXT NOT NULL,
            booked_at TEXT NOT NULL,
            changed_at TEXT NOT NULL,
            reminded_at TEXT
        )""")
    # A code names one live booking: unique among those still to be checked in.
    db.execute("CREATE UNIQUE INDEX appointments_code ON appointments (code) WHERE status = 'booked'")
    # Covers the free-slot count (places taken per slot of a queue): no table reads.
    db.execute("CREATE INDEX appointments_slot ON appointments (queue, slot_at, status)")
    db.execute("CREATE INDEX appointments_status ON appointments (status, slot_at)")


@migrations()
def m005_feedback_and_report_indexes(db: sqlite_utils.Database) -> None:
    """Visitors' ratings (one per visit: the unique ticket_id; phone and paper ones may
    have none) with the staff's response; and a partial index that finds the
    workplaces' status changes for the reports without reading the whole log."""
    db.execute("""
        CREATE TABLE feedback (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            ticket_id TEXT UNIQUE REFERENCES tickets(id),
            at TEXT NOT NULL,
            rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
            reasons TEXT NOT NULL DEFAULT '[]',
            comment TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL,
            workplace TEXT,
            recorded_by TEXT,
            response TEXT NOT NULL DEFAULT '',
            responded_by TEXT,
            responded_at TEXT
        )""")
    db.execute("CREATE INDEX feedback_at ON feedback (at)")
    db.execute("""CREATE INDEX events_workplace_status ON events (at)
                  WHERE type = 'workplace.status_changed'""")
@migrations()
def m006_outbox_contacts(db: sqlite_utils.Database) -> None:
    """Messages to visitors (written in the transaction of the event that causes them)
    and the phone numbers visitors left at the kiosk for them."""
    db.execute("""
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            channel TEXT NOT NULL,
            recipient TEXT NOT NULL,
            subject TEXT NOT NULL DEFAULT '',
            body TEXT NOT NULL,
            ticket_id TEXT,
            booking TEXT,
            dedupe TEXT NOT NULL UNIQUE,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            next_attempt_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            sent_at TEXT,
            last_error TEXT
        )""")
    # The worker reads only what is due: independent of how many were ever sent.
    db.execute("""CREATE INDEX outbox_due ON outbox (next_attempt_at)
                  WHERE status IN ('pending', 'sending')""")
    db.execute("CREATE INDEX outbox_created ON outbox (created_at)")
    db.execute("""
        CREATE TABLE contacts (
            ticket_id TEXT PRIMARY KEY REFERENCES tickets(id),
            phone TEXT,
            language TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""")


@migrations()
def m008_report_facts(db: sqlite_utils.Database) -> None:
    """The visits and legs of closed office days as rows (docs/storage.md, "Report facts"):
    a report reads a range of them instead of folding the event log again.  Clustered by
    day (WITHOUT ROWID), so a period is one range of each table; report_days lists the
    days already written, in full, so a day is never half there."""
    db.execute("""
        CREATE TABLE report_days (
            day TEXT PRIMARY KEY,
            visits INTEGER NOT NULL,
            made_at TEXT NOT NULL
        )""")
    db.execute("""
        CREATE TABLE report_visits (
            day TEXT NOT NULL,
            ticket_id TEXT NOT NULL,
            issued_us INTEGER NOT NULL,
            number TEXT NOT NULL,
            life_situation TEXT NOT NULL,
            status TEXT NOT NULL,
            weekday INTEGER NOT NULL,
            hour INTEGER NOT NULL,
            path TEXT NOT NULL,
            services TEXT NOT NULL,
            result TEXT NOT NULL,
            redirects INTEGER NOT NULL,
            returns INTEGER NOT NULL,
            no_shows INTEGER NOT NULL,
            postponed INTEGER NOT NULL,
            cancelled INTEGER NOT NULL,
            restored INTEGER NOT NULL,
            PRIMARY KEY (day, ticket_id)
        ) WITHOUT ROWID""")
    db.execute("""
        CREATE TABLE report_legs (
            day TEXT NOT NULL,
            ticket_id TEXT NOT NULL,
            leg INTEGER NOT NULL,
            life_situation TEXT NOT NULL,
            queue TEXT NOT NULL,
            workplace TEXT,
            staff TEXT,
            appointment INTEGER NOT NULL,
            wait_us INTEGER,
            service_us INTEGER,
            PRIMARY KEY (day, ticket_id, leg)
        ) WITHOUT ROWID""")
    # Each day's facts summed by what a report tells apart: a year's report reads a few
    # thousand of these rows instead of 300,000 visits (docs/performance.md).
    db.execute("""
        CREATE TABLE report_day_visits (
            day TEXT NOT NULL,
            life_situation TEXT NOT NULL,
            path TEXT NOT NULL,
            weekday INTEGER NOT NULL,
            hour INTEGER NOT NULL,
            services TEXT NOT NULL,
            visits INTEGER NOT NULL,
            finished INTEGER NOT NULL,
            redirects INTEGER NOT NULL,
            returns INTEGER NOT NULL,
            no_shows INTEGER NOT NULL,
            postponed INTEGER NOT NULL,
            cancelled INTEGER NOT NULL,
            restored INTEGER NOT NULL
        )""")
    db.execute("CREATE INDEX report_day_visits_day ON report_day_visits (day)")
    db.execute("""
        CREATE TABLE report_day_legs (
            day TEXT NOT NULL,
            life_situation TEXT NOT NULL,
            queue TEXT NOT NULL,
            workplace TEXT,
            staff TEXT,
            appointment INTEGER NOT NULL,
            waits TEXT,
            services TEXT
        )""")
    db.execute("CREATE INDEX report_day_legs_day ON report_day_legs (day)")
