"""Staff page texts: every word on the pages comes from ``assets/i18n/staff.toml``."""

from __future__ import annotations

from flask import session

from queue_server.domain.office import DEFAULT_LANGUAGE, LANGUAGES
from queue_server.i18n import catalogue, translate

DOMAIN = "staff"


def current_language() -> str:
    language = session.get("lang", DEFAULT_LANGUAGE)
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **values: object) -> str:
    """The staff message ``key`` in the session's language."""
    return translate(DOMAIN, key, current_language(), **values)


def script_texts() -> dict[str, str]:
    """The whole staff catalogue in the session's language, for the page scripts."""
    language = current_language()
    return {
        key: message.get(language) or message[DEFAULT_LANGUAGE]
        for key, message in catalogue(DOMAIN).items()
    }


def localized(text: object) -> str:
    """A ``{ru, tt, en}`` mapping or an office ``Text`` in the session's language."""
    language = current_language()
    if isinstance(text, dict):
        return text.get(language) or text.get(DEFAULT_LANGUAGE) or ""
    getter = getattr(text, "get", None)
    return getter(language) if getter else str(text or "")
