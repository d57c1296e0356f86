"""A screen of text only: waiting for the server, help is coming, no connection."""

from pathlib import Path

from kivy.lang import Builder

from kiosk.screens.base import KioskScreen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class MessageScreen(KioskScreen):
    pass
