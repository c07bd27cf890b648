"""Reproducible mode: one seed gives one roster, whatever else the machine is doing.

Each test solves the same problem twice with ``SolveOptions(reproducible=True, workers=1)``: once as it is,
once with two busy-loop processes competing for the cores, and asserts identical assignments. Every stage
of a reproducible solve must be bounded by counted work (CP-SAT deterministic time, nominal step costs),
never by the clock; before that was so, the monolithic path's budgets were what the clock left of a safety
net ten times the limit (6 agents, 3 s: objective 1,659 alone, 2,745 under load, both after 30 s).
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator

import pytest

from wfm.roster import solve
from wfm.roster.checker import check
from wfm.roster.instances import call_centre_instance
from wfm.roster.models import RosterProblem, RosterSolution
from wfm.roster.solvers.options import SolveOptions


@contextlib.contextmanager
def competing(n: int = 2) -> Iterator[None]:
    """``n`` busy-loop processes running while the block runs (killed after it)."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    try:
        yield
    finally:
        for p in procs:
            p.kill()
        for p in procs:
            p.wait()


def _cells(sol: RosterSolution) -> list[tuple]:
    return sorted((a.agent, a.date, a.shift, repr(a)) for a in sol.assignments)


def _twice(problem: RosterProblem, strategy: str, time_limit_s: float) -> tuple[RosterSolution, RosterSolution]:
    options = SolveOptions(time_limit_s=time_limit_s, workers=1, seed=0, reproducible=True)
    alone = solve(problem, strategy=strategy, options=options)
    with competing(2):
        loaded = solve(problem, strategy=strategy, options=options)
    return alone, loaded


def _assert_same(problem: RosterProblem, alone: RosterSolution, loaded: RosterSolution) -> None:
    assert check(problem, alone).ok and check(problem, loaded).ok
    assert alone.objective == loaded.objective
    assert _cells(alone) == _cells(loaded)
    # a run that reached the safety net was cut by the clock: equal rosters would then be luck
    assert alone.info["safety_net_hit"] is False and loaded.info["safety_net_hit"] is False


def test_monolithic_same_roster_under_load() -> None:
    problem = call_centre_instance(6, 1, seed=1)
    alone, loaded = _twice(problem, "monolithic", 1.0)
    assert alone.strategy == "monolithic"
    _assert_same(problem, alone, loaded)


def test_decomposed_same_roster_under_load() -> None:
    problem = call_centre_instance(30, 1, seed=0)
    alone, loaded = _twice(problem, "decomposed", 2.0)
    assert alone.strategy == "decomposed"
    _assert_same(problem, alone, loaded)


def test_wall_clock_solve_reports_no_net() -> None:
    """The flag belongs to reproducible mode; a wall-clock solve has no net to report."""
    sol = solve(call_centre_instance(6, 1, seed=1), strategy="monolithic",
                options=SolveOptions(time_limit_s=1.0, workers=1, seed=0))
    assert "safety_net_hit" not in sol.info


@pytest.mark.slow
@pytest.mark.parametrize("strategy", ["monolithic", "decomposed"])
def test_same_roster_under_load_60_agents(strategy: str) -> None:
    problem = call_centre_instance(60, 4, seed=0) if strategy == "decomposed" else call_centre_instance(12, 2, seed=0)
    alone, loaded = _twice(problem, strategy, 10.0)
    _assert_same(problem, alone, loaded)
