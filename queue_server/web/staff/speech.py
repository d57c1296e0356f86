"""The administrator reads a ticket out from the console: local speech, no online service.

The sentence is synthesised by the same engine and phrase cache as the hall
announcements (the shared package ``kiosk.speech``: one engine thread, WAVs kept
under the data directory), so a repeated sentence costs a file read.
"""

from __future__ import annotations

from flask import Response, current_app, jsonify

from kiosk.speech import CACHE_DIR_NAME, Phrase, PhraseCache, SpeechUnavailable
from queue_server.i18n import translate
from queue_server.web import services
from queue_server.web.staff import blueprint
from queue_server.web.staff.access import requires


@blueprint.get("/speech/<ticket_id>.wav")
@requires("console")
def ticket_speech(ticket_id: str):
    ticket = services().tickets.ticket(ticket_id)
    text = translate("staff", "speech_ticket_issued", ticket.language, number=ticket.spoken_number)
    cache = PhraseCache(current_app.config["DATA_DIR"] / CACHE_DIR_NAME)
    try:
        audio = cache.wav_for(Phrase(ticket.language, text)).read_bytes()
    except (SpeechUnavailable, TimeoutError, OSError):
        return jsonify(error="unavailable", reason="speech synthesis is not available"), 503
    return Response(audio, mimetype="audio/wav", headers={"Cache-Control": "no-store"})
