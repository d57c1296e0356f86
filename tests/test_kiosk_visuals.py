"""What the kiosk draws, measured on the rendered window: button heights and the focus ring.

The focus ring must stand out at 3:1 (WCAG 2.2 1.4.11) from every colour next to it,
around every kind of control, in both themes.  The palette test checks the theme's
numbers; the pixel test reads the colours actually drawn across a focused control's
edge, so a change in the .kv drawing is checked too.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from kiosk.harness import prepare_offscreen

prepare_offscreen(tempfile.mkdtemp(prefix="kivy-home-"))  # before Kivy is imported

import pytest  # noqa: E402
from kivy.base import EventLoop  # noqa: E402
from PIL import Image  # noqa: E402

from kiosk import theme  # noqa: E402
from kiosk.app import KioskApp  # noqa: E402
from kiosk.config import KioskConfig  # noqa: E402
from kiosk.harness import KioskDriver  # noqa: E402
from kiosk.speech import Speaker  # noqa: E402

pytestmark = [pytest.mark.kivy]
SCREENS = Path(__file__).parent.parent / "kiosk" / "screens"
THEMES = [theme.NORMAL, theme.HIGH_CONTRAST]
RGB = tuple[int, int, int]


@pytest.fixture
def kiosk(shared_server):
    EventLoop.ensure_window()
    config = KioskConfig(server=shared_server.url, token=shared_server.kiosk_token, printer="none",
                         poll_seconds=0.2, request_timeout=2.0, request_attempts=2, speech=False)
    driver = KioskDriver(KioskApp(config, speaker=Speaker(enabled=False))).start()
    driver.wait_until(lambda: driver.app.flow.office is not None, what="office loaded")
    yield driver
    driver.stop()


# --- heights ------------------------------------------------------------------------------


def test_main_button_is_as_high_as_its_screen_sets(kiosk):
    take_ticket = kiosk.control("take_ticket")
    assert take_ticket.height == 200
    for language in ("tt", "en", "ru"):  # a new text re-runs the class rule's height
        kiosk.touch(kiosk.control(f"lang_{language}"))  # goes on to the situations
        kiosk.app.flow.start_over()  # back to the start screen, now in that language
        kiosk.pump(2)
        assert kiosk.control("take_ticket").height == 200, language


def kiosk_button_rules(kv_text: str) -> list[list[str]]:
    """The property lines of every KioskButton declared in a screen's .kv text."""
    blocks, current, indent = [], None, 0
    for line in kv_text.splitlines():
        depth = len(line) - len(line.lstrip())
        if line.strip() == "KioskButton:":
            current, indent = [], depth
            blocks.append(current)
        elif current is not None and line.strip() and depth > indent:
            if depth == indent + 4:
                current.append(line.strip())
        elif line.strip():
            current = None
    return blocks


@pytest.mark.parametrize("kv_file", sorted(p.name for p in SCREENS.glob("*.kv") if p.name != "widgets.kv"))
def test_screens_make_buttons_taller_with_min_height_not_height(kv_file):
    """A fixed ``height`` on a KioskButton loses to the class rule at the next text change."""
    for rules in kiosk_button_rules((SCREENS / kv_file).read_text("utf-8")):
        assert not [rule for rule in rules if re.match(r"height\s*:", rule)], (kv_file, rules)


# --- focus ring -----------------------------------------------------------------------------


@pytest.mark.parametrize("palette", THEMES, ids=lambda t: t.name)
def test_focus_ring_reaches_3_to_1_around_every_control_colour(palette):
    ring, halo = palette.focus, palette.focus_halo
    assert theme.contrast_ratio(ring, halo) >= 3.0, palette.name
    for control, (fill, surface) in palette.focus_surroundings().items():
        assert theme.contrast_ratio(ring, surface) >= 3.0, (palette.name, control, "outside")
        # The halo sets the ring apart from the fill, or the ring does so by itself.
        assert max(theme.contrast_ratio(halo, fill), theme.contrast_ratio(ring, fill)) >= 3.0, \
            (palette.name, control, "inside")


def runs_across_left_edge(image: Image.Image, control) -> list[RGB]:
    """The colours met from just outside a control's left edge inwards, at half its height."""
    left, middle = control.to_window(control.x, control.center_y)
    row = image.height - int(middle)
    pixels = [image.getpixel((x, row)) for x in range(int(left) - 12, int(left) + 30)]
    return [colour for i, colour in enumerate(pixels) if i == 0 or colour != pixels[i - 1]]


def as_colour(rgb: RGB) -> theme.Colour:
    return (rgb[0] / 255, rgb[1] / 255, rgb[2] / 255, 1.0)


@pytest.mark.parametrize("palette", THEMES, ids=lambda t: t.name)
def test_drawn_focus_ring_stands_out_from_its_neighbours(kiosk, tmp_path, palette):
    if palette is theme.HIGH_CONTRAST:
        kiosk.touch(kiosk.control("contrast_button"))
    assert kiosk.app.colours["focus"] == palette.focus
    ring = tuple(round(c * 255) for c in palette.focus[:3])
    controls = {"accent": "take_ticket", "bar": "contrast_button", "normal": "call_admin"}
    for kind, widget_id in [*controls.items(), ("tile", None)]:
        if kind == "tile":
            kiosk.touch(kiosk.control("take_ticket"))
            assert kiosk.app.screens.current == "situation"
            control = kiosk.tile("job_search")
        else:
            control = kiosk.control(widget_id)
        kiosk.app.focused = control
        assert control.has_focus
        image = Image.open(kiosk.screenshot(tmp_path / f"{kind}.png")).convert("RGB")
        runs = runs_across_left_edge(image, control)
        assert ring in runs, (kind, runs)
        at = runs.index(ring)
        neighbours = [runs[at - 1], runs[at + 1]]
        for neighbour in neighbours:
            ratio = theme.contrast_ratio(palette.focus, as_colour(neighbour))
            assert ratio >= 3.0, (palette.name, kind, neighbour, round(ratio, 2))
        kiosk.app.focused = None
