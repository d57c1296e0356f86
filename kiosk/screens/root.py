"""The window's layout: accessibility bar, the current screen, navigation bar."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.uix.boxlayout import BoxLayout

import kiosk.screens.widgets  # noqa: F401  (rules for the controls used below)

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class KioskRoot(BoxLayout):
    """Holds ``ids.screens`` (a ScreenManager), ``ids.access_bar`` and ``ids.nav_bar``."""
