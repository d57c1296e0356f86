"""The ticket: huge number, where to go, what happens next, people ahead, wait."""

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from kiosk.screens.base import KioskScreen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class TicketScreen(KioskScreen):
    number = StringProperty("")
    phone_offered = BooleanProperty(False)
    """Refreshed with the screen's text: whether the «SMS when my turn is near» button shows."""
