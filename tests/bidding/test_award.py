"""The award inside the roster solve (small, fast): coverage kept, points optimal, every bid explained,
points-to-win verified by re-awarding, determinism, bad input."""

from __future__ import annotations

import pytest

from tests.bidding.award_kit import bids, problem
from wfm.bidding import HeldBid
from wfm.bidding.award import Award, award_bids
from wfm.exceptions import InvalidParameterError
from wfm.roster import check

LIMIT = 10.0


def _award(items: list[HeldBid] | None = None, **kw: object) -> Award:
    return award_bids(problem(), bids() if items is None else items, time_limit_s=LIMIT, seed=0, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def award() -> Award:
    return _award()


def test_coverage_cost_equals_the_bid_free_roster(award: Award) -> None:
    report = check(problem(), award.roster)
    assert report.ok, str(report)
    assert report.objective == award.cost == award.baseline_cost == 20.0  # one shift short a week, as without bids
    assert award.stages[0].stage == "coverage" and award.stages[0].status == "OPTIMAL"


def test_points_stage_is_optimal_and_every_stage_reported(award: Award) -> None:
    stages = {s.stage: s for s in award.stages}
    assert list(stages) == ["coverage", "points_slots", "points", "fairness", "tie_break"]
    assert stages["points_slots"].objective <= stages["points"].objective  # exchanges are one kind of roster
    assert stages["points"].status == "OPTIMAL" and award.points == award.points_bound == stages["points"].objective
    assert award.points == sum(award.charges.values())


def test_every_bid_has_its_reason(award: Award) -> None:
    reasons = {r.bid: r.reason for r in award.results}
    assert len(award.results) == len(bids()) and all(r.detail for r in award.results)
    assert reasons["1:0"] == "coverage"        # A01 must work the first Wednesday
    assert reasons["6:0"] == "labour_rule"     # A06's contract forbids split shifts
    assert reasons["3:0"] == "outbid"          # A02 offered more for the same Monday
    assert reasons["2:0"] == "awarded"
    tuesday = sorted(reasons[b] for b in ("2:1", "4:0", "5:0"))
    assert tuesday == ["awarded", "awarded", "crowded_out"]  # room for two agents off that Tuesday
    assert all(r.proven for r in award.results)
    labour = award.result("6:0")
    assert labour.rules == ["allowed_shifts"] and not labour.awarded and labour.charge == 0
    cover = award.result("1:0")
    assert cover.extra_cost == 10.0 and cover.coverage
    assert any(c.name.startswith("shift_under(day=2") for c in cover.coverage)


def test_coverage_tolerance_buys_the_denied_day_off() -> None:
    loose = _award(coverage_tolerance=0.5)  # cap 30: one more shift short is allowed
    assert loose.result("1:0").awarded
    assert loose.cost <= 30.0 and check(problem(), loose.roster).objective == loose.cost


def test_points_to_win_is_verified_by_reawarding(award: Award) -> None:
    outbid = [r for r in award.results if r.reason == "outbid"]
    assert outbid
    for r in outbid:
        assert r.points_to_win is not None and r.opportunity_cost is not None
        assert r.points_to_win in (r.opportunity_cost, r.opportunity_cost + 1)
        for points, wins in ((r.points_to_win, True), (r.points_to_win - 1, False)):
            if points < 1:
                continue
            items = [b if b.id != r.bid else b.model_copy(update={"item": b.item.model_copy(update={"points": points}),
                                                                  "held": points}) for b in bids()]
            again = _award(items, explain=False)
            assert again.result(r.bid).awarded is wins, (r.bid, points)


def test_crowded_out_exchange_item_names_what_it_displaces(award: Award) -> None:
    crowded = [r for r in award.results if r.reason == "crowded_out"]
    assert len(crowded) == 1 and crowded[0].opportunity_cost == 5 and crowded[0].points_to_win is None


def test_least_satisfied_share_and_charges(award: Award) -> None:
    by_agent: dict[str, list[int]] = {}
    for r in award.results:
        if r.reason != "labour_rule":
            by_agent.setdefault(r.agent, [0, 0])
            by_agent[r.agent][0] += r.charge
            by_agent[r.agent][1] += r.item.points
    assert award.min_share == pytest.approx(min(w / t for w, t in by_agent.values()))
    for r in award.results:
        assert r.charge == (r.item.points if r.awarded else 0)


def test_same_input_same_award(award: Award) -> None:
    again = _award()
    assert again.results == award.results and again.charges == award.charges
    assert again.roster.assignments == award.roster.assignments


def test_round_trips_json(award: Award) -> None:
    assert Award.model_validate_json(award.model_dump_json()) == award


def test_bad_input_names_the_field() -> None:
    stray = bids()[0].model_copy(update={"agent": "NOBODY"})
    with pytest.raises(InvalidParameterError) as err:
        _award([stray])
    assert err.value.field == "bids[0].agent" and err.value.value == "NOBODY"
    with pytest.raises(InvalidParameterError) as err:
        _award(coverage_tolerance=-0.1)
    assert err.value.field == "coverage_tolerance"
    twice = [bids()[0], bids()[0]]
    with pytest.raises(InvalidParameterError) as err:
        _award(twice)
    assert err.value.field == "bids[1].id"


def test_no_bids_gives_the_bid_free_roster() -> None:
    empty = _award([])
    assert empty.results == [] and empty.points == 0 and empty.cost == empty.baseline_cost


def test_serial_dictatorship_baselines_never_beat_the_points_optimum(award: Award) -> None:
    from wfm.bidding.award.baselines import random_order, seniority_order, serial_dictatorship
    from wfm.roster import solve

    p = problem()
    base = solve(p, time_limit_s=5, workers=1)
    assert seniority_order(p)[0] == "A01"  # hired first
    for order in (seniority_order(p), random_order(p, seed=1)):
        sd = serial_dictatorship(p, bids(), order, baseline=base, time_limit_s=10)
        assert check(p, sd.roster).ok and sd.cost <= award.cap
        assert sd.points <= award.points and sd.points == sum(sd.charges.values())
        assert not sd.result("6:0").awarded  # nobody can grant what the contract forbids


def test_neighbourhood_search_only_improves_and_keeps_the_cap() -> None:
    from wfm.bidding.award.engine import roster_from_values
    from wfm.bidding.award.lns import improve_points
    from wfm.bidding.award.model import AwardModel, SolveOptions
    from wfm.roster import solve

    p = problem()
    base = solve(p, time_limit_s=5, workers=1)
    am = AwardModel(p, bids())
    options = SolveOptions(seed=0)
    done = am.complete(base, options, time_limit_s=5)
    cap = round(done.objective or 0)
    am.cap_cost(cap)
    am.model.maximize(am.points_expr())
    start = am.value(done.values, am.points_expr())
    values, points, steps = improve_points(am, done.values, options, time_limit_s=2.0, free_agents=3, step_s=0.2)
    assert steps >= 1 and points >= start and points == am.value(values, am.points_expr())
    assert am.value(values, am.cost) <= cap
    roster = roster_from_values(am, values, base, 0.0)
    assert check(p, roster).ok and check(p, roster).objective <= cap / am.scale


def test_slot_exchange_keeps_every_slot_and_the_cover() -> None:
    from wfm.bidding.award.engine import roster_from_values
    from wfm.bidding.award.model import AwardModel, SolveOptions
    from wfm.bidding.award.slots import keep_slots, slot_counts
    from wfm.roster import solve

    p = problem()
    base = solve(p, time_limit_s=5, workers=1)
    am = AwardModel(p, bids())
    options = SolveOptions(seed=0)
    done = am.complete(base, options, time_limit_s=5)
    am.cap_cost(round(done.objective or 0))
    counts = keep_slots(am, done.values)
    assert sum(counts.values()) == len(base.assignments)
    am.hint(done.values)
    am.model.maximize(am.points_expr())
    out = am.run(options, time_limit_s=5)
    assert out.optimal and (out.objective or 0) >= am.value(done.values, am.points_expr())
    assert slot_counts(am, out.values) == counts  # the same (day, shift) head-counts, other agents
    roster = roster_from_values(am, out.values, base, 0.0)
    report = check(p, roster)
    assert report.ok and report.objective <= check(p, base).objective
    cover = {x.name: x.cost for x in report.penalties if x.rule.startswith("shift_")}
    assert cover == {x.name: x.cost for x in base.penalties if x.rule.startswith("shift_")}
    # a bid the posted slots cannot carry (A01 must work the first Wednesday) stays denied
    assert not am.value(out.values, am.won[0])
