"""The ticket's blocks as ESC/POS commands.

Russian and English lines go out as text in code page CP866 (``ESC t 17``).
A line with any character CP866 lacks — the Tatar letters ә ө ү җ ң һ above
all — is drawn with Pillow and sent as a raster image (``GS v 0``). Text is
encoded strictly, so a character the printer cannot show never becomes ``?``.
"""

from __future__ import annotations

import re
import textwrap
from functools import lru_cache

from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy

from kiosk.printing.printer_spec import PROFILE
from kiosk.printing.raster_text import render_paragraphs
from kiosk.printing.slip import TicketSlip
from kiosk.printing.ticket_layout import Block, Gap, Paragraph, QrCode, Rule, Size, ticket_blocks

INITIALISE = b"\x1b@"
SELECT_CP866 = b"\x1bt\x11"  # ESC t 17
TEXT_ENCODING = "cp866"
COLUMNS = 48  # font A, 12 dots wide, on 576 dots
QR_MODULE_DOTS = 6
RULE = "─" * COLUMNS  # CP866 0xC4: a solid line

# Typography the code page lacks but that has a faithful plain form.
PLAIN_FORMS = str.maketrans(
    {
        "«": '"',
        "»": '"',
        "„": '"',
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "—": "-",
        "–": "-",
        "‑": "-",
        "…": "...",
        "\u00a0": " ",
        "\u202f": " ",
    }
)


def clean_text(text: str) -> str:
    """``text`` with control characters removed, so text can never become a command."""
    spaced = re.sub(r"\s+", " ", text)
    return "".join(char for char in spaced if char.isprintable()).strip()


def encode_line(text: str) -> bytes | None:
    """The CP866 bytes of ``text`` or None when any character has no place in CP866."""
    try:
        return clean_text(text).translate(PLAIN_FORMS).encode(TEXT_ENCODING)
    except UnicodeEncodeError:
        return None


def needs_picture(paragraph: Paragraph) -> bool:
    return encode_line(paragraph.text) is None


def write_blocks(printer, blocks: list[Block]) -> None:
    """Write ``blocks`` to a python-escpos printer, ending with a cut."""
    printer._raw(INITIALISE + SELECT_CP866)
    pictures: list[Paragraph] = []
    for block in blocks:
        if isinstance(block, Paragraph) and needs_picture(block):
            pictures.append(Paragraph(clean_text(block.text), block.size, block.bold))
            continue
        if pictures:  # consecutive picture lines go out as one image
            printer._raw(picture_command(tuple(pictures)))
            pictures = []
        _write_block(printer, block)
    if pictures:
        printer._raw(picture_command(tuple(pictures)))
    printer.cut()


@lru_cache(maxsize=128)
def picture_command(paragraphs: tuple[Paragraph, ...]) -> bytes:
    """The raster image command (GS v 0) for lines drawn with Pillow.

    Made by ``printer.image()`` of a Dummy with the same profile and kept: the
    office name and most labels are the same on every ticket of the day.
    """
    dummy = Dummy(profile=PROFILE)
    dummy.image(render_paragraphs(list(paragraphs)), impl="bitImageRaster")
    return dummy.output


def _write_block(printer, block: Block) -> None:
    if isinstance(block, Paragraph):
        _write_text(printer, block)
    elif isinstance(block, QrCode):
        printer.set(align="center")
        printer.qr(block.data, ec=QR_ECLEVEL_M, size=QR_MODULE_DOTS, native=True)
        printer._raw(b"\n")
    elif isinstance(block, Rule):
        printer.set(align="center", normal_textsize=True, bold=False)
        printer._raw(RULE.encode(TEXT_ENCODING) + b"\n")
    elif isinstance(block, Gap):
        printer._raw(b"\n")


def _write_text(printer, paragraph: Paragraph) -> None:
    magnification = paragraph.size.value
    if paragraph.size is Size.NORMAL:
        printer.set(align="center", bold=paragraph.bold, normal_textsize=True)
    else:
        printer.set(
            align="center",
            bold=paragraph.bold,
            custom_size=True,
            width=magnification,
            height=magnification,
        )
    text = clean_text(paragraph.text).translate(PLAIN_FORMS)
    for line in textwrap.wrap(text, COLUMNS // magnification) or [""]:
        printer._raw(line.encode(TEXT_ENCODING) + b"\n")
    printer.set(normal_textsize=True, bold=False)


def blocks_bytes(blocks: list[Block]) -> bytes:
    """The ESC/POS bytes of ``blocks``, collected with python-escpos's Dummy printer."""
    dummy = Dummy(profile=PROFILE)
    write_blocks(dummy, blocks)
    return dummy.output


def ticket_bytes(slip: TicketSlip) -> bytes:
    """The exact ESC/POS bytes of the ticket, as sent to any printer."""
    return blocks_bytes(ticket_blocks(slip))
