"""Help calls from kiosks, the kiosks' printer reports, and the heartbeats of kiosks and screens."""

from __future__ import annotations

from flask import current_app

from queue_server.web import services
from queue_server.web.api import blueprint
from queue_server.web.api.body import field, json_body
from queue_server.web.api.views import device_for, help_call_for
from queue_server.web.auth import current_principal, require


@blueprint.post("/help-calls")
@require("request help")
def request_help():
    call_id = services().desk.request_help(current_principal().name)
    return {"id": call_id}, 201


@blueprint.get("/help-calls")
@require("answer help calls")
def open_help_calls():
    office = services().office
    return {"help_calls": [help_call_for(call, office) for call in services().desk.open_help_calls()]}


@blueprint.post("/help-calls/<int:call_id>/acknowledge")
@require("answer help calls")
def acknowledge_help(call_id: int):
    services().desk.acknowledge_help(call_id, actor=current_principal().actor)
    return "", 204


@blueprint.post("/devices/status")
@require("report device status")
def report_status():
    body = json_body()
    services().desk.report_device_status(
        current_principal().name,
        field(body, "printer", str, max_length=16),
        field(body, "detail", str, default=""),
    )
    return "", 204


@blueprint.post("/devices/heartbeat")
@require("send heartbeats")
def heartbeat():
    services().desk.heartbeat(current_principal().name)
    return "", 204


@blueprint.get("/devices")
@require("read devices")
def list_devices():
    office = services().office
    devices = services().desk.devices(current_app.config["SILENT_AFTER_SECONDS"])
    return {"devices": [device_for(device, office) for device in devices]}
