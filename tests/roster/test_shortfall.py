"""explain_shortfall: every agent off the phones in a short interval gets one reason, and the changes it
reports are exactly what the checker says they are."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.roster.rosterkit import MONDAY, roster
from wfm.exceptions import InvalidParameterError
from wfm.roster import (
    Agent,
    Contract,
    Horizon,
    LockedAssignment,
    ObjectiveWeights,
    Requirement,
    RosterProblem,
    RosterSolution,
    ShiftTemplate,
    call_centre_instance,
    check,
    explain_shortfall,
    solve_decomposed,
)
from wfm.roster._coverage import scheduled_counts
from wfm.roster.shortfall import Change
from wfm.roster.timeline import Timeline

WED = 2
AT_15 = 30  # 15:00 in 30-minute intervals
AT_08 = 16


def _reasons_problem() -> tuple[RosterProblem, RosterSolution]:
    """Wednesday 15:00 needs 2 (only the late shift covers it) and has 1; each other agent is kept off it
    by a different reason."""
    shifts = [ShiftTemplate(id="E", start=dt.time(7), length_minutes=480),
              ShiftTemplate(id="L", start=dt.time(14), length_minutes=480)]
    contracts = [Contract(id="free"), Contract(id="five", max_working_days_per_week=5),
                 Contract(id="early_only", allowed_shifts=["E"]), Contract(id="rest", min_rest_hours=11)]
    agents = [Agent(id="a0", contract="free", leave=[MONDAY + dt.timedelta(days=WED)]),
              Agent(id="a1", contract="five"),
              Agent(id="a2", contract="free"),
              Agent(id="a3", contract="free", locked=[LockedAssignment(date=MONDAY + dt.timedelta(days=WED),
                                                                        shift="E")]),
              Agent(id="a4", contract="early_only"),
              Agent(id="a6", contract="rest"),
              Agent(id="a7", contract="free")]
    problem = RosterProblem(
        horizon=Horizon(start=MONDAY, days=7), shifts=shifts, contracts=contracts, agents=agents,
        requirements=[Requirement(day=WED, interval=AT_15, agents=2), Requirement(day=WED, interval=AT_08, agents=3)],
        weights=ObjectiveWeights(shortfall=[100, 300], overstaffing=0))
    cells = [("a1", d, "E") for d in (0, 1, 3, 4, 5)] + [("a2", WED, "E"), ("a3", WED, "E"), ("a6", 3, "E"),
                                                           ("a7", WED, "L")]
    return problem, roster(problem, cells)


def test_each_agent_off_the_phones_gets_the_reason_that_keeps_it_off() -> None:
    problem, sol = _reasons_problem()
    assert check(problem, sol).ok
    (short,) = explain_shortfall(problem, sol, day=WED, interval=AT_15)
    assert (short.required, short.scheduled, short.short) == (2, 1, 1)
    assert short.reasons == {"leave": ["a0"], "max_working_days_per_week": ["a1"], "costs_more": ["a2"],
                             "locked": ["a3"], "no_shift": ["a4"], "min_rest_hours": ["a6"]}
    # a2 on the late shift covers 15:00 (saves the first tier, 100) but leaves 08:00 (3 needed, a2 and
    # a3 there) two short (+300)
    assert short.cheapest is not None
    assert (short.cheapest.agent, short.cheapest.before, short.cheapest.after) == ("a2", "E", "L")
    assert short.cheapest.delta == pytest.approx(200)
    text = str(short)
    assert "1 agent short (2 required, 1 on the phones)" in text and "kept off by min_rest_hours" in text


def test_improving_change_is_reported_as_such() -> None:
    problem, sol = _reasons_problem()
    # without the 08:00 need, a2's move to the late shift only gains
    problem = problem.model_copy(update={"requirements": problem.requirements[:1]})
    (short,) = explain_shortfall(problem, sol)
    assert short.reasons["improves"] == ["a2"]
    assert short.cheapest.delta == pytest.approx(-100)


def _apply(sol: RosterSolution, change: Change) -> RosterSolution:
    kept = [x for x in sol.assignments if not (x.agent == change.agent and x.date == change.date)]
    return sol.model_copy(update={"assignments": [*kept, change.assignment]})


@pytest.fixture(scope="module")
def solved() -> tuple[RosterProblem, RosterSolution]:
    problem = call_centre_instance(30, weeks=1, seed=0)
    return problem, solve_decomposed(problem, time_limit_s=3, workers=1, seed=0)


def test_explanations_cover_every_short_interval_and_every_absent_agent(solved) -> None:
    problem, sol = solved
    report = check(problem, sol)
    assert report.ok
    out = explain_shortfall(problem, sol)
    short = {p.name: p.amount for p in report.penalties if p.rule == "shortfall"}
    assert short, "the instance should leave some interval short"
    assert {f"short(day={e.day}, t={e.interval})": e.short for e in out} == short
    frame = sol.coverage_frame(problem)
    for e in out:
        listed = [a for who in e.reasons.values() for a in who]
        assert len(listed) == len(set(listed)), "an agent has one reason"
        on = frame[(frame["day"] == e.day) & (frame["interval"] == e.interval)]["scheduled"].item()
        assert on == e.scheduled
        assert len(listed) == len(problem.agents) - e.scheduled


def test_reported_changes_are_what_the_checker_says(solved) -> None:
    problem, sol = solved
    base = check(problem, sol).objective
    tl = Timeline(problem)
    seen_allowed = seen_blocked = 0
    for e in explain_shortfall(problem, sol)[:6]:
        g = tl.day_start[e.day] + e.interval
        for change in e.changes.values():
            after = check(problem, _apply(sol, change))
            if change.broken:
                assert set(change.broken) <= after.rules()
                seen_blocked += 1
            else:
                assert after.ok
                assert after.objective - base == pytest.approx(change.delta)
                # the change puts its agent on the phones in the short interval
                assert scheduled_counts(problem, _apply(sol, change))[g, None] == e.scheduled + 1
                seen_allowed += 1
    assert seen_allowed and seen_blocked


def test_bad_input_is_named() -> None:
    problem, sol = _reasons_problem()
    with pytest.raises(InvalidParameterError, match="`day`.*got 9"):
        explain_shortfall(problem, sol, day=9)
    with pytest.raises(InvalidParameterError, match="`interval` 48 is not an interval of day 2"):
        explain_shortfall(problem, sol, day=WED, interval=48)
    stranger = sol.assignments[0].model_copy(update={"agent": "zz"})
    with pytest.raises(InvalidParameterError, match="unknown agent 'zz'"):
        explain_shortfall(problem, sol.model_copy(update={"assignments": [*sol.assignments, stranger]}))
