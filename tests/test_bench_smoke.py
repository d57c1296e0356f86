"""The core benchmarks still run end to end (``--quick``) and produce figures.

They do not check the goals (that is what the benchmarks are for, see
docs/performance.md), only that each one starts real servers, loads them and
writes a result with numbers in it, so bench/ does not rot.
"""

from __future__ import annotations

import json
import math

import pytest

from bench import core_call_next, core_history, core_issue, reports_year


def _result(out, name: str) -> dict:
    return json.loads((out / f"{name}.json").read_text())


def _is_number(value) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and value > 0


def test_issue_bench_measures_both_sides(tmp_path):
    assert core_issue.main(["--quick", "--out", str(tmp_path)]) == 0
    result = _result(tmp_path, "core_issue")
    for side in ("baseline", "issue"):
        assert result["sides"][side]["requests"] > 0
        assert _is_number(result["sides"][side]["req_per_s"])
        assert _is_number(result["sides"][side]["p99_ms"])
    assert _is_number(result["ratio"])
    assert result["machine"]["cpus"] >= 1


def test_call_next_bench_measures_operators(tmp_path):
    assert core_call_next.main(["--quick", "--operators", "4", "--out", str(tmp_path)]) == 0
    result = _result(tmp_path, "core_call_next")
    for scenario in ("human pace", "no pause"):
        outcome = result["scenarios"][scenario]
        latency = outcome["latency"]["call-next"]
        assert latency["count"] > 0 and _is_number(latency["p99_ms"])
        assert outcome["errors"] == 0
        # every served visitor was replaced by a new one: the line stayed as long as it was
        assert outcome["waiting_after"] == outcome["waiting_before"]


def test_history_bench_builds_and_compares(tmp_path):
    assert core_history.main(["--quick", "--out", str(tmp_path)]) == 0
    result = _result(tmp_path, "core_history")
    assert (tmp_path / "history-2000.db").exists()
    assert set(result["ratios"]) == {"issue p50", "issue p99", "call-next p50", "call-next p99"}
    assert all(_is_number(ratio) for ratio in result["ratios"].values())


@pytest.mark.parametrize("name", ["core_issue", "core_call_next", "core_history"])
def test_bench_runner_finds_the_core_benchmarks(name):
    from bench.__main__ import bench_names

    assert name in bench_names()


@pytest.mark.live  # writing the result asks the machine's name of a subprocess (uname)
def test_free_slot_search_bench_measures_both_sides(tmp_path):
    from bench import appointments_slots

    assert appointments_slots.main(["--quick", "--out", str(tmp_path)]) == 0
    result = _result(tmp_path, "appointments_slots")
    assert result["bookings"] > 0
    for side in ("baseline", "search"):
        assert _is_number(result[side]["p99_ms"])


@pytest.mark.live
def test_reports_bench_times_pages_and_issue_latency(tmp_path):
    assert reports_year.main(["--quick", "--out", str(tmp_path)]) == 0
    result = _result(tmp_path, "reports_year")
    assert all(_is_number(page["median_s"]) for page in result["pages"].values())
    assert {"report, year", "today.json", "events.jsonl, month"} <= set(result["pages"])
    assert all(_is_number(ratio) for ratio in result["issue_ratio"].values())


@pytest.mark.live  # its server is started from a method, which the tier finder does not follow
def test_office_day_bench_replays_a_small_day_through_a_kill_9(tmp_path):
    from bench import office_day

    assert office_day.main(["--visits", "40", "--workplaces", "6", "--screens", "2", "--speed", "4000",
                            "--out", str(tmp_path)]) == 0
    result = _result(tmp_path, "office_day")
    outcome = result["outcome"]
    assert outcome["confirmed"] == outcome["tickets"] == 40 + outcome["late_walk_ins"]
    assert (outcome["lost"], outcome["duplicated"], outcome["called_twice"]) == (0, 0, 0)
    assert result["restart_seconds"] > 0
    assert _is_number(result["latency"]["call → screen"]["p99_ms"])
    booked = result["bookings"]  # the call centre, its visitors at the kiosk, the feedback tablets
    assert booked["bookings"] == booked["booked_in_db"] > 0
    assert booked["checked_in"] == booked["checked_in_db"] == booked["appointment_tickets"]
    assert booked["ratings_sent"] == booked["ratings_in_db"]
    assert (booked["check_in_lost"], booked["check_in_duplicated"]) == (0, 0)
    assert (booked["ratings_lost"], booked["ratings_duplicated"]) == (0, 0)
