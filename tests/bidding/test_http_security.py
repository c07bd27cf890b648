"""Security over a REAL ``wfm serve`` on loopback: no token → 401, an agent cannot read, submit or cancel for
another, an agent token cannot grant, close or open; nothing changes when a call is refused."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")
pytest.importorskip("fastapi")

from tests.bidding.kit import day, open_ledger, problem  # noqa: E402
from wfm.bidding import Ledger, Rounds, issue_token  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve")
    db = tmp / "served.sqlite"
    ledger, rounds = open_ledger(db, grant=20)
    with ledger:
        tokens = {"A01": issue_token(ledger, agent="A01"), "A02": issue_token(ledger, agent="A02"),
                  "manager": issue_token(ledger, manager=True)}
        rounds.submit("R1", "A02", [{"kind": "day_off", "date": str(day(3)), "points": 5}], key="a02")
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    log = (tmp / "serve.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "wfm", "serve", "--port", str(port), "--db", str(db)],
                            env=env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"wfm serve did not start: {(tmp / 'serve.log').read_text()}")
            time.sleep(0.2)
        with httpx.Client(base_url=base, timeout=30) as client:
            yield client, tokens, db
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _state(db: Path) -> tuple:
    with Ledger(db) as ledger:
        rounds = Rounds(ledger)
        return ledger.journal(), rounds.submissions("R1", status=None), [r.status for r in rounds.list_rounds()]


SUBMIT = {"items": [{"kind": "shift", "date": str(day(0)), "shift": "E", "points": 3}], "key": "k1"}
GRANT = {"agent": "A01", "points": 5, "reason": "why not"}
CALLS = [("GET", "/v1/bid/balances/A02", None), ("GET", "/v1/bid/balances", None),
         ("GET", "/v1/bid/ledger?agent=A02", None), ("GET", "/v1/bid/ledger", None),
         ("PUT", "/v1/bid/rounds/R1/submissions/A02", SUBMIT), ("GET", "/v1/bid/rounds/R1/submissions/A02", None),
         ("DELETE", "/v1/bid/rounds/R1/submissions/A02", None), ("POST", "/v1/bid/grant", GRANT),
         ("POST", "/v1/bid/reward", GRANT), ("POST", "/v1/bid/penalty", GRANT),
         ("POST", "/v1/bid/rounds/R1/close", None), ("GET", "/v1/bid/rounds/R1/bids", None),
         ("PUT", "/v1/bid/rounds/R1/prices", []),
         ("POST", "/v1/bid/rounds", {"name": "R9", "problem": problem().model_dump(mode="json")})]


@pytest.mark.parametrize(("method", "url", "body"), CALLS)
def test_no_token_or_a_bad_one_is_401_and_changes_nothing(server, method, url, body):
    client, _, db = server
    before = _state(db)
    for headers in ({}, _auth("wfm_not-a-real-token"), {"Authorization": "Basic QTAxOnB3"},
                    {"Authorization": "Bearer"}):
        resp = client.request(method, url, json=body, headers=headers)
        assert resp.status_code == 401, (url, resp.text)
        assert resp.json()["error"]["code"] == "unauthenticated"
        assert resp.headers["www-authenticate"] == "Bearer"
    assert _state(db) == before


@pytest.mark.parametrize(("method", "url", "body"), CALLS)
def test_an_agent_cannot_act_for_another_or_as_a_manager(server, method, url, body):
    client, tokens, db = server
    before = _state(db)
    resp = client.request(method, url, json=body, headers=_auth(tokens["A01"]))
    assert resp.status_code == 403, (url, resp.text)
    error = resp.json()["error"]
    assert error["code"] == "forbidden" and error["field"] in ("agent", "token")
    assert _state(db) == before


def test_an_agent_reads_and_changes_its_own_bids(server):
    client, tokens, db = server
    me = _auth(tokens["A01"])
    assert client.get("/v1/bid/whoami", headers=me).json() == {"role": "agent", "agent": "A01"}
    assert client.get("/v1/bid/balances/A01", headers=me).json()["available"] == 20
    resp = client.put("/v1/bid/rounds/R1/submissions/A01", json=SUBMIT, headers=me)
    assert resp.status_code == 200, resp.text
    assert resp.json()["held"] == 3 and resp.json()["agent"] == "A01"
    assert client.put("/v1/bid/rounds/R1/submissions/A01", json=SUBMIT, headers=me).json()["id"] == resp.json()["id"]
    assert client.get("/v1/bid/rounds/R1/submissions/A01", headers=me).json()["id"] == resp.json()["id"]
    assert [t["kind"] for t in client.get("/v1/bid/ledger?agent=A01", headers=me).json()] == ["grant", "hold"]
    over = {"items": [{"kind": "shift", "date": str(day(1)), "shift": "E", "points": 99}], "key": "k2"}
    resp = client.put("/v1/bid/rounds/R1/submissions/A01", json=over, headers=me)
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "insufficient_points"
    frac = {"items": [{"kind": "shift", "date": str(day(1)), "shift": "E", "points": 1.5}], "key": "k3"}
    assert client.put("/v1/bid/rounds/R1/submissions/A01", json=frac, headers=me).status_code == 422
    unknown = {"items": [{"kind": "shift", "date": str(day(1)), "shift": "ZZ", "points": 1}], "key": "k4"}
    resp = client.put("/v1/bid/rounds/R1/submissions/A01", json=unknown, headers=me)
    assert resp.status_code == 422 and "items[0].shift" in resp.text
    assert client.delete("/v1/bid/rounds/R1/submissions/A01", headers=me).json()["status"] == "withdrawn"
    assert client.get("/v1/bid/balances/A01", headers=me).json()["held"] == 0
    assert client.get("/v1/bid/rounds/R404", headers=me).status_code == 404


def test_a_manager_grants_and_closes(server):
    client, tokens, db = server
    boss = _auth(tokens["manager"])
    resp = client.post("/v1/bid/grant", json={"agent": "A02", "points": 4, "reason": "cover on Sunday"},
                       headers=boss)
    assert resp.status_code == 200 and resp.json()["actor"] == "manager"
    assert client.post("/v1/bid/grant", json={"agent": "Z9", "points": 4, "reason": "x"},
                       headers=boss).status_code == 404
    assert client.get("/v1/bid/balances/A02", headers=boss).json()["balance"] == 24
    assert len(client.get("/v1/bid/rounds/R1/bids", headers=boss).json()) == 1
    assert client.post("/v1/bid/rounds/R1/close", headers=boss).json()["status"] == "closed"
    late = client.put("/v1/bid/rounds/R1/submissions/A01", json={**SUBMIT, "key": "late"},
                      headers=_auth(tokens["A01"]))
    assert late.status_code == 409 and late.json()["error"]["field"] == "round"
