"""A network ESC/POS printer on 127.0.0.1 for tests, and a parser of what it received.

The listener parses the byte stream command by command, as a printer does, so
it answers real-time status queries (``DLE EOT n``) only at command boundaries,
never when the bytes ``10 04`` happen to sit inside a raster image.
"""

from __future__ import annotations

import os
import socket
import socketserver
import struct
import threading
import tty
from dataclasses import dataclass, field

ESC, GS, DLE, FS = 0x1B, 0x1D, 0x10, 0x1C
# ESC commands with one parameter byte, and those with none.
ESC_ONE_BYTE = set(b"!-3E GJMRVadeptr{")
ESC_NO_BYTE = set(b"@2<")
GS_ONE_BYTE = set(b"!BHIafhwbrL")
STATUS_OK = 0x12  # fixed bits 1 and 4 of every DLE EOT answer


@dataclass(frozen=True)
class Segment:
    """One command (``name`` like ``"GS v 0"``) or one run of text bytes (``name == "text"``)."""

    name: str
    data: bytes


class Incomplete(Exception):
    """The buffer ends inside a command."""


def parse_one(buffer: bytes, at: int) -> tuple[Segment, int]:
    """The segment starting at ``at`` and the offset after it; raises Incomplete or ValueError."""

    def need(count: int) -> None:
        if at + count > len(buffer):
            raise Incomplete

    byte = buffer[at]
    if byte >= 0x20:
        end = at
        while end < len(buffer) and buffer[end] >= 0x20:
            end += 1
        return Segment("text", buffer[at:end]), end
    if byte in (0x0A, 0x0D, 0x09):
        return Segment({0x0A: "LF", 0x0D: "CR", 0x09: "HT"}[byte], buffer[at : at + 1]), at + 1
    need(2)
    code = buffer[at + 1]
    if byte == DLE and code == 0x04:
        need(3)
        return Segment("DLE EOT", buffer[at : at + 3]), at + 3
    if byte == ESC:
        if code in ESC_NO_BYTE:
            return Segment(f"ESC {chr(code)}", buffer[at : at + 2]), at + 2
        if code in ESC_ONE_BYTE:
            need(3)
            return Segment(f"ESC {chr(code)}", buffer[at : at + 3]), at + 3
    if byte == GS:
        if code == ord("v"):  # GS v 0 m xL xH yL yH d1...dk, k = (xL + xH*256) * (yL + yH*256)
            need(8)
            width_bytes, height = struct.unpack_from("<HH", buffer, at + 4)
            size = 8 + width_bytes * height
            need(size)
            return Segment("GS v 0", buffer[at : at + size]), at + size
        if code == ord("("):  # GS ( k / GS ( L pL pH d1...dn, n = pL + pH*256
            need(5)
            (length,) = struct.unpack_from("<H", buffer, at + 3)
            need(5 + length)
            return Segment(f"GS ( {chr(buffer[at + 2])}", buffer[at : at + 5 + length]), at + 5 + length
        if code == ord("V"):  # GS V m, or GS V m n for m = 65, 66
            need(3)
            size = 4 if buffer[at + 2] in (65, 66) else 3
            need(size)
            return Segment("GS V", buffer[at : at + size]), at + size
        if code in GS_ONE_BYTE:
            need(3)
            return Segment(f"GS {chr(code)}", buffer[at : at + 3]), at + 3
    raise ValueError(f"unknown ESC/POS command {buffer[at : at + 3]!r} at offset {at}")


def parse_escpos(data: bytes) -> list[Segment]:
    """Every segment of a complete ESC/POS stream."""
    segments, at = [], 0
    while at < len(data):
        segment, at = parse_one(data, at)
        segments.append(segment)
    return segments


def printed_text(data: bytes, encoding: str = "cp866") -> list[str]:
    """The text lines of a stream, decoded, in order (images and codes left out)."""
    lines, current = [], ""
    for segment in parse_escpos(data):
        if segment.name == "text":
            current += segment.data.decode(encoding)
        elif segment.name == "LF":
            lines.append(current)
            current = ""
    return [line for line in lines if line]


@dataclass
class PrinterState:
    """How the emulated printer answers; tests change it before printing."""

    paper: str = "ok"  # "ok" | "near_end" | "out"
    cover_open: bool = False
    answers_status: bool = True
    close_after_bytes: int | None = None  # drop the connection (RST) once this much arrived


@dataclass
class Connection:
    received: bytearray = field(default_factory=bytearray)
    segments: list[Segment] = field(default_factory=list)
    status_queries: list[int] = field(default_factory=list)
    cut: threading.Event = field(default_factory=threading.Event)
    closed: threading.Event = field(default_factory=threading.Event)
    parsed: int = 0

    def feed(self, chunk: bytes, state: PrinterState) -> bytes:
        """Take bytes as a printer does; return its answers to status queries."""
        self.received += chunk
        data, answers = bytes(self.received), bytearray()
        while self.parsed < len(data):
            try:
                segment, after = parse_one(data, self.parsed)
            except Incomplete:
                break
            if segment.name == "text" and after == len(data):
                break  # the run of text may continue in the next chunk
            self.segments.append(segment)
            self.parsed = after
            if segment.name == "DLE EOT":
                function = segment.data[2]
                self.status_queries.append(function)
                if state.answers_status:
                    answers.append(status_byte(state, function))
            elif segment.name == "GS V":
                self.cut.set()
        return bytes(answers)


def status_byte(state: PrinterState, function: int) -> int:
    """The printer's answer to ``DLE EOT function`` (ESC/POS real-time status)."""
    paper_out = state.paper == "out"
    if function == 1:  # printer status: bit 3 offline
        return STATUS_OK | (0x08 if paper_out or state.cover_open else 0)
    if function == 2:  # offline cause: bit 2 cover open, bit 5 paper end stop
        return STATUS_OK | (0x04 if state.cover_open else 0) | (0x20 if paper_out else 0)
    if function == 4:  # roll paper sensor: bits 2-3 near end, bits 5-6 end
        near_end = 0x0C if state.paper in ("near_end", "out") else 0
        return STATUS_OK | near_end | (0x60 if paper_out else 0)
    return STATUS_OK


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        listener = self.server.listener
        connection = Connection()
        listener.connections.append(connection)
        listener.connected.set()
        state, sock = listener.state, self.request
        try:
            limit = state.close_after_bytes
            while chunk := sock.recv(_read_size(len(connection.received), limit)):
                if answer := connection.feed(chunk, state):
                    sock.sendall(answer)
                if limit is not None and len(connection.received) >= limit:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    break
        except OSError:
            pass
        finally:
            connection.closed.set()


def _read_size(received: int, limit: int | None) -> int:
    """Read no further than ``limit``, so a drop happens at a known place in the ticket."""
    return 65536 if limit is None else max(1, min(65536, limit - received))


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    listener: PrinterListener


class PrinterListener:
    """A raw-TCP (port 9100 style) ESC/POS printer on an ephemeral 127.0.0.1 port."""

    def __init__(self) -> None:
        self.state = PrinterState()
        self.connections: list[Connection] = []
        self.connected = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.listener = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def spec(self) -> str:
        return f"net:127.0.0.1:{self.port}"

    def start(self) -> PrinterListener:
        self._thread.start()
        return self

    def __enter__(self) -> PrinterListener:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def last(self, timeout: float = 10.0) -> Connection:
        """The most recent connection, once the printer has closed it or cut the paper."""
        assert self.connected.wait(timeout), "nothing connected to the printer"
        connection = self.connections[-1]
        assert connection.closed.wait(timeout), "the connection was not closed"
        return connection


def free_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SerialPrinter:
    """An ESC/POS printer on the far end of a pseudo-terminal: ``serial:/dev/pts/N``."""

    def __init__(self) -> None:
        self.state = PrinterState()
        self.connection = Connection()
        self._master, self._slave = os.openpty()
        tty.setraw(self._master)
        self.path = os.ttyname(self._slave)
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def spec(self) -> str:
        return f"serial:{self.path}:115200"

    def __enter__(self) -> SerialPrinter:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        os.close(self._slave)  # the reader then sees EIO and ends
        self._thread.join(timeout=5)
        os.close(self._master)

    def _serve(self) -> None:
        try:
            while chunk := os.read(self._master, 65536):
                if answer := self.connection.feed(chunk, self.state):
                    os.write(self._master, answer)
        except OSError:
            pass
        finally:
            self.connection.closed.set()
