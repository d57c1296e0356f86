"""The server's services as the staff pages use them: office, store, clock, audit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import sqlite_utils
from flask import current_app, session

from queue_server.domain.office import Office
from queue_server.store.audit import record_audit


def services():
    return current_app.extensions["odno_okno"]


def current_office() -> Office:
    return services().office


def read_db() -> sqlite_utils.Database:
    return services().store.db


@contextmanager
def write_db() -> Iterator[sqlite_utils.Database]:
    with services().store.write() as db:
        yield db


def now():
    return services().now()


def audit(db: sqlite_utils.Database, action: str, target: str, detail: dict) -> None:
    """Record a staff action that is not a ticket event: who, when, from which workplace."""
    from queue_server.web.staff.access import current_principal

    principal = current_principal()
    record_audit(
        db, actor=principal.actor if principal else "unknown", action=action,
        detail=json.dumps({"target": target, **detail}, ensure_ascii=False),
        workplace=session.get("workplace"), at=now(),
    )
