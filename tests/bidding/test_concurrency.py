"""Several processes writing one SQLite ledger at once: no lost update, no negative balance, every accepted
submission fully held, every rejected one leaving no trace."""

from __future__ import annotations

import multiprocessing as mp
from collections import defaultdict

from tests.bidding.kit import AGENTS, open_ledger
from tests.bidding.workers import hammer
from wfm.bidding import Ledger, Rounds

WORKERS = 4
STEPS = 30
START = 8  # points per agent at the start: far from enough for every bid


def test_four_processes_submitting_replacing_and_granting(tmp_path):
    path = str(tmp_path / "busy.sqlite")
    ledger, _ = open_ledger(path, grant=START)
    ledger.close()
    ctx = mp.get_context("spawn")
    with ctx.Pool(WORKERS) as pool:
        results = pool.starmap(hammer, [(path, w, STEPS) for w in range(WORKERS)])
    accepted = [a for r in results for a in r["accepted"]]
    rejected = [k for r in results for k in r["rejected"]]
    grant_ids = [g for r in results for g in r["grants"]]
    assert accepted and rejected, "the test must exercise both outcomes"

    with Ledger(path) as ledger:
        rounds = Rounds(ledger)
        journal = ledger.journal()
        subs = rounds.submissions("R1", status=None)
        # no lost update: every grant a worker was told it made is in the journal, and nothing else
        grants = [t for t in journal if t.kind == "grant"]
        assert len(grants) == len(AGENTS) + len(grant_ids)
        assert {t.id for t in grants if t.actor.startswith("w")} == set(grant_ids)
        # every accepted submission is stored with the points it reported; no rejected one left a row
        by_key = {(s.agent, s.key): s for s in subs}
        assert len(subs) == len(accepted)
        for agent, key, held in accepted:
            assert sum(i.points for i in by_key[agent, key].items) == held
        assert not any((agent, key) in by_key for agent, key in rejected)
        # holds per bid: an open submission's bids are fully held, every other one fully released
        net: dict[str, int] = defaultdict(int)
        for t in journal:
            if t.kind in ("hold", "release"):
                net[t.bid] += t.amount if t.kind == "hold" else -t.amount
        for s in subs:
            for b in s.bids():
                assert net[b.id] == (b.item.points if s.status == "open" else 0), (s.status, b.id)
        assert len(net) == sum(len(s.items) for s in subs)  # rejected submissions wrote no hold
        # balances: never negative, held = the open submission's points, at most one open per agent
        open_subs = [s for s in subs if s.status == "open"]
        assert len({s.agent for s in open_subs}) == len(open_subs)
        for b in ledger.balances():
            assert b.balance >= 0 and 0 <= b.held <= b.balance and b.available >= 0
            assert b.held == sum(s.held for s in open_subs if s.agent == b.agent)
            assert b.balance == START + sum(1 for t in grants if t.agent == b.agent and t.actor.startswith("w"))
