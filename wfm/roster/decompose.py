"""Decomposed roster solve for large call-centre problems: shifts per day first, then agents.

A monolithic CP-SAT model of 150 agents × 28 days × 21 shift templates has ~90,000 assignment literals plus
break-placement counts; on two cores it finds no roster in a minute. The classic decomposition (Dantzig's
set covering for shift scheduling, then tour assignment) splits it:

1. **Stage 1 — covering** (:mod:`wfm.roster._decompose_stage1`): integer counts of agents of each contract
   group on each (day, shift, break placement), minimising convex shortfall plus over-staffing under
   aggregate rows that sum each contract's per-agent rules over its agents (one shift a day, working days,
   paid minutes and tagged shifts per week, rest between days, minimum runs of days off, weekends). Every row
   holds for any roster, so the LP relaxation (HiGHS) is a **lower bound on the cover cost of every roster**,
   hence on the roster objective. The integer counts are searched inside the LP's rounding box
   (HiGHS branch-and-cut; CP-SAT on deterministic time with one worker, so one seed gives one roster).
2. **Stage 2 — construction with re-planning** (:mod:`wfm.roster._decompose_replan`): agents, most
   constrained first, each take the most valuable planned slots that their contract allows (a one-agent
   CP-SAT model with the rules read exactly as :mod:`wfm.roster.rules.hard` reads them). After each quarter
   of the remaining agents, stage 1 is solved again for the agents still unplaced against the cover the
   placed ones leave missing, so the last agents get a plan sized to their own capacity; one plan for all
   (:mod:`wfm.roster._decompose_stage2`) left about a tenth of its slots unworkable. Each round's box search
   is CP-SAT (as fast as HiGHS here, and never stopped by the wall clock).
   **Or by column generation** (``construction="columns"``, :mod:`wfm.roster._decompose_dw`): the roster
   written over whole agent rosters, every class of interchangeable agents priced under its full contract
   rules; the master's fractional roster, rounded to whole agents by diving (fix the columns most used,
   re-solve the master, repeat), is a start the sweeps then improve. A roster built by best responses
   seeds the master, which then starts at that roster's shortfall rather than at everything short. Each
   class is priced by a shortest path through its contract's state graph (:mod:`wfm.roster._decompose_dp`,
   about a millisecond, fairness spreads priced by a slope per tag), so ``"auto"`` picks it.
3. **Stage 3 — best-response sweeps** (:mod:`wfm.roster._decompose_columns`): one agent at a time is
   re-rostered by the same pricer (state graph, or one-agent CP-SAT) against the cover everyone else
   leaves. One agent adds 0 or 1 to each interval, so its effect on the convex cover cost is linear and
   the move is exact: the true objective (interval cover with breaks, preferences, start times) never gets
   worse (the graph leaves start times out of its path and repairs them week by week, so its move is the
   best it finds, and is kept only if the true objective does not get worse). Seeded noise on the values,
   with equal-cost moves kept, lets the search cross plateaus (a hole moved, not yet filled).
   CP-SAT pricers run two at a time on two workers. Once a sweep gains less than 1%, **day windows**
   (:mod:`wfm.roster._decompose_window`) take turns with the sweeps: every agent re-rostered on one day by
   CP-SAT, the rest fixed, which fills holes that need two agents to move at once.
4. **Breaks** are re-placed with the per-(day, shift) head-counts fixed, and every penalty is priced exactly
   as the monolithic model and the checker price it.

What the decomposition loses is reported: ``solution.info["decomposition"]`` holds the stage-1 bound, the
final cover cost and shortfall, the shortfall lower bound, and the gaps between them.
:func:`shortfall_lower_bound` computes a stronger bound on shortfall (Dantzig–Wolfe, by column generation
with full contract rules per agent class) when a benchmark or a planner wants to know how far a roster is
from the best possible.

>>> from wfm.roster.instances import call_centre_instance
>>> from wfm.roster.decompose import solve_decomposed
>>> sol = solve_decomposed(call_centre_instance(12, weeks=1, source="synthetic"), time_limit_s=5, workers=1)
>>> sol.strategy, sol.best_bound <= sol.objective
('decomposed', True)
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, replace
from typing import Literal

import numpy as np

from wfm.exceptions import InfeasibleError, InvalidParameterError, NoSolutionError
from wfm.roster._decompose_columns import improve as improve_by_columns
from wfm.roster._decompose_cover import (
    CoverProblem,
    CoverResult,
    interval_cost,
    solve_cover,
    solve_cover_mip,
    solve_lp,
    solve_lp_duals,
)
from wfm.roster._decompose_data import FlatProblem, flatten
from wfm.roster._decompose_replan import ReplanResult, replan_construct
from wfm.roster._decompose_solution import build_assignments, penalties, place_breaks, rows_of
from wfm.roster._decompose_stage1 import GroupColumns, Stage1Columns, build_stage1
from wfm.roster._decompose_stage2 import solve_stage2
from wfm.roster._decompose_variants import assign_variants, variant_counts
from wfm.roster.models import RosterProblem, RosterSolution

__all__ = ["DecompositionReport", "cover_lower_bound", "shortfall_lower_bound", "solve_decomposed"]

# share of the budget for the re-planned construction; the best-response sweeps take the rest
_CONSTRUCTION_SHARE = 0.3
# box MIPs of the re-planning rounds: CP-SAT (HiGHS through scipy is faster per round but stops on the
# wall clock, and once aborted the process with a heap corruption inside milp)
_ROUND_ENGINE = "cpsat"
# construction="columns": share of what is left after stage 1 for the column generation; sweeps take the rest
_COLUMNS_SHARE = 0.7
# construction="columns": share of its budget for a roster whose rows seed the master. With graph pricing the
# seed is built by best responses from scratch (150 agents, 60 s, seeds 0-2: 47,775 / 170, 43,696 / 150,
# 45,582 / 161 short against 45,640 / 166, 46,508 / 170, 47,862 / 176 seeded with the re-planned roster; 80
# agents 23,910 / 111 against 24,462 / 120 unseeded), and the master's rounding is kept even where the seed
# costs less (the seed is a sweeps local optimum: keeping it gave 59,215 / 226). With CP-SAT pricing the
# re-planned roster seeds it (150 agents, 300 s: 40,257 against 42,033-43,090 unseeded) and replaces a
# rounding that costs more, as a master of few rounds rounds badly.
_COLUMNS_SEED_SHARE = 0.1
_COLUMNS_DIVE_SHARE = 0.2  # construction="columns": at most this share of its budget rounds the master by diving
_COLUMNS_PRICING_S = 0.5  # deterministic CP-SAT budget of one pricing solve in the column construction
_DP_CLASS_S = 0.002  # nominal seconds to price one class by dynamic programming (about 1 ms measured)
_MASTER_ROUND_S = 0.3  # nominal seconds of one master LP re-solve (0.1-0.3 s at 150 agents)


@dataclass
class DecompositionReport:
    """What each stage achieved and what the decomposition lost (costs in objective units).

    Attributes
    ----------
    stage1_objective, stage1_bound:
        Cover cost of the stage-1 shift counts and the proven lower bound on any roster's cover cost.
    stage1_status:
        CP-SAT status of stage 1 (OPTIMAL when the bound is the stage-1 optimum).
    cover_cost:
        Cover cost (shortfall plus over-staffing) of the final roster.
    shortfall, over:
        Final agent-intervals short and over the requirement.
    shortfall_stage1:
        Agent-intervals short in the stage-1 counts (what a perfect assignment would reach).
    shortfall_lower_bound:
        Fewest agent-intervals short any roster can have (LP relaxation of stage 1 minimising shortfall).
    cover_gap:
        ``(cover_cost - stage1_bound) / stage1_bound``: the relative cost of the decomposition plus the
        stage-1 optimality gap.
    unfilled_slots, extra_shifts:
        Stage-1 slots the stage-2 construction left open, and shifts it added beyond them.
    columns_bound:
        The column construction's Dantzig–Wolfe (Lagrangian) bound on any roster's cover cost, ``None``
        when it did not run; at least as strong as ``stage1_bound`` once converged (150 agents, 60 s:
        about 31,000 against 24,154), and ``best_bound`` takes the better of the two.
    stage3_moves:
        Agent rosters the stage-3 best-response sweeps replaced (improving or equal-cost moves).
    stage3_windows:
        Stage-3 day windows (every agent re-rostered on one day) that improved the roster.
    seconds:
        Wall time of each step, seconds.
    """

    stage1_objective: float
    stage1_bound: float
    stage1_status: str
    cover_cost: float
    shortfall: float
    over: float
    shortfall_stage1: float
    shortfall_lower_bound: float
    cover_gap: float
    unfilled_slots: int
    extra_shifts: int
    stage2_status: str
    stage3_moves: int
    seconds: dict[str, float]
    stage3_windows: int = 0
    columns_bound: float | None = None


def _validate(time_limit_s: float, workers: int | None) -> None:
    if time_limit_s <= 0:
        raise InvalidParameterError(f"`time_limit_s` must be > 0; got {time_limit_s}")
    if workers is not None and workers < 1:
        raise InvalidParameterError(f"`workers` must be >= 1; got {workers}")


def _stage1(problem: RosterProblem, time_limit_s: float, workers: int | None,
            seed: int) -> tuple[FlatProblem, CoverProblem, Stage1Columns, GroupColumns, CoverResult]:
    """Stage 1: the LP relaxation (bound), then the integer model inside the LP's rounding box.

    Searching only between the floor and the ceiling of the LP solution keeps the integer search small;
    HiGHS' branch-and-cut closes it in seconds where the full integer model would take minutes. The
    bound reported is the LP value of the *full* model, valid for every roster.
    """
    fp = flatten(problem)
    w = problem.weights
    cover, cols, groups = build_stage1(fp, short_weights=tuple(w.shortfall), over_weight=w.overstaffing)
    # one worker is the reproducible mode: deterministic time, not the clock, ends the box search
    res = _solve_cover_box(cover, time_limit_s, workers, seed, "cpsat" if workers == 1 else "highs")
    return fp, cover, cols, groups, res


def _solve_cover_box(cover: CoverProblem, time_limit_s: float, workers: int | None, seed: int,
                     engine: str = "highs") -> CoverResult:
    """The LP relaxation of ``cover`` (its bound), then the integer model inside the LP's rounding box.

    ``engine="highs"`` solves the box MIP with HiGHS' branch-and-cut (fast, but stopped by the wall clock);
    ``"cpsat"`` with CP-SAT from the rounded LP solution, which with one worker is bounded by deterministic
    time, so one seed gives one answer on a loaded machine too.
    """
    t0 = time.perf_counter()
    bound, x = solve_lp(cover)
    res: CoverResult | None = None
    if x is not None:
        lo = np.maximum(np.floor(x + 1e-6), cover.lower).astype(np.int64)
        hi = np.maximum(np.minimum(np.ceil(x - 1e-6), cover.upper), lo).astype(np.int64)
        box = replace(cover, lower=lo, upper=hi)
        if engine == "cpsat":
            limit = max(time_limit_s if workers == 1 else time_limit_s - (time.perf_counter() - t0), 0.5)
            try:
                res = solve_cover(box, time_limit_s=limit, workers=workers, seed=seed,
                                  hint=np.clip(np.round(x), lo, hi).astype(np.int64))
            except (NoSolutionError, InfeasibleError):
                res = None
        else:
            res = solve_cover_mip(box, time_limit_s=max(time_limit_s - (time.perf_counter() - t0), 1.0))
    if res is None:  # no LP or nothing in the box: the full model with CP-SAT
        hint = None if x is None else np.round(x).astype(np.int64)
        res = solve_cover(cover, time_limit_s=max(time_limit_s - (time.perf_counter() - t0), 1.0),
                          workers=workers, seed=seed, hint=hint)
    if np.isfinite(bound):
        res.bound = min(bound, res.objective)
        res.status = "OPTIMAL" if res.objective - res.bound <= 1e-6 * max(1.0, res.objective) else "FEASIBLE"
    res.seconds = time.perf_counter() - t0
    return res


def cover_lower_bound(problem: RosterProblem, *, time_limit_s: float = 20.0, workers: int | None = None,
                      seed: int = 0) -> float:
    """A proven lower bound on the cover cost (shortfall plus over-staffing) of any roster of ``problem``.

    It is the stage-1 bound of :func:`solve_decomposed`, hence also a lower bound on the roster objective.

    Parameters
    ----------
    problem:
        A call-centre roster problem (head-count interval requirements).
    time_limit_s:
        CP-SAT wall-clock limit, seconds.
    workers:
        CP-SAT search workers (default: all cores).
    seed:
        Random seed of the search.
    """
    _validate(time_limit_s, workers)
    return float(_stage1(problem, time_limit_s, workers, seed)[4].bound)


def _shortfall_only(problem: RosterProblem) -> RosterProblem:
    """The same problem priced on agent-intervals short alone (one tier of 1, nothing else)."""
    weights = problem.weights.model_copy(update={"shortfall": [1.0], "overstaffing": 0.0, "preference": 0.0,
                                                 "start_consistency": 0.0, "fairness": 0.0})
    return problem.model_copy(update={"weights": weights})


def shortfall_lower_bound(problem: RosterProblem, *, time_limit_s: float = 60.0, seed: int = 0,
                          workers: int = 2, solution: RosterSolution | None = None) -> float:
    """Fewest agent-intervals short that any roster of ``problem`` can have (a proven lower bound).

    Two bounds, the better one returned: the LP relaxation of the stage-1 covering model (aggregate
    contract rows, about a second) and the Dantzig–Wolfe bound of the roster written over whole agent
    rosters, by stabilised column generation started from that LP's interval duals
    (:func:`wfm.roster._decompose_dw.column_generation_bound`): every class of interchangeable agents is
    priced under its full contract rules, and each round's Lagrangian value is a valid bound, so the
    result is valid whenever the budget runs out.

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
        Optional roster of ``problem`` (e.g. from :func:`solve_decomposed`) whose agents' rosters seed the
        column generation, so it converges in fewer rounds.
    """
    from wfm.roster._decompose_dw import column_generation_bound

    if time_limit_s <= 0:
        raise InvalidParameterError(f"`time_limit_s` must be > 0; got {time_limit_s}")
    if workers < 1:
        raise InvalidParameterError(f"`workers` must be >= 1; got {workers}")
    fp = flatten(_shortfall_only(problem))
    cover, _, _ = build_stage1(fp, short_weights=(1.0,), over_weight=0.0)
    lp, duals = solve_lp_duals(cover)
    if duals is None:
        return max(lp, 0.0)
    rosters = None if solution is None else rows_of(fp, solution)
    got = column_generation_bound(fp, duals, time_limit_s=time_limit_s, seed=seed, workers=workers,
                                  rosters=rosters)
    return max(lp, got.bound, 0.0)


def _marginal_values(fp: FlatProblem, cover: CoverProblem, cols: Stage1Columns,
                     counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cover cost of removing one agent from each (day, shift) slot, and of adding one."""
    cov = cover.coverage(counts).astype(float)
    req = fp.required
    sw, ow = cover.short_weights, cover.over_weight
    base = interval_cost(req, cov, sw, ow)
    under = np.zeros((fp.n_days, fp.n_shifts))
    over = np.zeros((fp.n_days, fp.n_shifts))
    for (d, s), cs in cols.index().items():
        best_minus, best_plus = np.inf, np.inf
        for c in cs:
            idx = cover.cover[c]
            if not len(idx):
                best_plus = min(best_plus, 0.0)
                if counts[c] > 0:
                    best_minus = min(best_minus, 0.0)
                continue
            now = base[idx].sum()
            plus = interval_cost(req[idx], cov[idx] + 1, sw, ow).sum() - now
            best_plus = min(best_plus, plus)
            if counts[c] > 0:
                minus = interval_cost(req[idx], cov[idx] - 1, sw, ow).sum() - now
                best_minus = min(best_minus, minus)
        under[d, s] = 0.0 if not np.isfinite(best_minus) else best_minus
        over[d, s] = best_plus
    # the values are linear around the stage-1 counts: a negative price for an extra shift would reward
    # every further copy alike (the real gain vanishes after one or two), so extras always cost something
    # and an open slot never pays
    return np.maximum(under, 0.0), np.maximum(over, 1.0)


def _placement_order(fp: FlatProblem, seed: int) -> np.ndarray:
    """Agents most constrained first (fewest days available, then fewest shifts allowed), ties by seed."""
    rng = np.random.default_rng(seed)
    freedom = fp.available.sum(axis=1) * 100 + fp.allowed.sum(axis=1) + rng.random(fp.n_agents)
    return np.argsort(freedom, kind="stable")


def _variant_counts(cols: Stage1Columns, shift: np.ndarray, var: np.ndarray) -> np.ndarray:
    """Agents per stage-1 column (day, shift, break variant) of a roster with its variants."""
    index = {(int(d), int(s), int(v)): c for c, (d, s, v) in enumerate(zip(cols.day, cols.shift, cols.variant,
                                                                          strict=True))}
    by_ds = cols.index()
    counts = np.zeros(len(cols.day), dtype=np.int64)
    for a, d in zip(*np.nonzero(shift >= 0), strict=True):
        key = (int(d), int(shift[a, d]))
        c = index.get((*key, int(var[a, d])))
        counts[c if c is not None else by_ds[key][0]] += 1
    return counts


def solve_decomposed(problem: RosterProblem, *, time_limit_s: float = 60, workers: int | None = None,
                     seed: int = 0, construction: Literal["auto", "plan", "columns"] = "auto") -> RosterSolution:
    """Solve a large call-centre roster in stages (see the module docstring).

    Parameters
    ----------
    problem:
        The roster problem; interval requirements on head-count (no skills, no shift demands).
    time_limit_s:
        Wall-clock budget for the whole solve, seconds.
    workers:
        CP-SAT search workers per stage (default: all cores).
    seed:
        Random seed of every stage.
    construction:
        How stage 2 builds the first roster: ``"plan"`` realises the stage-1 shift plan agent by agent;
        ``"columns"`` rounds a column-generation master (every class of agents priced under its full
        contract rules; on teams of 100 or more its master is seeded with a re-planned roster), which
        starts the sweeps far lower; ``"auto"`` (the default) picks ``"columns"``, the better start at
        every budget measured now that every agent is priced by its contract graph (fairness weighted
        too: 150 agents, 60 s, fairness 20: 36,618 against 60,369 with CP-SAT pricing and the plan start).

    Returns
    -------
    RosterSolution
        ``strategy="decomposed"``; ``best_bound`` is the better of the stage-1 cover bound and the column
        construction's bound; ``info["decomposition"]``
        reports each stage (:class:`DecompositionReport` as a dict).

    Raises
    ------
    InvalidParameterError
        Bad arguments, or a problem the decomposition does not cover (skills, shift demands).
    InfeasibleError
        The contract rules cannot all hold (stage 1 or stage 2 proved it).
    NoSolutionError
        The time limit passed before a roster was found.
    """
    _validate(time_limit_s, workers)
    if construction not in ("auto", "plan", "columns"):
        raise InvalidParameterError(f"`construction` must be 'auto', 'plan' or 'columns'; got {construction!r}")
    if construction == "auto":
        # pricing by dynamic programming makes the column start the better one at every budget measured
        construction = "columns"
    return _solve(problem, time_limit_s=time_limit_s, workers=workers, seed=seed, search=True,
                  construction=construction)


def _replan(fp: FlatProblem, stage1: tuple[CoverProblem, Stage1Columns, CoverResult], time_limit_s: float,
            workers: int | None, seed: int) -> ReplanResult:
    """Stage 2 by placement with re-planning (:func:`replan_construct`), its rounds solved like stage 1."""
    return replan_construct(fp, _placement_order(fp, seed), stage1,
                            lambda cp, lim: _solve_cover_box(cp, lim, workers, seed, _ROUND_ENGINE),
                            _marginal_values, time_limit_s=time_limit_s, seed=seed)


def _sweep_seed(fp: FlatProblem, budget: float, workers: int | None, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A roster built by best responses alone: every agent placed against the cover of those placed before,
    then stage 3 for the rest of ``budget`` seconds (cheap when agents are priced by their contract graph)."""
    from wfm.roster._decompose_columns import VariantTable, best_response_sweeps
    from wfm.roster._decompose_dp import PricerPool

    t0 = time.perf_counter()
    table = VariantTable(fp)
    empty = np.full((fp.n_agents, fp.n_days), -1, dtype=np.int64)
    shift, var, _ = best_response_sweeps(fp, empty, empty.copy(), PricerPool(fp, table), table,
                                         deadline=float("inf"), seed=seed, max_sweeps=1,
                                         unplaced=set(range(fp.n_agents)))
    left = budget - (time.perf_counter() - t0) if workers != 1 else 0.5 * budget
    if left > 0.1:
        shift, var, _ = improve_by_columns(fp, shift, var, time_limit_s=left, seed=seed, reproducible=workers == 1,
                                           threads=int(workers or os.cpu_count() or 1))
    return shift, var


def _columns_construction(problem: RosterProblem, fp: FlatProblem, stage1: tuple[CoverProblem, Stage1Columns,
                          CoverResult], budget: float, workers: int | None, seed: int,
                          pricing: str = "auto") -> tuple[np.ndarray, np.ndarray, str, float]:
    """Stage 2 by column generation: the rounded master roster (see :func:`columns_roster`), its status and
    the column generation's bound on the cover cost of any roster (objective units).

    A whole roster built first (best responses from scratch, or the re-planned construction when agents are
    priced by CP-SAT) seeds the master: it then starts at a real roster's shortfall instead of everything
    short, and spends its rounds below it.

    The master prices cover as the roster's objective does (shortfall tiers and over-staffing), not
    agent-intervals short alone: 150 agents, 60 s, seeds 0-2: objective 35,885, 35,653, 36,115 (122-129
    short) against 38,090, 38,375, 37,458 (112-120 short) on shortfall alone; at load 0.85 (nothing short)
    17,172 against 20,527.
    """
    from wfm.roster._decompose_columns import agent_classes
    from wfm.roster._decompose_dw import columns_roster

    cover, cols, res = stage1
    t0 = time.perf_counter()
    rosters = None
    sweep_seed = pricing != "cp-sat"
    if _COLUMNS_SEED_SHARE > 0:
        seed_s = max(_COLUMNS_SEED_SHARE * budget, 1.0)
        if sweep_seed:
            rosters = _sweep_seed(fp, seed_s, workers, seed)
        else:
            rp = _replan(fp, stage1, seed_s, workers, seed)
            rosters = (rp.shift, assign_variants(fp, rp.shift, variant_counts(fp, cols, res.counts)))
        budget = budget - (time.perf_counter() - t0) if workers != 1 else (1 - _COLUMNS_SEED_SHARE) * budget
    # personal costs stay out of the master (classes then group agents that differ only in their wishes)
    cover_only = replace(fp, problem=_shortfall_only(problem))
    w = problem.weights
    # the master prices cover as the roster does, in units of the first shortfall tier
    unit = float(w.shortfall[0]) if w.shortfall[0] > 0 else 1.0
    cover_weights = (tuple(float(x) / unit for x in w.shortfall), float(w.overstaffing) / unit)
    _, duals = solve_lp_duals(replace(cover, short_weights=cover_weights[0], over_weight=cover_weights[1]))
    if duals is None:
        raise NoSolutionError("the stage-1 LP gave no duals to start the column generation from")
    share = max(_COLUMNS_SHARE * budget, 1.0)
    max_rounds = None
    if workers == 1:
        # one worker promises one roster per seed: rounds from the nominal budget (a round prices every
        # class, a few milliseconds each by dynamic programming, plus the master LP), the clock only a
        # safety net
        n_classes = len(agent_classes(cover_only))
        per_class = _DP_CLASS_S if pricing != "cp-sat" else 0.07
        max_rounds, share = max(1, int(share / (per_class * n_classes + _MASTER_ROUND_S))), 4 * share
    dive_s = float("inf") if workers == 1 else _COLUMNS_DIVE_SHARE * budget
    shift, var, got = columns_roster(cover_only, duals, time_limit_s=share, seed=seed,
                                     workers=int(workers or os.cpu_count() or 1), max_rounds=max_rounds,
                                     time_per_class=_COLUMNS_PRICING_S, rosters=rosters, pricing=pricing,
                                     dive_s=dive_s, cover_weights=cover_weights)
    if rosters is not None:
        from wfm.roster._decompose_window import roster_cost

        # a master of few rounds rounds badly; a sweeps seed is a local optimum the rounding's basin beats
        if not sweep_seed and roster_cost(fp, *rosters) < roster_cost(fp, shift, var):
            shift, var = rosters
    status = f"COLUMNS({got.rounds} rounds, master cover cost {got.master * unit:.0f}{', seeded' if rosters else ''})"
    return shift, var, status, got.bound * unit


def _solve(problem: RosterProblem, *, time_limit_s: float, workers: int | None, seed: int,
           search: bool, replan: bool = True, construction: str = "plan", pricing: str = "auto") -> RosterSolution:
    """:func:`solve_decomposed`; ``search=False`` stops after the greedy construction and
    ``pricing="cp-sat"`` prices agents by one-agent CP-SAT models (the benchmark's baselines)."""
    t0 = time.perf_counter()
    seconds: dict[str, float] = {}

    def left() -> float:
        return time_limit_s - (time.perf_counter() - t0)

    # the column construction needs only stage 1's LP duals and columns, not a good shift plan
    stage1_s = min(0.05 * time_limit_s, 3.0) if construction == "columns" else min(0.15 * time_limit_s, 9.0)
    fp, cover, cols, groups, res = _stage1(problem, stage1_s, workers, seed)
    seconds["stage1"] = time.perf_counter() - t0

    slots = np.zeros((len(fp.contracts), fp.n_days, fp.n_shifts), dtype=np.int64)
    contract_of_group = np.array([fp.agent_contract[m[0]] for m in groups.groups], dtype=np.int64)
    np.add.at(slots, (contract_of_group[cols.group], cols.day, cols.shift), res.counts)
    v_under, v_over = _marginal_values(fp, cover, cols, res.counts)
    t1 = time.perf_counter()
    # what no roster can beat: total agent-intervals short in the LP relaxation (valid, about a second)
    short_bound, _ = solve_lp(replace(cover, short_weights=(1.0,), over_weight=0.0))
    reserve = min(max(0.06 * time_limit_s, 2.0), 5.0)  # breaks and extraction (1.3-3.4 s at 150 agents)
    # budgets come from the nominal limit, not the clock, so one worker and one seed give one roster
    columns_bound: float | None = None
    if construction == "columns":
        # one worker: the nominal budget, not the clock, so one seed gives one master
        budget = time_limit_s - stage1_s - reserve if workers == 1 else left() - reserve
        shift, var, st2_status, columns_bound = _columns_construction(problem, fp, (cover, cols, res), budget,
                                                                      workers, seed, pricing)
        unfilled = extra = 0
    elif replan:
        rp = _replan(fp, (cover, cols, res), max(_CONSTRUCTION_SHARE * time_limit_s, 1.0), workers, seed)
        shift, unfilled, extra, st2_status = rp.shift, rp.unfilled, rp.extra, f"REPLANNED({rp.rounds})"
    else:
        st2 = solve_stage2(fp, slots, v_under, v_over, time_limit_s=max(0.3 * time_limit_s, 1.0),
                           workers=workers, seed=seed, search=False)
        shift, unfilled, extra, st2_status = st2.shift, st2.unfilled, st2.extra, st2.status
    seconds["stage2"] = time.perf_counter() - t1
    n_moves = n_windows = 0
    if search:
        # stage 3: best-response sweeps on the true objective, from the stage-2 roster
        t3 = time.perf_counter()
        if construction != "columns":
            var = assign_variants(fp, shift, variant_counts(fp, cols, res.counts))
        # one worker: the nominal budget, not the clock, so a loaded machine gives the same roster (later)
        budget = max(0.55 * time_limit_s - reserve if workers == 1 else left() - reserve, 0.5)
        shift, var, br = improve_by_columns(fp, shift, var, time_limit_s=budget, seed=seed,
                                            reproducible=workers == 1, threads=int(workers or os.cpu_count() or 1),
                                            pricing=pricing)
        n_moves, n_windows = int(br["moves"]), int(br["windows_improved"])
        seconds["stage3"] = time.perf_counter() - t3
        start_counts = _variant_counts(cols, shift, var)
    elif construction == "columns":
        start_counts = _variant_counts(cols, shift, var)
    else:
        start_counts = res.counts

    t2 = time.perf_counter()
    counts = place_breaks(fp, cover, cols, shift, start_counts,
                          time_limit_s=min(0.05 * time_limit_s, 3.0) if workers == 1 or left() > 2.5 else 0.0,
                          workers=workers,
                          seed=seed)
    coverage = cover.coverage(counts)
    assignments = build_assignments(fp, cols, shift, counts)
    pens = penalties(fp, shift, coverage)
    seconds["breaks_and_extract"] = time.perf_counter() - t2

    objective = float(sum(p.cost for p in pens))
    totals: dict[str, float] = {}
    for p in pens:
        totals[p.rule] = totals.get(p.rule, 0.0) + p.cost
    cover_cost = totals.get("shortfall", 0.0) + totals.get("overstaffing", 0.0)
    # personal costs are never negative, so a bound on cover cost bounds the objective
    bound = min(max(float(res.bound), columns_bound if columns_bound is not None else -np.inf), objective)
    short = np.maximum(fp.required - coverage, 0.0)
    over = np.maximum(coverage - fp.required, 0.0)
    report = DecompositionReport(
        stage1_objective=float(res.objective), stage1_bound=float(res.bound), stage1_status=res.status,
        cover_cost=cover_cost, shortfall=float(short.sum()), over=float(over.sum()),
        shortfall_stage1=float(res.shortfall.sum()),
        shortfall_lower_bound=max(float(short_bound), 0.0),
        cover_gap=(cover_cost - float(res.bound)) / max(1.0, float(res.bound)),
        unfilled_slots=unfilled, extra_shifts=extra, stage2_status=st2_status,
        stage3_moves=n_moves, stage3_windows=n_windows, seconds=seconds, columns_bound=columns_bound)
    elapsed = time.perf_counter() - t0
    gap = (objective - bound) / max(1.0, abs(objective))
    return RosterSolution(status="FEASIBLE" if gap > 1e-9 else "OPTIMAL", assignments=assignments,
                          objective=objective, best_bound=bound, gap=max(0.0, gap), solve_time_s=elapsed,
                          time_to_first_solution_s=elapsed, penalties=pens, penalty_totals=totals,
                          strategy="decomposed" if search else "decomposed-greedy",
                          info={"decomposition": asdict(report)})
