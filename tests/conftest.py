"""Suite-wide pytest hooks.

CPU time per test, on request: the machine the suite is tuned on is shared, so wall-clock durations
(``--durations``) say as much about the neighbours as about a test. With ``WFM_TEST_CPU_LOG=path`` set, each
test's setup, call and teardown append one tab-separated line ``nodeid  phase  cpu_s  wall_s`` to ``path``:
CPU seconds of this process (every thread, CP-SAT's included) plus the child processes it waited for. Under
pytest-xdist every worker appends to the same file (one short write per line).
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Generator

import pytest

CPU_LOG = os.environ.get("WFM_TEST_CPU_LOG")


def _cpu_s() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(item: pytest.Item, phase: str) -> Generator[None, None, None]:
    cpu0, wall0 = _cpu_s(), time.perf_counter()
    yield
    if CPU_LOG:
        line = f"{item.nodeid}\t{phase}\t{_cpu_s() - cpu0:.3f}\t{time.perf_counter() - wall0:.3f}\n"
        with open(CPU_LOG, "a", encoding="utf-8") as out:
            out.write(line)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    yield from _timed(item, "setup")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    yield from _timed(item, "call")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    yield from _timed(item, "teardown")
