"""The visitor checks the choice and asks for the ticket."""

from pathlib import Path

from kivy.lang import Builder

from kiosk.screens.base import KioskScreen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class ConfirmScreen(KioskScreen):
    pass
