"""Colours and sizes of the kiosk, for a 1920×1080 touch screen read at arm's length.

Two themes: the normal one (dark text on white, dark blue buttons) and a high
contrast one (yellow on black).  Every text/background pair reaches WCAG 7:1;
tests compute it from these values.  Larger-text mode multiplies text sizes.

The focus ring is two bands: ``focus`` outside, ``focus_halo`` inside it.  No one
colour reaches 3:1 (WCAG 2.2 1.4.11) against both the white page and the dark green
button, nor against both black and yellow; the halo always lies between the ring
and the control's own colour, so the ring needs 3:1 only against the halo and the
surface the control stands on (``focus_surroundings``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

Colour = tuple[float, float, float, float]


def hex_colour(value: str) -> Colour:
    value = value.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (red, green, blue, 1.0)


@dataclass(frozen=True)
class Theme:
    name: str
    background: Colour
    text: Colour
    button: Colour
    button_text: Colour
    accent: Colour
    accent_text: Colour
    tile: Colour
    tile_text: Colour
    bar: Colour
    bar_text: Colour
    focus: Colour
    focus_halo: Colour

    def text_pairs(self) -> dict[str, tuple[Colour, Colour]]:
        """Every (foreground, background) combination the screens use."""
        return {
            "text": (self.text, self.background),
            "button": (self.button_text, self.button),
            "accent": (self.accent_text, self.accent),
            "tile": (self.tile_text, self.tile),
            "bar": (self.bar_text, self.bar),
        }

    def focus_surroundings(self) -> dict[str, tuple[Colour, Colour]]:
        """Each control colour the focus ring can surround, with the surface that control
        stands on: the bar's buttons on the bar, everything else on the page."""
        return {
            "button": (self.button, self.background),
            "accent": (self.accent, self.background),
            "tile": (self.tile, self.background),
            "bar": (self.bar, self.bar),
        }

    def colours(self) -> dict[str, Colour]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "name"}


NORMAL = Theme(
    name="normal",
    background=hex_colour("#FFFFFF"),
    text=hex_colour("#111111"),
    button=hex_colour("#0B3A7E"),
    button_text=hex_colour("#FFFFFF"),
    accent=hex_colour("#0E5A2A"),
    accent_text=hex_colour("#FFFFFF"),
    tile=hex_colour("#E9EEF6"),
    tile_text=hex_colour("#111111"),
    bar=hex_colour("#1F2933"),
    bar_text=hex_colour("#FFFFFF"),
    focus=hex_colour("#D35400"),
    focus_halo=hex_colour("#FFFFFF"),
)

HIGH_CONTRAST = Theme(
    name="high_contrast",
    background=hex_colour("#000000"),
    text=hex_colour("#FFFF00"),
    button=hex_colour("#000000"),
    button_text=hex_colour("#FFFF00"),
    accent=hex_colour("#FFFF00"),
    accent_text=hex_colour("#000000"),
    tile=hex_colour("#000000"),
    tile_text=hex_colour("#FFFFFF"),
    bar=hex_colour("#000000"),
    bar_text=hex_colour("#FFFFFF"),
    focus=hex_colour("#00FFFF"),
    focus_halo=hex_colour("#000000"),
)


def relative_luminance(colour: Colour) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(c) for c in colour[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(foreground: Colour, background: Colour) -> float:
    lighter, darker = sorted(
        (relative_luminance(foreground), relative_luminance(background)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


# Sizes in pixels at scale 1; the larger-text mode multiplies the text sizes.
MIN_CONTROL_HEIGHT = 120
BODY_TEXT = 36
TITLE_TEXT = 60
BUTTON_TEXT = 40
BAR_TEXT = 32
TICKET_NUMBER_TEXT = 260
LARGE_TEXT_SCALE = 1.3
# The focus ring, drawn inside the control's edge: ring from 3 px outside to FOCUS_RING
# inside, then the halo to FOCUS_RING + FOCUS_HALO, clear of the text (15 px in).
FOCUS_RING = 9
FOCUS_HALO = 4
