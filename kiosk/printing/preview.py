"""A PNG of the ticket, drawn from the same blocks as the printed one.

Every line is drawn with the bundled font (the printer draws Russian and English
with its own font, of the same height), the QR code with the same module size.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw

from kiosk.printing.escpos_output import QR_MODULE_DOTS, clean_text
from kiosk.printing.raster_text import PAPER_DOTS, draw_paragraph, line_height, paragraphs_height
from kiosk.printing.slip import TicketSlip
from kiosk.printing.ticket_layout import Paragraph, QrCode, Rule, Size, ticket_blocks

MARGIN = 24  # paper outside the printable width, so the PNG looks like a ticket
CUT_FEED = 6 * 30  # the printer feeds six lines before it cuts


@dataclass(frozen=True)
class Preview:
    image: Image.Image
    number_box: tuple[int, int, int, int]  # left, top, right, bottom of the ticket number


def render_preview(slip: TicketSlip) -> Preview:
    blocks = ticket_blocks(slip)
    pieces: list[tuple[object, Image.Image | None]] = []
    height = 0
    for block in blocks:
        picture = _qr_picture(block.data) if isinstance(block, QrCode) else None
        pieces.append((block, picture))
        height += _block_height(block, picture)
    canvas = Image.new("L", (PAPER_DOTS + 2 * MARGIN, height + CUT_FEED + 2 * MARGIN), 255)
    draw = ImageDraw.Draw(canvas)
    top = MARGIN
    number_box = (0, 0, 0, 0)
    for block, picture in pieces:
        bottom = top + _block_height(block, picture)
        if isinstance(block, Paragraph):
            paragraph = Paragraph(clean_text(block.text), block.size, block.bold)
            _draw_offset(canvas, paragraph, top)
            if block.text == slip.number:
                number_box = (MARGIN, top, MARGIN + PAPER_DOTS, bottom)
        elif isinstance(block, Rule):
            middle = top + line_height(Size.NORMAL) // 2
            draw.line((MARGIN, middle, MARGIN + PAPER_DOTS, middle), fill=0, width=2)
        elif picture is not None:
            canvas.paste(picture, (MARGIN + (PAPER_DOTS - picture.width) // 2, top))
        top = bottom
    return Preview(canvas, number_box)


def ticket_preview_png(slip: TicketSlip, path: str | Path) -> None:
    """Write a PNG rendering of the ticket to ``path``."""
    render_preview(slip).image.save(path, format="PNG")


def _draw_offset(canvas: Image.Image, paragraph: Paragraph, top: int) -> None:
    strip = Image.new("L", (PAPER_DOTS, paragraphs_height([paragraph], PAPER_DOTS)), 255)
    draw_paragraph(ImageDraw.Draw(strip), paragraph, 0, PAPER_DOTS)
    canvas.paste(strip, (MARGIN, top))


def _block_height(block: object, picture: Image.Image | None) -> int:
    if isinstance(block, Paragraph):
        return paragraphs_height([block], PAPER_DOTS)
    if picture is not None:
        return picture.height + line_height(Size.NORMAL)
    return line_height(Size.NORMAL)


def _qr_picture(data: str) -> Image.Image:
    code = qrcode.QRCode(box_size=QR_MODULE_DOTS, border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    return code.make_image().get_image().convert("L")
