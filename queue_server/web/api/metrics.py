"""Prometheus metrics (``GET /api/v1/metrics``) through the standard client library.

Request latency is a histogram filled by the app on every request; everything else
(queue lengths, waits, open streams, outbox backlog, devices' last heartbeat) is read
from ``services().health`` when the scraper asks, so it is never stale.  Each app has
its own registry: tests create many apps in one process.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from flask import Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from queue_server.service import Services, services_of
from queue_server.web.api import blueprint
from queue_server.web.auth import require

REGISTRY_KEY = "odno_okno.metrics"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class OfficeCollector(Collector):
    def __init__(self, app: Flask):
        self._app = app

    def collect(self) -> Iterator[Metric]:
        services: Services = services_of(self._app)
        health = services.health
        waiting = GaugeMetricFamily("okno_queue_waiting", "Visitors waiting in the queue", labels=["queue"])
        for queue, count in health.queue_lengths().items():
            waiting.add_metric([queue], count)
        yield waiting
        longest = GaugeMetricFamily("okno_queue_longest_wait_seconds",
                                    "How long the longest-waiting visitor of the queue has waited",
                                    labels=["queue"])
        for queue, seconds in health.longest_waits().items():
            longest.add_metric([queue], seconds)
        yield longest
        yield GaugeMetricFamily("okno_event_streams", "Open event streams (screens, staff pages, kiosks)",
                                value=health.stream_count())
        yield GaugeMetricFamily("okno_outbox_backlog", "Messages to visitors not yet delivered",
                                value=health.outbox_backlog())
        yield GaugeMetricFamily("okno_disk_free_bytes", "Free space where the database lives",
                                value=health.disk_free_bytes())
        yield GaugeMetricFamily("okno_storage_fault", "1 while writes to the database fail (disk full, "
                                "read-only)", value=1.0 if health.write_fault() else 0.0)
        seen = GaugeMetricFamily("okno_device_seconds_since_seen",
                                 "Seconds since the kiosk or screen was last heard from",
                                 labels=["device", "kind"])
        silent = GaugeMetricFamily("okno_device_silent", "1 when the device has gone silent",
                                   labels=["device", "kind"])
        for device in health.devices(self._app.config["SILENT_AFTER_SECONDS"]):
            if device.seconds_ago is not None:
                seen.add_metric([device.name, device.kind], device.seconds_ago)
            silent.add_metric([device.name, device.kind], 1.0 if device.silent else 0.0)
        yield seen
        yield silent


def init_app(app: Flask) -> None:
    registry = CollectorRegistry()
    latency = Histogram("okno_request_seconds", "Time to answer an HTTP request (to its first byte)",
                        ["method", "route", "status"], registry=registry, buckets=LATENCY_BUCKETS)
    registry.register(OfficeCollector(app))
    app.extensions[REGISTRY_KEY] = registry

    @app.before_request
    def _started() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _answered(response: Response) -> Response:
        started = g.pop("metrics_started", None)
        if started is not None:
            route = request.url_rule.rule if request.url_rule is not None else "unmatched"
            latency.labels(request.method, route, str(response.status_code)).observe(
                time.perf_counter() - started)
        return response


@blueprint.get("/metrics")
@require("read metrics")
def metrics():
    return Response(generate_latest(current_app.extensions[REGISTRY_KEY]), mimetype=CONTENT_TYPE_LATEST)
