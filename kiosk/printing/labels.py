"""Printed-ticket texts from ``assets/i18n/ticket.toml`` (the kiosk never imports the server)."""

from __future__ import annotations

import tomllib
from functools import cache

from assets import ASSETS_DIR

CATALOGUE_PATH = ASSETS_DIR / "i18n" / "ticket.toml"


@cache
def _catalogue() -> dict[str, dict[str, str]]:
    with CATALOGUE_PATH.open("rb") as handle:
        return tomllib.load(handle)


def label(key: str, language: str, **values: object) -> str:
    """The ticket text ``key`` in ``language`` with its placeholders filled."""
    message = _catalogue()[key]
    if language not in message:
        raise ValueError(f"ticket text {key!r} has no {language!r} translation")
    return message[language].format(**values)
