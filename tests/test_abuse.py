"""Abuse over real sockets, in both worker modes: dribbling clients and more event streams
than the server allows must not stop the office (issue 13).

Small limits (a few connections, a 2-second request deadline) make the same situations
as 2,000 attackers would, in seconds; bench/abuse.py measures the real figures.
"""

from __future__ import annotations

import json
import socket
import time

import pytest

from tests.support.live_server import LiveServer

WORKERS = ["threads", "gevent"]
GENEROUS = 60.0  # seconds: conditions are awaited, never timed


def _server(tmp_path, worker: str, *extra: str) -> LiveServer:
    return LiveServer(tmp_path, extra_args=("--worker", worker, *extra)).start()


def _dribbler(server: LiveServer) -> socket.socket:
    """A client that starts a request with a 100-byte body and then sends almost nothing."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=GENEROUS)
    sock.sendall(b"POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 100\r\n\r\n{")
    return sock


def _closed_by_server(sock: socket.socket, deadline: float) -> bool:
    sock.settimeout(1.0)
    while time.monotonic() < deadline:
        try:
            sock.sendall(b" ")  # one byte a second: activity that an idle timeout would accept
            if sock.recv(4096) == b"":
                return True
        except TimeoutError:
            continue
        except OSError:  # reset: closed too
            return True
    return False


@pytest.mark.parametrize("worker", WORKERS)
def test_dribbling_clients_are_cut_off_and_the_office_goes_on(tmp_path, worker):
    server = _server(tmp_path, worker, "--max-connections", "12", "--request-seconds", "2",
                     "--threads", "8")
    attackers: list[socket.socket] = []
    try:
        attackers += [_dribbler(server) for _ in range(12)]
        deadline = time.monotonic() + GENEROUS
        assert all(_closed_by_server(sock, deadline) for sock in attackers)
        status, body = server.request("POST", "/api/v1/tickets", token=server.kiosk_token,
                                      body={"life_situation": "job_search"}, timeout=GENEROUS)
        assert status == 201, body
    finally:
        for sock in attackers:
            sock.close()
        server.stop()


def _open_stream(server: LiveServer) -> tuple[socket.socket, str]:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=GENEROUS)
    sock.sendall(f"GET /api/v1/events?token={server.display_token} HTTP/1.1\r\nHost: x\r\n\r\n"
                 .encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        assert chunk, "closed before answering"
        head += chunk
    return sock, head.decode("latin-1")


@pytest.mark.parametrize("worker", WORKERS)
def test_streams_beyond_their_limit_are_refused_and_the_api_still_answers(tmp_path, worker):
    server = _server(tmp_path, worker, "--max-streams", "3", "--threads", "8",
                     "--ping-seconds", "0.5")
    streams: list[tuple[socket.socket, str]] = []
    try:
        streams += [_open_stream(server) for _ in range(3)]
        assert all(head.startswith("HTTP/1.1 200") for _, head in streams)
        extra, head = _open_stream(server)
        assert head.startswith("HTTP/1.1 503"), head
        assert "Retry-After: " in head
        body = head.split("\r\n\r\n", 1)[1]
        while not body.rstrip().endswith("}"):
            body += extra.recv(4096).decode()
        assert json.loads(body)["error"] == "too_many_streams"
        extra.close()
        assert server.request("GET", "/healthz")[0] == 200
        assert server.issue()["number"]

        streams[0][0].close()  # a screen goes: its place is free once the server notices
        deadline = time.monotonic() + GENEROUS
        while time.monotonic() < deadline:
            again, head = _open_stream(server)
            again.close()
            if head.startswith("HTTP/1.1 200"):
                break
            time.sleep(0.5)
        else:
            pytest.fail("the closed stream's place never came free")
    finally:
        for sock, _ in streams:
            sock.close()
        server.stop()
