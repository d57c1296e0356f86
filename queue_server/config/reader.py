"""Typed, path-aware access to parsed TOML tables.

Every read names the dotted key it reads, so any refusal becomes a ConfigError with
the file, the line (from the locator) and the key.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from queue_server.config.errors import ConfigError
from queue_server.config.locator import KeyLocator, join
from queue_server.domain.office import LANGUAGES, Text

MISSING: Any = object()
ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
LANGUAGE_NAMES = {"ru": "Russian", "tt": "Tatar", "en": "English"}


class Context:
    """One file being loaded: where errors point to, and which languages texts need."""

    def __init__(self, file: str, text: str):
        self.file = file
        self.locator = KeyLocator(text)
        self.languages: tuple[str, ...] = LANGUAGES

    def error(self, key: str, reason: str) -> ConfigError:
        return ConfigError(self.file, self.locator.line(key), key, reason)


def describe(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    kind = {
        bool: "true/false",
        int: "a whole number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)
    shown = repr(value)
    return kind if len(shown) > 40 or isinstance(value, dict | list) else f"{kind} {shown}"


def suggest(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for a near miss, else ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class Table:
    """A TOML table at ``path`` whose keys must all be in ``keys``."""

    def __init__(self, ctx: Context, path: str, data: object, keys: Iterable[str]):
        self.ctx = ctx
        self.path = path
        if not isinstance(data, dict):
            raise ctx.error(path, f"must be a table, not {describe(data)}")
        self.data: dict[str, Any] = data
        allowed = tuple(keys)
        for key in data:
            if key not in allowed:
                hint = suggest(key, allowed) or f"; allowed here: {', '.join(allowed)}"
                raise ctx.error(join(path, key), f"unknown key{hint}")

    def key(self, key: str) -> str:
        return join(self.path, key)

    def error(self, key: str, reason: str) -> ConfigError:
        return self.ctx.error(self.key(key), reason)

    def has(self, key: str) -> bool:
        return key in self.data

    def get(self, key: str, types: tuple[type, ...], what: str, default: Any) -> Any:
        if key not in self.data:
            if default is MISSING:
                raise self.error(key, "missing: this key is required")
            return default
        value = self.data[key]
        if type(value) not in types:
            raise self.error(key, f"must be {what}, not {describe(value)}")
        return value

    def string(self, key: str, default: Any = MISSING, choices: Iterable[str] = ()) -> Any:
        if key not in self.data and default is not MISSING:
            return default
        value = self.get(key, (str,), 'text in quotes, like "…"', MISSING)
        if not value.strip():
            raise self.error(key, "must not be empty")
        allowed = tuple(choices)
        if allowed and value not in allowed:
            listed = ", ".join(repr(c) for c in allowed)
            hint = suggest(value, allowed)
            raise self.error(key, f"must be one of {listed}, not {value!r}{hint}")
        return value

    def ident(self, key: str, default: Any = MISSING) -> Any:
        if key not in self.data and default is not MISSING:
            return default
        value = self.string(key)
        check_ident(self, key, value)
        return value

    def integer(self, key: str, default: Any = MISSING, minimum: int = 1) -> int:
        value = self.get(key, (int,), f"a whole number of at least {minimum}", default)
        if value < minimum:
            raise self.error(key, f"must be a whole number of at least {minimum}, not {value}")
        return value

    def number(self, key: str, default: Any = MISSING) -> float:
        value = self.get(key, (int, float), "a number greater than 0", default)
        if not value > 0:
            raise self.error(key, f"must be a number greater than 0, not {value}")
        return float(value)

    def boolean(self, key: str, default: Any = MISSING) -> bool:
        return self.get(key, (bool,), "true or false", default)

    def array(self, key: str, default: Any = MISSING) -> list[Any]:
        return self.get(key, (list,), "a list in square brackets [...]", default)

    def ident_list(self, key: str, default: Any = MISSING) -> list[tuple[str, str]]:
        """A list of ids as (path, id) pairs, refusing non-ids and repeats."""
        seen: set[str] = set()
        result = []
        for n, value in enumerate(self.array(key, default), start=1):
            path = f"{self.key(key)}[{n}]"
            if type(value) is not str:
                raise self.ctx.error(path, f"must be an id in quotes, not {describe(value)}")
            if not ID_PATTERN.fullmatch(value):
                raise self.ctx.error(path, f"{value!r} is not a valid id")
            if value in seen:
                raise self.ctx.error(path, f"{value!r} is listed twice")
            seen.add(value)
            result.append((path, value))
        return result

    def table(self, key: str, keys: Iterable[str], default: Any = MISSING) -> Table:
        if key not in self.data:
            if default is MISSING:
                raise self.error(key, f"missing: add a [{self.key(key)}] table")
            return Table(self.ctx, self.key(key), default, keys)
        return Table(self.ctx, self.key(key), self.data[key], keys)

    def tables(self, key: str, keys: Iterable[str], required: bool = True) -> list[Table]:
        """An array of tables ([[key]] blocks or a list of inline tables)."""
        if key not in self.data and not required:
            return []
        items = self.get(key, (list,), f"a list of [[{self.key(key)}]] tables", MISSING)
        if required and not items:
            raise self.error(key, "must have at least one entry")
        allowed = tuple(keys)
        return [
            Table(self.ctx, f"{self.key(key)}[{n}]", item, allowed)
            for n, item in enumerate(items, start=1)
        ]

    def text(self, key: str, ru_only: bool = False) -> Text:
        """A Text in the office languages; with ``ru_only`` a plain string also does.

        Languages the office does not use, or any but ru when ``ru_only``, fall back
        to the Russian text.
        """
        if key not in self.data:
            raise self.error(key, "missing: this key is required")
        value = self.data[key]
        if ru_only and type(value) is str:
            value = {"ru": value}
        example = '{ ru = "…", tt = "…", en = "…" }'
        if not isinstance(value, dict):
            raise self.error(key, f"must be a text in every language, like {example}")
        table = Table(self.ctx, self.key(key), value, LANGUAGES)
        required = ("ru",) if ru_only else self.ctx.languages
        texts: dict[str, str] = {}
        for language in LANGUAGES:
            if language in required and language not in value:
                names = ", ".join(required)
                raise table.error(
                    language, f"missing {LANGUAGE_NAMES[language]} text (needed: {names})"
                )
            texts[language] = table.string(language, "").strip()
        ru = texts["ru"]
        return Text(ru=ru, tt=texts["tt"] or ru, en=texts["en"] or ru)


def check_ident(table: Table, key: str, value: str) -> None:
    if not ID_PATTERN.fullmatch(value):
        raise table.error(
            key,
            f"{value!r} is not a valid id: use lowercase Latin letters, digits and _, "
            "starting with a letter (like 'job_search')",
        )
