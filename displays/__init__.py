"""Hall and window displays: pages that show and announce calls, served by the queue server.

``blueprint`` is registered by ``queue_server.web.create_app``.  The pages talk to
the server only over the HTTP API and the event stream, like any TV browser.
"""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint(
    "displays", __name__, url_prefix="/display",
    template_folder="templates", static_folder="static", static_url_path="/static",
)

from displays import feedback_page, routes  # noqa: E402,F401  (register the views on the blueprint)


@blueprint.record_once
def _prepare_speech(state) -> None:
    """A served office (``SPEECH_PREPARE``, set by the command line) prepares its announcements
    from the start; an app made for a test or a tool does not spend the CPU."""
    if state.app.config.get("SPEECH_PREPARE"):
        from displays.preparation import start_preparing

        start_preparing(state.app)
