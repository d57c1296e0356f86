"""The Flask application: the JSON API, the staff pages and the display pages."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from flask.sessions import SecureCookieSessionInterface

from queue_server.domain.clock import Clock, SystemClock
from queue_server.domain.office import Office
from queue_server.service import APP_KEY, Services, open_services, services_of
from queue_server.service.errors import StorageFault

DEFAULTS: dict[str, Any] = {
    "PING_SECONDS": 5.0,  # keepalive on event streams; dead clients are dropped at the next one
    "SESSION_HOURS": 12,
    "SIGN_IN_FAILURE_SECONDS": 1.0,  # a failed or refused sign-in answers after this
    "REPLAY_LIMIT": 1000,  # events replayed to a reconnecting client before asking it to resync
    "MAX_STREAMS": 300,  # open event streams (--max-streams); beyond: 503 too_many_streams
    "MAX_CONTENT_LENGTH": 64 * 1024,  # no request of the API or a staff form comes near it
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Strict",
    "SESSION_COOKIE_NAME": "okno_session",
    "SESSION_COOKIE_SECURE": False,  # True (--secure-cookies) once HTTPS is in front
    "JSON_SORT_KEYS": False,
    "SILENT_AFTER_SECONDS": 90.0,  # a kiosk or screen without a heartbeat this long raises an alarm
}


class _PagesOnlySessions(SecureCookieSessionInterface):
    """Cookie sessions for the staff pages; none at all under /api/.

    The API authenticates with bearer tokens and never reads cookies (so it is not
    exposed to cross-site request forgery); skipping the session there also saves
    signing work on every kiosk and screen request.
    """

    def open_session(self, app, request):
        if request.path.startswith("/api/"):
            return self.make_null_session(app)
        return super().open_session(app, request)


def create_app(*, office: Office, data_dir: Path, clock: Clock | None = None,
               config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(OFFICE=office, DATA_DIR=Path(data_dir))
    app.config["SECRET_KEY"] = _secret_key(Path(data_dir))
    app.config.update(config or {})
    app.session_interface = _PagesOnlySessions()
    app.json.ensure_ascii = False  # Cyrillic stays readable in answers
    app.json.sort_keys = False

    app.extensions[APP_KEY] = open_services(Path(data_dir), office, clock or SystemClock())

    from queue_server.web.api import blueprint as api_blueprint
    from queue_server.web.api import errors as api_errors
    from queue_server.web.api import metrics

    app.register_blueprint(api_blueprint)
    metrics.init_app(app)
    app.register_error_handler(404, api_errors.no_route)
    app.register_error_handler(405, api_errors.method_not_allowed)
    # A disk that refuses writes answers 503 with its code on every page, not a bare 500.
    app.register_error_handler(StorageFault, api_errors.storage_unavailable)
    _register_pages(app)
    app.after_request(_baseline_headers)
    return app


BASELINE_HEADERS = {  # on every answer; pages set their own stricter policy first
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}


def _baseline_headers(response):
    for name, value in BASELINE_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def services() -> Services:
    """The application layer of the app handling this request."""
    return services_of(current_app)


def _register_pages(app: Flask) -> None:
    """The root page, the staff pages and the display pages, each its own package."""
    from displays import blueprint as display_blueprint
    from queue_server.web import home
    from queue_server.web.staff import blueprint as staff_blueprint
    from queue_server.web.visitor import blueprint as visitor_blueprint

    app.register_blueprint(home.blueprint)
    app.register_blueprint(visitor_blueprint)
    app.register_blueprint(staff_blueprint)
    app.register_blueprint(display_blueprint)


def _secret_key(data_dir: Path) -> str:
    """Kept in the data directory, so sessions survive a restart."""
    path = data_dir / "secret_key"
    data_dir.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
