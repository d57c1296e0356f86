"""Text drawn with Pillow and the bundled DejaVu font.

Used for lines the printer cannot print as text (Tatar letters ә ө ү җ ң һ are in
no ESC/POS code page) and for the whole PNG preview.
"""

from __future__ import annotations

from functools import cache, lru_cache

from PIL import Image, ImageDraw, ImageFont

from assets import ASSETS_DIR
from kiosk.printing.ticket_layout import Paragraph, Size

PAPER_DOTS = 576  # 72 mm printable at 203 dpi (TM-T20II and most 80 mm kiosk printers)
FONT_DIR = ASSETS_DIR / "fonts"
FONT_FILES = {False: FONT_DIR / "DejaVuSans.ttf", True: FONT_DIR / "DejaVuSans-Bold.ttf"}
# Pixel sizes whose capital letters are as tall as the printer's own 12x24 font
# at the same magnification, so picture lines and text lines look alike.
FONT_PX = {Size.NORMAL: 24, Size.LARGE: 46, Size.HUGE: 140}
LINE_SPACING = 1.25
SIDE_MARGIN = 8


@cache
def font(size: Size, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_FILES[bold]), FONT_PX[size])


def line_height(size: Size) -> int:
    return round(FONT_PX[size] * LINE_SPACING)


def wrap_to_width(text: str, typeface: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap by drawn width; a word wider than the line is split."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if typeface.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for char in word:
            if typeface.getlength(current + char) > width and current:
                lines.append(current)
                current = ""
            current += char
    if current:
        lines.append(current)
    return lines or [""]


@lru_cache(maxsize=256)
def wrapped_lines(paragraph: Paragraph, width: int) -> tuple[str, ...]:
    """The lines of ``paragraph`` on a ``width``-dot line (the same texts recur all day)."""
    typeface = font(paragraph.size, paragraph.bold)
    return tuple(wrap_to_width(paragraph.text, typeface, width - 2 * SIDE_MARGIN))


def draw_paragraph(draw: ImageDraw.ImageDraw, paragraph: Paragraph, top: int, width: int) -> int:
    """Draw ``paragraph`` centred from ``top``; return the y below it."""
    typeface = font(paragraph.size, paragraph.bold)
    step = line_height(paragraph.size)
    for line in wrapped_lines(paragraph, width):
        left = (width - typeface.getlength(line)) / 2
        # anchor "ls" (left, baseline) keeps every line on the same baseline grid
        baseline = top + round(FONT_PX[paragraph.size] * 0.95)
        draw.text((left, baseline), line, font=typeface, fill=0, anchor="ls")
        top += step
    return top


def paragraphs_height(paragraphs: list[Paragraph], width: int) -> int:
    return sum(len(wrapped_lines(p, width)) * line_height(p.size) for p in paragraphs)


def render_paragraphs(paragraphs: list[Paragraph], width: int = PAPER_DOTS) -> Image.Image:
    """A 1-bit picture, ``width`` dots wide, of the paragraphs one under another."""
    canvas = Image.new("L", (width, paragraphs_height(paragraphs, width)), 255)
    draw = ImageDraw.Draw(canvas)
    top = 0
    for paragraph in paragraphs:
        top = draw_paragraph(draw, paragraph, top, width)
    return canvas.convert("1", dither=Image.Dither.NONE)
