"""Printing the visitor's paper ticket on an ESC/POS printer.

The kiosk app builds a TicketSlip from the API's ticket answer and calls
``print_ticket(spec, slip)`` off the UI thread; a PrinterFault tells it what to
report with ``POST /api/v1/devices/status``. See docs/printing.md.
"""

from kiosk.printing.delivery import print_ticket
from kiosk.printing.escpos_output import ticket_bytes
from kiosk.printing.faults import PrinterFault
from kiosk.printing.preview import ticket_preview_png
from kiosk.printing.printer_spec import PrinterSpec, open_printer, parse_printer_spec
from kiosk.printing.slip import TicketSlip

__all__ = [
    "PrinterFault",
    "PrinterSpec",
    "TicketSlip",
    "open_printer",
    "parse_printer_spec",
    "print_ticket",
    "ticket_bytes",
    "ticket_preview_png",
]
