"""Heartbeats and the silence alarm, /healthz, and the Prometheus metrics (in-process, manual clock)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from queue_server.domain.notify import Booking


def _metrics(reader) -> dict[tuple[str, tuple], float]:
    answer = reader.get("/api/v1/metrics")
    assert answer.status_code == 200, answer.get_json()
    assert answer.mimetype == "text/plain"
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(answer.get_data(as_text=True))
            for sample in family.samples}


def _device(reader, name: str) -> dict:
    answer = reader.get("/api/v1/devices")
    assert answer.status_code == 200
    return next(device for device in answer.get_json()["devices"] if device["name"] == name)


def test_a_silent_kiosk_raises_one_alarm_and_its_next_heartbeat_ends_it(services, signed_in, clock):
    kiosk, hall = signed_in("kiosk"), signed_in("administrator")
    published = []
    subscription = services.bus.subscribe()
    assert kiosk.post("/api/v1/devices/heartbeat").status_code == 204
    assert _device(hall, kiosk.name)["silent"] is False
    assert _device(hall, kiosk.name)["seen_at"] is not None

    clock.advance(seconds=89)
    assert services.desk.check_silence(90) == []
    clock.advance(seconds=2)
    assert services.desk.check_silence(90) == [kiosk.name]
    assert services.desk.check_silence(90) == []  # one alarm, not one a tick
    assert _device(hall, kiosk.name)["silent"] is True

    assert kiosk.post("/api/v1/devices/heartbeat").status_code == 204
    assert _device(hall, kiosk.name)["silent"] is False
    while (item := subscription.get(0.01)) is not None:
        published.extend(item if isinstance(item, list) else [item])
    subscription.close()
    types = [stored.event.type for stored in published if hasattr(stored, "event")]
    assert types.count("device.silent") == 1 and types.count("device.back") == 1
    silent = next(s.event for s in published if hasattr(s, "event") and s.event.type == "device.silent")
    assert (silent.device, silent.kind) == (kiosk.name, "kiosk")


def test_a_device_never_heard_from_raises_no_alarm(services, signed_in, clock):
    display = signed_in("display")
    clock.advance(hours=3)
    assert services.desk.check_silence(90) == []
    hall = signed_in("administrator")
    assert _device(hall, display.name)["silent"] is False
    assert display.post("/api/v1/devices/heartbeat").status_code == 204  # screens beat too


def test_staff_and_monitors_read_the_metrics_nobody_else(signed_in, client):
    assert client.get("/api/v1/metrics").status_code == 401
    assert signed_in("kiosk").get("/api/v1/metrics").status_code == 403
    assert signed_in("curator").get("/api/v1/metrics").status_code == 403
    assert signed_in("monitor").get("/api/v1/metrics").status_code == 200
    assert signed_in("manager").get("/api/v1/metrics").status_code == 200


def test_metrics_show_queues_waits_latency_streams_outbox_and_devices(services, signed_in, clock):
    kiosk, manager = signed_in("kiosk"), signed_in("manager")
    for _ in range(3):
        assert kiosk.post("/api/v1/tickets", json={"life_situation": "job_search",
                                                   "language": "ru"}).status_code == 201
    kiosk.post("/api/v1/devices/heartbeat")
    clock.advance(minutes=4)
    subscription = services.bus.subscribe()  # as an open event stream would
    metrics = _metrics(manager)
    subscription.close()
    queue = services.office.life_situation("job_search").queue
    assert metrics[("okno_queue_waiting", (("queue", queue),))] == 3
    assert metrics[("okno_queue_longest_wait_seconds", (("queue", queue),))] == 240
    assert metrics[("okno_event_streams", ())] == 1
    assert metrics[("okno_outbox_backlog", ())] == 0  # nobody left a phone
    assert metrics[("okno_device_seconds_since_seen", (("device", kiosk.name), ("kind", "kiosk")))] == 240
    assert metrics[("okno_device_silent", (("device", kiosk.name), ("kind", "kiosk")))] == 1
    issued = ("okno_request_seconds_count", (("method", "POST"), ("route", "/api/v1/tickets"),
                                             ("status", "201")))
    assert metrics[issued] == 3


def test_the_outbox_backlog_counts_messages_not_yet_sent(services, signed_in, clock):
    booking = Booking(code="482100", at=clock.now() + timedelta(days=3), phone="+79001234567")
    services.notifier.enqueue_booking_messages(booking)  # confirmation and reminder: pending
    assert _metrics(signed_in("admin"))[("okno_outbox_backlog", ())] == 2
    services.delivery.deliver_due()  # the confirmation goes out (the demo's file outbox)
    assert _metrics(signed_in("admin"))[("okno_outbox_backlog", ())] == 1


def test_healthz_says_the_database_answers_without_a_token(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["disk_free_mb"] > 0 and body["streams"] == 0


@pytest.mark.parametrize("seconds", [0, -1])
def test_check_silence_bounds(services, seconds):
    assert services.desk.check_silence(seconds) == []  # no device at all: nothing to say
