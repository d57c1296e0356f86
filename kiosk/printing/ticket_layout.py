"""The ticket as a list of blocks, independent of how they reach paper.

The ESC/POS output and the PNG preview both draw these blocks, so the preview
shows what the printer prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from kiosk.printing.labels import label
from kiosk.printing.slip import TicketSlip


class Size(Enum):
    """Character magnification on a printer with 12x24-dot characters, 48 per line."""

    NORMAL = 1
    LARGE = 2
    HUGE = 6  # the ticket number: 8 characters per line, 144 dots high


@dataclass(frozen=True)
class Paragraph:
    """Centred text, wrapped to the paper width by whoever draws it."""

    text: str
    size: Size = Size.NORMAL
    bold: bool = False


@dataclass(frozen=True)
class QrCode:
    data: str


@dataclass(frozen=True)
class Rule:
    """A thin horizontal line between sections."""


@dataclass(frozen=True)
class Gap:
    """An empty line."""


Block = Paragraph | QrCode | Rule | Gap

HUGE_NUMBER_MAX_CHARS = 8


def ticket_blocks(slip: TicketSlip) -> list[Block]:
    """The blocks of one ticket, top to bottom."""
    language = slip.language
    number_size = Size.HUGE if len(slip.number) <= HUGE_NUMBER_MAX_CHARS else Size.LARGE
    blocks: list[Block] = [
        Paragraph(slip.office_name_ru, bold=True),
        Paragraph(slip.office_name_tt, bold=True),
        Rule(),
        Paragraph(label("your_ticket", language), Size.LARGE),
        Paragraph(slip.number, number_size, bold=True),
        Gap(),
        Paragraph(slip.life_situation, bold=True),
        Gap(),
        Paragraph(label("go_to", language)),
        Paragraph(slip.destination, Size.LARGE, bold=True),
        Gap(),
        *queue_position(slip),
        Paragraph(
            label(
                "issued_at",
                language,
                date=slip.issued_at.strftime("%d.%m.%Y"),
                time=slip.issued_at.strftime("%H:%M"),
            )
        ),
        Rule(),
    ]
    if slip.status_url:
        blocks += [QrCode(slip.status_url), Paragraph(label("qr_hint", language))]
    blocks += [Gap(), Paragraph(label("footer", language))]
    return [block for block in blocks if not isinstance(block, Paragraph) or block.text.strip()]


def queue_position(slip: TicketSlip) -> list[Block]:
    language = slip.language
    if slip.people_ahead == 0:
        return [Paragraph(label("nobody_ahead", language), Size.NORMAL, bold=True)]
    return [
        Paragraph(label("people_ahead", language, count=slip.people_ahead), bold=True),
        Paragraph(label("estimated_wait", language, minutes=slip.estimated_wait_min)),
    ]
