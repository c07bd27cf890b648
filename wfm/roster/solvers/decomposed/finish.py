"""Stage 4, finish: breaks re-placed with the head-counts fixed, every penalty priced, the report written.

Breaks are moved by CP-SAT with the per-(day, shift) head-counts fixed (out of time, the plan's placements,
trimmed to the roster, stand); every penalty is priced exactly as the monolithic model and the checker
price it, and the report says what each stage achieved and what the decomposition lost.
"""

from __future__ import annotations

import numpy as np

from wfm.roster.models import DecompositionReport, RosterSolution, SolveStatus
from wfm.roster.solvers.budget import Budget
from wfm.roster.solvers.decomposed.covering_rows import Stage1Columns
from wfm.roster.solvers.decomposed.extract import build_assignments, penalties, place_breaks
from wfm.roster.solvers.decomposed.state import StageState
from wfm.roster.solvers.options import SolveOptions

__all__ = ["finish"]


def finish(state: StageState, options: SolveOptions, budget: Budget, *, seconds: float,
           strategy: str = "decomposed") -> RosterSolution:
    """The :class:`RosterSolution` of ``state`` (breaks placed within ``seconds``) with its stage report."""
    assert state.plan is not None and state.roster is not None
    fp, plan_, roster = state.fp, state.plan, state.roster
    cover, res = plan_.cover, plan_.result
    # the plan's break placements fit a roster built on the plan and not moved since; others are counted
    start_counts = res.counts if state.construction in ("replan", "plan") and "stage3" not in state.seconds \
        else variant_counts_of(plan_.cols, roster.shift, roster.var)
    counts = place_breaks(fp, cover, plan_.cols, roster.shift, start_counts, time_limit_s=seconds,
                          workers=options.n_workers, seed=options.seed, deterministic=options.reproducible,
                          deadline=budget.deadline)
    coverage = cover.coverage(counts)
    assignments = build_assignments(fp, plan_.cols, roster.shift, counts)
    pens = penalties(fp, roster.shift, coverage)

    objective = float(sum(p.cost for p in pens))
    totals: dict[str, float] = {}
    for p in pens:
        totals[p.rule] = totals.get(p.rule, 0.0) + p.cost
    cover_cost = totals.get("shortfall", 0.0) + totals.get("overstaffing", 0.0)
    # personal costs are never negative, so a bound on cover cost bounds the objective
    columns = state.columns_bound if state.columns_bound is not None and np.isfinite(state.columns_bound) else None
    bound = min(max(float(res.bound), columns if columns is not None else -np.inf), objective)
    short = np.maximum(fp.required - coverage, 0.0)
    over = np.maximum(coverage - fp.required, 0.0)
    report = DecompositionReport(
        stage1_objective=float(res.objective), stage1_bound=float(res.bound),
        stage1_status=SolveStatus(res.status), cover_cost=cover_cost, shortfall=float(short.sum()),
        over=float(over.sum()), shortfall_stage1=float(res.shortfall.sum()),
        shortfall_lower_bound=plan_.shortfall_bound,
        cover_gap=(cover_cost - float(res.bound)) / max(1.0, float(res.bound)),
        unfilled_slots=state.unfilled, extra_shifts=state.extra, construction=state.construction,
        stage2_status=state.construction_status, construction_rounds=state.construction_rounds,
        stage3_moves=state.moves, stage3_windows=state.windows, columns_bound=columns,
        fallbacks=list(state.fallbacks), seconds=dict(state.seconds))
    elapsed = budget.elapsed()
    gap = (objective - bound) / max(1.0, abs(objective))
    return RosterSolution(status=SolveStatus.FEASIBLE if gap > 1e-9 else SolveStatus.OPTIMAL,
                          assignments=assignments, objective=objective, best_bound=bound, gap=max(0.0, gap),
                          solve_time_s=elapsed, time_to_first_solution_s=state.first_roster_s or elapsed,
                          penalties=pens, penalty_totals=totals, strategy=strategy,
                          info={"decomposition": report})


def variant_counts_of(cols: Stage1Columns, shift: np.ndarray, var: np.ndarray) -> np.ndarray:
    """Agents per plan column (day, shift, break variant) of a roster with its variants."""
    index = {(int(d), int(s), int(v)): c for c, (d, s, v) in enumerate(zip(cols.day, cols.shift, cols.variant,
                                                                          strict=True))}
    by_ds = cols.index()
    counts = np.zeros(len(cols.day), dtype=np.int64)
    for a, d in zip(*np.nonzero(shift >= 0), strict=True):
        key = (int(d), int(shift[a, d]))
        c = index.get((*key, int(var[a, d])))
        counts[c if c is not None else by_ds[key][0]] += 1
    return counts
