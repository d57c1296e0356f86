"""Checks that a printed ticket never names a sensitive life situation.

A name may reach the paper two ways: as printer text (CP866) or, when it has Tatar
letters, as a raster image (GS v 0).  Both are looked for in the real bytes.
"""

from __future__ import annotations

from kiosk.printing.escpos_output import clean_text, picture_command
from kiosk.printing.ticket_layout import Paragraph, ticket_blocks
from tests.support.printer_listener import parse_escpos, printed_text

# The demo office's sensitive situation, in every language, and a word of it that
# must not appear in any form.
DISABILITY_NAMES = ("Работа при инвалидности", "Инвалидлык белән эш", "Work with a disability")
REVEALING_WORDS = ("инвалид", "disab")


def raster_images(data: bytes) -> list[bytes]:
    return [segment.data for segment in parse_escpos(data) if segment.name == "GS v 0"]


def name_raster(name: str) -> bytes:
    """The image the layout would send for ``name`` on its own line (bold, normal size)."""
    (image,) = raster_images(picture_command((Paragraph(clean_text(name), bold=True),)))
    return image


def on_paper(data: bytes, name: str) -> bool:
    """Whether ``name`` is in the bytes as printer text or as its raster line."""
    text = " ".join(printed_text(data)).lower()
    if name.lower() in text or any(word in text for word in REVEALING_WORDS):
        return True
    return name_raster(name) in raster_images(data)


def assert_never_printed(data: bytes, slip, names: tuple[str, ...] = DISABILITY_NAMES) -> None:
    """Neither the bytes nor the lines the slip is laid out in carry any of ``names``."""
    for name in names:
        assert not on_paper(data, name), f"{name!r} is on the paper"
    lines = " ".join(block.text for block in ticket_blocks(slip) if isinstance(block, Paragraph))
    assert not any(word in lines.lower() for word in REVEALING_WORDS), lines
