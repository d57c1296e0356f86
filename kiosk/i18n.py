"""The kiosk's translation catalogue, ``assets/i18n/kiosk.toml``.

The kiosk is a separate program that reaches the server only over HTTP, so it
reads its own catalogue instead of importing ``queue_server.i18n``.  The format is
the same: one table per message, ``ru``/``tt``/``en`` side by side.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from assets import ASSETS_DIR

LANGUAGES = ("ru", "tt", "en")
DEFAULT_LANGUAGE = "ru"
CATALOGUE_PATH = ASSETS_DIR / "i18n" / "kiosk.toml"


class CatalogueError(ValueError):
    """The catalogue file is broken; the message names the file and the key."""


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def load_catalogue(path: Path) -> dict[str, dict[str, str]]:
    """Read and check a catalogue: every message in every language, same placeholders."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(f"{path}: {error}") from error
    for key, message in data.items():
        if not isinstance(message, dict):
            raise CatalogueError(f"{path}: [{key}] must be a table of ru, tt and en")
        for language in LANGUAGES:
            if not isinstance(message.get(language), str) or not message[language].strip():
                raise CatalogueError(f"{path}: [{key}] has no {language} text")
            if _placeholders(message[language]) != _placeholders(message[DEFAULT_LANGUAGE]):
                raise CatalogueError(f"{path}: [{key}] placeholders in {language} differ from ru")
    return data


@cache
def catalogue() -> dict[str, dict[str, str]]:
    return load_catalogue(CATALOGUE_PATH)


def tr(key: str, language: str, **values: object) -> str:
    """The message ``key`` in ``language`` (Russian for an unknown language)."""
    try:
        message = catalogue()[key]
    except KeyError:
        raise KeyError(f"message {key!r} is not in {CATALOGUE_PATH.name}") from None
    text = message.get(language) or message[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


def pick(texts: Mapping[str, str] | str | None, language: str) -> str:
    """One language out of a ``{ru, tt, en}`` mapping from the office configuration."""
    if texts is None:
        return ""
    if isinstance(texts, str):
        return texts
    return texts.get(language) or texts.get(DEFAULT_LANGUAGE) or next(iter(texts.values()), "")


def plural(count: int, forms_key: str, language: str) -> str:
    """The word for ``count`` from a catalogue entry of three forms ``one|few|many``.

    Russian: 1, 21 → one; 2–4, 22–24 → few; 0, 5–20, 11–14 → many.  English:
    1 → one, else many.  Tatar nouns do not change after a number: one.
    """
    forms = tr(forms_key, language).split("|")
    if len(forms) != 3:
        raise CatalogueError(f"[{forms_key}] {language} must have three forms one|few|many")
    if language == "ru":
        tens, units = count % 100, count % 10
        index = 0 if units == 1 and tens != 11 else 1 if 2 <= units <= 4 and not 12 <= tens <= 14 else 2
    elif language == "en":
        index = 0 if count == 1 else 2
    else:
        index = 0
    return forms[index]
