"""Printer SPEC strings (``--printer``) and the python-escpos object for each.

=====================================  ==========================================
``usb:04b8:0202[:82:01]``              vendor:product in hex, optional in/out endpoints
``serial:/dev/ttyUSB0[:19200]``        a serial port (``serial:COM3`` on Windows), baud
``net:192.168.1.50[:9100]``            host[:port], raw TCP port 9100 by default
``file:/dev/usb/lp0``                  a device file (or any file) written to
``none``                               no printer: tickets are only shown and spoken
=====================================  ==========================================
"""

from __future__ import annotations

import logging
import re
import socket
from dataclasses import dataclass

from escpos import printer as escpos_printer
from escpos.exceptions import DeviceNotFoundError

from kiosk.printing.faults import PrinterFault

log = logging.getLogger(__name__)

PROFILE = "TM-T20II"  # a profile with a media width (576 dots), so centring works
DEFAULT_NET_PORT = 9100
DEFAULT_BAUD = 19200
NET_TIMEOUT_S = 5.0  # connect and write; a kiosk must not hang a minute on a dead printer
SERIAL_TIMEOUT_S = 1.0
KINDS = ("usb", "serial", "net", "file", "none")
BAUD_RATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
EXAMPLES = "usb:04b8:0202, serial:/dev/ttyUSB0:19200, net:192.168.1.50:9100, file:/dev/usb/lp0, none"

_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
_HEX2 = re.compile(r"[0-9a-fA-F]{1,2}")
_HOST = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")


@dataclass(frozen=True)
class PrinterSpec:
    """A parsed SPEC; only the fields of its ``kind`` are set."""

    kind: str
    vendor_id: int | None = None
    product_id: int | None = None
    in_endpoint: int | None = None
    out_endpoint: int | None = None
    port: str | None = None  # serial device
    baud: int | None = None
    host: str | None = None
    tcp_port: int | None = None
    path: str | None = None

    def __str__(self) -> str:
        match self.kind:
            case "usb":
                text = f"usb:{self.vendor_id:04x}:{self.product_id:04x}"
                if self.in_endpoint is not None:
                    text += f":{self.in_endpoint:02x}:{self.out_endpoint:02x}"
                return text
            case "serial":
                return f"serial:{self.port}:{self.baud}"
            case "net":
                return f"net:{self.host}:{self.tcp_port}"
            case "file":
                return f"file:{self.path}"
        return "none"


def _bad(spec: str, why: str) -> ValueError:
    return ValueError(f"printer spec {spec!r}: {why} (examples: {EXAMPLES})")


def parse_printer_spec(spec: str) -> PrinterSpec:
    """Parse a SPEC string; a ValueError says what is wrong and shows examples."""
    text = spec.strip()
    if text.lower() == "none":
        return PrinterSpec("none")
    kind, sep, rest = text.partition(":")
    kind = kind.lower()
    if not sep or kind not in KINDS:
        raise _bad(spec, f"starts with one of {', '.join(k + ':' for k in KINDS[:-1])} or is none")
    if not rest:
        raise _bad(spec, f"{kind}: needs an address after the colon")
    if kind == "usb":
        return _parse_usb(spec, rest)
    if kind == "serial":
        return _parse_serial(spec, rest)
    if kind == "net":
        return _parse_net(spec, rest)
    return PrinterSpec("file", path=rest)


def _parse_usb(spec: str, rest: str) -> PrinterSpec:
    parts = rest.split(":")
    if len(parts) not in (2, 4):
        raise _bad(spec, "usb: needs vendor:product, optionally :in_ep:out_ep")
    vendor, product = parts[:2]
    if not (_HEX4.fullmatch(vendor) and _HEX4.fullmatch(product)):
        raise _bad(spec, "usb: vendor and product are 4 hex digits each, e.g. 04b8:0202")
    endpoints: list[int | None] = [None, None]
    if len(parts) == 4:
        if not all(_HEX2.fullmatch(part) for part in parts[2:]):
            raise _bad(spec, "usb: endpoints are hex bytes, e.g. 82:01")
        endpoints = [int(part, 16) for part in parts[2:]]
    return PrinterSpec(
        "usb",
        vendor_id=int(vendor, 16),
        product_id=int(product, 16),
        in_endpoint=endpoints[0],
        out_endpoint=endpoints[1],
    )


def _parse_serial(spec: str, rest: str) -> PrinterSpec:
    port, baud = rest, DEFAULT_BAUD
    head, sep, tail = rest.rpartition(":")
    if sep and tail.isdigit():
        port, baud = head, int(tail)
        if baud not in BAUD_RATES:
            raise _bad(spec, f"serial: baud rate {baud} is not one of {BAUD_RATES}")
    if not port or port.endswith(":"):
        raise _bad(spec, "serial: needs a port, e.g. /dev/ttyUSB0 or COM3")
    return PrinterSpec("serial", port=port, baud=baud)


def _parse_net(spec: str, rest: str) -> PrinterSpec:
    host, sep, port_text = rest.partition(":")
    port = DEFAULT_NET_PORT
    if sep:
        if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            raise _bad(spec, f"net: port {port_text!r} is not a number 1-65535")
        port = int(port_text)
    if not _HOST.fullmatch(host):
        raise _bad(spec, f"net: {host!r} is not a host name or IPv4 address")
    return PrinterSpec("net", host=host, tcp_port=port)


def open_printer(spec: PrinterSpec | str):
    """The python-escpos printer for ``spec`` (not yet connected), or None for ``none``.

    Raises PrinterFault("error") when the transport's Python package is missing.
    """
    if isinstance(spec, str):
        spec = parse_printer_spec(spec)
    match spec.kind:
        case "none":
            return None
        case "usb":
            _require(escpos_printer.Usb, "USB", "pyusb")
            endpoints = {}
            if spec.in_endpoint is not None:
                endpoints = {"in_ep": spec.in_endpoint, "out_ep": spec.out_endpoint}
            return escpos_printer.Usb(spec.vendor_id, spec.product_id, profile=PROFILE, **endpoints)
        case "serial":
            _require(escpos_printer.Serial, "serial", "pyserial")
            return escpos_printer.Serial(
                spec.port, baudrate=spec.baud, timeout=SERIAL_TIMEOUT_S, profile=PROFILE
            )
        case "net":
            return ClosingNetwork(spec.host, port=spec.tcp_port, timeout=NET_TIMEOUT_S, profile=PROFILE)
        case "file":
            return escpos_printer.File(spec.path, profile=PROFILE)
    raise ValueError(f"unknown printer kind {spec.kind!r}")


class ClosingNetwork(escpos_printer.Network):
    """python-escpos's Network printer; a failed connect closes its socket, no Nagle delay."""

    def open(self, raise_not_found: bool = True) -> None:
        if self._device:
            self.close()
        try:
            connection = socket.create_connection((self.host, self.port), timeout=self.timeout)
            # the status query after the ticket is 3 bytes: do not let Nagle hold
            # it back until the printer's delayed ACK (~40 ms) arrives
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.device = connection
        except OSError as error:
            self.device = None
            if raise_not_found:
                raise DeviceNotFoundError(f"could not connect to {self.host}:{self.port}: {error}") from error
            log.error("network printer %s:%s not found", self.host, self.port)


def _require(printer_class, transport: str, package: str) -> None:
    if not printer_class.is_usable():
        raise PrinterFault(
            "error", f"{transport} printers need the Python package {package} (pip install {package})"
        )
