"""Booking code, or a phone for messages, on a large numeric keypad."""

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty

from kiosk.screens.base import KioskScreen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class AppointmentScreen(KioskScreen):
    """The booking code; the phone screen below shares its keypad and layout."""

    submit_key = StringProperty("check_in")

    def submit(self, flow):
        return flow.submit_code()


class PhoneScreen(AppointmentScreen):
    """A phone number for «your turn is near», with the consent line (optional, from the ticket)."""

    submit_key = StringProperty("phone_submit")

    def submit(self, flow):
        return flow.submit_phone()
