"""The display catalogue, as the templates and the page scripts need it."""

from __future__ import annotations

from queue_server.i18n import catalogue, translate

DOMAIN = "display"
LABEL_LANGUAGES = ("ru", "tt")  # the two state languages of Tatarstan, on every screen


def text(key: str, language: str = "ru", **values: object) -> str:
    return translate(DOMAIN, key, language, **values)


def labels(*keys: str) -> dict[str, dict[str, str]]:
    """``{key: {"ru": ..., "tt": ...}}`` for the page script (labels only, no placeholders)."""
    messages = catalogue(DOMAIN)
    return {key: {language: messages[key][language] for language in LABEL_LANGUAGES} for key in keys}
