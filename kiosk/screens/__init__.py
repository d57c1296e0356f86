"""Kivy screens of the kiosk; each class has its .kv file next to it."""
