"""The root page: where to go from here."""

from __future__ import annotations

from flask import Blueprint, redirect

from queue_server.web import services

blueprint = Blueprint("home", __name__)


@blueprint.get("/")
def index():
    return redirect("/staff/")


@blueprint.get("/healthz")
def health():
    """For a load balancer or a service manager: 200 when the database answers, else 503.

    Open to everyone, so it says nothing about visitors: only whether the server works.
    """
    health = services().health
    problem = health.database_problem()
    answer = {"status": "ok" if problem is None else "failing",
              "database": problem or "ok",
              "disk_free_mb": health.disk_free_bytes() // 2**20,
              "streams": health.stream_count()}
    return answer, 200 if problem is None else 503
