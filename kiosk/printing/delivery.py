"""Sending a ticket to a real printer, with its faults named for the administrator.

Before the ticket, printers that answer real-time status (network, serial, USB)
are asked for paper (``DLE EOT 4``) and online state (``DLE EOT 1``); after it,
for paper again. The second question also proves the connection held: a
network printer that dropped the connection mid-ticket answers nothing, and the
ticket is reported failed instead of silently lost.
"""

from __future__ import annotations

import logging
import socket
from contextlib import contextmanager

from escpos.constants import RT_STATUS_ONLINE, RT_STATUS_PAPER
from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Network, Serial, Usb

from kiosk.printing.escpos_output import ticket_bytes
from kiosk.printing.faults import PrinterFault
from kiosk.printing.printer_spec import PrinterSpec, open_printer
from kiosk.printing.slip import TicketSlip

log = logging.getLogger(__name__)

CHUNK_BYTES = 4096
STATUS_TIMEOUT_S = 2.0
SERIAL_WRITE_TIMEOUT_S = 10.0
# DLE EOT 4 answer (roll paper sensor): bits 5-6 paper end, bits 2-3 near end.
PAPER_END_BITS = 0x60
PAPER_NEAR_END_BITS = 0x0C
# DLE EOT 1 answer (printer status): bit 3 set while offline.
OFFLINE_BIT = 0x08
STATUS_TRANSPORTS = (Network, Serial, Usb)


class _ConnectionLost(Exception):
    """A network printer closed the connection or reset it."""


def print_ticket(target, slip: TicketSlip) -> None:
    """Print ``slip`` on ``target``: a SPEC string, a PrinterSpec or a python-escpos printer.

    A printer opened from a spec is closed afterwards; a printer object passed in
    stays the caller's. ``none`` prints nothing. Raises PrinterFault.
    """
    data = ticket_bytes(slip)  # built first: a layout error never leaves half a ticket
    if isinstance(target, str | PrinterSpec):
        printer = open_printer(target)
        if printer is None:
            return
        try:
            send_ticket(printer, data)
        finally:
            _close_quietly(printer)
    else:
        send_ticket(target, data)


def send_ticket(printer, data: bytes) -> None:
    """Send prepared ticket bytes, checking status before and after where possible."""
    status = StatusProbe(printer)
    try:
        check_ready(status)
    except _ConnectionLost as lost:
        raise PrinterFault("offline", f"printer closed the connection: {lost}") from lost
    started = False
    try:
        for start in range(0, len(data), CHUNK_BYTES):
            printer._raw(data[start : start + CHUNK_BYTES])
            started = True
        paper = status.paper()
    except (DeviceNotFoundError, OSError, _ConnectionLost) as failure:
        if not started and isinstance(failure, DeviceNotFoundError):  # a file printer opens here
            raise PrinterFault("offline", f"printer not reachable: {_one_line(failure)}") from failure
        raise PrinterFault("error", f"failed mid-ticket: {_one_line(failure)}") from failure
    if paper == 0:
        raise PrinterFault("paper_out", "paper ran out while printing; the ticket may be incomplete")


def check_ready(status: StatusProbe) -> None:
    """Raise PrinterFault unless the printer has paper and is online (when it can tell)."""
    try:
        _limit_serial_writes(status.printer)
        paper = status.paper()
        if paper == 0:
            raise PrinterFault("paper_out", "printer reports no paper")
        if paper == 1:
            log.warning("printer paper is nearly out")
        online = status.query(RT_STATUS_ONLINE)
    except (DeviceNotFoundError, OSError, ValueError) as failure:
        raise PrinterFault("offline", f"printer not reachable: {_one_line(failure)}") from failure
    if online is not None and online & OFFLINE_BIT:
        raise PrinterFault("offline", "printer reports it is offline (cover open?)")


class StatusProbe:
    """Real-time status queries to one printer; stops asking once it stays silent."""

    def __init__(self, printer) -> None:
        self.printer = printer
        self.answers = isinstance(printer, STATUS_TRANSPORTS)

    def paper(self) -> int | None:
        """2 plenty, 1 nearly out, 0 out (as python-escpos), None when unknown."""
        status = self.query(RT_STATUS_PAPER)
        if status is None:
            return None
        if status & PAPER_END_BITS:
            return 0
        if status & PAPER_NEAR_END_BITS:
            return 1
        return 2

    def query(self, command: bytes) -> int | None:
        """One status byte, or None from a transport or printer without status."""
        if not self.answers:
            return None
        with _short_timeout(self.printer):
            try:
                reply = self._ask(command)
            except TimeoutError:
                log.info("printer does not answer status queries; printing without status")
                self.answers = False
                return None
            except (ConnectionResetError, BrokenPipeError) as reset:
                raise _ConnectionLost(str(reset)) from reset
        if not reply:
            if isinstance(self.printer, Network):  # an empty read on TCP: the peer closed
                raise _ConnectionLost("no answer, connection closed")
            self.answers = False
            return None
        return reply[0]

    def _ask(self, command: bytes) -> bytes:
        if isinstance(self.printer, Serial):
            # python-escpos reads 16 bytes, which on a serial line means waiting
            # the whole timeout for a one-byte answer
            self.printer._raw(command)
            return self.printer.device.read(1)
        return self.printer.query_status(command)


@contextmanager
def _short_timeout(printer):
    """A status answer comes at once or never; do not wait the write timeout for it."""
    device = printer.device  # opens the connection; DeviceNotFoundError when offline
    if isinstance(device, socket.socket):
        previous = device.gettimeout()
        device.settimeout(STATUS_TIMEOUT_S)
        try:
            yield
        finally:
            device.settimeout(previous)
    elif isinstance(printer, Serial):
        previous = device.timeout
        device.timeout = min(previous or STATUS_TIMEOUT_S, 0.3)
        try:
            yield
        finally:
            device.timeout = previous
    else:
        yield


def _limit_serial_writes(printer) -> None:
    """A switched-off serial printer holds DSR low; writes must fail, not hang the kiosk."""
    if isinstance(printer, Serial):
        printer.device.write_timeout = SERIAL_WRITE_TIMEOUT_S


def _close_quietly(printer) -> None:
    try:
        printer.close()
    except Exception:  # closing a broken connection must not hide the real fault
        log.debug("closing the printer failed", exc_info=True)


def _one_line(failure: Exception) -> str:
    return " ".join(str(failure).split()) or type(failure).__name__
