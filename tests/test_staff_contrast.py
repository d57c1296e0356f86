"""The staff pages' palette meets WCAG 2.2 AA: text 4.5:1, controls and focus ring 3:1.

Colours are read from the custom properties in staff.css, so a change there is
checked here without anyone copying numbers.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = Path(__file__).parent.parent / "queue_server" / "web" / "staff" / "static" / "staff.css"

TEXT_PAIRS = [  # (text colour, background) as used on the pages
    ("ink", "paper"), ("ink", "surface"), ("muted", "paper"), ("muted", "surface"),
    ("accent", "paper"), ("accent", "accent-soft"), ("ink", "accent-soft"),
    ("accent-ink", "accent"), ("accent-ink", "accent-hover"),
    ("ok-ink", "ok-bg"), ("near-ink", "near-bg"), ("over-ink", "over-bg"),
    ("priority-ink", "priority-bg"), ("error-ink", "paper"), ("error-ink", "alert-bg"),
    ("ink", "alert-bg"), ("closed-ink", "closed-bg"),
]
NON_TEXT_PAIRS = [  # input borders, the focus ring, primary buttons against the page
    ("line", "paper"), ("focus", "paper"), ("focus", "surface"), ("accent", "surface"),
    ("alert-line", "alert-bg"),
]

# The focus ring is drawn outside the control (outline-offset), so the colours next to
# it are the surfaces a control stands on, never the control's own fill; a ring drawn on
# the control's edge would sit next to the blue primary button (1.4:1) and the red chip.
FOCUS_SURFACES = ["paper", "surface", "alert-bg"]  # page, panels and dialogs, alert rows


def palette() -> dict[str, str]:
    root = re.search(r":root\s*{(.*?)}", CSS.read_text("utf-8"), re.S).group(1)
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;", root))


def luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_formula_matches_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize(("text", "background"), TEXT_PAIRS)
def test_text_contrast_is_at_least_4_5(text, background):
    colours = palette()
    assert contrast(colours[text], colours[background]) >= 4.5


@pytest.mark.parametrize(("part", "background"), NON_TEXT_PAIRS)
def test_control_contrast_is_at_least_3(part, background):
    colours = palette()
    assert contrast(colours[part], colours[background]) >= 3.0


def test_every_colour_in_the_css_comes_from_the_palette():
    """A literal colour outside :root would escape this test."""
    body = re.sub(r":root\s*{.*?}", "", CSS.read_text("utf-8"), count=1, flags=re.S)
    stray = set(re.findall(r"#[0-9a-fA-F]{3,6}\b", body))
    assert stray == set(), f"use a palette variable instead of {sorted(stray)}"


def focus_rule() -> dict[str, str]:
    body = re.search(r"^:focus-visible\s*{(.*?)}", CSS.read_text("utf-8"), re.S | re.M).group(1)
    return dict(re.findall(r"([\w-]+):\s*([^;]+);", body))


def test_focus_ring_stands_clear_of_the_control():
    rule = focus_rule()
    assert re.fullmatch(r"\d+px solid var\(--focus\)", rule["outline"]), rule
    assert int(rule["outline-offset"].removesuffix("px")) >= 2, rule


@pytest.mark.parametrize("surface", FOCUS_SURFACES)
def test_focus_ring_reaches_3_to_1_against_every_surface(surface):
    assert contrast(palette()["focus"], palette()[surface]) >= 3.0

