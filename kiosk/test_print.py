"""``queue-kiosk test-print --printer SPEC``: print a sample ticket to check a printer.

The sample has Russian text lines, Tatar lines (printed as pictures), the
largest-size number, a QR code and a cut, so one look at the paper shows that
the code page, images, QR codes and the cutter all work.

Its time is the office's when the kiosk's server answers (``--server``/``--token``
or ``--config``), else this machine's local time; either way with its UTC offset.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from kiosk.api_client import ApiClient, ApiError, ServerUnreachable
from kiosk.office import OfficeFormatError, office_now, parse_office
from kiosk.printing.delivery import send_ticket
from kiosk.printing.escpos_output import blocks_bytes
from kiosk.printing.faults import PrinterFault
from kiosk.printing.labels import label
from kiosk.printing.preview import ticket_preview_png
from kiosk.printing.printer_spec import open_printer, parse_printer_spec
from kiosk.printing.slip import TicketSlip
from kiosk.printing.ticket_layout import Paragraph, Rule, Size, ticket_blocks

EXIT_PRINTED = 0
EXIT_PRINTER_FAULT = 1
EXIT_BAD_SPEC = 2
SAMPLE_STATUS_URL = "http://queue-server.invalid/api/v1/tickets/test-print"


def sample_slip(language: str = "ru", now: datetime | None = None) -> TicketSlip:
    """A ticket with sample texts in ``language`` and the office name in Russian and Tatar."""
    return TicketSlip(
        office_name_ru=label("sample_office", "ru"),
        office_name_tt=label("sample_office", "tt"),
        number="А000",
        life_situation=label("sample_life_situation", language),
        destination=label("sample_destination", language),
        issued_at=now or office_now(None),
        people_ahead=3,
        estimated_wait_min=12,
        status_url=SAMPLE_STATUS_URL,
        language=language,
    )


def sample_bytes(now: datetime | None = None) -> bytes:
    """A Russian sample ticket under a title in Russian and Tatar, plus Tatar queue lines."""
    russian = sample_slip("ru", now)
    tatar = sample_slip("tt", now)
    blocks = [
        Paragraph(label("test_print_title", "ru"), Size.LARGE, bold=True),
        Paragraph(label("test_print_title", "tt"), Size.LARGE, bold=True),
        Rule(),
        *ticket_blocks(russian),
    ]
    blocks[-1:-1] = [Paragraph(tatar.life_situation), Paragraph(tatar.destination)]
    return blocks_bytes(blocks)


def office_time(server: str, token: str, timeout: float = 5.0) -> datetime:
    """Now in the time of the office the server serves; this machine's time if it does not answer."""
    try:
        return office_now(parse_office(ApiClient(server, token, timeout=timeout, attempts=1).office()))
    except (ServerUnreachable, ApiError, OfficeFormatError, ValueError) as error:
        print(f"test-print: no office time from {server} ({error}): this machine's time is printed",
              file=sys.stderr)
        return office_now(None)


def run(printer_spec: str, preview: Path | None = None, *, now: datetime | None = None) -> int:
    """Print the sample ticket; 0 printed, 1 printer fault, 2 bad spec. Messages go to stderr.

    ``now`` is the time printed (the office's, see :func:`office_time`); by default this
    machine's local time with its offset.
    """
    try:
        spec = parse_printer_spec(printer_spec)
    except ValueError as bad:
        print(f"test-print: {bad}", file=sys.stderr)
        return EXIT_BAD_SPEC
    now = now or office_now(None)
    if preview is not None:
        ticket_preview_png(sample_slip("tt", now), preview)
        print(f"test-print: preview written to {preview}", file=sys.stderr)
    try:
        printer = open_printer(spec)
        if printer is None:
            print("test-print: printer is 'none', nothing to print", file=sys.stderr)
            return EXIT_PRINTED
        try:
            send_ticket(printer, sample_bytes(now))
        finally:
            printer.close()
    except PrinterFault as fault:
        print(f"test-print: {spec}: {fault.kind}: {fault}", file=sys.stderr)
        return EXIT_PRINTER_FAULT
    print(f"test-print: sample ticket sent to {spec}", file=sys.stderr)
    return EXIT_PRINTED
