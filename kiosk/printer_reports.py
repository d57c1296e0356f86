"""When the kiosk tells the server about its printer: every fault, and "ok" once after one.

The kiosk's own tickets (UI thread) and the tickets the console sends (listener
thread) share one printer, so they share this record of whether a fault is still
standing on the administrator's screen.
"""

from __future__ import annotations

import threading


class PrinterReports:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fault_reported = False

    def fault(self) -> None:
        """A print failed; the caller reports the fault (always: each one is news)."""
        with self._lock:
            self._fault_reported = True

    def printed(self) -> bool:
        """A print succeeded; True when the caller should now report "ok"."""
        with self._lock:
            was_faulty, self._fault_reported = self._fault_reported, False
            return was_faulty
