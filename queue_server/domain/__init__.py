"""The rules of the queue as plain Python: no Flask, Kivy or SQL in here."""
