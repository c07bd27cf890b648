"""Proven lower bounds on any roster of a call-centre problem: the plan's LP, and Dantzig–Wolfe.

A benchmark or a planner uses them to know how far a roster is from the best possible.
"""

from __future__ import annotations

from wfm.roster.models import RosterProblem, RosterSolution
from wfm.roster.solvers.decomposed.column_generation import column_generation_bound
from wfm.roster.solvers.decomposed.construct import shortfall_only
from wfm.roster.solvers.decomposed.covering import solve_lp_duals
from wfm.roster.solvers.decomposed.covering_rows import build_stage1
from wfm.roster.solvers.decomposed.data import flatten
from wfm.roster.solvers.decomposed.extract import rows_of
from wfm.roster.solvers.decomposed.plan import plan
from wfm.roster.solvers.decomposed.state import StageState
from wfm.roster.solvers.options import SolveOptions

__all__ = ["cover_lower_bound", "shortfall_lower_bound"]


def cover_lower_bound(problem: RosterProblem, *, time_limit_s: float = 20.0, workers: int | None = None,
                      seed: int = 0) -> float:
    """A proven lower bound on the cover cost (shortfall plus over-staffing) of any roster of ``problem``.

    It is the plan stage's bound of :func:`~wfm.roster.solvers.decomposed.solver.solve_decomposed` (the LP
    relaxation of the covering model), hence also a lower bound on the roster objective.

    Parameters
    ----------
    problem:
        A call-centre roster problem (head-count interval requirements).
    time_limit_s:
        Wall-clock limit of the integer search, seconds (the bound is the LP's, valid whenever it stops).
    workers:
        CP-SAT search workers (default: all cores).
    seed:
        Random seed of the search.
    """
    options = SolveOptions(time_limit_s=time_limit_s, workers=workers, seed=seed)
    budget = options.budget()
    state = plan(StageState(problem=problem, fp=flatten(problem)), options, budget, seconds=time_limit_s)
    assert state.plan is not None
    return float(state.plan.result.bound)


def shortfall_lower_bound(problem: RosterProblem, *, time_limit_s: float = 60.0, seed: int = 0,
                          workers: int = 2, solution: RosterSolution | None = None) -> float:
    """Fewest agent-intervals short that any roster of ``problem`` can have (a proven lower bound).

    Two bounds, the better one returned: the LP relaxation of the covering model (aggregate contract rows,
    about a second) and the Dantzig–Wolfe bound of the roster written over whole agent rosters, by
    stabilised column generation started from that LP's interval duals
    (:func:`~wfm.roster.solvers.decomposed.column_generation.column_generation_bound`): every class of
    interchangeable agents is priced under its full contract rules, and each round's Lagrangian value is a
    valid bound, so the result is valid whenever the budget runs out.

    Parameters
    ----------
    problem:
        A call-centre roster problem (head-count interval requirements).
    time_limit_s:
        Budget of the column generation, seconds (the bound is valid whenever it stops).
    seed:
        Random seed of the CP-SAT pricing solves.
    workers:
        Agent classes priced in parallel.
    solution:
        Optional roster of ``problem`` (e.g. from ``solve_decomposed``) whose agents' rosters seed the
        column generation, so it converges in fewer rounds.
    """
    SolveOptions(time_limit_s=time_limit_s, workers=workers, seed=seed)  # validates the arguments
    fp = flatten(shortfall_only(problem))
    cover, _, _ = build_stage1(fp, short_weights=(1.0,), over_weight=0.0)
    lp, duals = solve_lp_duals(cover)
    if duals is None:
        return max(lp, 0.0)
    rosters = None if solution is None else rows_of(fp, solution)
    got = column_generation_bound(fp, duals, time_limit_s=time_limit_s, seed=seed, workers=workers,
                                  rosters=rosters)
    return max(lp, got.bound, 0.0)
