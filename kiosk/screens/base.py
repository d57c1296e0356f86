"""What every screen has: a title, lines of text and its controls in reading order."""

from __future__ import annotations

from kivy.properties import ListProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.screens.widgets import Focusable


class KioskScreen(Screen):
    title = StringProperty("")
    lines = ListProperty([])
    """The screen's text below the title (kiosk.content), shown and spoken alike."""

    def show_text(self, title: str, lines: list[str]) -> None:
        self.title = title
        self.lines = lines


def focus_order(root) -> list:
    """Visible controls under ``root``, top to bottom, then left to right."""
    found = [widget for widget in root.walk(restrict=True) if isinstance(widget, Focusable)]
    visible = [w for w in found if getattr(w, "shown", True) and w.height > 0 and w.opacity > 0]
    return sorted(visible, key=lambda w: (-round(w.to_window(*w.pos)[1] + w.height), w.to_window(*w.pos)[0]))
