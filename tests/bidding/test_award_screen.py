"""The labour-rule screen: the contract graph agrees with one-agent CP-SAT, and the award's wall-clock net."""

from __future__ import annotations

import pytest

import wfm.bidding.award.screen as screen_module
from tests.bidding import award_kit as kit
from wfm.bidding import BidItem, HeldBid
from wfm.bidding.award import award_bids
from wfm.bidding.award.engine import Budget
from wfm.bidding.award.model import AwardModel, SolveOptions, WallNet
from wfm.bidding.award.screen import labour_screen
from wfm.roster import Agent, Contract, LockedAssignment
from wfm.roster.models import RosterProblem

day = kit.day


def _problem() -> RosterProblem:
    """The tight two-week problem plus agents with a lock and leave, a split-only contract, a rest rule and a cap."""
    base = kit.problem()
    contracts = [*base.contracts,
                 Contract(id="SP", allowed_shifts=["S"], min_working_days_per_week=1),
                 Contract(id="RT", min_rest_hours=11, max_working_days_per_week=5)]
    agents = [*base.agents,
              Agent(id="A07", contract="FT", locked=[LockedAssignment(date=day(2), shift="E")], leave=[day(9)]),
              Agent(id="A08", contract="SP"),
              Agent(id="A09", contract="RT", locked=[LockedAssignment(date=day(3), shift="L")],
                    max_shifts={"S": 0})]
    return base.model_copy(update={"contracts": contracts, "agents": agents})


#: (agent, item, forbidden?) — every bid kind, allowed and forbidden, for every kind of reason
CASES: list[tuple[str, BidItem, bool]] = [
    ("A06", BidItem(kind="tag", date=day(3), tag="split", points=2), True),        # contract: no split shifts
    ("A06", BidItem(kind="day_off", date=day(5), points=3), False),
    ("A01", BidItem(kind="shift", date=day(5), shift="E", points=2), True),        # on leave
    ("A01", BidItem(kind="day_off", date=day(6), points=2), False),                # on leave anyway
    ("A01", BidItem(kind="avoid_tag", week=1, tag="split", points=4, mode="exchange"), False),
    ("A02", BidItem(kind="shift", date=day(5), shift="S", points=2), True),        # S does not run on Saturday
    ("A03", BidItem(kind="shift", date=day(4), shift="E", points=2), False),
    ("A07", BidItem(kind="day_off", date=day(2), points=5), True),                 # locked to E that day
    ("A07", BidItem(kind="shift", date=day(2), shift="L", points=2), True),        # locked to E that day
    ("A07", BidItem(kind="tag", date=day(2), tag="early", points=2), False),       # the lock is early
    ("A07", BidItem(kind="shift", date=day(9), shift="E", points=2), True),        # on leave
    ("A08", BidItem(kind="avoid_tag", week=0, tag="split", points=4), True),       # must work a split shift
    ("A08", BidItem(kind="tag", date=day(1), tag="split", points=2), False),
    ("A08", BidItem(kind="day_off", date=day(0), points=2), False),
    ("A09", BidItem(kind="shift", date=day(4), shift="E", points=2), True),        # 10 h rest after the locked L
    ("A09", BidItem(kind="shift", date=day(1), shift="S", points=2), True),        # max_shifts S = 0
    ("A09", BidItem(kind="shift", date=day(4), shift="L", points=2), False),
]


def _bids() -> list[HeldBid]:
    return [HeldBid(id=f"b{i}", agent=a, item=it, held=it.points) for i, (a, it, _) in enumerate(CASES)]


def test_graph_screen_agrees_with_cp_sat(monkeypatch: pytest.MonkeyPatch) -> None:
    problem, bids = _problem(), _bids()
    options = SolveOptions(seed=0)
    cp = labour_screen(problem, bids, options, time_limit_s=5.0, use_graph=False)
    asked: list[str] = []
    real = screen_module.labour_rules

    def counted(problem, agent, item, options, *, time_limit_s):  # noqa: ANN001, ANN202
        asked.append(agent)
        return real(problem, agent, item, options, time_limit_s=time_limit_s)

    monkeypatch.setattr(screen_module, "labour_rules", counted)
    graph = labour_screen(problem, bids, options, time_limit_s=5.0)
    assert graph == cp  # the same verdicts and the same rule names
    assert {i for i, r in cp.items() if r} == {i for i, (_, _, bad) in enumerate(CASES) if bad}
    # the graph proved every allowed bid on its own; CP-SAT was asked only about the forbidden ones
    assert len(asked) == sum(bad for _, _, bad in CASES)
    assert cp[0] == ["allowed_shifts"]
    assert any(r.startswith("leave") for r in cp[2] or [])
    assert any(r.startswith("locked") for r in cp[7] or [])


def test_graph_screen_falls_back_when_the_graph_cannot_serve(monkeypatch: pytest.MonkeyPatch) -> None:
    """Contract graphs capped at one state a day serve nobody: every verdict then comes from CP-SAT, the same."""
    problem, bids = _problem(), _bids()
    options = SolveOptions(seed=0)
    real = screen_module.agent_graph
    monkeypatch.setattr(screen_module, "agent_graph", lambda fp, a: real(fp, a, max_states=1))
    graph = screen_module.GraphScreen(problem, {b.agent for b in bids})
    assert not any(graph.grants(b.agent, b.item) for b in bids)
    assert labour_screen(problem, bids, options, time_limit_s=5.0) == labour_screen(
        problem, bids, options, time_limit_s=5.0, use_graph=False)


def test_wall_net_keeps_the_start_and_is_reported() -> None:
    """A net already past: nothing is searched, the award keeps the bid-free roster's start, and says so."""
    problem, bids = kit.problem(), kit.bids()
    normal = award_bids(problem, bids, time_limit_s=10, seed=0, explain=False)
    assert not normal.safety_net_hit and not any(s.net_hit for s in normal.stages)
    cut = award_bids(problem, bids, time_limit_s=10, seed=0, explain=False, budget=Budget(wall_net=1e-9))
    assert cut.safety_net_hit
    assert any(s.net_hit for s in cut.stages)
    assert cut.cost <= cut.cap + 1e-9 and cut.points <= normal.points <= cut.points_bound
    assert all(s.status != "OPTIMAL" for s in cut.stages if s.net_hit)


def test_cut_solve_reports_its_start_with_a_valid_bound() -> None:
    problem = kit.problem()
    am = AwardModel(problem, kit.bids())
    am.model.maximize(am.points_expr())
    first = am.run(SolveOptions(), time_limit_s=5)
    assert first.optimal and not first.cut
    am.hint(first.values)
    net = WallNet(-1.0)
    again = am.run(SolveOptions(net=net), time_limit_s=5)
    assert again.cut and net.hit and again.status == "FEASIBLE"
    assert again.values == first.values and again.objective == first.objective
    assert again.bound == sum(am.points) >= (first.bound or 0)
