"""The round the exchange tests share: 14 agents x 2 weeks of the synthetic centre (one skill group), seeded bids
from every agent, the bid-free roster R1 from the roster's reproducible mode, read into an award model capped at
R1's cost."""

from __future__ import annotations

from wfm.bidding import HeldBid
from wfm.bidding.award.model import AwardModel, SolveOptions
from wfm.bidding.award.scenario import seeded_bids
from wfm.roster import SolveOptions as RosterSolveOptions
from wfm.roster import call_centre_instance, solve

OPTIONS = SolveOptions(seed=0)


def exchange_case() -> tuple:
    """``(problem, bids, R1, award model capped at R1's cost, R1's completed solution, the cap)``."""
    problem = call_centre_instance(14, 2, seed=0, source="synthetic")
    items, _ = seeded_bids(problem, seed=1, share=1.0)
    bids = [HeldBid(id=f"{a}:{i}", agent=a, item=it, held=it.points)
            for a, its in items.items() for i, it in enumerate(its)]
    base = solve(problem, options=RosterSolveOptions(time_limit_s=4, workers=1, seed=0, reproducible=True))
    am = AwardModel(problem, bids)
    done = am.complete(base, OPTIONS, time_limit_s=5)
    cap = round(done.objective or 0)
    am.cap_cost(cap)
    return problem, bids, base, am, done, cap


def slot_counts(rows: list[list[int]]) -> dict[tuple[int, int], int]:
    """Head-count per (day, shift index) of per-agent rows (shift index per day, -1 off)."""
    out: dict[tuple[int, int], int] = {}
    for row in rows:
        for d, s in enumerate(row):
            if s >= 0:
                out[d, s] = out.get((d, s), 0) + 1
    return out
