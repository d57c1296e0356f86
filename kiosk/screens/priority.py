"""One plain question: is the visitor entitled to out-of-turn service?"""

from pathlib import Path

from kivy.lang import Builder

from kiosk.screens.base import KioskScreen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class PriorityScreen(KioskScreen):
    pass
