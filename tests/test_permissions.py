"""Each role and device against each action, on a real server, derived from API_ACTIONS.

An allowed caller must get the action done (2xx), a denied one 403 with "may not" (or
401 without a token).  Serving actions are also limited to the caller's own workplace.
docs/permissions.md carries the roles, the API table, its refinements and the staff
pages' table, all generated from queue_server/domain/access.py; a test keeps them equal.
Regenerate the doc's tables with ``python -m tests.test_permissions``.
"""

from __future__ import annotations

import http.client
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from queue_server.domain import access
from queue_server.domain.access import API_ACTIONS, DEVICES, STAFF_ROLES
from tests.support.live_server import LiveServer

FEEDBACK_TOKEN = "demo-feedback-token"
MONITOR_TOKEN = "demo-monitor-token"  # the demo office's Prometheus device
DOC = Path(__file__).resolve().parent.parent / "docs" / "permissions.md"


@dataclass(frozen=True)
class Caller:
    role: str  # a staff role, a device kind, or "anonymous"
    account: str | None = None  # demo account (password "demo")
    workplace: str | None = None  # the workplace the demo office gave them
    situation: str = "job_search"  # a life situation whose queue that workplace serves


CALLERS = (
    Caller("admin", "admin", "window_2"),  # admin may act at any workplace; window_2 is free
    Caller("administrator", "hall"),
    Caller("reception", "reception", "window_1"),
    Caller("curator", "curator1", "window_3", "pre_pension"),
    Caller("specialist", "career", "room_11", "youth"),
    Caller("call_centre", "callcentre"),
    Caller("manager", "manager"),
    Caller("quality", "quality"),
    Caller("kiosk"),
    Caller("display"),
    Caller("feedback"),
    Caller("monitor"),
    Caller("anonymous"),
)


class Office:
    """The server, plus the setting-up an admin does before each allowed case."""

    def __init__(self, server: LiveServer):
        self.server = server

    def token(self, caller: Caller) -> str | None:
        if caller.account:
            return self.server.login(caller.account)
        return {"kiosk": self.server.kiosk_token, "display": self.server.display_token,
                "feedback": FEEDBACK_TOKEN, "monitor": MONITOR_TOKEN}.get(caller.role)

    def admin(self, ticket_id: str, action: str, body: dict | None = None) -> dict:
        status, answer = self.server.request("POST", f"/api/v1/tickets/{ticket_id}/{action}",
                                             token=self.server.login("admin"), body=body or {})
        assert status == 200, (action, status, answer)
        return answer

    def ticket(self, caller: Caller, state: str = "waiting") -> str:
        """A fresh ticket in ``state`` at the caller's workplace."""
        ticket_id = self.server.issue(caller.situation)["id"]
        if state == "finished":  # served by the admin; any caller may then rate it
            for action, body in (("call", {"workplace": "window_2"}), ("start", {}), ("finish", {})):
                self.admin(ticket_id, action, body)
            return ticket_id
        if caller.workplace is None and state != "cancelled":
            state = "waiting"  # the hall administrator acts on tickets still waiting
        if state == "cancelled":
            self.admin(ticket_id, "cancel")
        if state in ("called", "called 3 times", "serving"):
            self.admin(ticket_id, "call", {"workplace": caller.workplace})
        if state == "called 3 times":
            self.admin(ticket_id, "recall")
            self.admin(ticket_id, "recall")
        if state == "serving":
            self.admin(ticket_id, "start")
        return ticket_id

    def tidy(self, ticket_id: str | None) -> None:
        """Cancel what a case left active, so the workplace is free for the next one."""
        if ticket_id is None:
            return
        view = self.server.request("GET", f"/api/v1/tickets/{ticket_id}")[1]
        if view["status"] in ("waiting", "called", "serving", "postponed"):
            self.admin(ticket_id, "cancel")


@dataclass(frozen=True)
class Case:
    """One action as an API client performs it: what to set up, what to send, what success is."""

    permission: str
    method: str
    path: str  # {ticket}, {workplace} and {help} are filled in per case
    body: dict | None = None
    state: str | None = None  # the ticket state an allowed caller needs
    success: int = 200


CASES: dict[str, Case] = {
    "read office": Case("read office", "GET", "/api/v1/office"),
    "read queues": Case("read queues", "GET", "/api/v1/queues"),
    "read events": Case("read events", "GET", "/api/v1/events"),
    "read workplaces": Case("read workplaces", "GET", "/api/v1/workplaces"),
    "issue": Case("issue tickets", "POST", "/api/v1/tickets",
                  {"life_situation": "job_search", "language": "tt"}, success=201),
    "call-next": Case("call visitors", "POST", "/api/v1/workplaces/{workplace}/call-next",
                      state="waiting"),
    "call": Case("call visitors", "POST", "/api/v1/tickets/{ticket}/call",
                 {"workplace": "{workplace}"}, state="waiting"),
    "recall": Case("serve visitors", "POST", "/api/v1/tickets/{ticket}/recall", state="called"),
    "start": Case("serve visitors", "POST", "/api/v1/tickets/{ticket}/start", state="called"),
    "postpone": Case("serve visitors", "POST", "/api/v1/tickets/{ticket}/postpone",
                     {"minutes": 30}, state="called"),
    "no-show": Case("serve visitors", "POST", "/api/v1/tickets/{ticket}/no-show",
                    state="called 3 times"),
    "finish": Case("serve visitors", "POST", "/api/v1/tickets/{ticket}/finish",
                   {"services": ["resume"], "result": "done"}, state="serving"),
    "redirect": Case("redirect tickets", "POST", "/api/v1/tickets/{ticket}/redirect",
                     {"queue": "career", "comment": "к карьерному консультанту"}, state="called"),
    "cancel": Case("cancel tickets", "POST", "/api/v1/tickets/{ticket}/cancel",
                   {"reason": "left"}, state="waiting"),
    "restore": Case("restore tickets", "POST", "/api/v1/tickets/{ticket}/restore",
                    {"reason": "by mistake"}, state="cancelled"),
    "priority": Case("change priority", "POST", "/api/v1/tickets/{ticket}/priority",
                     {"priority": True}, state="waiting"),
    "situation": Case("change life situation", "POST", "/api/v1/tickets/{ticket}/situation",
                      {"life_situation": "lost_job"}, state="waiting"),
    "workplace status": Case("set workplace status", "POST", "/api/v1/workplaces/{workplace}/status",
                             {"status": "open"}, success=204),
    "help request": Case("request help", "POST", "/api/v1/help-calls", success=201),
    "help list": Case("answer help calls", "GET", "/api/v1/help-calls"),
    "help acknowledge": Case("answer help calls", "POST", "/api/v1/help-calls/{help}/acknowledge",
                             success=204),
    "device status": Case("report device status", "POST", "/api/v1/devices/status",
                          {"printer": "paper_out", "detail": "рулон кончился"}, success=204),
    "devices list": Case("read devices", "GET", "/api/v1/devices"),
    "day list": Case("read appointments", "GET", "/api/v1/appointments"),
    "book": Case("book appointments", "POST", "/api/v1/appointments",
                 {"queue": "employers", "slot": "{slot}", "phone": "+7 900 000-00-00"}, success=201),
    # An allowed caller reaches the check-in and hears the code is unknown; others are refused.
    "check in": Case("check in", "POST", "/api/v1/appointments/check-in",
                     {"code": "000000", "language": "ru"}, success=404),
    "door": Case("meet at the door", "GET", "/api/v1/appointments/door"),
    "messages list": Case("read messages", "GET", "/api/v1/messages"),
    "message resend": Case("resend messages", "POST", "/api/v1/messages/{message}/resend"),
    "rate": Case("rate visits", "POST", "/api/v1/feedback", {"ticket_id": "{ticket}", "rating": 4},
                 state="finished", success=201),
    "rating pending": Case("rate visits", "GET", "/api/v1/feedback/pending?workplace={workplace}"),
    "heartbeat": Case("send heartbeats", "POST", "/api/v1/devices/heartbeat", success=204),
    "metrics": Case("read metrics", "GET", "/api/v1/metrics"),
}


def allowed(caller: Caller, case: Case) -> bool:
    return access.may(caller.role, case.permission)


@pytest.fixture(scope="module")
def office(shared_server) -> Office:
    return Office(shared_server)


@pytest.fixture(scope="module")
def bystander(office) -> str:
    """A waiting ticket that denied callers aim at; it must stay untouched.

    It waits for the employers' window, where no caller here calls next."""
    return office.server.issue("staff_search")["id"]


def _failed_message(server: LiveServer) -> int:
    """A failed message to resend: a ticket issued with a foreign phone number."""
    issued = server.issue("staff_search", phone="+1 202 555 0100", phone_consent=True)
    assert issued["phone_accepted"] is False
    listed = server.request("GET", "/api/v1/messages?status=failed", token=server.login("admin"))[1]
    return next(m["id"] for m in listed["messages"] if m["ticket_id"] == issued["id"])


def _fill(value, names: dict[str, str]):
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, dict):
        return {key: _fill(item, names) for key, item in value.items()}
    return value


def _send(server: LiveServer, method: str, path: str, token: str | None,
          body: dict | None) -> tuple[int, object]:
    if path == "/api/v1/events":  # a stream: the status line is the answer
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        try:
            conn.request("GET", path, headers={"Authorization": f"Bearer {token}"} if token else {})
            response = conn.getresponse()
            if response.status == 200:
                return 200, None
            return response.status, json.loads(response.read())
        finally:
            conn.close()
    if path == "/api/v1/metrics":  # Prometheus text, not JSON, when allowed
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        try:
            conn.request("GET", path, headers={"Authorization": f"Bearer {token}"} if token else {})
            response = conn.getresponse()
            raw = response.read()
            return response.status, (None if response.status == 200 else json.loads(raw))
        finally:
            conn.close()
    return server.request(method, path, token=token, body=body)


@pytest.mark.parametrize("caller", CALLERS, ids=lambda c: c.role)
@pytest.mark.parametrize("name", list(CASES))
def test_role_against_action(office, bystander, caller: Caller, name: str):
    case = CASES[name]
    server = office.server
    names = {"ticket": bystander, "workplace": caller.workplace or "window_1", "help": "1",
             "slot": "2026-01-01T10:00", "message": "1"}
    ticket_id = None
    if allowed(caller, case):
        if case.state:
            ticket_id = office.ticket(caller, case.state)
            names["ticket"] = ticket_id
        if name == "help acknowledge":
            status, opened = server.request("POST", "/api/v1/help-calls", token=server.kiosk_token)
            assert status == 201
            names["help"] = str(opened["id"])
        if name == "book":
            status, free = server.request("GET", "/api/v1/appointments/slots?queue=employers&days=60",
                                          token=server.login("admin"))
            assert status == 200 and free["slots"], free
            names["slot"] = free["slots"][0]["at"]
        if name == "message resend":
            names["message"] = str(_failed_message(server))

    status, answer = _send(server, case.method, _fill(case.path, names), office.token(caller),
                           _fill(case.body, names))
    try:
        if allowed(caller, case):
            assert status == case.success, (status, answer)
            if name == "call-next":
                ticket_id = answer["id"]
        elif caller.role == "anonymous":
            assert status == 401, (status, answer)
            assert answer["error"] == "unauthorized"
        else:
            assert status == 403, (status, answer)
            assert answer["error"] == "forbidden" and "may not" in answer["reason"]
    finally:
        office.tidy(ticket_id)
    if not allowed(caller, case):
        view = server.request("GET", f"/api/v1/tickets/{bystander}")[1]
        assert (view["status"], view["calls"]) == ("waiting", 0), "a refused call changed a ticket"


def test_every_permission_is_exercised():
    assert {case.permission for case in CASES.values()} == set(API_ACTIONS)
    assert {c.role for c in CALLERS} == {*STAFF_ROLES, *DEVICES, "anonymous"}


# ---------------------------------------------------------------- own workplace only


def test_curator_cannot_act_on_a_ticket_at_another_curators_window(office):
    server = office.server
    curator2 = Caller("curator", "curator2", "window_4", "pre_pension")
    ticket_id = office.ticket(curator2, "called")
    try:
        for action, body in (("start", {}), ("recall", {}), ("postpone", {}),
                             ("redirect", {"queue": "career"}),
                             ("start", {"workplace": "window_4"})):
            status, answer = server.request("POST", f"/api/v1/tickets/{ticket_id}/{action}",
                                            token=server.login("curator1"), body=body)
            assert status == 403, (action, status, answer)
            assert answer["error"] == "forbidden" and "window_4" in answer["reason"]
        view = server.request("GET", f"/api/v1/tickets/{ticket_id}")[1]
        assert (view["status"], view["calls"], view["workplace"]["id"]) == ("called", 1, "window_4")
        status, _ = server.request("POST", f"/api/v1/tickets/{ticket_id}/start",
                                   token=server.login("curator2"), body={})
        assert status == 200  # its own curator may
    finally:
        office.tidy(ticket_id)


@pytest.mark.parametrize(("account", "workplace"), [
    ("curator1", "window_4"), ("reception", "window_3"), ("career", "room_12"),
    ("psychologist", "window_1"),
])
def test_call_next_at_a_workplace_not_assigned_is_refused(office, account, workplace):
    server = office.server
    token = server.login(account)
    status, answer = server.request("POST", f"/api/v1/workplaces/{workplace}/call-next", token=token)
    assert status == 403 and workplace in answer["reason"], (status, answer)
    ticket_id = server.issue("job_search")["id"]
    try:
        status, answer = server.request("POST", f"/api/v1/tickets/{ticket_id}/call", token=token,
                                        body={"workplace": workplace})
        assert status == 403 and workplace in answer["reason"], (status, answer)
        status, answer = server.request("POST", f"/api/v1/workplaces/{workplace}/status",
                                        token=token, body={"status": "break"})
        assert status == 403 and workplace in answer["reason"], (status, answer)
    finally:
        office.tidy(ticket_id)


# ---------------------------------------------------------------- refinements


@pytest.mark.parametrize("caller", [c for c in CALLERS if access.may(c.role, "issue tickets")],
                         ids=lambda c: c.role)
def test_printing_on_a_kiosk(office, caller: Caller):
    server = office.server
    status, answer = server.request("POST", "/api/v1/tickets", token=office.token(caller),
                                    body={"life_situation": "job_search", "print_on": "kiosk-1"})
    if access.may(caller.role, "print on a kiosk"):
        assert status == 201, (status, answer)
        office.tidy(answer["id"])
    else:
        assert status == 403, (status, answer)
        assert answer["reason"] == f"{caller.role} may not print on a kiosk"


@pytest.mark.parametrize("caller", [c for c in CALLERS if access.may(c.role, "cancel tickets")],
                         ids=lambda c: c.role)
def test_acting_on_a_ticket_at_a_workplace_not_ones_own(office, caller: Caller):
    """Only a refinement lets a caller act on a ticket called at someone else's window."""
    server = office.server
    ticket_id = office.ticket(Caller("curator", "curator2", "window_4", "pre_pension"), "called")
    try:
        status, answer = server.request("POST", f"/api/v1/tickets/{ticket_id}/cancel",
                                        token=office.token(caller), body={"reason": "left"})
        if access.may(caller.role, "act at any workplace") or access.may(
                caller.role, "work at every workplace"):
            assert status == 200, (status, answer)
        else:
            assert status == 403 and "window_4" in answer["reason"], (status, answer)
    finally:
        office.tidy(ticket_id)


def test_the_tables_name_only_known_roles_actions_and_pages():
    everyone = {*STAFF_ROLES, *DEVICES}
    for roles in (*API_ACTIONS.values(), *(r.roles for r in access.REFINEMENTS.values())):
        assert set(roles) <= everyone and len(set(roles)) == len(roles), roles
    for refinement in access.REFINEMENTS.values():
        assert set(refinement.refines) <= set(API_ACTIONS), refinement
    assert not set(access.REFINEMENTS) & set(API_ACTIONS), "may() could not tell them apart"
    for roles in access.STAFF_PAGES.values():
        assert set(roles) <= set(STAFF_ROLES), roles
    assert set(access.LANDING_PAGES) == set(STAFF_ROLES)
    for role in STAFF_ROLES:  # each role lands on a page it may open
        assert access.may_open(role, access.landing_page(role)), role


# ---------------------------------------------------------------- the documented tables

YES, NO = "✓", "—"
COLUMNS = (*STAFF_ROLES, *DEVICES)


def _marks(allowed, columns) -> str:
    return " | ".join(YES if column in allowed else NO for column in columns)


def _header(first: str, columns) -> list[str]:
    return ["| " + first + " | " + " | ".join(f"`{column}`" for column in columns) + " |",
            "|---|" + "|".join(":-:" for _ in columns) + "|"]


def roles_table() -> str:
    """The staff roles and the device kinds, with what each is."""
    lines = ["| role | who | lands on |", "|---|---|---|"]
    lines += [f"| `{role}` | {meaning} | {access.landing_page(role)} |"
              for role, meaning in access.ROLES.items()]
    lines += ["", "| device | what |", "|---|---|"]
    lines += [f"| `{kind}` | {meaning} |" for kind, meaning in access.DEVICE_KINDS.items()]
    return "\n".join(lines)


def permissions_table() -> str:
    """The roles × actions table of docs/permissions.md, generated from API_ACTIONS."""
    lines = _header("action", COLUMNS)
    lines += [f"| {action} | {_marks(roles, COLUMNS)} |" for action, roles in API_ACTIONS.items()]
    return "\n".join(lines)


def refinements_table() -> str:
    lines = ["| refinement | who | within | meaning |", "|---|---|---|---|"]
    for name, rule in access.REFINEMENTS.items():
        roles = ", ".join(f"`{role}`" for role in rule.roles)
        lines.append(f"| {name} | {roles} | {', '.join(rule.refines)} | {rule.meaning} |")
    return "\n".join(lines)


def pages_table() -> str:
    lines = _header("staff page or form", STAFF_ROLES)
    lines += [f"| {page} | {_marks(roles, STAFF_ROLES)} |" for page, roles in access.STAFF_PAGES.items()]
    return "\n".join(lines)


GENERATED = {"roles": roles_table, "api": permissions_table, "refinements": refinements_table,
             "pages": pages_table}


def regenerated(text: str) -> str:
    """``text`` with every generated block replaced by what the code says now."""
    for name, table in GENERATED.items():
        begin, end = f"<!-- generated: {name} -->\n", f"<!-- end: {name} -->"
        assert text.count(begin) == 1 and text.count(end) == 1, f"{name}: markers missing"
        head, rest = text.split(begin)
        tail = rest.split(end)[1]
        text = head + begin + table() + "\n" + end + tail
    return text


def documented_permissions(text: str) -> dict[str, set[str]]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| action |"))
    rows = []
    for line in lines[start:]:  # the first table only, up to its end
        if not line.startswith("|"):
            break
        if not line.startswith("|---"):
            rows.append(line)
    header = [cell.strip().strip("`") for cell in rows[0].strip("|").split("|")]
    assert header[0] == "action" and tuple(header[1:]) == COLUMNS, header
    table: dict[str, set[str]] = {}
    for row in rows[1:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert set(cells[1:]) <= {YES, NO}, row
        table[cells[0]] = {role for role, mark in zip(COLUMNS, cells[1:], strict=True) if mark == YES}
    return table


def test_docs_permissions_table_matches_the_code():
    text = DOC.read_text("utf-8")
    assert documented_permissions(text) == {action: set(roles) for action, roles in API_ACTIONS.items()}
    assert regenerated(text) == text, "regenerate with: python -m tests.test_permissions"
    for name, case in CASES.items():  # every action's API call is listed under its permission
        path = re.sub(r"\{(\w+)\}", lambda m: "{id}", case.path)  # ticket, workplace, help, message
        assert f"`{case.method} {path}" in text, (name, path)


if __name__ == "__main__":
    DOC.write_text(regenerated(DOC.read_text("utf-8")), "utf-8")
    print(f"regenerated the tables of {DOC}")
