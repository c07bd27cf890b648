"""The HTTP service: translation only, and one error shape naming the field and the bad value."""

from __future__ import annotations

import warnings

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
with warnings.catch_warnings():
    # newer starlette prefers the httpx2 package for its test client; either works for these tests
    warnings.filterwarnings("ignore", message=".*httpx.*")
    from fastapi.testclient import TestClient

from wfm.api.http import create_app  # noqa: E402
from wfm.erlang import required_agents  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*httpx.*")
        return TestClient(create_app())


def test_health(client):
    assert client.get("/health").json() == {"status": "ok"}


def test_staffing_matches_the_library(client):
    rows = [{"queue": "q", "ts": f"2024-01-08T09:{m:02d}:00", "volume": v, "aht": 200.0}
            for m, v in [(0, 80.0), (30, 0.0)]]
    resp = client.post("/v1/staffing", json={"intervals": rows, "targets": {"service_level": 0.9}})
    assert resp.status_code == 200, resp.text
    got = [r["agents"] for r in resp.json()["rows"]]
    assert got == list(required_agents([80.0, 0.0], 200.0, service_level=0.9, interval_seconds=1800))


def test_bad_target_is_422_naming_the_field(client):
    rows = [{"ts": "2024-01-08T09:00:00", "volume": 10.0, "aht": 180.0},
            {"ts": "2024-01-08T09:30:00", "volume": 10.0, "aht": 180.0}]
    resp = client.post("/v1/staffing", json={"intervals": rows, "targets": {"service_level": 1.5}})
    assert resp.status_code == 422
    assert "service_level" in resp.text


def test_domain_error_has_the_structured_shape(client):
    rows = [{"ts": "2024-01-08T09:00:00", "volume": 10.0, "aht": 0.0},
            {"ts": "2024-01-08T09:30:00", "volume": 10.0, "aht": 180.0}]
    resp = client.post("/v1/staffing", json={"intervals": rows})
    assert resp.status_code == 422
    detail = resp.json()["error"]
    assert detail["field"] == "aht" and "aht" in detail["message"]


def test_roster_round_trips_json_and_infeasible_is_409_with_the_clash(client):
    from wfm.roster import check
    from wfm.roster.models import RosterSolution

    from ..roster.rosterkit import tiny

    problem = tiny(days=7, agents=3)
    resp = client.post("/v1/roster", params={"time_limit_s": 5, "workers": 1},
                       content=problem.model_dump_json(), headers={"content-type": "application/json"})
    assert resp.status_code == 200, resp.text
    solution = RosterSolution.model_validate(resp.json())
    assert check(problem, solution).ok and len(solution.assignments) == 7  # one shift a day covers demand 1

    clash = tiny(days=7, agents=1, leave=[problem.horizon.date_of(0)])
    clash.contracts[0].min_paid_minutes_per_week = 7 * 480  # all seven days, but day 0 is leave
    resp = client.post("/v1/roster", params={"time_limit_s": 5, "workers": 1},
                       content=clash.model_dump_json(), headers={"content-type": "application/json"})
    assert resp.status_code == 409, resp.text
    detail = resp.json()["error"]
    assert detail["conflicts"] and "min_paid_minutes" in resp.text


def test_shortfall_explains_a_roster(client):
    from ..roster.test_shortfall import AT_15, WED, _reasons_problem

    problem, solution = _reasons_problem()
    body = {"problem": problem.model_dump(mode="json"), "solution": solution.model_dump(mode="json"),
            "day": WED, "interval": AT_15}
    resp = client.post("/v1/roster/shortfall", json=body)
    assert resp.status_code == 200, resp.text
    (row,) = resp.json()
    assert row["reasons"]["min_rest_hours"] == ["a6"] and row["cheapest"]["delta"] == 200
    resp = client.post("/v1/roster/shortfall", json={**body, "day": 9})
    assert resp.status_code == 422 and "day" in resp.text
