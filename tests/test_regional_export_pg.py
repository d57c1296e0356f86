"""The regional export loads into a real PostgreSQL with the SQL shown in docs/reports.md.

A throw-away cluster (initdb, a Unix socket only) is started for the module; as root
the server runs as the unprivileged ``nobody`` (PostgreSQL refuses root).  Skipped
where PostgreSQL's programs are missing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from queue_server.domain.clock import ManualClock
from queue_server.domain.reports import Period
from queue_server.service import open_services
from tests.report_month import FIRST, generate
from tests.support.app_fixtures import DEMO_OFFICE, MONDAY_10_00

pytestmark = [pytest.mark.live]

DOC = Path(__file__).resolve().parent.parent / "docs" / "reports.md"
PORT = "54329"
PROGRAMS = ("initdb", "pg_ctl", "psql")
COUNT = "SELECT count(*), count(DISTINCT seq), min(seq), max(seq) FROM office_events;"


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "nobody", "--", *command]
    return command


@pytest.fixture(scope="module")
def postgres():
    if not all(shutil.which(program) for program in PROGRAMS):
        pytest.skip("PostgreSQL's initdb, pg_ctl and psql are not installed")
    home = Path(tempfile.mkdtemp(prefix="pg-"))
    home.chmod(0o777)
    data = home / "data"
    subprocess.run(_as_server_user(["initdb", "-D", str(data), "-A", "trust", "-U", "postgres"]),
                   check=True, capture_output=True, timeout=120)
    subprocess.run(_as_server_user([
        "pg_ctl", "-D", str(data), "-l", str(home / "log"), "-w", "-t", "60", "-o",
        f"-k {home} -c listen_addresses='' -p {PORT}", "start"]), check=True, capture_output=True, timeout=90)
    try:
        yield home
    finally:
        subprocess.run(_as_server_user(["pg_ctl", "-D", str(data), "-m", "fast", "stop"]),
                       capture_output=True, timeout=60)
        shutil.rmtree(home, ignore_errors=True)


def psql(home: Path, sql: str, cwd: Path) -> str:
    answer = subprocess.run(["psql", "-h", str(home), "-p", PORT, "-U", "postgres", "-X", "-q", "-t", "-A",
                             "-v", "ON_ERROR_STOP=1"], input=sql, text=True, capture_output=True,
                            cwd=cwd, timeout=60)
    assert answer.returncode == 0, answer.stderr
    return answer.stdout


def documented_sql() -> str:
    return re.search(r"### Loading into PostgreSQL.*?```sql\n(.*?)```", DOC.read_text("utf-8"), re.S).group(1)


def test_both_formats_load_with_the_documented_sql(postgres, tmp_path):
    clock = ManualClock(MONDAY_10_00)
    services = open_services(tmp_path / "office", DEMO_OFFICE, clock)
    generate(services, clock)
    period = Period(FIRST, FIRST.replace(day=3))
    files = tmp_path / "files"
    files.mkdir()
    (files / "events.jsonl").write_text("".join(services.reports.export_events(period, "jsonl")), "utf-8")
    (files / "events.csv").write_text("".join(services.reports.export_events(period, "csv")), "utf-8")
    services.close()
    lines = [json.loads(line) for line in (files / "events.jsonl").read_text("utf-8").splitlines()]

    issued = sum(line["type"] == "ticket.issued" for line in lines)
    output = psql(postgres, documented_sql(), files)  # CSV, then the same events again as JSON Lines
    assert output.strip() == f"nchelny|2026-12-01 00:00:00+00|{issued}"
    loaded = f"{len(lines)}|{len(lines)}|{lines[0]['seq']}|{lines[-1]['seq']}"
    assert psql(postgres, COUNT, files).strip() == loaded
    comment = psql(postgres, "SELECT payload->>'comment' FROM office_events "
                             "WHERE type = 'ticket.cancelled' ORDER BY seq LIMIT 1;", files)
    finished = psql(postgres, "SELECT payload->'services' FROM office_events "
                              "WHERE type = 'ticket.finished' ORDER BY seq LIMIT 1;", files)
    assert json.loads(finished) == ["job_search_help", "resume"]
    assert comment.strip() == ""  # a cancellation has a reason, not a comment
    jsonl_part = documented_sql()[documented_sql().index("CREATE TEMP TABLE"):]
    psql(postgres, "TRUNCATE office_events;\n" + jsonl_part, files)  # JSON Lines alone, into an empty table
    assert psql(postgres, COUNT, files).strip() == loaded
    reason = psql(postgres, "SELECT payload->>'reason' FROM office_events "
                            "WHERE type = 'ticket.cancelled' ORDER BY seq LIMIT 1;", files)
    assert reason.strip() == "left"
