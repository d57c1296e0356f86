"""What every staff template can use: ``t()``, the language, the principal, the forms,
and ``may_open(role, page)`` for the menu."""

from __future__ import annotations

from flask import request, session

from queue_server.domain.access import may_open
from queue_server.domain.office import LANGUAGES
from queue_server.web.api.contract import stream_event_types
from queue_server.web.staff import blueprint
from queue_server.web.staff.access import current_principal
from queue_server.web.staff.forms import LanguageForm, PlainForm
from queue_server.web.staff.texts import current_language, localized, script_texts, t


@blueprint.context_processor
def page_context() -> dict:
    principal = current_principal() if session.get("token") else None
    return {
        "t": t,
        "lang": current_language(),
        "languages": [(code, t(f"endonym_{code}")) for code in LANGUAGES],
        "principal": principal,
        "may_open": may_open,
        "plain_form": PlainForm(formdata=None),
        "language_form": LanguageForm(
            formdata=None, language=current_language(), next=request.full_path.rstrip("?")
        ),
        "script_texts": script_texts,
        "stream_event_types": stream_event_types(staff=True),  # what a staff token receives
        "localized": localized,
    }
