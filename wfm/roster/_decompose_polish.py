"""Stage 3 of the decomposed roster: neighbourhood search on the true cover cost.

Stage 2 follows the stage-1 slots; where those slots cannot all be worked by real agents (a late shift
followed by an early one needs a day off in between, which the aggregate rows of stage 1 cannot see), it
leaves slots open and the cover suffers where only the open shifts reach. This pass forgets the slots and
re-optimises the roster against the interval requirement itself — convex shortfall plus over-staffing, break
placements included — one neighbourhood at a time with everything else fixed:

* a **window**: every agent of one contract over 1–4 consecutive days around the worst interval left;
  CP-SAT re-matches the shifts of those days among all of them, rest and runs to the fixed days included;
* a few **agents** over the whole horizon, so working days can move.

Each sub-model has the rule methods of stage 2 (the checker's reading of every rule), the agents'
preferences and start-time terms, and exact interval cover with break-variant counts. A neighbourhood's
solution is kept when the whole roster's objective does not get worse.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from ortools.sat.python import cp_model

from wfm.roster._decompose_cover import integer_scale, interval_cost
from wfm.roster._decompose_data import FlatProblem
from wfm.roster._decompose_stage2 import _RULES, _Stage2, personal_cost

__all__ = ["assign_variants", "coverage", "polish", "roster_cost"]

_SUB_LIMIT = 1.5  # seconds per neighbourhood: many quick improvements beat a few proven ones


def assign_variants(fp: FlatProblem, shift: np.ndarray, counts: dict[tuple[int, int], np.ndarray] | None = None
                    ) -> np.ndarray:
    """A break variant per worked (agent, day): from per-(day, shift) variant counts, else the first."""
    var = np.full(shift.shape, -1, dtype=np.int64)
    pools: dict[tuple[int, int], list[int]] = {}
    if counts is not None:
        for key, c in counts.items():
            pools[key] = [v for v, n in enumerate(c) for _ in range(int(n))]
    for a, d in zip(*np.nonzero(shift >= 0), strict=True):
        key = (int(d), int(shift[a, d]))
        pool = pools.get(key)
        var[a, d] = pool.pop() if pool else 0
    return var


def coverage(fp: FlatProblem, shift: np.ndarray, var: np.ndarray, skip: set[tuple[int, int]] | None = None
             ) -> np.ndarray:
    """Agents on the phones per horizon interval (cells in ``skip`` left out)."""
    cov = np.zeros(len(fp.required), dtype=np.int64)
    for a, d in zip(*np.nonzero(shift >= 0), strict=True):
        if skip and (int(a), int(d)) in skip:
            continue
        cov[fp.variants[int(d), int(shift[a, d])][int(var[a, d])].intervals] += 1
    return cov


def roster_cost(fp: FlatProblem, shift: np.ndarray, var: np.ndarray) -> float:
    """Objective of a roster: cover cost, unmet wishes and extra start times (fairness excluded)."""
    w = fp.problem.weights
    cost = float(interval_cost(fp.required, coverage(fp, shift, var), w.shortfall, w.overstaffing).sum())
    return cost + personal_cost(fp, shift)


def _cover_terms(st: _Stage2, fp: FlatProblem, base: np.ndarray, var: np.ndarray, shift: np.ndarray,
                 unit: int) -> tuple[list[tuple[float, object]], dict[tuple[int, int], list]]:
    """Exact interval cover of the free cells: break-variant counts, convex shortfall tiers, surplus."""
    m = st.m
    w = fp.problem.weights
    by_ds: dict[tuple[int, int], list[cp_model.IntVar]] = {}
    for (_a, d, s), x in st.work.items():
        if st.window is None or d in st.window:
            by_ds.setdefault((d, s), []).append(x)
    counts: dict[tuple[int, int], list] = {}
    cover_of: dict[int, list] = {}
    for (d, s), xs in by_ds.items():
        vs = fp.variants[d, s]
        if len(vs) == 1:
            n_v = [sum(xs)]
        else:
            n_v = [m.new_int_var(0, len(xs), f"breaks(day={d}, shift={fp.shifts[s].id}, v={v})")
                   for v in range(len(vs))]
            m.add(sum(n_v) == sum(xs))
            # hint: the incumbent's variants of the free cells on (d, s)
            now = np.zeros(len(vs), dtype=np.int64)
            for (a, dd, ss) in st.work:
                if dd == d and ss == s and shift[a, d] == s:
                    now[var[a, d]] += 1
            for v, nv in enumerate(n_v):
                m.add_hint(nv, int(now[v]))
        counts[d, s] = n_v
        for v, var_ in enumerate(vs):
            for g in var_.intervals:
                cover_of.setdefault(int(g), []).append(n_v[v])
    terms: list[tuple[float, object]] = []
    marg = list(w.shortfall)
    for g, expr in cover_of.items():
        need = int(round((fp.required[g] - base[g]) * unit))
        cap = len(expr) * len(st.agents) * unit
        tiers = []
        remaining = max(need, 0)
        for k, wk in enumerate(marg):
            width = remaining if k == len(marg) - 1 else min(unit, remaining)
            if width <= 0:
                break
            v = m.new_int_var(0, width, f"short(t={g}, tier={k})")
            tiers.append(v)
            terms.append((wk / unit, v))
            remaining -= width
        over = m.new_int_var(0, cap + max(-need, 0), f"over(t={g})")
        m.add(unit * sum(expr) + sum(tiers) - over == need)
        if w.overstaffing > 0:
            terms.append((w.overstaffing / unit, over))
    return terms, counts


def _solve_neighbourhood(fp: FlatProblem, shift: np.ndarray, var: np.ndarray, agents: Sequence[int],
                         window: set[int] | None, *, time_limit_s: float, workers: int, seed: int,
                         unit: int) -> tuple[np.ndarray, np.ndarray] | None:
    free = {(a, d) for a in agents for d in (window if window is not None else range(fp.n_days))}
    base = coverage(fp, shift, var, skip=free)
    open_mask = np.broadcast_to(fp.usable, (len(fp.contracts), fp.n_days, fp.n_shifts))
    st = _Stage2(fp, np.zeros(open_mask.shape, dtype=np.int64), agents, open_mask, None, window, shift)
    st.variables()
    for rule in _RULES:
        getattr(st, rule)()
    terms, counts = _cover_terms(st, fp, base, var, shift, unit)
    terms += st.preference_terms(fp.problem.weights.preference)
    terms += st.start_consistency_terms(fp.problem.weights.start_consistency)
    scale = integer_scale([w for w, _ in terms])
    st.m.minimize(sum(round(w * scale) * v for w, v in terms if not isinstance(v, int) and round(w * scale)))
    for (a, d, s), x in st.work.items():
        if window is None or d in window:
            st.m.add_hint(x, int(shift[a, d] == s))
    solver = cp_model.CpSolver()
    solver.parameters.random_seed = int(seed)
    solver.parameters.num_workers = int(workers)
    if workers == 1:
        solver.parameters.max_deterministic_time = float(time_limit_s)
        solver.parameters.max_time_in_seconds = float(4 * time_limit_s)
    else:
        solver.parameters.max_time_in_seconds = float(time_limit_s)
    status = solver.solve(st.m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    new_shift, new_var = shift.copy(), var.copy()
    for a, d in free:
        new_shift[a, d] = -1
        new_var[a, d] = -1
    for (a, d, s), x in st.work.items():
        if (window is None or d in window) and solver.boolean_value(x):
            new_shift[a, d] = s
    for (d, s), n_v in counts.items():
        pool = [v for v, nv in enumerate(n_v) for _ in range(int(solver.value(nv)))]
        for a in agents:
            if (a, d) in free and new_shift[a, d] == s:
                new_var[a, d] = pool.pop() if pool else 0
    return new_shift, new_var


def polish(fp: FlatProblem, shift: np.ndarray, var: np.ndarray, *, time_limit_s: float, workers: int | None,
           seed: int, max_iterations: int = 1000) -> tuple[np.ndarray, np.ndarray, int]:
    """Improve ``shift`` (and break variants ``var``) on the true objective.

    Stops after ``max_iterations`` neighbourhoods or at the time limit (seconds), whichever comes first;
    with one worker each neighbourhood has a deterministic-time budget, so the iteration cap makes the
    search reproducible. Returns the roster, its variants and the number of neighbourhoods solved.
    """
    t0 = time.perf_counter()
    # workers=1 is the reproducible mode: neighbourhoods have deterministic-time budgets and the iteration
    # cap ends the search; the clock is only a safety net against a machine many times slower
    deadline = t0 + (max(4 * time_limit_s, 30.0) if workers == 1 else time_limit_s)
    workers = int(workers or 1)
    rng = np.random.default_rng(seed + 7)
    unit = 1 if np.all(np.isclose(fp.required, np.round(fp.required))) else 100
    cost = roster_cost(fp, shift, var)
    span, k = 2, 2
    it = 0
    while time.perf_counter() < deadline - 0.3 and it < max_iterations:
        it += 1
        short = np.maximum(fp.required - coverage(fp, shift, var), 0.0)
        worst = np.argsort(-short)[:20]
        g = int(rng.choice(worst)) if short.max() > 0 else int(rng.integers(len(fp.required)))
        d = int(np.searchsorted(fp.day_offset, g, side="right") - 1)
        window: set[int] | None
        if it % 8:
            lo = max(0, d - int(rng.integers(0, span)))
            window = set(range(lo, min(fp.n_days, lo + span)))
            # one contract group (its agents are interchangeable on these days), the larger ones more often
            group = int(rng.choice(fp.agent_contract))
            agents = [a for a in range(fp.n_agents)
                      if fp.agent_contract[a] == group and any(fp.available[a, e] for e in window)]
        else:
            window = None
            pool = [a for a in range(fp.n_agents) if fp.available[a, d]]
            agents = sorted(int(a) for a in rng.choice(pool, size=min(k, len(pool)), replace=False))
        if not agents:
            continue
        if deadline - time.perf_counter() < 0.3:
            break
        limit = _SUB_LIMIT if workers == 1 else min(_SUB_LIMIT, deadline - time.perf_counter() - 0.2)
        got = _solve_neighbourhood(fp, shift, var, agents, window, time_limit_s=limit, workers=workers,
                                   seed=seed + it, unit=unit)
        if got is not None:
            new_cost = roster_cost(fp, got[0], got[1])
            if new_cost <= cost + 1e-9:
                shift, var, cost = got[0], got[1], new_cost
    return shift, var, it
