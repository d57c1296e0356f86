"""The ``live`` tier finds every way a test starts a process (tests/support/tiers.py)."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys

from bench import core_issue
from tests.support.live_server import LiveServer
from tests.support.tiers import reaches_process


def run_python() -> None:
    subprocess.run([sys.executable, "-c", "pass"], check=True)


def through_a_helper() -> None:
    run_python()


def imports_inside() -> None:
    from subprocess import run

    run(["true"], check=True)


def nested() -> list:
    return [lambda: run_python()]


class Workers:
    def start(self) -> None:
        multiprocessing.get_context("spawn").Process(target=print).start()


def pure(value: int) -> int:
    return sorted([value, 1])[0]


def uses_a_pure_helper() -> int:
    return pure(3) + len(sys.argv)


# In tuples, so that these tests, which only name them, stay in the fast tier themselves.
STARTERS = (run_python, through_a_helper, imports_inside, nested, Workers,
            LiveServer, core_issue.main)  # the suite's servers, the benchmarks' servers
NOT_STARTERS = (pure, uses_a_pure_helper, print, sys.exit)


def test_direct_indirect_imported_and_nested_process_starts_are_found():
    for starter in STARTERS:
        assert reaches_process(starter), starter.__qualname__


def test_code_without_processes_is_not_live():
    for function in NOT_STARTERS:
        assert not reaches_process(function), function.__qualname__

