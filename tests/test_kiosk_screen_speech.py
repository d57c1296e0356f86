"""Every kiosk screen's words, in Russian and Tatar, become real speech (espeak-ng, never played).

The flow is driven through each screen with the demo office from the real server;
what each screen would say (kiosk.content) is synthesised to WAV and checked: the
right format, not silent, and a length that fits the number of words.
"""

from __future__ import annotations

import array
import math
import wave
from pathlib import Path

import pytest

from kiosk.content import screen_text
from kiosk.flow import Flow, Step
from kiosk.office import parse_office
from kiosk.speech import Speaker

pytestmark = pytest.mark.speech


def wav_facts(path: Path) -> tuple[int, float, float]:
    with wave.open(str(path), "rb") as wav:
        rate, frames = wav.getframerate(), wav.readframes(wav.getnframes())
    samples = array.array("h", frames)
    rms = math.sqrt(sum(s * s for s in samples) / max(len(samples), 1))
    return rate, len(samples) / rate, rms


def screens(server, language: str) -> dict[str, str]:
    """The spoken text of every screen a visitor can meet, in ``language``."""
    status, office = server.request("GET", "/api/v1/office", token=server.kiosk_token)
    assert status == 200
    flow = Flow(appointments_enabled=True)
    flow.office_loaded(parse_office(office))
    flow.connection_changed(True)
    flow.choose_language(language)
    said: dict[str, str] = {"start": screen_text(flow).spoken}
    flow.take_ticket()
    said["situation"] = screen_text(flow).spoken
    flow.choose_situation("staff_search")  # employers: no question, «Get my ticket»
    said["confirm"] = screen_text(flow).spoken
    flow.back()
    flow.choose_situation("job_search")
    said["priority"] = screen_text(flow).spoken
    request = flow.answer_priority(True)
    assert request is not None and flow.step is Step.ISSUING
    said["issuing"] = screen_text(flow).spoken
    ticket = server.issue("job_search", language, priority=True, request_id=flow.pending_request_id)
    flow.ticket_issued(request.request_id, ticket, printing=True)
    flow.printed(False)
    said["ticket, not printed"] = screen_text(flow).spoken
    flow.start_over()
    flow.open_appointment()
    for digit in "4217":
        flow.press_digit(digit)
    said["appointment"] = screen_text(flow).spoken
    flow.start_over()
    flow.call_help()
    said["help sending"] = screen_text(flow).spoken
    flow.help_sent()
    said["help coming"] = screen_text(flow).spoken
    flow.start_over()
    flow.connection_changed(False)
    flow.take_ticket()
    said["unavailable"] = screen_text(flow).spoken
    return said


@pytest.mark.parametrize("language", ["ru", "tt"])
def test_every_screen_is_spoken_in_the_visitors_language(shared_server, tmp_path, language):
    said = screens(shared_server, language)
    assert len(set(said.values())) == len(said), "each screen says something of its own"
    with Speaker(enabled=False) as speaker:
        for name, text in said.items():
            path = speaker.synthesize_to_file(text, language, tmp_path / f"{name}.wav")
            rate, seconds, rms = wav_facts(path)
            words = len(text.split())
            assert rate == 22050, name
            assert rms > 300, f"{name}: silent"
            # a slow kiosk voice: roughly 0.2–1.5 s a word, never a truncated file
            assert 0.2 * words < seconds < 1.5 * words + 2, (name, words, seconds, text)
