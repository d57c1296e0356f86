"""Ticket printing: the ESC/POS bytes, a network printer on loopback, its faults, the preview."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

import pytest
from escpos import printer as escpos_printer
from PIL import Image

from kiosk import test_print
from kiosk.office import parse_office
from kiosk.printing import (
    PrinterFault,
    PrinterSpec,
    TicketSlip,
    delivery,
    open_printer,
    parse_printer_spec,
    print_ticket,
    ticket_bytes,
    ticket_preview_png,
)
from kiosk.printing.escpos_output import PLAIN_FORMS, encode_line
from kiosk.printing.labels import label
from kiosk.printing.preview import render_preview
from kiosk.printing.ticket_layout import Paragraph, queue_position, ticket_blocks
from kiosk.ticket_slip import build_ticket_slip
from tests.support.printer_listener import (
    PrinterListener,
    SerialPrinter,
    free_port,
    parse_escpos,
    printed_text,
)
from tests.support.sensitive_paper import DISABILITY_NAMES, assert_never_printed, on_paper

TATAR_ONLY_LETTERS = set("әөүҗңһӘӨҮҖҢҺ")
STATUS_URL = "http://192.168.1.10:8080/api/v1/tickets/tq7v3k9xw2mfa"


def make_slip(language: str = "ru", **changes) -> TicketSlip:
    """A slip in ``language`` with realistic texts; ``changes`` override any field."""
    texts = {
        "ru": ("Ищу работу", "Зона первичного приёма"),
        "tt": ("Эш эзлим", "Беренчел кабул итү зонасы"),
        "en": ("Looking for a job", "Primary reception zone"),
    }[language if language in ("ru", "tt", "en") else "ru"]
    fields = {
        "office_name_ru": "Кадровый центр «Работа России», Набережные Челны",
        "office_name_tt": "«Россия эше» кадрлар үзәге, Яр Чаллы",
        "number": "А012",
        "life_situation": texts[0],
        "destination": texts[1],
        "issued_at": datetime(2026, 11, 28, 10, 15),
        "people_ahead": 3,
        "estimated_wait_min": 12,
        "status_url": STATUS_URL,
        "language": language,
    } | changes
    return TicketSlip(**fields)


@pytest.fixture
def printer_listener():
    """A network ESC/POS printer on an ephemeral 127.0.0.1 port."""
    listener = PrinterListener().start()
    yield listener
    listener.stop()


def names(data: bytes) -> list[str]:
    return [segment.name for segment in parse_escpos(data)]


def text_segments(data: bytes) -> list[bytes]:
    return [segment.data for segment in parse_escpos(data) if segment.name == "text"]


# --- printer specs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("usb:04b8:0202", PrinterSpec("usb", vendor_id=0x04B8, product_id=0x0202)),
        (
            "usb:04B8:0E15:82:01",
            PrinterSpec("usb", vendor_id=0x04B8, product_id=0x0E15, in_endpoint=0x82, out_endpoint=1),
        ),
        ("serial:/dev/ttyUSB0", PrinterSpec("serial", port="/dev/ttyUSB0", baud=19200)),
        ("serial:/dev/ttyS1:9600", PrinterSpec("serial", port="/dev/ttyS1", baud=9600)),
        ("serial:COM3", PrinterSpec("serial", port="COM3", baud=19200)),
        ("serial:COM3:115200", PrinterSpec("serial", port="COM3", baud=115200)),
        ("net:192.168.1.50", PrinterSpec("net", host="192.168.1.50", tcp_port=9100)),
        ("net:printer-1.local:9101", PrinterSpec("net", host="printer-1.local", tcp_port=9101)),
        ("file:/dev/usb/lp0", PrinterSpec("file", path="/dev/usb/lp0")),
        ("none", PrinterSpec("none")),
        (" NONE ", PrinterSpec("none")),
    ],
)
def test_good_printer_specs_parse(spec, expected):
    assert parse_printer_spec(spec) == expected


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("", "starts with one of"),
        ("lpt:1", "starts with one of"),
        ("192.168.1.50", "starts with one of"),
        ("usb:", "needs an address"),
        ("usb:4b8:202", "4 hex digits"),
        ("usb:04b8", "vendor:product"),
        ("usb:04b8:0202:82", "vendor:product"),
        ("usb:04b8:0202:zz:01", "hex bytes"),
        ("serial:/dev/ttyUSB0:12345", "baud rate 12345"),
        ("net:192.168.1.50:99999", "port '99999'"),
        ("net:192.168.1.50:http", "port 'http'"),
        ("net:bad host", "not a host name"),
    ],
)
def test_bad_printer_specs_say_why(spec, reason):
    with pytest.raises(ValueError, match="printer spec") as raised:
        parse_printer_spec(spec)
    assert reason in str(raised.value)
    assert "net:192.168.1.50:9100" in str(raised.value)  # examples of good specs


def test_open_printer_builds_the_python_escpos_object_for_each_kind(tmp_path):
    assert open_printer("none") is None
    network = open_printer("net:127.0.0.1:9100")
    assert isinstance(network, escpos_printer.Network)
    assert (network.host, network.port) == ("127.0.0.1", 9100)
    assert isinstance(open_printer(f"file:{tmp_path / 'lp0'}"), escpos_printer.File)
    assert isinstance(open_printer("serial:/dev/ttyUSB9:9600"), escpos_printer.Serial)
    usb = open_printer("usb:04b8:0202:82:01")
    assert isinstance(usb, escpos_printer.Usb)
    for printer in (network, usb):  # all use a profile with a paper width, so centring works
        assert printer.profile.profile_data["media"]["width"]["pixels"] == 576


def test_spec_prints_back_as_it_parses():
    for text in ("usb:04b8:0202", "serial:COM3:9600", "net:10.0.0.5:9100", "file:/dev/usb/lp0"):
        assert str(parse_printer_spec(text)) == text


# --- ticket bytes --------------------------------------------------------------------------


def test_russian_ticket_prints_text_in_cp866_with_qr_and_cut():
    slip = make_slip("ru")
    data = ticket_bytes(slip)
    assert data.startswith(b"\x1b@\x1bt\x11")  # initialise, code page 17 = CP866
    lines = printed_text(data)
    assert 'Кадровый центр "Работа России", Набережные Челны' in lines
    for expected in (
        "Ваш талон",
        "А012",
        "Ищу работу",
        "Куда пройти:",
        "Перед вами: 3",
        "Ожидание около 12 мин",
        "Выдан 28.11.2026 в 10:15",
    ):
        assert expected in lines
    assert "Зона первичного приёма" in " ".join(lines)  # wrapped at 24 columns in double size
    assert "Набережные".encode("cp866") in data
    segments = parse_escpos(data)
    qr = [s.data for s in segments if s.name == "GS ( k"]
    assert any(STATUS_URL.encode() in chunk for chunk in qr)
    assert segments[-1].name == "GS V"
    # the Tatar office name is a picture: its letters have no code page
    assert "GS v 0" in names(data)
    assert all(not TATAR_ONLY_LETTERS & set(line) for line in lines)


def test_number_is_printed_in_the_largest_size():
    data = ticket_bytes(make_slip("ru"))
    segments = parse_escpos(data)
    number_at = next(i for i, s in enumerate(segments) if s.data == "А012".encode("cp866"))
    sizes = [s.data for s in segments[:number_at] if s.name == "GS !"]
    assert sizes[-1] == b"\x1d!\x55"  # six times wide and high


def test_tatar_ticket_sends_tatar_lines_as_images_and_never_a_question_mark():
    slip = make_slip("tt")
    data = ticket_bytes(slip)
    segments = parse_escpos(data)
    texts = [s.data.decode("cp866") for s in segments if s.name == "text"]
    assert "?" not in "".join(texts)
    assert not TATAR_ONLY_LETTERS & set("".join(texts))
    assert "А012" in texts  # the number has no Tatar letter: crisp printer text
    for tatar_line in (label("people_ahead", "tt", count=3), slip.destination):
        assert tatar_line not in " ".join(texts)
    images = [s for s in segments if s.name == "GS v 0"]
    assert images, "Tatar lines must be raster images"
    for image in images:
        assert image.data[4:6] == (72).to_bytes(2, "little")  # 72 bytes = 576 dots wide
    assert segments[-1].name == "GS V"


def test_english_ticket_is_plain_text_apart_from_the_tatar_office_name():
    data = ticket_bytes(make_slip("en", office_name_tt="Эшкә урнаштыру үзәге"))
    lines = printed_text(data)
    assert "Your ticket" in lines and "People ahead of you: 3" in lines
    assert len([name for name in names(data) if name == "GS v 0"]) == 1


@pytest.mark.parametrize("language", ["ru", "tt", "en"])
def test_every_printed_character_comes_from_the_ticket_texts(language):
    """Nothing was substituted: no '?', every text paragraph printed whole, or as a picture."""
    slip = make_slip(language, life_situation="Не знаю — помогите", number="Б7")
    data = ticket_bytes(slip)
    printed = "".join(segment.decode("cp866") for segment in text_segments(data))
    assert "?" not in printed
    paragraphs = [block for block in ticket_blocks(slip) if isinstance(block, Paragraph)]
    source = "".join(p.text.translate(PLAIN_FORMS) for p in paragraphs)
    assert set(printed) <= set(source) | {"─"}
    squeezed = "".join(printed.split())
    for paragraph in paragraphs:
        if encode_line(paragraph.text) is not None:
            assert "".join(paragraph.text.translate(PLAIN_FORMS).split()) in squeezed


def test_text_that_would_be_a_command_is_cleaned():
    slip = make_slip("ru", life_situation="Ищу\x1bi работу\x1dV\x00", destination="Окно\t2")
    data = ticket_bytes(slip)
    assert names(data).count("GS V") == 1  # only the real cut
    assert "Ищуi работу V" in printed_text(data)
    assert "Окно 2" in printed_text(data)


def test_a_character_outside_cp866_turns_the_line_into_a_picture():
    slip = make_slip("ru", destination="Кабинет № 5 ✓")
    data = ticket_bytes(slip)
    assert not any("Кабинет" in line for line in printed_text(data))
    assert names(data).count("GS v 0") == 2  # Tatar office name, and this line


def test_nobody_ahead_replaces_the_count():
    data = ticket_bytes(make_slip("ru", people_ahead=0, estimated_wait_min=0))
    assert "Перед вами никого нет" in printed_text(data)
    assert not any("Ожидание" in line for line in printed_text(data))


def test_bad_slip_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="language"):
        make_slip("de")
    with pytest.raises(ValueError, match="negative"):
        make_slip("ru", people_ahead=-1)


# --- a network printer on loopback -----------------------------------------------------


def test_ticket_reaches_a_network_printer_after_status_checks(printer_listener):
    slip = make_slip("tt")
    print_ticket(printer_listener.spec, slip)
    connection = printer_listener.last()
    assert connection.cut.is_set()
    status_paper, status_online = b"\x10\x04\x04", b"\x10\x04\x01"
    assert bytes(connection.received) == (status_paper + status_online + ticket_bytes(slip) + status_paper)
    assert connection.status_queries == [4, 1, 4]


def test_offline_network_printer_is_a_fault_named_offline():
    with pytest.raises(PrinterFault) as raised:
        print_ticket(f"net:127.0.0.1:{free_port()}", make_slip("ru"))
    assert raised.value.kind == "offline"
    assert "127.0.0.1" in str(raised.value)


def test_connection_dropped_mid_ticket_is_an_error(printer_listener):
    printer_listener.state.close_after_bytes = 5000  # a Tatar ticket is ~24 kB
    with pytest.raises(PrinterFault) as raised:
        print_ticket(printer_listener.spec, make_slip("tt"))
    assert raised.value.kind == "error"
    assert "failed mid-ticket" in str(raised.value)
    assert not printer_listener.last().cut.is_set()


def test_paper_out_is_reported_and_nothing_is_printed(printer_listener):
    printer_listener.state.paper = "out"
    with pytest.raises(PrinterFault) as raised:
        print_ticket(printer_listener.spec, make_slip("ru"))
    assert raised.value.kind == "paper_out"
    connection = printer_listener.last()
    assert [s.name for s in connection.segments] == ["DLE EOT"]


def test_open_cover_is_reported_offline(printer_listener):
    printer_listener.state.cover_open = True
    with pytest.raises(PrinterFault) as raised:
        print_ticket(printer_listener.spec, make_slip("ru"))
    assert raised.value.kind == "offline"
    assert "cover" in str(raised.value)


def test_paper_near_end_prints_and_warns(printer_listener, caplog):
    printer_listener.state.paper = "near_end"
    with caplog.at_level(logging.WARNING, logger="kiosk.printing.delivery"):
        print_ticket(printer_listener.spec, make_slip("ru"))
    assert printer_listener.last().cut.is_set()
    assert "nearly out" in caplog.text


def test_printer_without_status_answers_still_prints(printer_listener, monkeypatch):
    monkeypatch.setattr(delivery, "STATUS_TIMEOUT_S", 0.2)
    printer_listener.state.answers_status = False
    print_ticket(printer_listener.spec, make_slip("ru"))
    connection = printer_listener.last()
    assert connection.cut.is_set()
    assert connection.status_queries == [4]  # asked once, then not again


def test_the_same_printer_object_prints_two_tickets(printer_listener):
    printer = open_printer(printer_listener.spec)
    try:
        print_ticket(printer, make_slip("ru", number="А001"))
        print_ticket(printer, make_slip("ru", number="А002"))
    finally:
        printer.close()
    received = printer_listener.last().received
    assert received.count(b"\x1dV") == 2


def test_file_printer_gets_exactly_the_ticket_bytes(tmp_path):
    device = tmp_path / "lp0"
    slip = make_slip("ru")
    print_ticket(f"file:{device}", slip)
    assert device.read_bytes() == ticket_bytes(slip)


def test_missing_device_file_is_offline(tmp_path):
    with pytest.raises(PrinterFault) as raised:
        print_ticket(f"file:{tmp_path / 'no-such-dir' / 'lp0'}", make_slip("ru"))
    assert raised.value.kind == "offline"


def test_no_printer_prints_nothing():
    print_ticket("none", make_slip("ru"))  # no exception, nothing to talk to


def test_ticket_reaches_a_serial_printer(tmp_path):
    slip = make_slip("tt")
    with SerialPrinter() as printer:
        print_ticket(printer.spec, slip)
    connection = printer.connection
    assert connection.closed.is_set() and connection.cut.is_set()
    assert bytes(connection.received).endswith(ticket_bytes(slip) + b"\x10\x04\x04")
    assert connection.status_queries == [4, 1, 4]


def test_serial_printer_out_of_paper_is_reported():
    with SerialPrinter() as printer:
        printer.state.paper = "out"
        with pytest.raises(PrinterFault) as raised:
            print_ticket(printer.spec, make_slip("ru"))
    assert raised.value.kind == "paper_out"
    assert not printer.connection.cut.is_set()


def test_missing_serial_port_is_offline(tmp_path):
    with pytest.raises(PrinterFault) as raised:
        print_ticket(f"serial:{tmp_path / 'ttyUSB9'}", make_slip("ru"))
    assert raised.value.kind == "offline"


# --- preview and the maintenance command --------------------------------------------------


def test_preview_png_shows_the_number_in_dark_large_print(tmp_path):
    path = tmp_path / "ticket.png"
    slip = make_slip("tt")
    ticket_preview_png(slip, path)
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert 576 <= image.width <= 700
        assert 900 <= image.height <= 2500
    preview = render_preview(slip)
    _, top, _, bottom = preview.number_box
    assert bottom - top >= 140  # the largest print on the ticket
    number_area = preview.image.crop(preview.number_box).convert("L")
    histogram = number_area.histogram()
    dark_share = sum(histogram[:128]) / sum(histogram)
    assert 0.05 < dark_share < 0.6
    blank_area = preview.image.crop(
        (0, preview.image.height - 100, preview.image.width, preview.image.height)
    ).convert("L")
    assert sum(blank_area.histogram()[:128]) == 0  # the feed before the cut is blank


def test_test_print_sends_russian_tatar_and_qr(printer_listener, tmp_path, capsys):
    preview = tmp_path / "sample.png"
    assert test_print.run(printer_listener.spec, preview=preview) == 0
    connection = printer_listener.last()
    segments = connection.segments
    kinds = {s.name for s in segments}
    assert {"GS v 0", "GS ( k", "GS V"} <= kinds
    lines = printed_text(bytes(connection.received))
    assert label("test_print_title", "ru") in lines
    assert preview.stat().st_size > 0
    assert "sample ticket sent" in capsys.readouterr().err


def test_test_print_exit_codes(capsys):
    assert test_print.run("lpt:1") == 2
    assert "starts with one of" in capsys.readouterr().err
    assert test_print.run(f"net:127.0.0.1:{free_port()}") == 1
    assert "offline" in capsys.readouterr().err
    assert test_print.run("none") == 0


# --- with the real queue server ------------------------------------------------------------


@pytest.fixture(scope="module")
def queue_server(shared_server):
    return shared_server


def qr_data(data: bytes) -> bytes:
    """The data stored in the printer's QR symbol (GS ( k, cn 49, fn 80)."""
    stores = [s.data[8:] for s in parse_escpos(data) if s.name == "GS ( k" and s.data[5:8] == b"1P0"]
    assert len(stores) == 1
    return stores[0]


def test_a_ticket_issued_by_the_server_prints_and_its_qr_code_leads_to_the_ticket(
    queue_server, printer_listener
):
    ticket = queue_server.issue("job_search", "tt")
    status, office = queue_server.request("GET", "/api/v1/office", token=queue_server.kiosk_token)
    assert status == 200
    situation = next(s for s in office["life_situations"] if s["id"] == ticket["life_situation"])
    zone = next(z for z in office["zones"] if z["id"] == "reception")
    slip = TicketSlip(
        office_name_ru=office["name"]["ru"],
        office_name_tt=office["name"]["tt"],
        number=ticket["number"],
        life_situation=situation["name"]["tt"],
        destination=zone["name"]["tt"],
        issued_at=datetime.fromisoformat(ticket["issued_at"]),
        people_ahead=ticket["people_ahead"],
        estimated_wait_min=ticket["estimated_wait_min"],
        status_url=queue_server.url + ticket["status_url"],
        language=ticket["language"],
    )
    print_ticket(printer_listener.spec, slip)
    received = bytes(printer_listener.last().received)
    assert ticket["number"] in printed_text(received)
    url = qr_data(received).decode("ascii")
    assert url.startswith(queue_server.url)
    assert url == f"{queue_server.url}/t/{ticket['id']}"  # the visitor's status page
    status, answer = queue_server.request("GET", url.removeprefix(queue_server.url) + "/state")
    assert status == 200 and answer["number"] == ticket["number"]
    assert "life_situation" not in answer  # the public view from the QR code


@pytest.mark.parametrize("kind", ["offline", "paper_out", "error"])
def test_the_server_accepts_every_printer_fault_kind(queue_server, kind):
    fault = PrinterFault(kind)
    status, _ = queue_server.request(
        "POST",
        "/api/v1/devices/status",
        token=queue_server.kiosk_token,
        body={"printer": fault.kind, "detail": str(fault)},
    )
    assert status in (200, 201, 204)


@pytest.mark.parametrize("language", ["ru", "tt", "en"])
def test_a_sensitive_situation_is_never_on_the_kiosks_own_ticket(
    queue_server, printer_listener, language
):
    """The kiosk's own path: the server's answer and office, build_ticket_slip, the printer."""
    status, document = queue_server.request("GET", "/api/v1/office", token=queue_server.kiosk_token)
    assert status == 200
    flags = {s["id"]: s["printed"] for s in document["life_situations"]}
    assert (flags["disability"], flags["pre_pension"]) == (False, True)  # the flag, no reason
    assert "sensitive" not in document["life_situations"][0]
    office = parse_office(document)

    ticket = queue_server.issue("disability", language)
    slip = build_ticket_slip(ticket, office, server_url=queue_server.url)
    print_ticket(printer_listener.spec, slip)
    received = bytes(printer_listener.last().received)
    assert_never_printed(received, slip)
    text = " ".join(printed_text(received))
    assert ticket["number"] in text
    assert office.destination("curator", language) in text  # the curators' zone: no Tatar letters
    wait_lines = queue_position(slip)  # people ahead and the wait, kept on the ticket
    assert slip.people_ahead == ticket["people_ahead"] and all(
        line in ticket_blocks(slip) for line in wait_lines)
    if language != "tt":  # Tatar wait lines are raster images
        assert all(line.text in text for line in wait_lines)
    assert qr_data(received).decode("ascii") == queue_server.url + ticket["status_url"]

    # The same path names a situation that is not sensitive, and the check would see
    # the sensitive name had it been printed (as text, or as its Tatar raster line).
    other = build_ticket_slip(queue_server.issue("pre_pension", language), office,
                              server_url=queue_server.url)
    assert other.life_situation and on_paper(ticket_bytes(other), other.life_situation)
    sensitive_name = DISABILITY_NAMES[("ru", "tt", "en").index(language)]
    assert on_paper(ticket_bytes(replace(slip, life_situation=sensitive_name)), sensitive_name)


# --- USB printers on a machine set up by ./dev ------------------------------------------------


@pytest.mark.live  # ctypes asks ldconfig (a process) where libusb is
def test_pyusb_finds_the_libusb_backend():
    """USB printers need libusb-1.0 from Debian (APT_PACKAGES in ./dev); without it every
    USB print fails with «No backend available»."""
    import usb.backend.libusb1

    assert usb.backend.libusb1.get_backend() is not None, "install libusb-1.0-0: ./dev setup"


@pytest.mark.live  # ctypes asks ldconfig (a process) where libusb is
def test_an_unplugged_usb_printer_is_reported_as_not_found(capsys):
    assert test_print.run("usb:04b8:0202") == test_print.EXIT_PRINTER_FAULT  # no such device here
    err = capsys.readouterr().err
    assert "not found" in err and "No backend available" not in err, err
