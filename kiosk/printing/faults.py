"""The one exception printing raises, with a kind the kiosk reports to the server."""

from __future__ import annotations

FAULT_KINDS = ("offline", "paper_out", "error")
DEFAULT_REASONS = {
    "offline": "printer is not reachable",
    "paper_out": "printer is out of paper",
    "error": "printer failed",
}


class PrinterFault(Exception):
    """The ticket was not (completely) printed.

    ``kind`` is what ``POST /api/v1/devices/status`` expects in ``printer``;
    ``str(fault)`` is a reason for the administrator console.
    """

    def __init__(self, kind: str, reason: str = "") -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown printer fault kind {kind!r}")
        reason = reason or DEFAULT_REASONS[kind]
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
