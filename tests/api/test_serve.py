"""A real ``wfm serve``: a client that goes away frees its solve; SIGTERM ends the service and its solves."""

from __future__ import annotations

import time

import pytest

pytest.importorskip("uvicorn")
psutil = pytest.importorskip("psutil")
httpx = pytest.importorskip("httpx")

from wfm.roster import call_centre_instance  # noqa: E402

from .server import start  # noqa: E402

JSON = {"content-type": "application/json"}


def _solving(server) -> list[int]:
    """Pids of the solve processes (children of the fork server, itself a child of the service)."""
    tree = psutil.Process(server.process.pid).children(recursive=True)
    return [p.pid for p in tree if p.ppid() != server.process.pid and p.status() != psutil.STATUS_ZOMBIE]


def _wait(pred, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture(scope="module")
def problem() -> str:
    return call_centre_instance(40, weeks=4, seed=0, source="synthetic").model_dump_json()


@pytest.mark.slow
def test_disconnected_client_frees_its_solve(problem):
    import threading

    server = start()
    outcome: list[BaseException] = []

    def client() -> None:
        try:
            httpx.post(f"{server.url}/v1/roster", params={"time_limit_s": 100, "workers": 1}, content=problem,
                       headers=JSON, timeout=httpx.Timeout(5.0, read=8.0))
        except httpx.ReadTimeout as err:  # the client gives up and closes its connection
            outcome.append(err)

    try:
        thread = threading.Thread(target=client)
        thread.start()
        assert _wait(lambda: bool(_solving(server))), "the solve never started"
        thread.join(timeout=30)
        assert outcome, "the 100-s solve answered within the client's 8-s read timeout"
        assert _wait(lambda: not _solving(server)), "the solve outlived its client"
    finally:
        server.stop()


@pytest.mark.slow
def test_sigterm_ends_running_jobs_and_the_service(problem):
    server = start()
    resp = httpx.post(f"{server.url}/v1/roster/jobs", params={"time_limit_s": 600, "workers": 1}, content=problem,
                      headers=JSON)
    assert resp.status_code == 202
    assert _wait(lambda: bool(_solving(server)))
    workers = [psutil.Process(pid) for pid in _solving(server)]
    t0 = time.monotonic()
    code = server.stop(timeout=30)
    assert code in (0, -15) and time.monotonic() - t0 < 30
    for w in workers:
        assert not w.is_running() or w.status() == psutil.STATUS_ZOMBIE
