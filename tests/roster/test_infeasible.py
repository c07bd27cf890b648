"""Infeasible inputs are explained by the rules, agents and days that clash; a time-out is not infeasible."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfm.exceptions import InfeasibleError, InvalidParameterError, NoSolutionError
from wfm.roster import (
    Agent,
    Assignment,
    Contract,
    ForbiddenSuccession,
    Horizon,
    LockedAssignment,
    RosterProblem,
    ShiftRef,
    ShiftTemplate,
    solve,
)
from wfm.roster.checker import agent_violations
from wfm.roster.explain import diagnose
from wfm.roster.timeline import Timeline

from .rosterkit import MONDAY, tiny


def test_leave_and_minimum_minutes_clash() -> None:
    contract = Contract(id="C", min_paid_minutes=5 * 480, max_consecutive_working_days=2)
    p = tiny(agents=2, contract=contract)
    p.agents[0].leave = [MONDAY + dt.timedelta(days=3)]
    with pytest.raises(InfeasibleError) as err:
        solve(p, time_limit_s=5, workers=1)
    rules = {(c["rule"], c["agent"], c["day"]) for c in err.value.conflicts}
    assert rules == {("leave", "a0", "2024-01-04"), ("min_paid_minutes", "a0", None),
                     ("max_consecutive_working_days", "a0", None)}
    msg = str(err.value)
    assert "min_paid_minutes" in msg and "agent a0" in msg and "2024-01-04" in msg


def test_locked_shift_against_rest_rule() -> None:
    from wfm.roster import ShiftTemplate

    shifts = [ShiftTemplate(id="E", start=dt.time(6), length_minutes=480),
              ShiftTemplate(id="L", start=dt.time(14), length_minutes=480)]
    p = tiny(agents=1, shifts=shifts, contract=Contract(id="C", min_rest_hours=11),
             locked=[LockedAssignment(date=MONDAY, shift="L"),
                     LockedAssignment(date=MONDAY + dt.timedelta(days=1), shift="E")])
    with pytest.raises(InfeasibleError) as err:
        solve(p, time_limit_s=5, workers=1)
    names = {c["rule"] for c in err.value.conflicts}
    assert names == {"locked", "min_rest_hours"}
    assert {c["day"] for c in err.value.conflicts if c["rule"] == "locked"} == {"2024-01-01", "2024-01-02"}


def test_infeasible_is_not_a_timeout() -> None:
    assert not issubclass(InfeasibleError, NoSolutionError)
    assert not issubclass(NoSolutionError, InfeasibleError)


def test_bad_arguments() -> None:
    p = tiny()
    with pytest.raises(InvalidParameterError, match="strategy"):
        solve(p, strategy="fast")
    with pytest.raises(InvalidParameterError, match="time_limit_s"):
        solve(p, time_limit_s=0)


# -- the verdict agent by agent is right: against every roster of the agent, judged by the checker ---------

def _has_roster(problem: RosterProblem, agent: Agent) -> bool:
    """Whether any roster of the horizon (each day off or one of the shifts offered that weekday) breaks none
    of the agent's hard rules, by the checker: the ground truth, independent of every solver."""
    tl = Timeline(problem)
    days = []
    for d in range(problem.horizon.days):
        date = problem.horizon.date_of(d)
        days.append([None] + [Assignment.model_construct(
            agent=agent.id, date=date, shift=t.id, start=tl.shift_start(d, t), end=tl.shift_end(d, t),
            paid_minutes=t.paid_minutes, tags=list(t.tags), segments=[], breaks=[])
            for t in problem.shifts if date.weekday() in t.weekdays])
    for row in itertools.product(*days):
        if not agent_violations(problem, agent, {d: x for d, x in enumerate(row) if x is not None}):
            return True
    return False


@st.composite
def _one_week(draw: st.DrawFn) -> RosterProblem:
    shifts = [ShiftTemplate(id="E", start=dt.time(6), length_minutes=480, tags=["early"]),
              ShiftTemplate(id="L", start=dt.time(14), length_minutes=600, tags=["late"],
                            weekdays=[0, 1, 2, 3, 4])]  # a lock on L at the weekend cannot hold
    opt = lambda s: draw(st.none() | s)  # noqa: E731
    contract = Contract(
        id="C", min_paid_minutes_per_week=opt(st.sampled_from([960, 1920, 2400, 3000])),
        max_paid_minutes_per_week=opt(st.sampled_from([1440, 2400, 3000])),
        max_working_days_per_week=opt(st.integers(2, 6)), min_days_off_per_week=opt(st.integers(1, 3)),
        max_consecutive_working_days=opt(st.integers(2, 5)), min_consecutive_working_days=opt(st.integers(2, 3)),
        min_consecutive_days_off=opt(st.integers(2, 3)), min_rest_hours=opt(st.sampled_from([11.0, 16.0])),
        max_tag_per_week=draw(st.sampled_from([{}, {"late": 2}])), exempt_edge_runs=draw(st.booleans()),
        forbidden_successions=draw(st.sampled_from([[], [ForbiddenSuccession(first=ShiftRef(tag="late"),
                                                                             second=ShiftRef(tag="early"))]])))
    agents = []
    for i in range(draw(st.integers(1, 3))):
        leave_days = draw(st.sets(st.integers(0, 6), max_size=3))
        locks = draw(st.dictionaries(st.integers(0, 6).filter(lambda d, ld=leave_days: d not in ld),
                                     st.sampled_from([None, "E", "L"]), max_size=3))
        agents.append(Agent(id=f"a{i}", contract="C", leave=[MONDAY + dt.timedelta(days=d) for d in leave_days],
                            locked=[LockedAssignment(date=MONDAY + dt.timedelta(days=d), shift=s)
                                    for d, s in sorted(locks.items())],
                            max_shifts=draw(st.sampled_from([{}, {"E": 1}]))))
    return RosterProblem(horizon=Horizon(start=MONDAY, days=7), shifts=shifts, contracts=[contract],
                         agents=agents)


@pytest.mark.parametrize("max_states", [None, 1], ids=["contract-graph", "cp-sat"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(problem=_one_week())
def test_the_agents_found_infeasible_are_exactly_those_no_roster_fits(problem: RosterProblem,
                                                                        max_states: int | None) -> None:
    # by the contract graph (the default), and with every graph too small, by the one-agent CP-SAT model
    found = diagnose(problem, time_limit_s=10, max_states=max_states)
    truth = [a.id for a in problem.agents if not _has_roster(problem, a)]
    assert list(found.infeasible) == truth and not found.undecided
    assert found.feasible == (not truth)
    # each infeasible agent is explained by its own rules, every group named by rule and agent
    assert {c.agent for c in found.conflicts} == set(truth)
    assert all(c.rule for c in found.conflicts)
