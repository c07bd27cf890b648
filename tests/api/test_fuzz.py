"""Schemathesis against a real ``wfm serve`` on loopback: every operation, no 5xx, no hang, schema-true answers.

The quick run (default ``pytest``) sends a few examples per operation; the slow run (``-m slow``) sends
enough that the total passes 1,000 requests. The server runs with small solve limits so that any roster the
fuzzer manages to make valid solves in seconds (the limits are in the schema, so the fuzzer stays inside).
"""

from __future__ import annotations

import time

import pytest

schemathesis = pytest.importorskip("schemathesis")
pytest.importorskip("uvicorn")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis import GenerationMode, checks  # noqa: E402

from .server import start  # noqa: E402

SYNC_LIMIT_S = 2.0
#: Every answer within this (seconds): the solve cap, a worker's start and a loaded 2-core machine's margin.
CAP_S = SYNC_LIMIT_S + 20.0
LIMITS = {"WFM_MAX_SYNC_TIME_LIMIT_S": str(SYNC_LIMIT_S), "WFM_MAX_TIME_LIMIT_S": "3",
          "WFM_MAX_QUEUED_SOLVES": "4", "WFM_MAX_CONCURRENT_SOLVES": "1", "WFM_MAX_WORKERS": "2",
          "WFM_MAX_HORIZON_INTERVALS": "2000", "WFM_MAX_ROWS": "20000"}
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance]
SENT: dict[str, int] = {"requests": 0}


@pytest.fixture(scope="module")
def server():
    s = start(LIMITS)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def operations(server):
    api = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    ops = [result.ok() for result in api.get_all_operations()]
    assert len(ops) >= 8  # health, staffing, forecast, roster, jobs (post, get, delete), shortfall
    return ops


def _call(case, server) -> None:
    t0 = time.monotonic()
    case.call_and_validate(base_url=server.url, checks=CHECKS, timeout=CAP_S + 10)
    took = time.monotonic() - t0
    SENT["requests"] += 1
    assert took <= CAP_S, f"{case.method} {case.path} took {took:.1f} s (cap {CAP_S} s)"


def _fuzz(operations, server, examples: int) -> None:
    """Valid and invalid requests for every operation; each must pass the checks."""
    for op in operations:
        cases = st.one_of(op.as_strategy(GenerationMode.POSITIVE), op.as_strategy(GenerationMode.NEGATIVE))

        @given(case=cases)
        @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None,
                  derandomize=True)
        def run(case) -> None:
            _call(case, server)

        run()


def test_every_operation_quick(operations, server):
    _fuzz(operations, server, 4)


@pytest.mark.slow
def test_every_operation_slow(operations, server):
    before = SENT["requests"]
    _fuzz(operations, server, 170)
    print(f"schemathesis: {SENT['requests'] - before} requests, every check passed")
    assert SENT["requests"] - before >= 1000, SENT


def test_big_bodies_are_refused_without_being_read_whole(server):
    import httpx

    big = 36 * 1024 * 1024
    declared = httpx.post(f"{server.url}/v1/staffing", content=b" " * big, timeout=60,
                          headers={"content-type": "application/json"})
    assert declared.status_code == 413 and declared.json()["error"]["field"] == "body"

    def chunks():  # no Content-Length: counted as it streams in
        for _ in range(36):
            yield b" " * (1024 * 1024)

    streamed = httpx.post(f"{server.url}/v1/forecast", content=chunks(), timeout=60,
                          headers={"content-type": "application/json"})
    assert streamed.status_code == 413 and streamed.json()["error"]["code"] == "limit_exceeded"


def test_server_stops_on_sigterm(server):
    import httpx

    assert httpx.get(f"{server.url}/health").status_code == 200
    code = server.stop(timeout=30)
    assert code in (0, -15), code  # uvicorn re-raises the captured SIGTERM after its graceful shutdown
