"""`queue-server`: run an office's queue server and manage its accounts and devices.

    queue-server run [--config FILE] [--data DIR] [--host H] [--port P] [--threads N]
                     [--worker threads|gevent]
    queue-server user add NAME --role ROLE [--workplace ID ...]   (password on stdin)
    queue-server device add NAME --kind kiosk|display             (prints the token)
    queue-server demo [--headless]                                (the demo office)
    queue-server purge [--dry-run]        (erase personal data older than the retention period)
    queue-server backup [--data DIR] [--to FILE]                  (while the server runs)
    queue-server restore FILE [--data DIR]                        (with the server stopped)
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
from datetime import UTC, datetime
from pathlib import Path

from queue_server.config import DEMO_OFFICE_PATH, ConfigError, load_office
from queue_server.domain import access
from queue_server.domain.clock import ShiftedClock, SystemClock
from queue_server.domain.office import Office, UnknownId
from queue_server.service import accounts
from queue_server.serving import Limits, gevent_handler_class, raise_open_file_limit, waitress_server

DEFAULT_DATA = Path("var") / "office"
DEMO_DATA = Path("var") / "demo"
DEMO_PASSWORD = "demo"
DEMO_DEVICES = {"kiosk-1": ("kiosk", "demo-kiosk-token"),
                "hall-display": ("display", "demo-display-token"),
                "feedback-window-3": ("feedback", "demo-feedback-token"),
                "prometheus": ("monitor", "demo-monitor-token")}
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
    ("quality", "quality", None, 0),
)
TICK_SECONDS = 2.0
PURGE_EVERY_TICKS = int(3600 / TICK_SECONDS)  # the retention purge: hourly
CLI_ACTOR = "cli"  # the audit log's actor for changes made on the command line
DEMO_ACTOR = "demo"
WORKERS = ("threads", "gevent")
STOP_SECONDS = 1.0  # gevent: how long open requests get to finish on SIGTERM
GEVENT_STREAMS = 2000  # open event streams by default under gevent (a greenlet each)


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
        sub.add_argument("--clock-start", type=_moment, default=None,
                         help="run the office clock from this moment, e.g. 2026-11-30T10:00+03:00 "
                              "(demos and training; default: the machine's clock)")
        sub.add_argument("--clock-speed", type=_clock_speed, default=1.0,
                         help="office seconds per real second of that clock (benches replaying a "
                              "day; default 1)")
        sub.add_argument("--replay-limit", type=_positive_int, default=None,
                         help="most events replayed to a reconnecting client before it must "
                              "resynchronise (default 1000)")
        sub.add_argument("--max-connections", type=_positive_int, default=Limits.max_connections,
                         help=f"open connections at most, streams included (default "
                              f"{Limits.max_connections}); the open-file limit is raised to match")
        sub.add_argument("--max-streams", type=_positive_int, default=None,
                         help="open event streams at most; more are refused with 503 "
                              "too_many_streams (default: 3/4 of --threads; gevent: 2000)")
        sub.add_argument("--request-seconds", type=_positive_float, default=Limits.request_seconds,
                         help="a whole request (headers and body) must arrive within this; "
                              f"slower clients are cut off (default {Limits.request_seconds:g})")
        sub.add_argument("--secure-cookies", action="store_true",
                         help="send the staff session cookie with Secure: set when HTTPS is in front")
        sub.add_argument("--silent-after", type=_positive_float, default=None,
                         help="seconds without a heartbeat after which a kiosk or screen raises "
                              "an alarm on the console (default 90)")
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

    purge = commands.add_parser(
        "purge", help="erase names, phones, e-mails and comments older than the retention period")
    common(purge, DEFAULT_DATA)
    purge.add_argument("--dry-run", action="store_true", help="only count what would be erased")
    purge.set_defaults(handler=_purge)

    demo = commands.add_parser("demo", help="the demo office with demo accounts, and a kiosk")
    common(demo, DEMO_DATA)
    serving(demo)
    demo.add_argument("--headless", action="store_true", help="no kiosk window")
    demo.set_defaults(handler=_demo)

    backup = commands.add_parser("backup", help="copy the database, also while the server runs")
    backup.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"data directory (default {DEFAULT_DATA})")
    backup.add_argument("--to", type=Path, default=None,
                        help="the copy's file (default DATA/backups/queue-YYYYMMDD-HHMMSS.db)")
    backup.set_defaults(handler=_backup)

    restore = commands.add_parser("restore", help="put a backup in place; the server must be stopped")
    restore.add_argument("file", type=Path, help="a file made by `backup`")
    restore.add_argument("--data", type=Path, default=DEFAULT_DATA,
                         help=f"data directory (default {DEFAULT_DATA})")
    restore.set_defaults(handler=_restore)
    return parser


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a moment like 2026-11-30T10:00+03:00: {text!r}") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give the offset too, like 2026-11-30T10:00+03:00: {text!r}")
    return moment


def _positive_float(text: str) -> float:
    value = float(text)
    if not 0 < value < 3600:
        raise argparse.ArgumentTypeError("must be more than 0 and less than 3600")
    return value


def _clock_speed(text: str) -> float:
    value = float(text)
    if not 0 < value <= 100_000:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 100000")
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


def _purge(args: argparse.Namespace) -> int:
    office = _office(args)
    services = _services(args, office)
    touched = services.notifier.purge(dry_run=args.dry_run)
    verb = "would erase" if args.dry_run else "erased"
    days = office.retention.personal_days
    print(f"personal data of visits older than {days} days: {verb} in")
    for table, rows in touched.items():
        print(f"  {table}: {rows} rows")
    services.close()
    return 0


def _backup(args: argparse.Namespace) -> int:
    from datetime import datetime

    from queue_server.service import maintenance

    target = args.to or maintenance.default_backup_path(args.data, datetime.now())
    try:
        pages = maintenance.backup(args.data, target)
    except maintenance.BackupError as error:
        print(f"queue-server: backup failed: {error}", file=sys.stderr)
        return 1
    print(f"backup written: {target} ({pages} pages, integrity ok)")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from queue_server.service import maintenance

    try:
        kept = maintenance.restore(args.data, args.file)
    except (maintenance.BackupError, maintenance.DataDirInUse) as error:
        print(f"queue-server: restore refused: {error}", file=sys.stderr)
        return 1
    print(f"restored {args.file} into {args.data}"
          + (f"; the replaced database is kept as {kept}" if kept else ""))
    return 0


def _run(args: argparse.Namespace) -> int:
    return _serve(_office(args), args, refuse_demo_data=True)


def _demo_data_refusal(args: argparse.Namespace, office: Office) -> str | None:
    """A data directory `demo` set up keeps public passwords and tokens: never serve an office from it."""
    services = _services(args, office)
    try:
        left = services.accounts.demo_leftovers(
            actor=DEMO_ACTOR, password=DEMO_PASSWORD,
            tokens={name: token for name, (_, token) in DEMO_DEVICES.items()})
    finally:
        services.close()
    if not left:
        return None
    return (f"queue-server: refused: {args.data} was set up by `queue-server demo`; "
            f"{', '.join(left)} still have the public demo password or token.\n"
            f"  Start the office with its own data directory:  queue-server run --data var/office\n"
            f"  or remove the demo's (its tickets go with it):  rm -r {args.data}")


def _gevent_problem() -> str | None:
    """Why gevent mode cannot run in this process, or None."""
    if sys.platform == "win32":
        return "not available on Windows; use --worker threads"
    from queue_server.store.database import gevent_patched

    if not gevent_patched():  # main(argv) called from Python, after the imports
        return "must be on the command line of a new queue-server process"
    return None


def _serve(office: Office, args: argparse.Namespace, on_listening=None, *,
           refuse_demo_data: bool = False) -> int:
    """Serve the office; ``refuse_demo_data`` (``run``): never from a directory the demo set up.

    The data directory's lock comes first: a second server, a read-only or foreign
    directory are named before anything reads the database.
    """
    from queue_server.service import maintenance, services_of
    from queue_server.web import create_app

    try:
        lock = maintenance.server_lock(args.data)  # held until this process ends
    except maintenance.DataDirInUse as error:
        print(f"queue-server: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a read-only or full disk, a directory of another user
        print(f"queue-server: cannot write to the data directory {args.data}: {error}", file=sys.stderr)
        return 2
    if refuse_demo_data and (refusal := _demo_data_refusal(args, office)):
        print(refusal, file=sys.stderr, flush=True)
        lock.release()
        return 2

    config = {key: value for key, value in (("PING_SECONDS", args.ping_seconds),
                                            ("REPLAY_LIMIT", args.replay_limit),
                                            ("MAX_STREAMS", _max_streams(args)),
                                            ("SESSION_COOKIE_SECURE", args.secure_cookies or None),
                                            ("SILENT_AFTER_SECONDS", args.silent_after))
              if value is not None}
    if problem := raise_open_file_limit(_limits(args)):
        print(f"queue-server: warning: {problem}", file=sys.stderr, flush=True)
    config.update(SPEECH_WAIT_S=args.speech_wait, SPEECH_PREPARE=True)  # see displays/preparation.py
    clock = (ShiftedClock(args.clock_start or datetime.now(UTC), args.clock_speed)
             if args.clock_start or args.clock_speed != 1.0 else SystemClock())
    app = create_app(office=office, data_dir=args.data, config=config, clock=clock)
    stop = threading.Event()  # under gevent a greenlet, as is the ticker "thread"
    threading.Thread(target=_ticker, args=(services_of(app), app.config["SILENT_AFTER_SECONDS"], stop),
                     daemon=True, name="ticker").start()
    # Messages to visitors go out from their own thread: a slow gateway never holds a request.
    threading.Thread(target=services_of(app).delivery.run, args=(stop,), daemon=True,
                     name="notifier").start()
    serve = _serve_gevent if args.worker == "gevent" else _serve_waitress
    try:
        serve(app, office, args, on_listening)
    finally:
        stop.set()
        lock.release()
    return 0


def _limits(args: argparse.Namespace) -> Limits:
    return Limits(max_connections=args.max_connections, request_seconds=args.request_seconds)


def _max_streams(args: argparse.Namespace) -> int:
    """Threads mode: each stream holds a worker thread, so a quarter stay for requests."""
    if args.max_streams is not None:
        return args.max_streams
    return GEVENT_STREAMS if args.worker == "gevent" else max(1, args.threads * 3 // 4)


def _listening(office: Office, host: str, port: int, on_listening) -> None:
    url = f"http://{host}:{port}"
    print(f"queue-server: {office.name.ru}: listening on {url}", flush=True)
    if on_listening:
        on_listening(url)


def _serve_waitress(app, office: Office, args: argparse.Namespace, on_listening) -> None:
    server = waitress_server(app, host=args.host, port=args.port, threads=args.threads,
                             limits=_limits(args))
    _listening(office, args.host, server.effective_port, on_listening)
    from queue_server.service import services_of

    bus = services_of(app).bus
    services_of(app).reports.run_in_worker_process()  # a report never holds this process's GIL

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

    # One greenlet per connection, bounded like waitress's connection_limit; each request
    # must arrive whole within --request-seconds (queue_server.serving).
    server = WSGIServer((args.host, args.port), app, spawn=Pool(args.max_connections), log=None,
                        handler_class=gevent_handler_class(_limits(args)))
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


def _ticker(services, silent_after: float, stop: threading.Event) -> None:
    """Postponed visitors come back, the office day closes, bookings nobody checked in
    are recorded as missed and silent devices raise an alarm, closed days' report facts
    are stored, without anyone asking;
    personal data past its retention period is erased (at start, then hourly)."""
    rounds = 0
    while not stop.wait(TICK_SECONDS):
        try:
            services.tickets.tick()
            services.appointments.tick()
            services.desk.check_silence(silent_after)
            if rounds % PURGE_EVERY_TICKS == 0:
                services.notifier.purge(dry_run=False)
            services.reports.write_facts()  # closed days' report facts, last: never holds up the rest
        except Exception as error:  # keep ticking; the next round retries
            print(f"queue-server: tick failed: {error}", file=sys.stderr, flush=True)
        rounds += 1


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
        services.accounts.create_user(name, role, DEMO_PASSWORD, workplaces, actor=DEMO_ACTOR,
                                      demo=True)
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
        f"  Feedback tablet:    {url}/display/feedback/window_3?token=demo-feedback-token",
        f"  Reports:            {url}/staff/reports   (accounts: manager, quality)",
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
