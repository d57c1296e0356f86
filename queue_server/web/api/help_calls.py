"""Help calls from kiosks and the kiosks' printer reports."""

from __future__ import annotations

from flask import current_app

from queue_server.web.api import blueprint
from queue_server.web.api.body import field, json_body
from queue_server.web.auth import current_principal, require


def _service():
    return current_app.extensions["odno_okno"]


@blueprint.post("/help-calls")
@require("request help")
def request_help():
    call_id = _service().request_help(current_principal().name)
    return {"id": call_id}, 201


@blueprint.get("/help-calls")
@require("answer help calls")
def open_help_calls():
    return {"help_calls": _service().open_help_calls()}


@blueprint.post("/help-calls/<int:call_id>/acknowledge")
@require("answer help calls")
def acknowledge_help(call_id: int):
    _service().acknowledge_help(call_id, actor=current_principal().actor)
    return "", 204


@blueprint.post("/devices/status")
@require("report device status")
def report_status():
    body = json_body()
    _service().report_device_status(
        current_principal().name,
        field(body, "printer", str, max_length=16),
        field(body, "detail", str, default="", max_length=300),
    )
    return "", 204


@blueprint.get("/devices")
@require("read devices")
def list_devices():
    from queue_server.store.accounts import list_devices as devices

    return {"devices": devices(_service().store.db)}
