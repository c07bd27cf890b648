"""The bidding routes inside ``create_app`` (in process): the error shape, and no database touched for a
request without a well-formed token."""

from __future__ import annotations

import warnings

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx.*")
    from fastapi.testclient import TestClient

from tests.bidding.kit import day, open_ledger  # noqa: E402
from wfm.api.http import create_app  # noqa: E402
from wfm.bidding import issue_token  # noqa: E402


@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.setenv("WFM_DB", str(tmp_path / "app.sqlite"))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*httpx.*")
        yield TestClient(create_app()), tmp_path / "app.sqlite"


def test_no_token_never_opens_the_database(client):
    app, db = client
    for url in ("/v1/bid/balances", "/v1/bid/rounds", "/v1/bid/whoami"):
        resp = app.get(url)
        assert resp.status_code == 401
        assert resp.json() == {"error": {"code": "unauthenticated", "field": "token", "value": None,
                                         "message": "a bearer token is required (Authorization: Bearer <token>)"}}
    assert not db.exists()


def test_errors_map_to_404_409_422_with_field_and_value(client):
    app, db = client
    ledger, rounds = open_ledger(db, grant=5)
    with ledger:
        boss = {"Authorization": f"Bearer {issue_token(ledger, manager=True)}"}
    resp = app.get("/v1/bid/rounds/nope", headers=boss)
    assert resp.status_code == 404 and resp.json()["error"]["field"] == "round"
    resp = app.post("/v1/bid/penalty", json={"agent": "A01", "points": 6, "reason": "x"}, headers=boss)
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "insufficient_points"
    item = {"kind": "shift", "date": str(day(30)), "shift": "E", "points": 2}
    resp = app.put("/v1/bid/rounds/R1/submissions/A01", json={"items": [item], "key": "k"}, headers=boss)
    assert resp.status_code == 422 and "items[0].date" in resp.text
    resp = app.post("/v1/bid/grant", json={"agent": "A01", "points": 0, "reason": "x"}, headers=boss)
    assert resp.status_code == 422
    resp = app.put("/v1/bid/rounds/R1/submissions/A01", json={"items": [{**item, "date": str(day(1))}], "key": "k"},
                   headers=boss)
    assert resp.status_code == 200 and resp.json()["held"] == 2 and resp.json()["status"] == "open"
