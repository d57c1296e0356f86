"""Line numbers for dotted key paths in TOML text.

tomllib returns plain values without positions, so a semantic error found later
(an unknown queue, a duplicate id) would have no line.  This scanner walks the text
once, tracking ``[table]`` and ``[[array.of.tables]]`` headers (counting their
occurrences), keys, inline tables and arrays, and records the first line of every
path, e.g. ``workplaces[3].serves[1].queue``.  Array indexes count from 1, like the
loader's error keys.
"""

from __future__ import annotations

import contextlib

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def parent(path: str) -> str:
    if path.endswith("]"):
        return path[: path.rindex("[")]
    return path[: path.rindex(".")] if "." in path else ""


class KeyLocator:
    """Maps a dotted key path to the line it is written on."""

    def __init__(self, text: str):
        scan = _Scan(text)
        with contextlib.suppress(IndexError, ValueError):  # only on invalid TOML
            scan.run()
        self._lines = scan.lines
        self.duplicates = scan.duplicates

    def line(self, path: str) -> int | None:
        """The line of ``path``, else of its nearest written parent, else None."""
        while path:
            if path in self._lines:
                return self._lines[path]
            path = parent(path)
        return None


class _Scan:
    def __init__(self, text: str):
        self.s = text
        self.i = 0
        self.line = 1
        self.lines: dict[str, int] = {}
        self.counts: dict[str, int] = {}  # array-of-tables path -> occurrences so far
        self.assigned: set[str] = set()
        self.duplicates: list[tuple[str, int]] = []  # (path, line) written twice

    # -- characters
    def peek(self, ahead: int = 0) -> str:
        j = self.i + ahead
        return self.s[j] if j < len(self.s) else ""

    def advance(self, n: int = 1) -> None:
        for _ in range(n):
            if self.i < len(self.s):
                if self.s[self.i] == "\n":
                    self.line += 1
                self.i += 1

    def skip_space(self, newlines: bool) -> None:
        while True:
            c = self.peek()
            if c and (c in " \t\r" or (newlines and c == "\n")):
                self.advance()
            elif c == "#":
                while self.peek() not in ("\n", ""):
                    self.advance()
            else:
                return

    # -- bookkeeping
    def note(self, path: str, line: int) -> None:
        self.lines.setdefault(path, line)

    def assign(self, path: str, line: int) -> None:
        if path in self.assigned:
            self.duplicates.append((path, line))
        self.assigned.add(path)

    # -- grammar
    def run(self) -> None:
        table = ""
        while True:
            self.skip_space(newlines=True)
            if not self.peek():
                return
            start, line = self.i, self.line
            if self.peek() == "[":
                array = self.peek(1) == "["
                self.advance(2 if array else 1)
                parts = self.key()
                self.skip_space(newlines=False)
                self.advance(2 if array else 1)
                table = self.header(parts, array)
                self.note(table, line)
                if not array:
                    self.assign(table, line)
            else:
                parts = self.key()
                path = self.note_key(table, parts, line)
                self.assign(path, line)
                self.skip_space(newlines=False)
                self.advance()  # "="
                self.skip_space(newlines=False)
                self.value(path)
            if self.i == start:
                self.advance()

    def header(self, parts: list[str], array: bool) -> str:
        path = ""
        for n, part in enumerate(parts):
            path = join(path, part)
            if array and n == len(parts) - 1:
                self.counts[path] = self.counts.get(path, 0) + 1
                path = f"{path}[{self.counts[path]}]"
            elif path in self.counts:
                path = f"{path}[{self.counts[path]}]"
        return path

    def note_key(self, base: str, parts: list[str], line: int) -> str:
        path = base
        for part in parts:
            path = join(path, part)
            self.note(path, line)
        return path

    def key(self) -> list[str]:
        parts = []
        while True:
            self.skip_space(newlines=False)
            if self.peek() in ('"', "'"):
                parts.append(self.quoted())
            else:
                start = self.i
                while self.peek() and self.peek() in _BARE:
                    self.advance()
                if self.i == start:
                    raise ValueError("no key")
                parts.append(self.s[start : self.i])
            self.skip_space(newlines=False)
            if self.peek() != ".":
                return parts
            self.advance()

    def quoted(self) -> str:
        quote = self.peek()
        self.advance()
        start = self.i
        while self.peek() not in (quote, "\n", ""):
            self.advance(2 if quote == '"' and self.peek() == "\\" else 1)
        end = self.i
        self.advance()
        return self.s[start:end]

    def value(self, path: str) -> None:
        c = self.peek()
        if c == "{":
            self.inline_table(path)
        elif c == "[":
            self.array(path)
        elif c in ('"', "'"):
            self.string()
        else:
            while self.peek() and self.peek() not in ",]}\n#":
                self.advance()

    def inline_table(self, path: str) -> None:
        self.advance()
        while True:
            self.skip_space(newlines=True)
            if self.peek() in ("}", ""):
                self.advance()
                return
            line = self.line
            key_path = self.note_key(path, self.key(), line)
            self.skip_space(newlines=False)
            self.advance()  # "="
            self.skip_space(newlines=False)
            self.value(key_path)
            self.skip_space(newlines=True)
            if self.peek() == ",":
                self.advance()

    def array(self, path: str) -> None:
        self.advance()
        index = 0
        while True:
            self.skip_space(newlines=True)
            if self.peek() in ("]", ""):
                self.advance()
                return
            index += 1
            item = f"{path}[{index}]"
            self.note(item, self.line)
            start = self.i
            self.value(item)
            self.skip_space(newlines=True)
            if self.peek() == "," or self.i == start:
                self.advance()

    def string(self) -> None:
        quote = self.peek()
        if self.s.startswith(quote * 3, self.i):
            self.advance(3)
            while self.peek():
                if quote == '"' and self.peek() == "\\":
                    self.advance(2)
                elif self.s.startswith(quote * 3, self.i):
                    self.advance(3)
                    while self.peek() == quote:  # up to two quotes may end the content
                        self.advance()
                    return
                else:
                    self.advance()
            return
        self.advance()
        while self.peek() not in (quote, "\n", ""):
            self.advance(2 if quote == '"' and self.peek() == "\\" else 1)
        self.advance()
