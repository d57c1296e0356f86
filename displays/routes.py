"""The display pages, the announcement audio, and the display's own font.

Every route needs a *display* device token in ``?token=`` (a TV browser cannot set
headers).  Staff tokens are refused on purpose: the page passes its token to the
event stream, and a staff token would receive the full ticket (life situation,
priority) there.
"""

from __future__ import annotations

import re
from functools import wraps

from flask import Response, current_app, render_template, request, send_from_directory

from assets import ASSETS_DIR
from displays import blueprint
from displays.preparation import hall_speech
from displays.speech import announcement_audio
from displays.texts import LABEL_LANGUAGES, labels, text
from queue_server.domain.events import Audience, event_types
from queue_server.service import NotFound, Services, services_of

FONT_DIR = ASSETS_DIR / "fonts"
FONTS = frozenset({"DejaVuSans.ttf", "DejaVuSans-Bold.ttf"})
TICKET_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_NOTICES = 5
MAX_HEARTBEAT_S = 30.0
MAX_NOTICE_LENGTH = 200
HALL_ROWS = 4  # rows of calls that fit at the required size on a 16:9 screen
PAGE_LABELS = (
    "column_ticket", "column_destination", "place_window", "place_room", "waiting_title",
    "no_calls", "offline", "please_come", "now_serving", "status_free", "status_break",
    "status_closed",
)
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the address holds the display's token
    "X-Content-Type-Options": "nosniff",
    # Own scripts, styles, fonts and sounds only; no page may frame a screen (clickjacking).
    "Content-Security-Policy": "; ".join((
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "font-src 'self'",
        "img-src 'self' data:", "media-src 'self' blob:", "connect-src 'self'",
        "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'")),
    "X-Frame-Options": "DENY",
}


def _service() -> Services:
    return services_of(current_app)


def _page(template: str, status: int = 200, **context) -> Response:
    response = Response(render_template(template, text=text, languages=LABEL_LANGUAGES, **context),
                        status=status, mimetype="text/html")
    response.headers.update(SECURITY_HEADERS)
    return response


def _problem(title_key: str, text_key: str, status: int) -> Response:
    return _page("displays/problem.html", status, title_key=title_key, text_key=text_key)


def display_only(view):
    """A valid display token, or a plain 401 page (audio: a plain-text 401)."""

    @wraps(view)
    def guarded(*args, **kwargs):
        token = request.args.get("token")
        identity = _service().accounts.identity(token) if token else None
        if identity is None or identity.kind != "device" or identity.role != "display":
            if request.path.endswith(".wav"):
                return Response("a display token is required\n", 401, mimetype="text/plain")
            return _problem("unauthorized_title", "unauthorized_text", 401)
        return view(*args, **kwargs)

    return guarded


def page_config(**extra) -> dict:
    """What every display page's script reads (display-core.js); ``extra`` adds or overrides."""
    office = _service().office
    return {
        "token": request.args.get("token", ""),
        "api": "/api/v1",
        "announcementUrl": "/display/announcement.wav",
        "timeZone": office.time_zone,
        "labels": labels(*PAGE_LABELS),
        "eventTypes": event_types(Audience.PUBLIC),  # what a display token receives
        # Three beats fit in the silence the server allows before its alarm, at most every 30 s.
        "heartbeatMs": round(1000 * min(MAX_HEARTBEAT_S, current_app.config["SILENT_AFTER_SECONDS"] / 3)),
        **extra,
    }


def _notices() -> list[str]:
    """Office notices for the running line: ``?notice=...`` (repeatable), shown, never spoken."""
    notices = [" ".join(value.split())[:MAX_NOTICE_LENGTH] for value in request.args.getlist("notice")]
    return [notice for notice in notices if notice][:MAX_NOTICES]


@blueprint.get("/")
@display_only
def index():
    office = _service().office
    return _page("displays/index.html", office=office, token=request.args.get("token", ""))


@blueprint.get("/hall/<zones>")
@display_only
def hall(zones: str):
    office = _service().office
    known = {zone.id for zone in office.zones}
    wanted = None if zones == "all" else [zone for zone in zones.split(",") if zone]
    if wanted is not None and (not wanted or not set(wanted) <= known):
        return _problem("not_found_title", "not_found_text", 404)
    zone_names = ([text("hall_all", lang) for lang in LABEL_LANGUAGES] if wanted is None else
                  [" · ".join(office.zone(z).name.get(lang) for z in wanted) for lang in LABEL_LANGUAGES])
    config = page_config(
        view="hall", zones=wanted, rows=HALL_ROWS, sound=request.args.get("sound", "1") != "0",
        counts=request.args.get("counts", "0") == "1",
    )
    return _page("displays/hall.html", page_config=config, zone_names=zone_names, notices=_notices(),
                 rows=HALL_ROWS)


@blueprint.get("/workplace/<workplace_id>")
@display_only
def workplace(workplace_id: str):
    office = _service().office
    place = next((w for w in office.workplaces if w.id == workplace_id), None)
    if place is None:
        return _problem("not_found_title", "not_found_text", 404)
    config = page_config(view="workplace", workplace=place.id,
                          sound=request.args.get("sound", "0") == "1")
    return _page("displays/workplace.html", page_config=config, place=place)


@blueprint.get("/announcement.wav")
@display_only
def announcement():
    """The call of one ticket: chime, visitor's language, Russian.

    The text is built here from the ticket and the catalogue; nothing in the
    address is ever spoken.  ``chime=0`` leaves the chime out (a burst's later
    calls).  When no speech is ready yet, not even in fragments, the answer is
    ``202`` and the page asks again, unless it says ``final=1``: then the chime alone.
    """
    ticket_id = request.args.get("ticket", "")
    if not TICKET_ID.fullmatch(ticket_id):
        return Response("ticket: a ticket id is required\n", 400, mimetype="text/plain")
    service = _service()
    try:
        ticket = service.tickets.ticket(ticket_id)
    except NotFound:
        return Response("no such ticket\n", 404, mimetype="text/plain")
    if ticket.workplace is None:
        return Response("the ticket is not called to a workplace\n", 409, mimetype="text/plain")
    place = service.office.workplace(ticket.workplace)
    speech = hall_speech(current_app)
    voice = speech.voice(ticket.spoken_number, place.number, place.kind, ticket.language)
    if voice.speech == "unavailable" and request.args.get("final") != "1" and not speech.preparer.broken:
        return Response("speech is being prepared; ask again\n", 202, mimetype="text/plain", headers={
            **SECURITY_HEADERS, "Retry-After": "1", "X-Speech": "preparing"})
    audio, spoken = announcement_audio(voice.languages, with_chime=request.args.get("chime") != "0")
    return Response(audio, mimetype="audio/wav", headers={
        **SECURITY_HEADERS, "X-Speech": voice.speech if spoken else "unavailable",
    })


@blueprint.get("/fonts/<name>")
def font(name: str):
    """DejaVu Sans for screens whose browser lacks Cyrillic Tatar letters (ә ө ү җ ң һ)."""
    if name not in FONTS:
        return Response("no such font\n", 404, mimetype="text/plain")
    return send_from_directory(FONT_DIR, name, max_age=7 * 24 * 3600)
