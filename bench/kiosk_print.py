"""Ticket printing and speech figures for the kiosk (goal: ticket bytes < 50 ms).

Builds the ESC/POS bytes of a Russian, a Tatar and an English ticket ~200 times
each and compares them with a baseline measured in the same run: a plain
text-only slip with the same lines, written with python-escpos's own API into
its Dummy printer. Also times a whole print to a network printer emulated on
127.0.0.1 (status queries, bytes, cut), the PNG preview, and speech synthesis.

    python -m bench.kiosk_print [--runs 200]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import itertools
import statistics
import tempfile
import time
import wave
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from escpos.printer import Dummy

from kiosk.printing import TicketSlip, print_ticket, ticket_bytes
from kiosk.printing.escpos_output import picture_command
from kiosk.printing.labels import label
from kiosk.printing.preview import render_preview
from kiosk.printing.printer_spec import PROFILE
from kiosk.printing.raster_text import wrapped_lines
from kiosk.speech import EspeakCommand, Pyttsx3Engine, voice_for
from tests.support.printer_listener import PrinterListener

TEXTS = {
    "ru": ("Ищу работу", "Зона первичного приёма"),
    "tt": ("Эш эзлим", "Беренчел кабул итү зонасы"),
    "en": ("Looking for a job", "Primary reception zone"),
}
RATES = (130, 180)
SPOKEN = {
    "ru": "Ваш талон А 12. Пройдите в зону первичного приёма. Перед вами 3 человека.",
    "tt": "Сезнең талон А 12. Беренчел кабул итү зонасына узыгыз. Сездән алда 3 кеше.",
}


def slip(language: str) -> TicketSlip:
    situation, destination = TEXTS[language]
    return TicketSlip(
        office_name_ru="Центр занятости населения г. Набережные Челны",
        office_name_tt="Чаллы шәһәре халыкны эш белән тәэмин итү үзәге",
        number="А012",
        life_situation=situation,
        destination=destination,
        issued_at=datetime(2026, 11, 28, 10, 15),
        people_ahead=3,
        estimated_wait_min=12,
        status_url="http://192.168.1.10:8080/api/v1/tickets/tq7v3k9xw2mfa",
        language=language,
    )


def baseline_bytes(ticket: TicketSlip) -> bytes:
    """The same lines as plain text through python-escpos, no pictures and no QR code."""
    printer = Dummy(profile=PROFILE)
    printer.charcode("CP866")
    printer.set(align="center")
    for line in (
        ticket.office_name_ru,
        label("your_ticket", "ru"),
        ticket.number,
        ticket.life_situation,
        label("go_to", "ru"),
        ticket.destination,
        label("people_ahead", "ru", count=ticket.people_ahead),
        label("estimated_wait", "ru", minutes=ticket.estimated_wait_min),
        label("footer", "ru"),
    ):
        printer.textln(line)
    printer.cut()
    return printer.output


def varied_slips(language: str) -> list[TicketSlip]:
    """Tickets as they come: number, people ahead and wait differ; texts repeat."""
    return [
        dataclasses.replace(
            slip(language), number=f"А{n:03d}", people_ahead=n % 17, estimated_wait_min=(n % 17) * 4
        )
        for n in range(1, 400)
    ]


def cold_ticket_bytes(ticket: TicketSlip) -> bytes:
    """As for the first ticket after start: no picture or line wrap cached yet."""
    picture_command.cache_clear()
    wrapped_lines.cache_clear()
    return ticket_bytes(ticket)


def timings_ms(action: Callable[[], object], runs: int) -> list[float]:
    action()  # warm caches (fonts, printer profile) as a running kiosk has them
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def print_table(title: str, header: tuple[str, ...], rows: list[tuple]) -> None:
    print(f"\n{title}")
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    for row in (header, *rows):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))


def printing_rows(runs: int) -> list[tuple]:
    base_median, base_p95 = summary(timings_ms(lambda: baseline_bytes(slip("ru")), runs))
    rows = [
        (
            "baseline: text-only slip, python-escpos",
            f"{base_median:.2f}",
            f"{base_p95:.2f}",
            "1.0",
            len(baseline_bytes(slip("ru"))),
        )
    ]
    for language in ("ru", "tt", "en"):
        ticket = slip(language)
        median, p95 = summary(timings_ms(lambda t=ticket: ticket_bytes(t), runs))
        rows.append(
            (
                f"ticket_bytes, {language}",
                f"{median:.2f}",
                f"{p95:.2f}",
                f"{median / base_median:.1f}",
                len(ticket_bytes(ticket)),
            )
        )
    for language in ("ru", "tt"):
        tickets = itertools.cycle(varied_slips(language))
        median, p95 = summary(timings_ms(lambda t=tickets: ticket_bytes(next(t)), runs))
        rows.append(
            (
                f"ticket_bytes, {language}, a day's tickets (counts vary)",
                f"{median:.2f}",
                f"{p95:.2f}",
                f"{median / base_median:.1f}",
                "",
            )
        )
    for language in ("ru", "tt"):
        ticket = slip(language)
        median, p95 = summary(timings_ms(lambda t=ticket: cold_ticket_bytes(t), runs))
        rows.append(
            (
                f"ticket_bytes, {language}, cold (no cached pictures)",
                f"{median:.2f}",
                f"{p95:.2f}",
                f"{median / base_median:.1f}",
                "",
            )
        )
    with PrinterListener() as listener:
        for language in ("ru", "tt"):
            ticket = slip(language)
            samples = timings_ms(lambda t=ticket: print_ticket(listener.spec, t), runs // 4)
            median, p95 = summary(samples)
            rows.append(
                (
                    f"print_ticket to net printer on loopback, {language}",
                    f"{median:.2f}",
                    f"{p95:.2f}",
                    f"{median / base_median:.1f}",
                    "",
                )
            )
    median, p95 = summary(timings_ms(lambda: render_preview(slip("tt")), runs // 4))
    rows.append(("PNG preview, tt", f"{median:.2f}", f"{p95:.2f}", f"{median / base_median:.1f}", ""))
    return rows


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def speech_rows(runs: int) -> list[tuple]:
    """Time per text; failures; texts spoken at another rate than asked (vs espeak-ng)."""
    rows = []
    with tempfile.TemporaryDirectory() as work:
        directory = Path(work)
        reference = {
            (language, rate): wav_seconds(
                EspeakCommand().synthesize(
                    text, voice_for(language), rate, 1.0, directory / f"ref-{language}-{rate}.wav"
                )
            )
            for language, text in SPOKEN.items()
            for rate in RATES
        }
        for name, synthesizer in (
            ("espeak-ng program", EspeakCommand()),
            ("pyttsx3 engine", Pyttsx3Engine()),
        ):
            for language, text in SPOKEN.items():
                failures, wrong_rate, samples = 0, 0, []
                for run in range(runs):
                    rate = RATES[run % 2]  # a kiosk switches rate with the visitor's settings
                    path = directory / f"{run}.wav"
                    started = time.perf_counter()
                    try:
                        with contextlib.redirect_stdout(io.StringIO()):  # pyttsx3 prints per file
                            synthesizer.synthesize(text, voice_for(language), rate, 1.0, path)
                    except Exception:
                        failures += 1
                        continue
                    samples.append((time.perf_counter() - started) * 1000)
                    expected = reference[(language, rate)]
                    wrong_rate += abs(wav_seconds(path) - expected) > 0.1 * expected
                median, p95 = summary(samples) if samples else (float("nan"), float("nan"))
                rows.append(
                    (
                        f"{name}, {language}",
                        f"{median:.1f}",
                        f"{p95:.1f}",
                        f"{failures}/{runs}",
                        f"{wrong_rate}/{runs - failures}",
                    )
                )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--speech-runs", type=int, default=40)
    args = parser.parse_args()
    print_table(
        f"Ticket printing ({args.runs} runs; ms; ratio = median / baseline median)",
        ("what", "median ms", "p95 ms", "ratio", "bytes"),
        printing_rows(args.runs),
    )
    print_table(
        f"Speech synthesis of one ticket sentence ({args.speech_runs} runs, rate alternating)",
        ("synthesiser", "median ms", "p95 ms", "failed", "wrong rate"),
        speech_rows(args.speech_runs),
    )


if __name__ == "__main__":
    main()
