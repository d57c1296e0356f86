"""The feedback tablet at a workplace: «How were you served?» after each finished visit.

``/display/feedback/<workplace>?token=…`` with a device token of kind ``feedback``.
The page follows the event stream; when its workplace finishes a visit it asks, in
the visitor's language, for one of five faces and optional reasons, posts the
rating (``POST /api/v1/feedback``), thanks, and goes back to idle by itself.
"""

from __future__ import annotations

from functools import wraps

from flask import Response, current_app, render_template, request

from displays import blueprint
from displays.routes import SECURITY_HEADERS, page_config
from queue_server.domain import feedback as rules
from queue_server.domain.office import LANGUAGES
from queue_server.i18n import catalogue, translate
from queue_server.service import services_of

DOMAIN = "feedback"
FACES = {1: -12, 2: -6, 3: 0, 4: 6, 5: 12}  # rating: how far the mouth curves (SVG units)


def _texts() -> dict[str, dict[str, str]]:
    return {key: {language: message[language] for language in LANGUAGES}
            for key, message in catalogue(DOMAIN).items()}


def _page(template: str, status: int = 200, **context) -> Response:
    response = Response(render_template(template, texts=_texts(), **context), status=status,
                        mimetype="text/html")
    response.headers.update(SECURITY_HEADERS)
    return response


def feedback_device_only(view):
    @wraps(view)
    def guarded(*args, **kwargs):
        token = request.args.get("token")
        identity = services_of(current_app).accounts.identity(token) if token else None
        if identity is None or identity.kind != "device" or identity.role != "feedback":
            return _page("displays/feedback_problem.html", 401)
        return view(*args, **kwargs)

    return guarded


@blueprint.get("/feedback/<workplace_id>")
@feedback_device_only
def feedback_tablet(workplace_id: str):
    office = services_of(current_app).office
    place = next((w for w in office.workplaces if w.id == workplace_id), None)
    if place is None:
        return _page("displays/feedback_problem.html", 404)
    config = page_config(
        workplace=place.id, eventTypes=["ticket.finished"], texts=_texts(), reasons=list(rules.REASONS),
        idleAfterMs=rules.IDLE_AFTER_S * 1000, thanksMs=6000)
    endonyms = [(code, translate("staff", f"endonym_{code}", code)) for code in LANGUAGES]
    return _page("displays/feedback.html", page_config=config, place=place, faces=FACES,
                 reasons=rules.REASONS, languages=endonyms)
