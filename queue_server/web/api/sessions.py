"""Staff sign-in for API clients: a bearer token per session."""

from flask import current_app, request

from queue_server.service.errors import Unauthorized
from queue_server.web import services
from queue_server.web.api import blueprint
from queue_server.web.api.body import field, json_body
from queue_server.web.auth import current_principal


@blueprint.post("/auth/login")
def login():
    body = json_body()
    username = field(body, "username", str, max_length=64)
    password = field(body, "password", str, max_length=256)
    signed_in = services().accounts.sign_in(username, password, request.remote_addr,
                                            session_hours=current_app.config["SESSION_HOURS"],
            failure_seconds=current_app.config["SIGN_IN_FAILURE_SECONDS"])
    user = signed_in.user
    return {
        "token": signed_in.token,
        "expires_at": signed_in.expires_at.isoformat(),
        "user": {"name": user.name, "role": user.role, "workplaces": list(user.workplaces)},
    }


@blueprint.post("/auth/logout")
def logout():
    principal = current_principal()
    if principal is None or not principal.is_staff:
        raise Unauthorized("a staff session token is required")
    services().accounts.sign_out(principal.token)
    return "", 204


@blueprint.get("/auth/me")
def me():
    principal = current_principal()
    if principal is None:
        raise Unauthorized("a valid token is required")
    return {"kind": principal.kind, "name": principal.name, "role": principal.role,
            "workplaces": list(principal.workplaces)}
