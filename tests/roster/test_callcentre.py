"""Interval cover: split shifts, breaks, daylight saving, skills, convex shortfall and the coverage frame."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from wfm.roster import (
    Agent,
    Break,
    Contract,
    Horizon,
    ObjectiveWeights,
    Requirement,
    RosterProblem,
    Segment,
    ShiftTemplate,
)
from wfm.roster.checker import check

from .rosterkit import roster, solve_checked

PARIS_DST = dt.date(2026, 3, 29)  # clocks go forward: a 23-hour day


def problem(start: dt.date = dt.date(2026, 3, 2), days: int = 1, agents: int = 2, reqs=None,  # noqa: ANN001
            shifts=None, weights=None, skills=None) -> RosterProblem:  # noqa: ANN001
    h = Horizon(start=start, days=days, interval_minutes=30, timezone="Europe/Paris")
    return RosterProblem(
        horizon=h, contracts=[Contract(id="C")],
        shifts=shifts or [ShiftTemplate(id="D", start=dt.time(9), length_minutes=240)],
        agents=[Agent(id=f"a{i}", contract="C", skills=(skills or {}).get(i, [])) for i in range(agents)],
        requirements=reqs or [], weights=weights or ObjectiveWeights())


def test_split_shift_covers_both_peaks() -> None:
    split = ShiftTemplate(id="S", start=dt.time(8), segments=[Segment(minutes=120),
                                                               Segment(offset_minutes=480, minutes=120)])
    reqs = [Requirement(day=0, interval=t, agents=1) for t in (16, 17, 18, 19, 32, 33, 34, 35)]
    p = problem(agents=1, shifts=[split], reqs=reqs)
    sol = solve_checked(p)
    assert sol.objective == 0 and len(sol.assignments) == 1
    cf = sol.coverage_frame(p)
    assert (cf["scheduled"] == 1).all() and (cf["shortfall"] == 0).all()


def test_break_removes_cover_and_solver_staggers_breaks() -> None:
    d = ShiftTemplate(id="D", start=dt.time(9), length_minutes=240,
                      breaks=[Break(minutes=30, earliest_offset_minutes=60, latest_offset_minutes=150)])
    reqs = [Requirement(day=0, interval=t, agents=1) for t in range(18, 26)]
    p = problem(agents=2, shifts=[d], reqs=reqs, weights=ObjectiveWeights(overstaffing=0))
    # one agent alone leaves a hole during the break; two agents stagger their breaks and cover everything
    alone = roster(p, [("a0", 0, "D")], {("a0", 0): [60]})
    rep = check(p, alone)
    assert rep.ok and [x.name for x in rep.penalties] == ["short(day=0, t=20)"]
    sol = solve_checked(p)
    assert sol.objective == 0
    assert len({x.breaks[0].start for x in sol.assignments}) == 2


def test_daylight_saving_day_cover() -> None:
    reqs = [Requirement(ts=dt.datetime(2026, 3, 29, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))), agents=1)]
    p = problem(start=PARIS_DST, agents=1, reqs=reqs)
    sol = solve_checked(p)
    assert sol.objective == 0
    x = sol.assignments[0]
    assert x.start.utcoffset() == dt.timedelta(hours=2) and x.start.hour == 9
    cf = sol.coverage_frame(p)
    assert cf["interval"].iloc[0] == 16  # 09:00 is 8 elapsed hours after midnight on a 23-hour day


def test_deep_hole_costs_more_than_spread_shortfall() -> None:
    w = ObjectiveWeights(shortfall=[10, 30], overstaffing=0)
    reqs = [Requirement(day=0, interval=t, agents=2) for t in range(18, 26)]
    p = problem(agents=0 + 1, reqs=reqs, weights=w)
    empty = roster(p, [])
    deep = check(p, empty)  # 2 short in each of 8 intervals: 8 * (10 + 30)
    assert deep.objective == pytest.approx(8 * 40)
    sol = solve_checked(p)  # one agent leaves 1 short everywhere: 8 * 10
    assert sol.objective == pytest.approx(80)


def test_fractional_requirements_and_service_level() -> None:
    reqs = [Requirement(day=0, interval=t, agents=1.4, volume=12, aht_seconds=180) for t in range(18, 26)]
    p = problem(agents=2, reqs=reqs, weights=ObjectiveWeights(overstaffing=5))
    sol = solve_checked(p)
    # 1 agent: 0.4 short at 100 -> 40 per interval; 2 agents: 0.6 over at 5 -> 3 per interval
    assert sol.objective == pytest.approx(8 * 3)
    cf = sol.coverage_frame(p)
    assert list(cf.columns) == ["ts", "day", "interval", "skill", "required", "scheduled", "shortfall", "over",
                                "service_level"]
    assert np.isfinite(cf["service_level"]).all() and (cf["service_level"].between(0, 1)).all()


def test_skill_requirement_needs_skilled_agent() -> None:
    reqs = [Requirement(day=0, interval=t, agents=1, skill="fr") for t in range(18, 26)]
    p = problem(agents=2, reqs=reqs, skills={1: ["fr"]}, weights=ObjectiveWeights(overstaffing=1))
    sol = solve_checked(p)
    assert sol.objective == 0 and [x.agent for x in sol.assignments] == ["a1"]


def test_greedy_first_roster_is_feasible_and_covers() -> None:
    from wfm.roster.solvers.monolithic.greedy import greedy_roster

    from .rosterkit import roster

    shifts = [ShiftTemplate(id="E", start=dt.time(7), length_minutes=480),
              ShiftTemplate(id="L", start=dt.time(13), length_minutes=480)]
    reqs = [Requirement(day=d, interval=t, agents=2) for d in range(7) for t in range(14, 42)]
    p = problem(days=7, agents=5, shifts=shifts, reqs=reqs)
    p.contracts[0].max_working_days_per_week = 5
    p.contracts[0].min_rest_hours = 12
    cells = greedy_roster(p, time_limit_s=10)
    assert cells is not None
    greedy = roster(p, sorted(cells))
    report = check(p, greedy)
    assert report.ok, str(report)
    # far better than nobody, and the solve that starts from it is no worse
    assert report.objective < 0.5 * check(p, roster(p, [])).objective
    assert solve_checked(p, time_limit_s=10).objective <= report.objective + 1e-6
