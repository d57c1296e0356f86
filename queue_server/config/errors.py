"""The one error a configuration file can produce."""

from __future__ import annotations


class ConfigError(Exception):
    """A configuration file that cannot be used, with where and why.

    ``str(err)`` reads ``file:line: key: reason``; ``:line`` is left out when unknown.
    ``key`` is a dotted path such as ``life_situations[3].queue``, counting from 1.
    """

    def __init__(self, file: str, line: int | None, key: str, reason: str):
        super().__init__(file, line, key, reason)
        self.file = file
        self.line = line
        self.key = key
        self.reason = reason

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.key}: {self.reason}"
