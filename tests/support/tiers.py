"""Which tests start a process: the ``live`` tier, left out of the fast edit-test loop.

A test is live when its function, or one of its fixtures, reaches ``subprocess`` or
``multiprocessing`` through code of ``tests/`` or ``bench/``: calls, classes (all
their methods) and ``module.attribute`` references are followed there, nowhere
else.  That is how every process of the suite is started: ``LiveServer`` (the
``live_server`` and ``shared_server`` fixtures and the modules' own server
fixtures), the CLI tests' ``python -m queue_server …`` and the benchmarks' servers.

Code outside tests/ and bench/ is not followed; a test that starts a process
through it anyway is caught while it runs (tests/conftest.py), and then carries
``@pytest.mark.live`` by hand.
"""

from __future__ import annotations

import dis
import importlib
import inspect
import sys
from types import CodeType, FunctionType, ModuleType

PROCESS_MODULES = ("subprocess", "multiprocessing")
FOLLOWED_PACKAGES = ("tests", "bench")
# sys.audit events of starting a program (https://docs.python.org/3/library/audit_events.html)
PROCESS_EVENTS = frozenset({
    "subprocess.Popen", "os.system", "os.posix_spawn", "os.spawn", "os.exec", "os.fork", "os.forkpty",
})

_verdicts: dict[object, bool] = {}


def _package(name: str) -> str:
    return name.partition(".")[0]


def _is_process_api(value: object) -> bool:
    if isinstance(value, ModuleType):
        return _package(value.__name__) in PROCESS_MODULES
    return _package(getattr(value, "__module__", None) or "") in PROCESS_MODULES


def _is_followed(value: object) -> bool:
    name = value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", None)
    return _package(name or "") in FOLLOWED_PACKAGES


def reaches_process(value: object) -> bool:
    """Whether calling ``value`` (a function or class of tests/ or bench/) may start a process."""
    if _is_process_api(value):
        return True
    if not _is_followed(value) or isinstance(value, ModuleType):
        return False
    key = getattr(value, "__code__", value)
    if key not in _verdicts:
        _verdicts[key] = False  # a cycle answers "no" until the walk is done
        _verdicts[key] = any(reaches_process(used) for used in _used_by(value))
    return _verdicts[key]


def _used_by(value: object) -> list[object]:
    if inspect.isclass(value):
        return [inspect.unwrap(member.__func__ if isinstance(member, classmethod | staticmethod) else member)
                for member in vars(value).values()
                if isinstance(member, FunctionType | classmethod | staticmethod)]
    function = inspect.unwrap(value)
    if not isinstance(function, FunctionType):
        return []
    return list(_names_used(function.__code__, function.__globals__))


def _names_used(code: CodeType, namespace: dict):
    """The objects ``code`` (and the functions nested in it) loads: globals, their attributes, imports."""
    current: object = None
    for instruction in dis.get_instructions(code):
        if instruction.opname == "LOAD_GLOBAL":
            current = namespace.get(instruction.argval, _MISSING)
        elif instruction.opname in ("LOAD_ATTR", "LOAD_METHOD") and current is not None:
            current = getattr(current, instruction.argval, _MISSING)
        elif instruction.opname == "IMPORT_NAME":
            current = _imported(instruction.argval)
        elif instruction.opname == "IMPORT_FROM" and current is not None:
            found = getattr(current, instruction.argval, _MISSING)
            if found is _MISSING and isinstance(current, ModuleType):
                found = _imported(f"{current.__name__}.{instruction.argval}")
            if found is not _MISSING:
                yield found
            continue  # the module stays current for the next name of the same import
        else:
            current = None
            continue
        if current is _MISSING:
            current = None
        elif current is not None:
            yield current
    for constant in code.co_consts:
        if isinstance(constant, CodeType):
            yield from _names_used(constant, namespace)


def _imported(name: str) -> object:
    if _package(name) in PROCESS_MODULES:
        return sys.modules.get(name) or importlib.import_module(name)
    if _package(name) in FOLLOWED_PACKAGES:
        try:
            return importlib.import_module(name)
        except ImportError:
            return None
    return None


_MISSING = object()
