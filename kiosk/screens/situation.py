"""Life situations: up to eight tiles from the office configuration, "not sure" last."""

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder

from kiosk.i18n import pick
from kiosk.office import Office
from kiosk.screens.base import KioskScreen
from kiosk.screens.widgets import SituationTile, pictogram_path

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class SituationScreen(KioskScreen):
    def show_office(self, office: Office | None, language: str) -> None:
        """Rebuild the tiles (office names change with the language)."""
        grid = self.ids.tiles
        grid.clear_widgets()
        if office is None:
            return
        app = App.get_running_app()
        helper = office.help_situation
        for situation in (*office.tiles, *([helper] if helper else [])):
            tile = SituationTile(
                situation_id=situation.id,
                text=pick(situation.name, language),
                description=pick(situation.description, language),
                pictogram=pictogram_path(situation.pictogram),
                helper=situation is helper,
            )
            tile.bind(on_activate=lambda tile: app.flow.choose_situation(tile.situation_id))
            grid.add_widget(tile)
