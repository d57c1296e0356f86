"""The administrator reads a ticket out from the console: local speech, no online service.

espeak-ng (the engine pyttsx3 drives on Linux) writes a WAV to stdout; one process
per request, so request threads share no engine state.
"""

from __future__ import annotations

import shutil
import subprocess

from flask import Response, jsonify

from queue_server.i18n import translate
from queue_server.web.staff import blueprint
from queue_server.web.staff.access import requires
from queue_server.web.staff.backend import services

VOICES = {"ru": "ru", "tt": "tt", "en": "en"}


def synthesise(text: str, language: str) -> bytes:
    """WAV bytes of ``text`` spoken in ``language``; raises OSError when no engine runs."""
    engine = shutil.which("espeak-ng") or shutil.which("espeak")
    if engine is None:
        raise OSError("espeak-ng is not installed")
    done = subprocess.run(
        [engine, "-v", VOICES.get(language, "ru"), "-s", "150", "--stdout", text],
        capture_output=True, timeout=15, check=False,
    )
    if done.returncode != 0 or not done.stdout.startswith(b"RIFF"):
        raise OSError(done.stderr.decode("utf-8", "replace")[:200] or "no audio produced")
    return with_true_sizes(done.stdout)


def with_true_sizes(wav: bytes) -> bytes:
    """espeak-ng streams to stdout, so its header claims an endless file: fix the sizes."""
    data_at = wav.find(b"data", 12)
    if data_at < 0:
        raise OSError("no data chunk in the synthesised audio")
    fixed = bytearray(wav)
    fixed[4:8] = (len(wav) - 8).to_bytes(4, "little")
    fixed[data_at + 4:data_at + 8] = (len(wav) - data_at - 8).to_bytes(4, "little")
    return bytes(fixed)


@blueprint.get("/speech/<ticket_id>.wav")
@requires("console")
def ticket_speech(ticket_id: str):
    ticket = services().ticket(ticket_id)
    text = translate("staff", "speech_ticket_issued", ticket.language, number=ticket.spoken_number)
    try:
        audio = synthesise(text, ticket.language)
    except (OSError, subprocess.TimeoutExpired):
        return jsonify(error="unavailable", reason="speech synthesis is not available"), 503
    return Response(audio, mimetype="audio/wav", headers={"Cache-Control": "no-store"})
