"""Controls shared by the screens: large buttons, tiles and wrapped text."""

from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from assets import ASSETS_DIR
from kiosk import theme

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class KioskText(Label):
    """Text that wraps to its width and grows to its height."""


class Focusable:
    """A control the visitor can reach by touch or with the numeric keypad.

    A touch goes through the app: in speech mode the first touch names the
    control (``spoken``) and only a second touch activates it.
    """

    def spoken_text(self) -> str:
        return self.spoken or self.text

    def on_release(self) -> None:
        App.get_running_app().touched(self)

    def on_activate(self) -> None:
        """Bound in the .kv files to what the control does."""


class KioskButton(Focusable, ButtonBehavior, Label):
    role = StringProperty("normal")
    """normal, accent (the main action of a screen) or bar (accessibility and navigation)."""
    spoken = StringProperty("")
    spoken_language = StringProperty("")
    """The voice of the control's name when it is not the visitor's (a language button)."""
    shown = BooleanProperty(True)
    """False hides the control and takes it out of focus order."""
    has_focus = BooleanProperty(False)
    """Set by the app: the control named last in speech mode or reached by the keypad."""
    min_height = NumericProperty(theme.MIN_CONTROL_HEIGHT)
    """A screen makes its main button taller with this, never with ``height``: the class
    rule computes ``height`` from the text and would overwrite a fixed value whenever
    the text changes (the main button was 120 px although its screen set 200)."""

    def __init__(self, **kwargs) -> None:
        self.register_event_type("on_activate")
        super().__init__(**kwargs)


class SituationTile(Focusable, ButtonBehavior, BoxLayout):
    situation_id = StringProperty("")
    text = StringProperty("")
    description = StringProperty("")
    pictogram = StringProperty("")
    helper = BooleanProperty(False)
    """The "not sure — help me choose" tile, drawn with a thick border."""
    spoken = StringProperty("")
    shown = BooleanProperty(True)
    has_focus = BooleanProperty(False)

    def __init__(self, **kwargs) -> None:
        self.register_event_type("on_activate")
        super().__init__(**kwargs)

    def spoken_text(self) -> str:
        return f"{self.text}. {self.description}"


def pictogram_path(name: str) -> str:
    """The pictogram's file, or "" when it is missing (the tile then shows text only)."""
    if not name:
        return ""
    path = ASSETS_DIR / "pictograms" / f"{name}.png"
    return str(path) if path.exists() else ""
