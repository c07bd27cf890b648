"""Stage 1, plan: how many agents of each contract group work each (day, shift, break placement).

The covering model (:mod:`~wfm.roster.solvers.decomposed.covering_rows`) sums each contract's per-agent
rules over its agents (one shift a day, working days, paid minutes and tagged shifts per week, rest between
days, minimum runs of days off, weekends). Every row holds for any roster, so its LP relaxation (HiGHS) is a
**lower bound on the cover cost of every roster**, hence on the roster objective. The integer counts are
searched inside the LP's rounding box (HiGHS branch-and-cut; CP-SAT on deterministic time when
reproducible). Out of time, the greedy counts stand in: the plan stage never ends a solve.
"""

from __future__ import annotations

import time
from dataclasses import replace

from wfm.roster.solvers.budget import Budget
from wfm.roster.solvers.decomposed.covering import solve_cover_box, solve_lp
from wfm.roster.solvers.decomposed.covering_rows import build_stage1
from wfm.roster.solvers.decomposed.state import Plan, StageState
from wfm.roster.solvers.options import SolveOptions

__all__ = ["plan"]


def plan(state: StageState, options: SolveOptions, budget: Budget, *, seconds: float,
         lp_deadline: float | None = None) -> StageState:
    """The covering model of ``state.fp``, its integer counts within ``seconds``, and its bounds (the LPs
    stop at ``lp_deadline``, a ``time.perf_counter()`` time: an LP out of time gives no bound, never an
    error)."""
    fp = state.fp
    w = state.problem.weights
    cover, cols, groups = build_stage1(fp, short_weights=tuple(w.shortfall), over_weight=w.overstaffing)
    result = solve_cover_box(cover, seconds, workers=options.n_workers, seed=options.seed,
                             engine="cpsat" if options.reproducible else "highs",
                             deterministic=options.reproducible, deadline=budget.deadline,
                             lp_time_limit_s=_until(lp_deadline))
    # what no roster can beat: total agent-intervals short in the LP relaxation (valid, about a second)
    short_bound, _ = solve_lp(replace(cover, short_weights=(1.0,), over_weight=0.0), _until(lp_deadline))
    fallbacks = state.fallbacks + (("plan",) if result.greedy else ())
    return replace(state, plan=Plan(cover=cover, cols=cols, groups=groups, result=result,
                                    shortfall_bound=max(float(short_bound), 0.0)), fallbacks=fallbacks)


def _until(deadline: float | None) -> float | None:
    """Seconds from now to ``deadline`` (at least a few milliseconds), or None for no limit."""
    return None if deadline is None else max(deadline - time.perf_counter(), 0.01)
