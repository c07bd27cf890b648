"""Stage 3, improve: exact best-response sweeps and one-day windows on the true objective.

One agent at a time is re-rostered by its pricer (contract graph, or one-agent CP-SAT) against the cover
everyone else leaves. One agent adds 0 or 1 to each interval, so its effect on the convex cover cost is
linear and the move is exact: the true objective (interval cover with breaks, preferences, start times)
never gets worse. Seeded noise on the values, with equal-cost moves kept, lets the search cross plateaus
(a hole moved, not yet filled). Once a sweep gains less than 1%, day windows (every agent re-rostered on one
day by CP-SAT, the rest fixed) take turns with the sweeps and fill holes that need two agents to move at
once (:mod:`~wfm.roster.solvers.decomposed.local_search`).
"""

from __future__ import annotations

from dataclasses import replace

from wfm.roster.solvers.budget import Budget
from wfm.roster.solvers.decomposed.local_search import improve as local_search
from wfm.roster.solvers.decomposed.state import Roster, StageState
from wfm.roster.solvers.options import SolveOptions

__all__ = ["improve"]


def improve(state: StageState, options: SolveOptions, budget: Budget, *, seconds: float,
            pricing: str = "auto") -> StageState:
    """``state.roster`` improved for ``seconds`` (never past the solve's deadline); never worse."""
    assert state.roster is not None
    shift, var, counters = local_search(state.fp, state.roster.shift, state.roster.var, time_limit_s=seconds,
                                        seed=options.seed, reproducible=options.reproducible,
                                        threads=options.n_workers, pricing=pricing, deadline=budget.deadline)
    return replace(state, roster=Roster(shift, var), moves=int(counters["moves"]),
                   windows=int(counters["windows_improved"]))
