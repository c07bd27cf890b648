"""Roster jobs: 202 + id, status with the result, cancel ends the worker process, a full queue is 503."""

from __future__ import annotations

import time
import warnings

import pytest

pytest.importorskip("fastapi")
psutil = pytest.importorskip("psutil")
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx.*")
    from fastapi.testclient import TestClient

from wfm.api.errors import ServiceBusyError  # noqa: E402
from wfm.api.http import create_app  # noqa: E402
from wfm.api.jobs import JobManager, roster_options  # noqa: E402
from wfm.roster import RosterSolution, call_centre_instance, check  # noqa: E402

from ..roster.rosterkit import tiny  # noqa: E402

JSON = {"content-type": "application/json"}


def _long_problem() -> str:
    """A problem CP-SAT will not finish early: 40 agents over 4 weeks, solved with a 60-s limit."""
    return call_centre_instance(40, weeks=4, seed=0, source="synthetic").model_dump_json()


def _wait(client, job_id: str, states: set[str], timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get(f"/v1/roster/jobs/{job_id}").json()
        if state["status"] in states:
            return state
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} not in {states} after {timeout} s: {state}")


@pytest.fixture(scope="module")
def client():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*httpx.*")
        with TestClient(create_app()) as c:
            yield c


def test_job_is_accepted_then_gives_a_checked_roster(client):
    problem = tiny(days=7, agents=3)
    resp = client.post("/v1/roster/jobs", params={"time_limit_s": 5, "workers": 1},
                       content=problem.model_dump_json(), headers=JSON)
    assert resp.status_code == 202, resp.text
    job = resp.json()
    assert resp.headers["location"] == f"/v1/roster/jobs/{job['id']}" and job["status"] in ("queued", "running")
    state = _wait(client, job["id"], {"succeeded", "failed"})
    assert state["status"] == "succeeded", state
    solution = RosterSolution.model_validate(state["result"])
    assert check(problem, solution).ok and len(solution.assignments) == 7


def test_cancel_ends_the_worker_process(client):
    resp = client.post("/v1/roster/jobs", params={"time_limit_s": 60, "workers": 1}, content=_long_problem(),
                       headers=JSON)
    job_id = resp.json()["id"]
    state = _wait(client, job_id, {"running"})
    pid = state["worker_pid"]
    assert psutil.pid_exists(pid)
    time.sleep(1.0)  # well inside the solve
    cancelled = client.delete(f"/v1/roster/jobs/{job_id}")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    deadline = time.monotonic() + 10
    while psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the solve's process outlived its cancel"
        time.sleep(0.1)
    assert client.get(f"/v1/roster/jobs/{job_id}").json()["status"] == "cancelled"


def test_full_queue_is_refused_and_shutdown_ends_everything():
    manager = JobManager(max_running=1, max_queued=1)
    try:
        problem = _long_problem()
        opts = roster_options(60, 1, 0)
        running = manager.submit(problem, opts)
        deadline = time.monotonic() + 30
        while running.status != "running":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        queued = manager.submit(problem, opts)
        with pytest.raises(ServiceBusyError) as err:
            manager.submit(problem, opts)
        assert err.value.field == "queue"
        assert manager.counts() == {"running": 1, "queued": 1}
        pid = running.process.pid
    finally:
        manager.shutdown()
    assert running.status == queued.status == "cancelled"
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_busy_is_503_over_http():
    from wfm.limits import set_limits

    previous = set_limits(max_concurrent_solves=1, max_queued_solves=0)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*httpx.*")
            with TestClient(create_app()) as c:
                resp = c.post("/v1/roster/jobs", content=tiny().model_dump_json(), headers=JSON)
                assert resp.status_code == 503, resp.text
                assert resp.json()["error"]["code"] == "busy"
    finally:
        set_limits(previous)


def test_failed_solve_reports_the_error_as_data(client):
    problem = tiny(days=7, agents=1, leave=[tiny(days=7, agents=1).horizon.date_of(0)])
    problem.contracts[0].min_paid_minutes_per_week = 7 * 480
    resp = client.post("/v1/roster/jobs", params={"time_limit_s": 5, "workers": 1},
                       content=problem.model_dump_json(), headers=JSON)
    state = _wait(client, resp.json()["id"], {"succeeded", "failed"})
    assert state["status"] == "failed" and state["error"]["code"] == "infeasible"
    assert all(isinstance(c, dict) for c in state["error"]["conflicts"])


def test_running_job_reports_objective_and_bound(client):
    # 6 agents for a week with 10 s: the first roster comes in about a second, long before the solve ends (the
    # test cancels it once seen)
    problem = call_centre_instance(6, weeks=1, seed=0, source="synthetic").model_dump_json()
    resp = client.post("/v1/roster/jobs", params={"time_limit_s": 10, "workers": 1}, content=problem, headers=JSON)
    job_id = resp.json()["id"]
    try:
        deadline = time.monotonic() + 60
        while True:
            state = client.get(f"/v1/roster/jobs/{job_id}").json()
            if state["objective"] is not None or state["status"] not in ("running", "queued"):
                break
            assert time.monotonic() < deadline
            time.sleep(0.1)
        # seen while the solve still runs: a roster's objective and the solver's bound below it
        assert state["status"] == "running", state
        assert state["objective"] is not None and state["bound"] is not None
        assert state["bound"] <= state["objective"] + 1e-6
    finally:
        client.delete(f"/v1/roster/jobs/{job_id}")


def test_sync_solve_waits_for_a_slot_at_most_the_sync_cap():
    from wfm.limits import set_limits

    previous = set_limits(max_concurrent_solves=1, max_sync_time_limit_s=1.0)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*httpx.*")
            with TestClient(create_app()) as c:
                long = c.post("/v1/roster/jobs", params={"time_limit_s": 60, "workers": 1},
                              content=_long_problem(), headers=JSON).json()["id"]
                _wait(c, long, {"running"})
                t0 = time.monotonic()
                resp = c.post("/v1/roster", params={"time_limit_s": 1}, content=tiny().model_dump_json(),
                              headers=JSON)
                assert resp.status_code == 503 and resp.json()["error"]["field"] == "queue", resp.text
                assert time.monotonic() - t0 < 30
                c.delete(f"/v1/roster/jobs/{long}")
    finally:
        set_limits(previous)
