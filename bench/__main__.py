"""Run every benchmark in bench/ in turn: ``python -m bench [--quick] [--only NAME]``.

A benchmark is a module ``bench/<area>_<what>.py`` with ``main(argv=None)`` that
takes ``--quick`` (a short smoke run).  Helpers (``support``, names starting with
``_``) are not run.  Each benchmark prints its table and writes var/bench/<name>.json.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import sys
import time
import traceback
from pathlib import Path

HELPERS = {"support", "__main__"}


def bench_names() -> list[str]:
    here = Path(__file__).parent
    return sorted(module.name for module in pkgutil.iter_modules([str(here)])
                  if module.name not in HELPERS and not module.name.startswith("_"))


def run_one(name: str, args: list[str]) -> None:
    module = importlib.import_module(f"bench.{name}")
    main = getattr(module, "main", None)
    if main is None:
        print(f"bench.{name}: no main(), skipped")
        return
    if inspect.signature(main).parameters:
        main(args)
    else:  # a main() that reads sys.argv itself
        saved, sys.argv = sys.argv, [f"bench.{name}", *args]
        try:
            main()
        finally:
            sys.argv = saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short smoke runs")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="run only this benchmark (e.g. core_issue); may repeat")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and stop")
    args = parser.parse_args(argv)
    names = bench_names()
    if args.list:
        print("\n".join(names))
        return 0
    if args.only:
        unknown = sorted(set(args.only) - set(names))
        if unknown:
            parser.error(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(names)}")
        names = [name for name in names if name in args.only]
    failed = []
    for name in names:
        print(f"\n=== bench.{name} ===", flush=True)
        started = time.perf_counter()
        try:
            run_one(name, ["--quick"] if args.quick else [])
        except Exception:  # one broken bench must not hide the others' figures
            traceback.print_exc()
            failed.append(name)
        print(f"=== bench.{name}: {time.perf_counter() - started:.1f} s", flush=True)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
