"""The baseline of the issue benchmark: a bare Flask endpoint inserting one SQLite row.

Served exactly like the queue server (waitress ``create_server`` with the same
thread count and options as queue_server/cli.py) and writing the way its store
does (WAL, ``synchronous=FULL``, one connection per thread, writes serialised by
a process lock around ``BEGIN IMMEDIATE … COMMIT``).  What remains is the price of
HTTP, Flask, JSON and one durable SQLite commit: the floor the real endpoint is
compared with.

    python -m bench._baseline_app --data DIR --port 0 --threads 400
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import threading
import time
from pathlib import Path

from flask import Flask, request


def create_baseline_app(database: Path) -> Flask:
    app = Flask(__name__)
    local = threading.local()
    write_lock = threading.Lock()
    setup = _connect(database)
    setup.execute("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, at REAL, body TEXT)")
    setup.close()

    def connection() -> sqlite3.Connection:
        if getattr(local, "conn", None) is None:
            local.conn = _connect(database)
        return local.conn

    @app.post("/rows")
    def insert_row():
        body = request.get_json()
        conn = connection()
        with write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                cursor = conn.execute("INSERT INTO rows (at, body) VALUES (?, ?)",
                                      [time.time(), str(body)])
            except BaseException:
                conn.rollback()
                raise
            conn.execute("COMMIT")
        return {"id": cursor.lastrowid}, 201

    return app


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def main(argv: list[str] | None = None) -> int:
    from waitress.server import create_server

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--threads", type=int, default=400)
    args = parser.parse_args(argv)
    args.data.mkdir(parents=True, exist_ok=True)
    app = create_baseline_app(args.data / "baseline.db")
    # The same options as queue_server/cli.py's _serve.
    server = create_server(app, host=args.host, port=args.port, threads=args.threads,
                           connection_limit=max(1000, args.threads * 2), asyncore_use_poll=True,
                           channel_timeout=60, ident="baseline")
    print(f"baseline: listening on http://{args.host}:{server.effective_port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
