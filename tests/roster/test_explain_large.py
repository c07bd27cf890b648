"""Infeasible large problems are explained agent by agent: every agent no roster fits, each with a minimal set.

No hard rule ties two agents together, so a problem is infeasible exactly when some agent is infeasible alone;
the tests break three agents of a call-centre instance on purpose, each in its own way, and expect exactly
those three named, each with the rules that clash.
"""

from __future__ import annotations

import datetime as dt

import pytest

from wfm.exceptions import InfeasibleError, NoSolutionError
from wfm.roster import RosterProblem, call_centre_instance, solve, solve_decomposed
from wfm.roster.explain import Conflict, Diagnosis, diagnose, explain_infeasible
from wfm.roster.models import LockedAssignment
from wfm.roster.solvers import dispatch
from wfm.roster.solvers.decomposed import solver as decomposed_solver

# what breaks each culprit, and the rule that must be in its conflicting set beside the data (leave, locks)
_LEAVE = "min_paid_minutes_per_week"   # full-time: leave Mon-Thu of week 2, 36 h a week needed in 3 days
_RUN = "locked"                        # full-time: a shift locked on 7 days in a row (at most 6)
_CAP = "max_paid_minutes_per_week"     # part-time: five 8-h shifts locked in one week, 30 h allowed


def _broken(n_agents: int, weeks: int = 4) -> tuple[RosterProblem, dict[str, str]]:
    """``call_centre_instance(n_agents)`` with three agents (with no leave or locks of their own) broken."""
    problem = call_centre_instance(n_agents, weeks=weeks, seed=0)
    start = problem.horizon.start  # a Monday
    assert start.weekday() == 0
    free = [i for i, a in enumerate(problem.agents) if not a.leave and not a.locked]
    ft = [i for i in free if problem.agents[i].contract == "FT"]
    pt = [i for i in free if problem.agents[i].contract == "PT"]
    agents = list(problem.agents)
    day = lambda d: start + dt.timedelta(days=d)  # noqa: E731

    x, y, z = ft[0], ft[1], pt[0]
    agents[x] = agents[x].model_copy(update={"leave": [day(d) for d in (7, 8, 9, 10)]})
    agents[y] = agents[y].model_copy(update={"locked": [LockedAssignment(date=day(d), shift="D0900")
                                                        for d in range(3, 10)]})
    agents[z] = agents[z].model_copy(update={"locked": [LockedAssignment(date=day(d), shift="D1000")
                                                        for d in range(14, 19)]})
    culprits = {agents[x].id: _LEAVE, agents[y].id: _RUN, agents[z].id: _CAP}
    return problem.model_copy(update={"agents": agents}), culprits


def _assert_names_exactly(problem: RosterProblem, conflicts: list[dict], culprits: dict[str, str]) -> None:
    assert {c["agent"] for c in conflicts} == set(culprits)
    for agent, rule in culprits.items():
        mine = [c for c in conflicts if c["agent"] == agent]
        rules = {c["rule"] for c in mine}
        assert rule in rules, (agent, rules)
        # the data behind the clash is named day by day
        for c in mine:
            assert c["rule"] and c["detail"]
            if c["rule"] in ("leave", "locked"):
                assert c["day"] is not None
    leave_agent = next(a for a, r in culprits.items() if r == _LEAVE)
    leave_days = {c["day"] for c in conflicts if c["agent"] == leave_agent and c["rule"] == "leave"}
    given = next(a for a in problem.agents if a.id == leave_agent).leave
    assert leave_days and leave_days <= {d.isoformat() for d in given}


@pytest.mark.parametrize("n_agents", [150, pytest.param(600, marks=pytest.mark.slow)])
def test_explain_names_every_infeasible_agent_and_its_rules(n_agents: int) -> None:
    problem, culprits = _broken(n_agents)
    err = explain_infeasible(problem, time_limit_s=10)
    assert isinstance(err, InfeasibleError)
    _assert_names_exactly(problem, err.conflicts, culprits)
    assert err.value == ", ".join(sorted(culprits))
    assert "may not be minimal" not in str(err)
    for agent in culprits:
        assert agent in str(err)
    # five 8-h locks against 30 h: any four already clash, and a minimal set holds exactly four
    pt = next(a for a, r in culprits.items() if r == _CAP)
    assert sum(c["agent"] == pt and c["rule"] == "locked" for c in err.conflicts) == 4


@pytest.mark.parametrize("n_agents", [150, pytest.param(600, marks=pytest.mark.slow)])
def test_a_feasible_instance_is_found_feasible(n_agents: int) -> None:
    found = diagnose(call_centre_instance(n_agents, weeks=4, seed=0), time_limit_s=10)
    assert found.feasible and not found.infeasible and not found.undecided and not found.conflicts
    assert found.error() is None


def test_the_cap_names_the_rest_without_explaining_them() -> None:
    problem, culprits = _broken(150)
    found = diagnose(problem, time_limit_s=10, max_agents=1)
    assert sorted(found.infeasible) == sorted(culprits)
    assert len(found.explained) == 1 and {c.agent for c in found.conflicts} == set(found.explained)
    err = found.error()
    assert isinstance(err, InfeasibleError) and err.value == ", ".join(sorted(culprits))
    assert "2 more infeasible agent(s) not explained" in str(err)


@pytest.mark.slow
def test_decomposed_solve_names_the_agents_and_their_rules() -> None:
    problem, culprits = _broken(40, weeks=3)
    with pytest.raises(InfeasibleError) as info:
        solve(problem, time_limit_s=20, workers=1, seed=0)
    _assert_names_exactly(problem, info.value.conflicts, culprits)
    assert info.value.to_dict()["conflicts"] == info.value.conflicts
    assert "whatever the other agents do" in str(info.value)


@pytest.mark.slow
def test_decomposed_solve_of_600_agents_names_the_agents_and_their_rules() -> None:
    problem, culprits = _broken(600)
    with pytest.raises(InfeasibleError) as info:
        solve(problem, time_limit_s=60, workers=2, seed=0)
    _assert_names_exactly(problem, info.value.conflicts, culprits)


@pytest.mark.parametrize("entry", ["solve", "solve_decomposed"])
def test_a_wrong_claim_of_infeasibility_becomes_no_solution(monkeypatch: pytest.MonkeyPatch, entry: str) -> None:
    # a solver that reports infeasible on a feasible problem: the claim is checked agent by agent and, every
    # agent having a roster, the problem is not called infeasible
    def wrong(*_args: object, **_kw: object) -> None:
        raise InfeasibleError("proved (wrongly)")

    monkeypatch.setattr(dispatch, "run_decomposed", wrong)
    monkeypatch.setattr(decomposed_solver, "run_decomposed", wrong)
    problem = call_centre_instance(30, weeks=2, seed=0, source="synthetic")
    run = solve if entry == "solve" else solve_decomposed
    with pytest.raises(NoSolutionError) as info:
        run(problem, time_limit_s=5, workers=1)
    assert info.value.code == "solver_fault"
    assert not isinstance(info.value, InfeasibleError)


def test_a_time_out_on_an_infeasible_problem_names_the_agents(monkeypatch: pytest.MonkeyPatch) -> None:
    def timeout(*_args: object, **_kw: object) -> None:
        raise NoSolutionError("no roster within the time limit")

    monkeypatch.setattr(dispatch, "run_decomposed", timeout)
    problem, culprits = _broken(40, weeks=3)
    with pytest.raises(InfeasibleError) as info:
        solve(problem, time_limit_s=5, workers=1)
    _assert_names_exactly(problem, info.value.conflicts, culprits)
    # and a time-out on a feasible problem stays a time-out
    fine = call_centre_instance(30, weeks=2, seed=0, source="synthetic")
    with pytest.raises(NoSolutionError, match="time limit"):
        solve(fine, time_limit_s=5, workers=1)


def test_undecided_agents_are_no_proof() -> None:
    undecided = Diagnosis(infeasible=(), undecided=("A1", "A2"))
    err = undecided.error()
    assert isinstance(err, NoSolutionError) and not isinstance(err, InfeasibleError)
    assert err.value == "A1, A2" and not undecided.feasible
    proved = Diagnosis(infeasible=("A1",), undecided=("A2",),
                       conflicts=(Conflict("locked", "A1", "2024-01-01", "locked assignment"),), explained=("A1",))
    err = proved.error()
    assert isinstance(err, InfeasibleError)
    assert err.conflicts == [{"rule": "locked", "agent": "A1", "day": "2024-01-01", "detail": "locked assignment"}]
