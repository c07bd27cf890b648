"""The award over HTTP (in process): a manager awards and publishes; an agent reads only its own results,
and only once they are published."""

from __future__ import annotations

import warnings

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx.*")
    from fastapi.testclient import TestClient

from tests.bidding.award_kit import AGENTS, ITEMS, PRICES, problem  # noqa: E402
from wfm.api.http import create_app  # noqa: E402
from wfm.bidding import Ledger, Rounds, issue_token  # noqa: E402


def test_manager_awards_agent_reads_its_own(tmp_path, monkeypatch) -> None:
    db = tmp_path / "app.sqlite"
    monkeypatch.setenv("WFM_DB", str(db))
    with Ledger(db) as ledger:
        rounds = Rounds(ledger)
        rounds.open("R1", problem(), prices=PRICES)
        for a in AGENTS:
            ledger.grant(a, 20, reason="grant")
        rounds.submit_many("R1", ITEMS, keys={a: f"k-{a}" for a in AGENTS})
        rounds.close("R1")
        boss = {"Authorization": f"Bearer {issue_token(ledger, manager=True)}"}
        a03 = {"Authorization": f"Bearer {issue_token(ledger, agent='A03')}"}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*httpx.*")
        app = TestClient(create_app())
    assert app.post("/v1/bid/rounds/R1/award", json={"time_limit_s": 10}, headers=a03).status_code == 403
    resp = app.post("/v1/bid/rounds/R1/award", json={"time_limit_s": 10, "seed": 0}, headers=boss)
    assert resp.status_code == 200, resp.text
    summary = resp.json()
    assert summary["cost"] == summary["baseline_cost"] == 20.0 and summary["points"] == sum(summary["charges"].values())
    # before publication an agent sees nothing; a manager sees everything
    assert app.get("/v1/bid/rounds/R1/results/A03", headers=a03).status_code == 404
    assert app.get("/v1/bid/rounds/R1/award", headers=a03).status_code == 403
    assert app.get("/v1/bid/rounds/R1/award", headers=boss).status_code == 200
    assert app.post("/v1/bid/rounds/R1/publish", headers=a03).status_code == 403
    assert app.post("/v1/bid/rounds/R1/publish", headers=boss).json()["status"] == "published"
    mine = app.get("/v1/bid/rounds/R1/results/A03", headers=a03)
    assert mine.status_code == 200
    assert {r["agent"] for r in mine.json()} == {"A03"} and len(mine.json()) == len(ITEMS["A03"])
    outbid = [r for r in mine.json() if r["reason"] == "outbid"]
    assert outbid and outbid[0]["points_to_win"] >= 5
    assert app.get("/v1/bid/rounds/R1/results/A02", headers=a03).status_code == 403
    fair = app.get("/v1/bid/rounds/R1/fairness", headers=boss)
    assert fair.status_code == 200 and fair.json()["agents_bidding"] == len(AGENTS)
    assert app.get("/v1/bid/rounds/R1/fairness", headers=a03).status_code == 403
