"""The touch kiosk: a visitor picks a language and a life situation and gets a ticket."""
