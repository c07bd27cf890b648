"""The award of a round in the ledger: charges and releases in one transaction with the stored award; a crash
(SIGKILL) part-way leaves every balance and the round as before; the rerun awards the same."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.bidding.award_kit import AGENTS, ITEMS, PRICES, bids, problem
from wfm.bidding import Ledger, Rounds
from wfm.bidding.award import award_bids, award_round, stored_award
from wfm.bidding.faults import PAUSE_ENV
from wfm.exceptions import ConflictError, NotFoundError

ROOT = Path(__file__).resolve().parents[2]
GRANT = 20


def _closed_round(path: Path) -> None:
    with Ledger(path) as ledger:
        rounds = Rounds(ledger)
        rounds.open("R1", problem(), prices=PRICES)
        for a in AGENTS:
            ledger.grant(a, GRANT, reason="opening grant")
        rounds.submit_many("R1", ITEMS, keys={a: f"k-{a}" for a in AGENTS})
        rounds.close("R1")


def _state(path: Path) -> tuple:
    with Ledger(path) as ledger:
        rounds = Rounds(ledger)
        return ledger.balances(), rounds.get("R1").status, rounds.award_json("R1"), len(ledger.journal())


def test_award_round_settles_charges_and_releases(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    _closed_round(path)
    with Ledger(path) as ledger:
        rounds = Rounds(ledger)
        assert [b.id for b in rounds.open_bids("R1")] == [b.id for b in bids()]
        with pytest.raises(NotFoundError):
            stored_award(ledger, "R1")
        award = award_round(ledger, "R1", time_limit_s=10, seed=0)
        assert rounds.get("R1").status == "awarded"
        assert stored_award(ledger, "R1") == award
        spent = {a: 0 for a in AGENTS}
        for r in award.results:
            spent[r.agent] += r.charge
        for b in ledger.balances():
            assert (b.balance, b.held, b.available) == (GRANT - spent[b.agent], 0, GRANT - spent[b.agent])
        journal = ledger.journal(round="R1")
        assert sum(t.amount for t in journal if t.kind == "spend") == award.points == sum(award.charges.values())
        assert sum(t.amount for t in journal if t.kind == "hold") == sum(t.amount for t in journal
                                                                      if t.kind == "release")
        with pytest.raises(ConflictError):
            award_round(ledger, "R1", time_limit_s=10, seed=0)
    # the award of the round is the pure award of its bids
    assert award.results == award_bids(problem(), bids(), time_limit_s=10, seed=0, round_name="R1").results


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_mid_award_leaves_everything_as_before(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    _closed_round(path)
    before = _state(path)
    marker = tmp_path / "settle.paused"
    script = textwrap.dedent(f"""
        from wfm.bidding import Ledger
        from wfm.bidding.award import award_round
        with Ledger({str(path)!r}) as ledger:
            award_round(ledger, "R1", time_limit_s=10, seed=0)
    """)
    env = {**os.environ, PAUSE_ENV: f"settle:120:{marker}",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    log = tmp_path / "award.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-c", script], env=env, cwd=tmp_path, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the award never reached the settlement"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    after = _state(path)
    assert after == before  # balances, holds, status 'closed', no award, not one journal line more
    assert after[1] == "closed" and after[2] is None
    with Ledger(path) as ledger:
        award = award_round(ledger, "R1", time_limit_s=10, seed=0)
        assert Rounds(ledger).get("R1").status == "awarded"
    assert award.results == award_bids(problem(), bids(), time_limit_s=10, seed=0).results
