"""The hall desk's use cases: workplaces open and close, kiosks call for help and report printers."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from queue_server.domain import events as ev
from queue_server.domain import limits
from queue_server.service.context import Context
from queue_server.service.errors import BadRequest, NotFound
from queue_server.store import desk as desk_store
from queue_server.store import tickets as repo

WORKPLACE_STATUSES = ("open", "break", "closed")
PRINTER_STATES = ("ok", "offline", "paper_out", "error")
HEARTBEAT_KINDS = ("kiosk", "display")  # the devices whose silence raises an alarm
MAX_SQLITE_INTEGER = 2**63 - 1
SILENT_AFTER_SECONDS = 90.0  # default: three missed heartbeats of 30 s


class Desk:
    def __init__(self, context: Context):
        self._ctx = context
        self._store = context.store
        self._silent: set[str] = set()  # devices the console was told are silent
        self._silent_lock = threading.Lock()

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
                at=now, actor=f"device:{device}", device=device, printer=printer, detail=detail),
                *self._heard_from(device, now)]))

    def heartbeat(self, device: str) -> None:
        """A kiosk or screen is alive; a device that was silent is back."""
        now = self._ctx.now()
        with self._store.write() as db:
            desk_store.save_seen(db, device, at=now)
            back = self._heard_from(device, now)
            if back:
                self._store.publish_on_commit(repo.append_events(db, back))

    def _heard_from(self, device: str, now: datetime) -> list[ev.Event]:
        with self._silent_lock:
            if device not in self._silent:
                return []
            self._silent.discard(device)
        return [ev.DeviceBack(at=now, actor=f"device:{device}", device=device)]

    def check_silence(self, after_seconds: float = SILENT_AFTER_SECONDS) -> list[str]:
        """Alarm once for each kiosk or screen heard from before but silent for ``after_seconds``.

        Run by the server's ticker.  A device never heard from raises no alarm (it may not
        be set up yet).  Answers the devices that just went silent.
        """
        now = self._ctx.now()
        silent = [device for device in self.devices(after_seconds)
                  if device["silent"] and device["name"] not in self._silent]
        if not silent:
            return []
        with self._store.write() as db:
            with self._silent_lock:
                self._silent.update(device["name"] for device in silent)
            self._store.publish_on_commit(repo.append_events(db, [ev.DeviceSilent(
                at=now, actor=ev.SYSTEM, device=device["name"], kind=device["kind"],
                last_seen=datetime.fromisoformat(device["seen_at"])) for device in silent]))
        return [device["name"] for device in silent]

    def devices(self, silent_after_seconds: float = SILENT_AFTER_SECONDS) -> list[dict]:
        """Every registered device with its last report and whether it has gone silent."""
        limit = self._ctx.now() - timedelta(seconds=silent_after_seconds)
        return [{**device, "silent": device["kind"] in HEARTBEAT_KINDS and device["seen_at"] is not None
                 and datetime.fromisoformat(device["seen_at"]) < limit}
                for device in desk_store.list_devices(self._store.db)]
