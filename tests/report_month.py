"""A generated month of visits whose report figures are known in advance.

December 2026, every weekday (23 days), the same seven visits a day, driven through
the real service use cases on a manual clock.  The expected figures are worked out
by hand in ``EXPECTED`` (docs/reports.md explains each definition):

  V1 job_search   wait 10, service 10, finished with job_search_help + resume; rated 5
  V2 job_search   wait 20, service 5 → redirected to curator; wait 3, service 12,
                  finished with employment_plan; rated 4
  V3 lost_job     wait 0, no-show after three calls, restored; wait 2, service 10,
                  finished with unemployment_benefit; rated 2
  V4 pre_pension  appointment 11:00, arrived 10:50, called 11:04 (4 after the
                  appointment), service 10, finished without services
  V5 job_search   cancelled while waiting
  V6 job_search   wait 30, service 5, postponed (and left so)
  V7 disability   curator: wait 6, service 4 → psychologist, return to me; wait 10,
                  service 20 (psychological_support); back: wait 1, service 9
                  (disability_employment_support); rated 3
Window 1 is open 09:00–17:00, window 3 09:00–14:00; one phone rating of 5 on 15 Dec.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from queue_server.service import Services

ZONE = ZoneInfo("Europe/Moscow")
FIRST, LAST = date(2026, 12, 1), date(2026, 12, 31)
WORKDAYS = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)
            if (FIRST + timedelta(days=n)).weekday() < 5]
REC, CUR, PSY, ADMIN = "user:rec", "user:cur", "user:psy", "user:boss"
DAYS = len(WORKDAYS)  # 23

EXPECTED = {
    "visits": 7 * DAYS, "finished": 5 * DAYS, "waits": 10 * DAYS,
    "wait_mean": 8.6, "wait_median": 5.0, "wait_p90": 20.0,
    "walk_in_waits": 9 * DAYS, "within_norm": 77.8,
    "appointment_waits": DAYS, "within_appointment_norm": 100.0,
    "services": 9 * DAYS, "service_mean": 9.44, "service_median": 10.0,
    "redirects": 2 * DAYS, "returns": DAYS, "no_shows": DAYS, "postponed": DAYS,
    "cancelled": DAYS, "restored": DAYS,
}


def _at(day: date, hh: int, mm: int) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=ZONE)


def generate(services: Services, clock) -> dict[str, list[str]]:
    """Write the month; answers the ticket ids of each visit kind (V1…V7)."""
    ids: dict[str, list[str]] = {f"V{n}": [] for n in range(1, 8)}
    t, fb, desk = services.tickets, services.feedback, services.desk

    def at(day, hh, mm):
        clock.set(_at(day, hh, mm))

    def issue(situation, **extra):
        return t.issue(life_situation=situation, language="ru", priority=False,
                       actor="device:kiosk-1", **extra).ticket.id

    def serve(ticket_id, workplace, actor, day, called, started, **finish):
        at(day, *called)
        t.call(ticket_id, workplace, actor=actor)
        at(day, *started)
        t.start(ticket_id, workplace=workplace, actor=actor)
        if finish:
            at(day, *finish.pop("at"))
            t.finish(ticket_id, workplace=workplace, actor=actor, **finish)

    for day in WORKDAYS:
        at(day, 9, 0)
        desk.set_workplace_status("window_1", "open", user="rec", actor=REC)
        desk.set_workplace_status("window_3", "open", user="cur", actor=CUR)
        v1 = issue("job_search")
        at(day, 9, 5)
        v2 = issue("job_search")
        serve(v1, "window_1", REC, day, (9, 10), (9, 10), at=(9, 20),
              services=["job_search_help", "resume"], result="vacancies")
        fb.rate(v1, 5, ["quick", "polite"], "", source="tablet", workplace="window_1")
        serve(v2, "window_1", REC, day, (9, 25), (9, 25))
        at(day, 9, 30)
        t.redirect(v2, queue="curator", workplace=None, comment="", return_to_me=False,
                   from_workplace="window_1", actor=REC)
        serve(v2, "window_3", CUR, day, (9, 33), (9, 33), at=(9, 45), services=["employment_plan"],
              result="plan")
        fb.rate(v2, 4, ["polite"], "", source="tablet", workplace="window_3")

        at(day, 10, 0)
        v3 = issue("lost_job")
        t.call(v3, "window_1", actor=REC)
        at(day, 10, 2)
        t.recall(v3, workplace="window_1", actor=REC)
        t.recall(v3, workplace="window_1", actor=REC)
        at(day, 10, 5)
        t.no_show(v3, workplace="window_1", actor=REC)
        at(day, 10, 10)
        t.restore(v3, reason="came back", workplace=None, actor=ADMIN)
        serve(v3, "window_1", REC, day, (10, 12), (10, 12), at=(10, 22),
              services=["unemployment_benefit"], result="benefit")
        fb.rate(v3, 2, ["long_wait"], "Долго ждал", source="tablet", workplace="window_1")

        at(day, 10, 50)
        v4 = issue("pre_pension", appointment_at=_at(day, 11, 0))
        serve(v4, "window_3", CUR, day, (11, 4), (11, 4), at=(11, 14), services=[], result="consulted")

        at(day, 11, 30)
        v5 = issue("job_search")
        at(day, 11, 40)
        t.cancel(v5, reason="left", workplace=None, actor=ADMIN)

        at(day, 12, 0)
        v6 = issue("job_search")
        serve(v6, "window_1", REC, day, (12, 30), (12, 30))
        at(day, 12, 35)
        t.postpone(v6, minutes=None, workplace="window_1", actor=REC)

        at(day, 13, 0)
        v7 = issue("disability")
        serve(v7, "window_3", CUR, day, (13, 6), (13, 6))
        at(day, 13, 10)
        t.redirect(v7, queue=None, workplace="room_12", comment="", return_to_me=True,
                   from_workplace="window_3", actor=CUR)
        serve(v7, "room_12", PSY, day, (13, 20), (13, 20), at=(13, 40),
              services=["psychological_support"], result="")
        serve(v7, "window_3", CUR, day, (13, 41), (13, 41), at=(13, 50),
              services=["disability_employment_support"], result="plan")
        fb.rate(v7, 3, [], "", source="tablet", workplace="window_3")

        at(day, 14, 0)
        desk.set_workplace_status("window_3", "closed", user=None, actor=CUR)
        at(day, 17, 0)
        desk.set_workplace_status("window_1", "closed", user=None, actor=REC)
        if day == date(2026, 12, 15):
            at(day, 16, 0)
            fb.record(5, "Спасибо по телефону", source="phone", ticket_id=None, actor="user:cur")
        for name, ticket_id in zip(ids, (v1, v2, v3, v4, v5, v6, v7), strict=True):
            ids[name].append(ticket_id)
    return ids
