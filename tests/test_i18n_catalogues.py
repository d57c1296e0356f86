"""Every catalogue has every message in ru, tt and en, with the same placeholders."""

import string
import tomllib
from pathlib import Path

import pytest

CATALOGUES = sorted((Path(__file__).parent.parent / "assets" / "i18n").glob("*.toml"))
LANGUAGES = ("ru", "tt", "en")
TATAR_ONLY_LETTERS = set("әөүҗңһӘӨҮҖҢҺ")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def messages():
    for path in CATALOGUES:
        with path.open("rb") as handle:
            for key, message in tomllib.load(handle).items():
                yield pytest.param(path.stem, key, message, id=f"{path.stem}:{key}")


def test_there_are_catalogues():
    assert CATALOGUES, "assets/i18n has no catalogue"


@pytest.mark.parametrize(("domain", "key", "message"), list(messages()))
def test_message_is_complete_in_every_language(domain, key, message):
    assert set(message) == set(LANGUAGES), f"{domain}.{key} has {sorted(message)}"
    for language in LANGUAGES:
        assert message[language].strip(), f"{domain}.{key} is empty in {language}"
        assert placeholders(message[language]) == placeholders(message["ru"]), (
            f"{domain}.{key}: placeholders in {language} differ from ru"
        )


@pytest.mark.parametrize(("domain", "key", "message"), list(messages()))
def test_tatar_letters_only_in_tatar(domain, key, message):
    assert not TATAR_ONLY_LETTERS & set(message["ru"] + message["en"]), f"{domain}.{key}"
