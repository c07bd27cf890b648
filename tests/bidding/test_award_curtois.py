"""Curtois check (slow): a benchmark instance's weighted shift-on/off requests given as bids, awarded with the
bids as one more objective term, reach the same objective as the plain roster path."""

from __future__ import annotations

from pathlib import Path

import pytest

from wfm.bidding.award import award_bids
from wfm.bidding.award.scenario import bids_from_preferences
from wfm.roster import check, load_curtois, solve

pytestmark = pytest.mark.slow
DATA = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "curtois"


@pytest.mark.skipif(not (DATA / "Instance1.txt").exists(), reason="Curtois data not found")
def test_requests_as_bids_give_the_plain_objective() -> None:
    problem = load_curtois(DATA / "Instance1.txt")
    plain = solve(problem, time_limit_s=30, workers=1)
    assert plain.status == "OPTIMAL" and plain.objective == 607  # the best known, proven
    bare, bids = bids_from_preferences(problem)
    assert len(bids) == sum(len(a.preferences) for a in problem.agents) > 0
    award = award_bids(bare, bids, time_limit_s=30, seed=0, weighted=True, explain=False)
    unmet = sum(b.item.points for b in bids) - award.points
    assert check(bare, award.roster).ok
    assert award.cost + unmet == plain.objective
    # the same roster scored with the requests as preferences: the checker agrees
    assert check(problem, award.roster).objective == plain.objective
