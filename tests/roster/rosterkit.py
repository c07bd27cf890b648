"""Helpers shared by the roster tests: tiny problems, hand-made rosters, solve-and-check."""

from __future__ import annotations

import datetime as dt

import pytest

from wfm.roster import (
    Agent,
    Assignment,
    Contract,
    Horizon,
    Period,
    Requirement,
    RosterProblem,
    RosterSolution,
    ShiftDemand,
    ShiftTemplate,
    solve,
)
from wfm.roster.checker import check
from wfm.roster.solvers.options import SolveOptions
from wfm.roster.timeline import Timeline

MONDAY = dt.date(2024, 1, 1)


def tiny(days: int = 7, agents: int = 2, contract: Contract | None = None, demand: int = 1,
         shifts: list[ShiftTemplate] | None = None, **agent_kw) -> RosterProblem:
    """Agents on one contract, shift-type demand of ``demand`` on every shift every day (under cost 10)."""
    shifts = shifts or [ShiftTemplate(id="D", start=dt.time(9), length_minutes=480)]
    contract = contract or Contract(id="C")
    return RosterProblem(
        horizon=Horizon(start=MONDAY, days=days), shifts=shifts, contracts=[contract],
        agents=[Agent(id=f"a{i}", contract=contract.id, **agent_kw) for i in range(agents)],
        shift_demands=[ShiftDemand(day=d, shift=s.id, required=demand, under_weight=10, over_weight=1)
                       for d in range(days) for s in shifts])


def roster(problem: RosterProblem, cells: list[tuple[str, int, str]],
           break_offsets: dict[tuple[str, int], list[int]] | None = None) -> RosterSolution:
    """A hand-made roster from (agent, day, shift) cells; breaks at their earliest start unless given."""
    tl = Timeline(problem)
    out = []
    for agent, d, sid in cells:
        t = problem.shift(sid)
        segs = tl.segments(d, t)
        offs = (break_offsets or {}).get((agent, d), [b.earliest_offset_minutes for b in t.breaks])
        brk = [Period(start=a, end=b) for a, b in (tl.break_period(d, t, k, o) for k, o in enumerate(offs))]
        out.append(Assignment(agent=agent, date=problem.horizon.date_of(d), shift=sid, start=segs[0][0],
                              end=segs[-1][1], paid_minutes=t.paid_minutes, tags=list(t.tags),
                              segments=[Period(start=a, end=b) for a, b in segs], breaks=brk))
    return RosterSolution(status="FEASIBLE", assignments=out, objective=0, best_bound=0, gap=0, solve_time_s=0)


def solve_checked(problem: RosterProblem, time_limit_s: float = 10.0, **kw) -> RosterSolution:
    """Solve with one worker and assert the independent checker agrees: no violation, same objective."""
    kw.setdefault("workers", 1)
    sol = solve(problem, time_limit_s=time_limit_s, **kw)
    report = check(problem, sol)
    assert report.ok, str(report)
    assert report.objective == pytest.approx(sol.objective, abs=1e-6)
    assert sol.best_bound <= sol.objective + 1e-6
    assert sorted(p.name for p in report.penalties) == sorted(p.name for p in sol.penalties)
    return sol


def worked(sol: RosterSolution, agent: str) -> dict[int, str]:
    return {(x.date - MONDAY).days: x.shift for x in sol.assignments if x.agent == agent}


def on_intervals(problem: RosterProblem) -> RosterProblem:
    """``problem`` with its shift-type demand turned into interval requirements (one interval in the middle
    of each shift's first segment), so both solve paths — monolithic and decomposed — accept it."""
    reqs = []
    step = problem.horizon.interval_minutes
    for sd in problem.shift_demands:
        t = problem.shift(sd.shift)
        mid = t.start.hour * 60 + t.start.minute + t.segments[0].minutes // 2
        reqs.append(Requirement(day=sd.day, interval=mid // step, agents=sd.required))
    return problem.model_copy(update={"shift_demands": [], "requirements": reqs})


PATHS = ("monolithic", "decomposed")


def solve_path(problem: RosterProblem, strategy: str, time_limit_s: float = 2.0) -> RosterSolution:
    """One reproducible solve on ``strategy``, through the checker (no violation, same objective)."""
    sol = solve(problem, strategy=strategy,
                options=SolveOptions(time_limit_s=time_limit_s, workers=1, seed=0, reproducible=True))
    report = check(problem, sol)
    assert report.ok, f"{strategy}: {report}"
    assert report.objective == pytest.approx(sol.objective, abs=1e-6)
    return sol
