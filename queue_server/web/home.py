"""The root page: where to go from here."""

from __future__ import annotations

from flask import Blueprint, redirect

blueprint = Blueprint("home", __name__)


@blueprint.get("/")
def index():
    return redirect("/staff/")


@blueprint.get("/healthz")
def health():
    return {"status": "ok"}
