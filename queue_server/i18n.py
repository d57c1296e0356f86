"""Translation catalogues for texts the server shows or speaks.

Catalogues live in ``assets/i18n/<domain>.toml``: one table per message with the
Russian, Tatar and English text side by side, so a native speaker reviews a
message with its Russian original right above it::

    [call_announcement]
    ru = "Талон {number}, окно {window}"
    tt = "{number} талоны, {window} нче тәрәзә"
    en = "Ticket {number}, window {window}"

Placeholders are ``str.format`` names; a test rejects a translation whose
placeholders differ from the Russian.
"""

from __future__ import annotations

import tomllib
from functools import cache

from assets import ASSETS_DIR
from queue_server.domain.office import DEFAULT_LANGUAGE, LANGUAGES

CATALOGUE_DIR = ASSETS_DIR / "i18n"


@cache
def catalogue(domain: str) -> dict[str, dict[str, str]]:
    with (CATALOGUE_DIR / f"{domain}.toml").open("rb") as handle:
        return tomllib.load(handle)


def translate(domain: str, key: str, language: str, **values: object) -> str:
    """The message ``key`` in ``language`` (Russian when missing), placeholders filled."""
    message = catalogue(domain)[key]
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    text = message.get(language) or message[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text
