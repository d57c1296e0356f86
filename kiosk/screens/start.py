"""Start screen: language, take a ticket, appointment, call the administrator."""

from pathlib import Path

from kivy.lang import Builder

from kiosk.screens.base import KioskScreen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class StartScreen(KioskScreen):
    pass
