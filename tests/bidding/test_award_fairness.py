"""Fairness figures, clearing prices and the fairness-vs-coverage curve."""

from __future__ import annotations

import pytest

from tests.bidding.award_kit import AGENTS, ITEMS, PRICES, bids, day, problem
from wfm.bidding import Ledger, Rounds
from wfm.bidding.award import award_bids, award_round
from wfm.bidding.award.fairness import (
    clearing_prices,
    coverage_curve,
    gini,
    ledger_fairness,
    plot_coverage_curve,
    round_fairness,
)


@pytest.fixture(scope="module")
def award():
    return award_bids(problem(), bids(), time_limit_s=10, seed=0, round_name="R1")


def test_gini() -> None:
    assert gini([]) == 0 and gini([0.5, 0.5, 0.5]) == 0
    assert gini([0, 0, 0, 1]) == pytest.approx(0.75)
    assert gini([0, 1]) == pytest.approx(0.5)


def test_round_fairness_figures(award) -> None:
    rep = round_fairness(award, problem(), holidays=[day(5)])
    assert rep.agents_bidding == len(AGENTS)
    by = {a.agent: a for a in rep.agents}
    for a in rep.agents:
        results = award.for_agent(a.agent)
        assert a.points_won == sum(r.charge for r in results)
        assert a.points_bid == sum(r.item.points for r in results if r.reason != "labour_rule")
        assert a.first_choice == results[0].awarded
        mine = [x for x in award.roster.assignments if x.agent == a.agent]
        assert a.unpopular["split"] == sum("split" in x.tags for x in mine)
    assert rep.share_with_award == sum(a.awarded > 0 for a in rep.agents) / len(AGENTS)
    assert rep.least_share == min(a.share for a in rep.agents) == award.min_share
    assert by[rep.least_satisfied].share == rep.least_share
    assert rep.gini == pytest.approx(gini([a.share for a in rep.agents]))


def test_clearing_prices_are_the_lowest_winning_compete_bids(award) -> None:
    prices = {(p.kind, p.shift_or_tag): p.points for p in clearing_prices(award)}
    won = [r for r in award.results if r.awarded and r.item.mode == "compete"]
    assert prices[("day_off", None)] == min(r.item.points for r in won if r.item.kind == "day_off")
    assert all(p >= 1 for p in prices.values())


def test_fairness_over_rounds_from_the_ledger(tmp_path) -> None:
    with Ledger(tmp_path / "l.sqlite") as ledger:
        rounds = Rounds(ledger)
        for name in ("R1", "R2"):
            rounds.open(name, problem(), prices=PRICES)
        for a in AGENTS:
            ledger.grant(a, 40, reason="grant")
        for name in ("R1", "R2"):
            rounds.submit_many(name, ITEMS, keys={a: f"{name}-{a}" for a in AGENTS})
            rounds.close(name)
            award_round(ledger, name, time_limit_s=10, seed=0)
        per, overall = ledger_fairness(ledger)
    assert [r.rounds for r in per] == [["R1"], ["R2"]] and overall.rounds == ["R1", "R2"]
    assert overall.points_won == per[0].points_won + per[1].points_won
    for a in overall.agents:
        assert a.points_bid == sum(next(x for x in r.agents if x.agent == a.agent).points_bid for r in per)


def test_fairness_against_coverage_curve(tmp_path) -> None:
    curve = coverage_curve(problem(), bids(), [0.0, 0.5], time_limit_s=10, seed=0)
    assert [p.coverage_tolerance for p in curve] == [0.0, 0.5]
    assert curve[0].cost == 20.0 and curve[1].cost <= 30.0
    assert curve[1].points >= curve[0].points  # a looser cap never awards fewer points
    pytest.importorskip("matplotlib")
    out = plot_coverage_curve(curve, tmp_path / "curve.png")
    assert out.stat().st_size > 1000
