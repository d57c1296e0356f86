"""`queue-server`: run an office's queue server and manage its accounts and devices.

    queue-server run [--config FILE] [--data DIR] [--host H] [--port P] [--threads N]
                     [--worker threads|gevent]
    queue-server user add NAME --role ROLE [--workplace ID ...]   (password on stdin)
    queue-server device add NAME --kind kiosk|display             (prints the token)
    queue-server demo [--headless]                                (the demo office)
"""
# ruff: noqa: E402  (gevent must patch the process before the imports below run)

from __future__ import annotations

import sys


def _gevent_requested(argv: list[str]) -> bool:
    """``--worker gevent`` on the command line of this process."""
    return "--worker=gevent" in argv or any(
        arg == "--worker" and argv[index + 1:index + 2] == ["gevent"] for index, arg in enumerate(argv))


# With `--worker gevent` (Linux), sockets, threads, locks and queues become gevent's
# before Flask, sqlite3 or any module of the server creates one: one OS thread then
# serves every event stream, so a published call does not wake hundreds of threads.
if _gevent_requested(sys.argv[1:]) and sys.platform != "win32":
    from gevent import monkey

    monkey.patch_all()

import argparse
import getpass
import os
import signal
import socket
import subprocess
import threading
from pathlib import Path

from queue_server.config import DEMO_OFFICE_PATH, ConfigError, load_office
from queue_server.domain import access
from queue_server.domain.clock import SystemClock
from queue_server.domain.office import Office, UnknownId
from queue_server.service import accounts

DEFAULT_DATA = Path("var") / "office"
DEMO_DATA = Path("var") / "demo"
DEMO_PASSWORD = "demo"
DEMO_DEVICES = {"kiosk-1": ("kiosk", "demo-kiosk-token"),
                "hall-display": ("display", "demo-display-token")}
# name, role, and the queue whose n-th workplace they sit at (None: no workplace)
DEMO_STAFF = (
    ("admin", "admin", None, 0),
    ("hall", "administrator", None, 0),
    ("reception", "reception", "reception", 0),
    ("curator1", "curator", "curator", 0),
    ("curator2", "curator", "curator", 1),
    ("psychologist", "specialist", "psychologist", 0),
    ("career", "specialist", "career", 0),
    ("individual", "specialist", "individual", 0),
    ("employer", "specialist", "employers", 0),
    ("callcentre", "call_centre", None, 0),
    ("manager", "manager", None, 0),
)
TICK_SECONDS = 2.0
CLI_ACTOR = "cli"  # the audit log's actor for changes made on the command line
DEMO_ACTOR = "demo"
WORKERS = ("threads", "gevent")
STOP_SECONDS = 1.0  # gevent: how long open requests get to finish on SIGTERM


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if getattr(args, "worker", "threads") == "gevent" and (problem := _gevent_problem()):
        print(f"queue-server: --worker gevent: {problem}", file=sys.stderr)
        return 2
    try:
        return args.handler(args)
    except ConfigError as error:
        print(f"queue-server: configuration refused: {error}", file=sys.stderr)
        return 2
    except accounts.AccountError as error:
        print(f"queue-server: {error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="queue-server", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    def common(sub: argparse.ArgumentParser, data_default: Path) -> None:
        sub.add_argument("--data", type=Path, default=data_default,
                         help=f"data directory (default {data_default})")
        sub.add_argument("--config", type=Path, default=None,
                         help="office TOML file (default: the demo office)")

    def serving(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--host", default="127.0.0.1", help="address to listen on")
        sub.add_argument("--port", type=int, default=8080, help="port (0 picks a free one)")
        sub.add_argument("--threads", type=int, default=400,
                         help="worker threads; each open event stream holds one (--worker threads)")
        sub.add_argument("--worker", choices=WORKERS, default="threads",
                         help="threads: waitress, Linux and Windows (default); gevent: one event "
                              "loop, for Linux offices with many screens")
        sub.add_argument("--ping-seconds", type=_positive_float, default=None,
                         help="keepalive interval of event streams (default 5)")
        sub.add_argument("--replay-limit", type=_positive_int, default=None,
                         help="most events replayed to a reconnecting client before it must "
                              "resynchronise (default 1000)")
        sub.add_argument("--speech-wait", type=_seconds, default=3.0,
                         help="how long a display's announcement waits for its phrase before it "
                              "is joined from prepared fragments (default 3)")

    run = commands.add_parser("run", help="run the queue server")
    common(run, DEFAULT_DATA)
    serving(run)
    run.set_defaults(handler=_run)

    user = commands.add_parser("user", help="staff accounts").add_subparsers(required=True)
    add_user = user.add_parser("add", help="add a staff account; password from stdin")
    common(add_user, DEFAULT_DATA)
    add_user.add_argument("name")
    add_user.add_argument("--role", required=True, choices=access.STAFF_ROLES)
    add_user.add_argument("--workplace", action="append", default=[], dest="workplaces")
    add_user.set_defaults(handler=_add_user)

    device = commands.add_parser("device", help="kiosks and displays").add_subparsers(required=True)
    add_device = device.add_parser("add", help="register a device and print its token")
    common(add_device, DEFAULT_DATA)
    add_device.add_argument("name")
    add_device.add_argument("--kind", required=True, choices=access.DEVICES)
    add_device.set_defaults(handler=_add_device)

    demo = commands.add_parser("demo", help="the demo office with demo accounts, and a kiosk")
    common(demo, DEMO_DATA)
    serving(demo)
    demo.add_argument("--headless", action="store_true", help="no kiosk window")
    demo.set_defaults(handler=_demo)
    return parser


def _positive_float(text: str) -> float:
    value = float(text)
    if not 0 < value < 3600:
        raise argparse.ArgumentTypeError("must be more than 0 and less than 3600")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 60:
        raise argparse.ArgumentTypeError("must be from 0 to 60 seconds")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _office(args: argparse.Namespace) -> Office:
    return load_office(args.config or DEMO_OFFICE_PATH)


def _services(args: argparse.Namespace, office: Office | None = None):
    from queue_server.service import open_services

    return open_services(args.data, office or _office(args), SystemClock())


def _add_user(args: argparse.Namespace) -> int:
    office = _office(args)
    for workplace in args.workplaces:  # checked before anything is opened or written
        try:
            office.workplace(workplace)
        except UnknownId as error:
            raise accounts.AccountError(f"--workplace: {error}") from None
    services = _services(args, office)
    password = (getpass.getpass("password: ") if sys.stdin.isatty()
                else sys.stdin.readline().rstrip("\n"))
    services.accounts.create_user(args.name, args.role, password, tuple(args.workplaces),
                                  actor=CLI_ACTOR)
    print(f"user {args.name} ({args.role}) added")
    return 0


def _add_device(args: argparse.Namespace) -> int:
    token = _services(args).accounts.add_device(args.name, args.kind, actor=CLI_ACTOR)
    print(token)
    return 0


def _run(args: argparse.Namespace) -> int:
    office = _office(args)
    return _serve(office, args)


def _gevent_problem() -> str | None:
    """Why gevent mode cannot run in this process, or None."""
    if sys.platform == "win32":
        return "not available on Windows; use --worker threads"
    from queue_server.store.database import gevent_patched

    if not gevent_patched():  # main(argv) called from Python, after the imports
        return "must be on the command line of a new queue-server process"
    return None


def _serve(office: Office, args: argparse.Namespace, on_listening=None) -> int:
    from queue_server.service import services_of
    from queue_server.web import create_app

    config = {key: value for key, value in (("PING_SECONDS", args.ping_seconds),
                                            ("REPLAY_LIMIT", args.replay_limit))
              if value is not None}
    config.update(SPEECH_WAIT_S=args.speech_wait, SPEECH_PREPARE=True)  # see displays/preparation.py
    app = create_app(office=office, data_dir=args.data, config=config)
    stop = threading.Event()  # under gevent a greenlet, as is the ticker "thread"
    threading.Thread(target=_ticker, args=(services_of(app).tickets, stop), daemon=True,
                     name="ticker").start()
    serve = _serve_gevent if args.worker == "gevent" else _serve_waitress
    try:
        serve(app, office, args, on_listening)
    finally:
        stop.set()
    return 0


def _listening(office: Office, host: str, port: int, on_listening) -> None:
    url = f"http://{host}:{port}"
    print(f"queue-server: {office.name.ru}: listening on {url}", flush=True)
    if on_listening:
        on_listening(url)


def _serve_waitress(app, office: Office, args: argparse.Namespace, on_listening) -> None:
    from waitress.server import create_server

    server = create_server(
        app, host=args.host, port=args.port, threads=args.threads,
        connection_limit=max(1000, args.threads * 2), asyncore_use_poll=True,
        channel_timeout=60, ident="odno-okno",
    )
    _listening(office, args.host, server.effective_port, on_listening)
    from queue_server.service import services_of

    bus = services_of(app).bus

    def stop(*_) -> None:
        # SIGTERM (systemd, a service manager, the tests) stops as cleanly as Ctrl+C; open
        # event streams end now, so waitress need not wait for their worker threads.
        bus.close_all()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.run()  # returns after SIGTERM/SIGINT, once waitress has stopped its threads
    finally:
        server.close()


def _serve_gevent(app, office: Office, args: argparse.Namespace, on_listening) -> None:
    import gevent
    from gevent.event import Event
    from gevent.pool import Pool
    from gevent.pywsgi import WSGIServer

    # One greenlet per connection, bounded like waitress's connection_limit.
    server = WSGIServer((args.host, args.port), app, spawn=Pool(max(1000, args.threads * 2)),
                        log=None)
    server.init_socket()  # binds now, so port 0 has its real number to print
    # As waitress does: without it Nagle's algorithm holds a small answer or event until
    # the client's delayed ACK, 40 ms on Linux.  Accepted sockets inherit the option.
    server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    _listening(office, args.host, server.address[1], on_listening)
    stopping = Event()
    gevent.signal_handler(signal.SIGTERM, stopping.set)
    server.start()
    try:
        stopping.wait()
    except KeyboardInterrupt:
        pass
    finally:
        # Event streams never end by themselves: they are closed after STOP_SECONDS.
        server.stop(timeout=STOP_SECONDS)


def _ticker(tickets, stop: threading.Event) -> None:
    """Postponed visitors come back and the office day closes without anyone asking."""
    while not stop.wait(TICK_SECONDS):
        try:
            tickets.tick()
        except Exception as error:  # keep ticking; the next round retries
            print(f"queue-server: tick failed: {error}", file=sys.stderr, flush=True)


def _demo(args: argparse.Namespace) -> int:
    office = _office(args)
    _seed_demo(args, office)
    kiosks: list[subprocess.Popen] = []

    def announce(url: str) -> None:
        print(_demo_banner(url, office), flush=True)
        if not args.headless:
            kiosks.extend(_start_kiosk(url))

    try:
        return _serve(office, args, on_listening=announce)
    finally:
        for kiosk in kiosks:  # the demo's kiosk window closes with its server
            kiosk.terminate()


def _seed_demo(args: argparse.Namespace, office: Office) -> None:
    services = _services(args, office)
    for name, (kind, token) in DEMO_DEVICES.items():
        services.accounts.add_device(name, kind, actor=DEMO_ACTOR, token=token)
    for name, role, queue, index in DEMO_STAFF:
        if services.accounts.user(name) is not None:
            continue
        places = [w.id for w in office.workplaces if w.queue_ids[:1] == (queue,)]
        workplaces = tuple(places[index:index + 1] if queue else [])
        services.accounts.create_user(name, role, DEMO_PASSWORD, workplaces, actor=DEMO_ACTOR)
    services.close()


def _demo_banner(url: str, office: Office) -> str:
    zones = " ".join(sorted({w.zone for w in office.workplaces}))
    first_workplace = office.workplaces[0].id if office.workplaces else "…"
    return "\n".join([
        "",
        f"  Одно окно — demo office: {office.name.ru}",
        f"  Staff pages:        {url}/staff/   (accounts: admin, hall, reception, curator1,",
        "                      curator2, psychologist, career, … — password 'demo')",
        f"  Hall display:       {url}/display/hall/all?token=demo-display-token",
        f"  Zones:              {zones}",
        f"  Window display:     {url}/display/workplace/{first_workplace}?token=demo-display-token",
        f"  API:                {url}/api/v1/openapi.json   (kiosk token: demo-kiosk-token)",
        "",
    ])


def _start_kiosk(url: str) -> list[subprocess.Popen]:
    command = [sys.executable, "-m", "kiosk", "--server", url, "--token",
               DEMO_DEVICES["kiosk-1"][1], "--printer", "none"]
    try:
        process = subprocess.Popen(command, env=os.environ.copy())
    except OSError as error:
        print(f"  Kiosk not started: {error}", flush=True)
        return []
    print("  Kiosk window started (queue-kiosk).", flush=True)
    return [process]


if __name__ == "__main__":
    raise SystemExit(main())
