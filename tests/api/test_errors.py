"""Issue 19 over HTTP: each case found by hand, as a regression test, and the one error shape."""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx.*")
    from fastapi.testclient import TestClient

from wfm.api.http import create_app  # noqa: E402
from wfm.forecast import generate_intervals  # noqa: E402

from ..roster.rosterkit import tiny  # noqa: E402

SHAPE = {"code", "field", "message", "value"}


@pytest.fixture(scope="module")
def client():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*httpx.*")
        with TestClient(create_app()) as c:
            yield c


def _rows(n: int = 2, aht: float = 180.0) -> list[dict]:
    return [{"ts": f"2024-01-08T09:{30 * i:02d}:00", "volume": 10.0, "aht": aht} for i in range(n)]


def _error(resp, status: int) -> dict:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"} and SHAPE <= set(body["error"]), body
    return body["error"]


# ---- hangs and unbounded work ----------------------------------------------------------------------------
def test_huge_aht_is_a_limit_not_a_hang(client):
    err = _error(client.post("/v1/staffing", json={"intervals": _rows(aht=1e300)}), 422)
    assert err["field"] == "aht" and err["code"] == "limit_exceeded" and err["value"] == 1e300
    err = _error(client.post("/v1/staffing", json={"intervals": _rows(), "aht": 1e300}), 422)
    assert err["field"] == "aht"


@pytest.mark.parametrize("horizon", [1_000_000_000_000, 1_000_000])
def test_huge_horizon_is_a_limit(client, horizon):
    hist = generate_intervals(pd.Timestamp("2024-01-01"), days=21, freq="1h", seed=0)
    rows = [{"ts": t.isoformat(), "volume": float(v)} for t, v in zip(hist["ts"], hist["volume"], strict=True)]
    err = _error(client.post("/v1/forecast", json={"history": rows, "horizon": horizon, "model": "week_mean"}), 422)
    assert err["field"] == "horizon" and err["code"] == "limit_exceeded" and err["value"] == horizon


def test_body_over_the_limit_is_413(client):
    body = b'{"intervals": [' + b" " * (36 * 1024 * 1024) + b"]}"
    err = _error(client.post("/v1/staffing", content=body, headers={"content-type": "application/json"}), 413)
    assert err["field"] == "body" and err["code"] == "limit_exceeded"


@pytest.mark.parametrize(("params", "field"), [
    ({"time_limit_s": "nan"}, "time_limit_s"), ({"time_limit_s": "inf"}, "time_limit_s"),
    ({"time_limit_s": 1e9}, "time_limit_s"), ({"workers": 10000}, "workers"), ({"seed": -1}, "seed")])
def test_roster_options_out_of_range_are_422_naming_the_field(client, params, field):
    problem = tiny(days=7, agents=3)
    for path in ("/v1/roster", "/v1/roster/jobs"):
        err = _error(client.post(path, params=params, content=problem.model_dump_json(),
                                 headers={"content-type": "application/json"}), 422)
        assert err["field"] == field, err


def test_sync_roster_is_capped_at_the_sync_limit(client):
    from wfm.limits import limits

    cap = limits().max_sync_time_limit_s
    problem = tiny(days=7, agents=3).model_dump_json()
    err = _error(client.post("/v1/roster", params={"time_limit_s": cap + 1}, content=problem,
                             headers={"content-type": "application/json"}), 422)
    assert err["field"] == "time_limit_s"
    spec = client.get("/openapi.json").json()
    (param,) = [p for p in spec["paths"]["/v1/roster"]["post"]["parameters"] if p["name"] == "time_limit_s"]
    assert param["schema"]["maximum"] == cap


# ---- crashes and wrong answers ---------------------------------------------------------------------------
def test_shortfall_with_an_unknown_shift_is_422_not_500(client):
    from ..roster.test_shortfall import _reasons_problem

    problem, solution = _reasons_problem()
    bad = solution.model_copy(update={"assignments": [solution.assignments[0].model_copy(update={"shift": "NOPE"}),
                                                      *solution.assignments[1:]]})
    body = {"problem": problem.model_dump(mode="json"), "solution": bad.model_dump(mode="json")}
    err = _error(client.post("/v1/roster/shortfall", json=body), 422)
    assert err["field"] == "solution.assignments.0.shift" and err["value"] == "NOPE"


def test_time_zone_aware_history_across_dst_forecasts(client):
    hist = generate_intervals(pd.Timestamp("2024-02-26"), days=42, freq="1h", seed=0)
    inst = pd.date_range("2024-02-26", periods=len(hist), freq="1h", tz="UTC").tz_convert("Europe/Berlin")
    rows = [{"ts": t.isoformat(), "volume": float(v)} for t, v in zip(inst, hist["volume"], strict=True)]
    assert {r["ts"][-6:] for r in rows} == {"+01:00", "+02:00"}
    resp = client.post("/v1/forecast", json={"history": rows, "horizon": "2D", "model": "week_mean"})
    assert resp.status_code == 200, resp.text
    assert len(resp.json()["rows"]) == 48
    staff = client.post("/v1/staffing", json={"intervals": [{**r, "aht": 180.0} for r in rows[-48:]]})
    assert staff.status_code == 200, staff.text


@pytest.mark.parametrize("times", [["09:00", "09:17", "10:00"], ["09:00", "09:30", "09:30"]])
def test_staffing_refuses_irregular_or_duplicate_times(client, times):
    rows = [{"ts": f"2024-01-08T{t}:00", "volume": 10.0, "aht": 180.0} for t in times]
    err = _error(client.post("/v1/staffing", json={"intervals": rows}), 422)
    assert err["field"] == "ts"


# ---- errors a program can use ----------------------------------------------------------------------------
def test_schema_and_domain_errors_share_one_shape(client):
    schema_err = _error(client.post("/v1/staffing", json={"intervals": _rows(), "targets": {"service_level": 2}}),
                        422)
    assert schema_err["field"] == "targets.service_level" and schema_err["value"] == 2
    domain = _error(client.post("/v1/staffing", json={"intervals": [{**_rows()[0], "aht": 0.0}, _rows()[1]]}), 422)
    assert domain["field"] == "aht" and domain["code"] == "data_format"


def test_nan_in_a_body_keeps_its_field(client):
    body = b'{"intervals": [{"ts": "2024-01-08T09:00:00", "volume": NaN, "aht": 180}]}'
    err = _error(client.post("/v1/staffing", content=body, headers={"content-type": "application/json"}), 422)
    assert err["field"] == "intervals.0.volume"


def test_junk_is_not_echoed_back(client):
    junk = "x" * (10 * 1024 * 1024)
    resp = client.post("/v1/staffing", json={"intervals": _rows(), "targets": {"service_level": junk}})
    err = _error(resp, 422)
    assert len(resp.content) < 2000 and err["field"] == "targets.service_level"
    problem = json.loads(tiny(days=7, agents=3).model_dump_json())
    problem["agents"][0]["contract"] = 12
    resp = client.post("/v1/roster", json={**problem, "name": "n" * 100_000})
    assert resp.status_code == 422 and len(resp.content) < 2000, resp.text[:300]


def test_infeasible_conflicts_are_json_objects(client):
    problem = tiny(days=7, agents=1, leave=[tiny(days=7, agents=1).horizon.date_of(0)])
    problem.contracts[0].min_paid_minutes_per_week = 7 * 480
    err = _error(client.post("/v1/roster", params={"time_limit_s": 5, "workers": 1},
                             content=problem.model_dump_json(), headers={"content-type": "application/json"}), 409)
    assert err["conflicts"] and all(isinstance(c, dict) and "rule" in c for c in err["conflicts"])


def test_openapi_documents_every_status_with_the_error_model(client):
    spec = client.get("/openapi.json").json()
    expected = {("/v1/staffing", "post"): {"200", "413", "422"}, ("/v1/forecast", "post"): {"200", "413", "422"},
                ("/v1/roster", "post"): {"200", "409", "413", "422", "503", "504"},
                ("/v1/roster/jobs", "post"): {"202", "413", "422", "503"},
                ("/v1/roster/jobs/{job_id}", "get"): {"200", "404", "422"},
                ("/v1/roster/jobs/{job_id}", "delete"): {"200", "404", "422"},
                ("/v1/roster/shortfall", "post"): {"200", "413", "422"}}
    for (path, method), statuses in expected.items():
        got = spec["paths"][path][method]["responses"]
        assert statuses <= set(got), (path, method, set(got))
        for status in statuses - {"200", "202"}:
            ref = got[status]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/ErrorResponse"), (path, status, ref)


def test_unknown_job_is_404_in_the_shape(client):
    err = _error(client.get("/v1/roster/jobs/nope"), 404)
    assert err["field"] == "job_id" and err["value"] == "nope"
    _error(client.delete("/v1/roster/jobs/nope"), 404)


def test_docs_work_offline(client):
    html = client.get("/docs").text
    assert "cdn" not in html.lower() and "/docs-static/swagger-ui-bundle.js" in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert client.get(f"/docs-static/{asset}").status_code == 200
