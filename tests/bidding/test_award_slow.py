"""The issue's seeded end-to-end round (slow): 60 agents x 4 weeks of the M-shaped synthetic centre, realistic
bids (days off around a holiday, no split shifts, early shifts), awarded through the ledger."""

from __future__ import annotations

import pytest

from wfm.bidding import Ledger, Rounds
from wfm.bidding.award import award_bids, award_round
from wfm.bidding.award.fairness import clearing_prices, round_fairness
from wfm.bidding.award.scenario import seeded_bids
from wfm.roster import call_centre_instance, check

pytestmark = pytest.mark.slow
GRANT = 30


@pytest.fixture(scope="module")
def round_60(tmp_path_factory):
    problem = call_centre_instance(60, 4, seed=0, source="synthetic")
    items, prices = seeded_bids(problem, seed=0, budget=GRANT)
    path = tmp_path_factory.mktemp("award60") / "ledger.sqlite"
    with Ledger(path) as ledger:
        rounds = Rounds(ledger)
        rounds.open("R60", problem, prices=prices)
        for a in problem.agents:
            ledger.grant(a.id, GRANT, reason="grant")
        rounds.submit_many("R60", items, keys={a: f"k-{a}" for a in items})
        rounds.close("R60")
        bids = rounds.open_bids("R60")
        # a 40 s budget (not the benchmark's 60 s) keeps the module's setup cheaper; the checks are the same
        award = award_round(ledger, "R60", time_limit_s=40, seed=0, explain_time_s=30, resolve_ties=False)
        balances = {b.agent: b for b in ledger.balances()}
    return problem, bids, award, balances


def test_end_to_end_60_agents(round_60) -> None:
    problem, bids, award, balances = round_60
    report = check(problem, award.roster)
    assert report.ok, str(report)
    # coverage never given up: the checker's score of the awarded roster is at most the bid-free roster's
    assert report.objective == pytest.approx(award.cost)
    assert award.cost <= award.baseline_cost + 1e-6
    # every bid has its reason; charges are what was bid (compete) or the posted price (exchange)
    assert len(award.results) == len(bids) > 50
    assert all(r.reason and r.detail for r in award.results)
    assert award.points == sum(award.charges.values()) > 0 and award.points <= award.points_bound
    spent: dict[str, int] = {}
    for r in award.results:
        assert r.charge == (r.item.points if r.awarded else 0)
        spent[r.agent] = spent.get(r.agent, 0) + r.charge
    for agent, b in balances.items():
        assert (b.balance, b.held) == (GRANT - spent.get(agent, 0), 0)
    fair = round_fairness(award, problem)
    assert 0 <= fair.gini <= 1 and fair.agents_bidding == len({b.agent for b in bids})
    assert all(p.points >= 1 for p in clearing_prices(award))


def test_points_stages_reported_honestly(round_60) -> None:
    problem, _, award, _ = round_60
    stages = {s.stage: s for s in award.stages}
    slots, points = stages["points_slots"], stages["points"]
    # the full model starts from the best slot exchange, so it never awards fewer points
    assert slots.objective <= points.objective == award.points <= award.points_bound
    assert slots.objective <= slots.bound and points.objective <= points.bound
    for s in (slots, points):
        assert s.status != "OPTIMAL" or s.objective >= s.bound
    if points.status != "OPTIMAL":
        # unproven points: no explanation may claim a proven figure
        assert not any(r.proven for r in award.results if r.reason in ("outbid", "crowded_out"))


def test_proven_points_to_win_hold_on_reaward(round_60) -> None:
    problem, bids, award, _ = round_60
    proven = [r for r in award.results if r.reason == "outbid" and r.proven][:2]
    if not proven:
        pytest.skip("no proven outbid bid at this size: the points stage ends unproven (see docs/bidding.md)")
    for r in proven:
        for points, wins in ((r.points_to_win, True), (r.points_to_win - 1, False)):
            if points < 1:
                continue
            items = [b if b.id != r.bid else b.model_copy(update={"item": b.item.model_copy(update={"points": points}),
                                                                  "held": points}) for b in bids]
            again = award_bids(problem, items, time_limit_s=60, seed=0, explain=False)
            assert again.result(r.bid).awarded is wins
