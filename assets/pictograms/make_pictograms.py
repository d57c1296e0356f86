"""Draw the kiosk's life-situation pictograms: 256×256 PNG, dark symbol, transparent.

A one-off generator, kept so the pictures can be redrawn or restyled:

    python assets/pictograms/make_pictograms.py

Shapes are drawn at 4× size on a 256-unit grid and scaled down for smooth edges.
No pictogram shows a wheelchair or any health symbol (see docs/configuration.md).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 256
SCALE = 4
INK = (31, 42, 68, 255)  # dark navy, readable on light and mid-tone tiles
CLEAR = (0, 0, 0, 0)
OUT = Path(__file__).resolve().parent


class Pen:
    """ImageDraw on a 256-unit grid."""

    def __init__(self, draw: ImageDraw.ImageDraw):
        self.d = draw

    @staticmethod
    def _p(*values: float) -> list[float]:
        return [v * SCALE for v in values]

    def rect(self, x0, y0, x1, y1, radius=0.0, fill=INK, outline=None, width=0.0):
        self.d.rounded_rectangle(
            self._p(x0, y0, x1, y1),
            radius=radius * SCALE,
            fill=fill,
            outline=outline,
            width=round(width * SCALE),
        )

    def ellipse(self, x0, y0, x1, y1, fill=INK, outline=None, width=0.0):
        self.d.ellipse(
            self._p(x0, y0, x1, y1), fill=fill, outline=outline, width=round(width * SCALE)
        )

    def ring(self, cx, cy, r, width):
        self.ellipse(cx - r, cy - r, cx + r, cy + r, fill=None, outline=INK, width=width)

    def line(self, points, width, fill=INK):
        flat = self._p(*[c for point in points for c in point])
        self.d.line(flat, fill=fill, width=round(width * SCALE), joint="curve")
        for x, y in (points[0], points[-1]):  # round caps
            r = width / 2
            self.ellipse(x - r, y - r, x + r, y + r, fill=fill)

    def polygon(self, points, fill=INK):
        self.d.polygon(self._p(*[c for point in points for c in point]), fill=fill)

    def arc(self, box, start, end, width):
        self.d.arc(self._p(*box), start, end, fill=INK, width=round(width * SCALE))


def magnifier(pen: Pen) -> None:
    pen.ring(104, 104, 62, 20)
    pen.line([(150, 150), (216, 216)], 30)


def briefcase(pen: Pen) -> None:
    pen.rect(96, 44, 160, 84, radius=14, fill=None, outline=INK, width=16)
    pen.rect(28, 76, 228, 212, radius=20)
    pen.rect(28, 128, 228, 140, fill=CLEAR)
    pen.rect(112, 116, 144, 152, radius=6)


def calendar(pen: Pen) -> None:
    pen.rect(32, 48, 224, 224, radius=20, fill=None, outline=INK, width=16)
    pen.rect(32, 48, 224, 100, radius=20)
    pen.rect(32, 84, 224, 100)
    for x in (80, 176):
        pen.line([(x, 28), (x, 64)], 18)
    for row, y in enumerate((124, 170)):
        for col, x in enumerate((62, 114, 166)):
            if (row, col) != (1, 2):
                pen.rect(x, y, x + 30, y + 30, radius=5)
    pen.rect(166, 170, 196, 200, radius=5, fill=None, outline=INK, width=6)


def graduation_cap(pen: Pen) -> None:
    pen.polygon([(128, 40), (244, 96), (128, 152), (12, 96)])
    pen.polygon([(64, 124), (192, 124), (192, 184), (128, 212), (64, 184)])
    pen.polygon([(64, 118), (128, 150), (192, 118), (192, 124), (64, 124)], fill=CLEAR)
    pen.line([(220, 100), (220, 176)], 8)
    pen.ellipse(206, 168, 234, 200)


def shop(pen: Pen) -> None:
    pen.rect(40, 112, 216, 224, radius=6, fill=None, outline=INK, width=16)
    pen.rect(104, 150, 152, 224, radius=4)
    pen.polygon([(48, 40), (208, 40), (232, 96), (24, 96)])
    for n in range(5):  # scalloped awning edge
        x0 = 24 + n * 41.6
        pen.d.pieslice(pen._p(x0, 74, x0 + 41.6, 118), 0, 180, fill=INK)


def scales(pen: Pen) -> None:
    pen.line([(128, 40), (128, 212)], 16)
    pen.rect(76, 204, 180, 224, radius=8)
    pen.ellipse(116, 28, 140, 52)
    pen.line([(40, 64), (216, 64)], 14)
    for cx in (56, 200):
        pen.line([(cx, 64), (cx - 32, 142)], 6)
        pen.line([(cx, 64), (cx + 32, 142)], 6)
        pen.d.pieslice(pen._p(cx - 40, 112, cx + 40, 172), 0, 180, fill=INK)


def building(pen: Pen) -> None:
    pen.rect(52, 28, 204, 228, radius=6)
    for row in range(5):
        for col in range(3):
            x = 74 + col * 42
            y = 48 + row * 30
            pen.rect(x, y, x + 24, y + 18, radius=3, fill=CLEAR)
    pen.rect(108, 192, 148, 228, radius=4, fill=CLEAR)
    pen.line([(24, 228), (232, 228)], 12)


def question(pen: Pen) -> None:
    pen.arc((64, 28, 192, 148), 180, 40, 30)
    pen.ellipse(64, 73, 94, 103)  # round end of the hook (stroke centre radius 49)
    pen.line([(165, 120), (128, 144), (128, 176)], 30)
    pen.ellipse(110, 198, 146, 234)


def handshake(pen: Pen) -> None:
    """Two hands meeting: support, without any health symbol."""
    # sleeves
    pen.polygon([(8, 112), (52, 88), (84, 150), (40, 174)])
    pen.polygon([(248, 112), (204, 88), (172, 150), (216, 174)])
    # clasped hands
    pen.polygon(
        [(64, 104), (124, 76), (180, 92), (196, 112), (176, 168), (128, 196), (100, 188), (76, 160)]
    )
    # gaps between fingers of the front hand
    for n in range(4):
        x = 104 + n * 20
        y = 142 + n * 6 - (n * n)
        pen.line([(x, y), (x + 14, y + 34 - n * 6)], 5, fill=CLEAR)
    # thumb over the back of the other hand
    pen.line([(120, 100), (152, 90), (172, 104)], 6, fill=CLEAR)


PICTOGRAMS: dict[str, Callable[[Pen], None]] = {
    "magnifier": magnifier,
    "briefcase": briefcase,
    "calendar": calendar,
    "graduation_cap": graduation_cap,
    "shop": shop,
    "scales": scales,
    "building": building,
    "question": question,
    "handshake": handshake,
}


def render(draw_fn: Callable[[Pen], None]) -> Image.Image:
    big = Image.new("RGBA", (SIZE * SCALE, SIZE * SCALE), CLEAR)
    draw_fn(Pen(ImageDraw.Draw(big)))
    return big.resize((SIZE, SIZE), Image.Resampling.LANCZOS)


def main() -> None:
    for name, draw_fn in PICTOGRAMS.items():
        render(draw_fn).save(OUT / f"{name}.png", optimize=True)
        print(OUT / f"{name}.png")


if __name__ == "__main__":
    main()
