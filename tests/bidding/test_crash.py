"""A process killed (SIGKILL) inside a write transaction leaves the ledger as before, never half-written;
the same command run again then applies fully."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.bidding.kit import day, open_ledger
from wfm.bidding import BidItem, Ledger, Rounds
from wfm.bidding.faults import PAUSE_ENV

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
ROOT = Path(__file__).resolve().parents[2]


def _snapshot(path: Path) -> tuple:
    with Ledger(path) as ledger:
        rounds = Rounds(ledger)
        return (ledger.journal(), ledger.balances(), rounds.submissions("R1", status=None),
                [r.status for r in rounds.list_rounds()])


def _kill_at(point: str, args: list[str], tmp_path: Path) -> None:
    """Run ``args`` with a pause at ``point``; SIGKILL it there, inside its open transaction."""
    marker = tmp_path / f"{point}.paused"
    env = {**os.environ, PAUSE_ENV: f"{point}:120:{marker}",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    log = tmp_path / f"{point}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(args, env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            if proc.poll() is not None:
                raise AssertionError(f"the process ended before the pause: {log.read_text()}")
            if time.monotonic() > deadline:
                raise AssertionError("the process never reached the pause point")
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _run(args: list[str], tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env.pop(PAUSE_ENV, None)
    done = subprocess.run(args, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_killed_mid_submission_replacing_an_earlier_one(tmp_path):
    db = tmp_path / "l.sqlite"
    ledger, rounds = open_ledger(db, grant=20)
    with ledger:
        rounds.submit("R1", "A01", [BidItem(kind="shift", date=day(0), shift="E", points=6)], key="old")
    bids = tmp_path / "bids.csv"
    bids.write_text("agent,kind,date,shift_or_tag,points,mode\n"
                    f"A01,shift,{day(1)},L,9,compete\nA02,day_off,{day(5)},,9,exchange\n")
    cmd = [sys.executable, "-m", "wfm", "bid", "submit", "R1", str(bids), "--db", str(db)]
    before = _snapshot(db)
    _kill_at("submit", cmd, tmp_path)  # the old submission's holds were released, the new ones not yet held
    assert _snapshot(db) == before
    _run(cmd, tmp_path)
    with Ledger(db) as ledger:
        assert ledger.balance("A01").held == 9 and ledger.balance("A02").held == 9
        assert [s.status for s in Rounds(ledger).submissions("R1", status=None)] == ["replaced", "open", "open"]


def test_killed_mid_grant(tmp_path):
    db = tmp_path / "l.sqlite"
    open_ledger(db, grant=5)[0].close()
    cmd = [sys.executable, "-m", "wfm", "bid", "grant", "A03", "7", "--reason", "crash test", "--db", str(db)]
    before = _snapshot(db)
    _kill_at("post", cmd, tmp_path)
    assert _snapshot(db) == before
    _run(cmd, tmp_path)
    with Ledger(db) as ledger:
        assert ledger.balance("A03").balance == 12


def test_killed_mid_earning_with_half_the_lines_written(tmp_path):
    db = tmp_path / "l.sqlite"
    open_ledger(db, grant=0)[0].close()
    roster = tmp_path / "roster.json"
    from tests.bidding.test_earning import worked

    roster.write_text(worked([("A01", 0, "S"), ("A02", 1, "L"), ("A03", 5, "E"), ("A04", 2, "S")]).model_dump_json())
    rules = tmp_path / "rules.toml"
    rules.write_text("cycle_grant = 10\n[per_tag]\nsplit = 3\nlate = 1\nweekend = 2\n")
    cmd = [sys.executable, "-m", "wfm", "bid", "earn", str(roster), "--rules", str(rules), "--db", str(db)]
    before = _snapshot(db)
    _kill_at("earn", cmd, tmp_path)
    assert _snapshot(db) == before
    _run(cmd, tmp_path)
    _run(cmd, tmp_path)  # and a second time earns nothing more
    with Ledger(db) as ledger:
        assert {b.agent: b.balance for b in ledger.balances() if b.balance} == {"A01": 13, "A02": 11, "A03": 12,
                                                                              "A04": 13}


def test_killed_mid_settlement_leaves_the_round_closed_and_every_hold(tmp_path):
    db = tmp_path / "l.sqlite"
    ledger, rounds = open_ledger(db, grant=20)
    with ledger:
        a = rounds.submit("R1", "A01", [BidItem(kind="shift", date=day(0), shift="E", points=6)], key="a")
        rounds.submit("R1", "A02", [BidItem(kind="shift", date=day(0), shift="E", points=4)], key="b")
        rounds.close("R1")
    script = textwrap.dedent(f"""
        from wfm.bidding import Ledger, Rounds
        with Ledger({str(db)!r}) as ledger:
            Rounds(ledger).settle("R1", {{"{a.id}:0": 6}})
    """)
    cmd = [sys.executable, "-c", script]
    before = _snapshot(db)
    _kill_at("settle", cmd, tmp_path)
    assert _snapshot(db) == before
    _run(cmd, tmp_path)
    with Ledger(db) as ledger:
        assert Rounds(ledger).get("R1").status == "awarded"
        assert [(b.agent, b.balance, b.held) for b in ledger.balances()][:2] == [("A01", 14, 0), ("A02", 20, 0)]
