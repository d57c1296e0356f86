"""The hall desk's use cases: workplaces open and close, kiosks call for help and report printers."""

from __future__ import annotations

from queue_server.domain import events as ev
from queue_server.domain import limits
from queue_server.service.context import Context
from queue_server.service.errors import BadRequest, NotFound
from queue_server.store import desk as desk_store
from queue_server.store import tickets as repo

WORKPLACE_STATUSES = ("open", "break", "closed")
PRINTER_STATES = ("ok", "offline", "paper_out", "error")
MAX_SQLITE_INTEGER = 2**63 - 1


class Desk:
    def __init__(self, context: Context):
        self._ctx = context
        self._store = context.store

    # --- workplaces -------------------------------------------------------------------

    def workplace_states(self) -> dict[str, dict]:
        return self._ctx.projection.workplace_states()

    def open_workplace_count(self, queue_id: str) -> int:
        return self._ctx.projection.open_workplace_count(queue_id)

    def set_workplace_status(self, workplace_id: str, status: str, *, user: str | None,
                             actor: str) -> None:
        self._ctx.workplace(workplace_id)
        if status not in WORKPLACE_STATUSES:
            raise BadRequest(f"status: must be one of {', '.join(WORKPLACE_STATUSES)}")
        now = self._ctx.now()
        with self._store.write() as db:
            desk_store.save_workplace_state(db, workplace_id, status=status,
                                            user=user if status != "closed" else None, since=now)
            self._store.publish_on_commit(repo.append_events(db, [ev.WorkplaceStatusChanged(
                at=now, actor=actor, workplace=workplace_id, status=status, user=user)]))

    # --- help calls -------------------------------------------------------------------

    def request_help(self, device: str) -> int:
        now = self._ctx.now()
        with self._store.write() as db:
            call_id = desk_store.add_help_call(db, device, at=now)
            self._store.publish_on_commit(repo.append_events(db, [ev.HelpRequested(
                at=now, actor=f"device:{device}", help_call_id=call_id, device=device)]))
        return call_id

    def acknowledge_help(self, call_id: int, *, actor: str) -> None:
        if not 0 < call_id <= MAX_SQLITE_INTEGER:  # beyond SQLite's integers: no such call
            raise NotFound(f"no help call {call_id}")
        now = self._ctx.now()
        with self._store.write() as db:
            call = desk_store.help_call(db, call_id)
            if call is None:
                raise NotFound(f"no help call {call_id}")
            if call["acknowledged_at"]:
                return
            desk_store.acknowledge_help_call(db, call_id, by=actor, at=now)
            self._store.publish_on_commit(repo.append_events(db, [ev.HelpAcknowledged(
                at=now, actor=actor, help_call_id=call_id, device=call["device"])]))

    def open_help_calls(self) -> list[dict]:
        return desk_store.open_help_calls(self._store.db)

    # --- devices ----------------------------------------------------------------------

    def report_device_status(self, device: str, printer: str, detail: str) -> None:
        if printer not in PRINTER_STATES:
            raise BadRequest(f"printer: must be one of {', '.join(PRINTER_STATES)}")
        detail = limits.text("detail", detail)
        now = self._ctx.now()
        with self._store.write() as db:
            desk_store.save_printer_report(db, device, printer=printer, detail=detail, at=now)
            self._store.publish_on_commit(repo.append_events(db, [ev.DeviceStatusReported(
                at=now, actor=f"device:{device}", device=device, printer=printer, detail=detail)]))

    def devices(self) -> list[dict]:
        return desk_store.list_devices(self._store.db)
