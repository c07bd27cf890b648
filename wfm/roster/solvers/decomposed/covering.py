"""Stage 1 of the decomposed roster: how many of each shift to run on each day (no agents yet).

The covering model works on plain numpy. A *column* is one (day, shift template) pair; choosing ``x[c]``
copies of it adds one agent to every interval the shift covers (its breaks excluded). The model chooses
integer counts that minimise convex piecewise shortfall plus over-staffing, subject to linear capacity
rows that aggregate the per-agent contract rules (agents per day, working days per week, paid minutes,
tag caps). Every capacity row is implied by the per-agent rules, so the model is a relaxation of the full
roster problem and its optimum — or the solver's proven bound on it — is a lower bound on the cover cost of
any roster.

The model reads in the cpsat-primer order: data → variables → hard rules → soft rules → objective →
parameters → solve → extract.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from ortools.sat.python import cp_model

from wfm.exceptions import InfeasibleError, InvalidParameterError, NoSolutionError
from wfm.roster.solvers.cpsat import make_cp_solver

__all__ = ["CapacityRow", "CoverProblem", "CoverResult", "cover_cost", "greedy_cover", "greedy_result", "integer_scale",
           "interval_cost", "lp_bound", "solve_cover", "solve_cover_box", "solve_cover_mip", "solve_lp",
           "solve_lp_duals"]


@dataclass(frozen=True)
class CapacityRow:
    """One aggregate rule ``lo <= sum(coef[i] * x[columns[i]]) <= hi`` with a business name.

    ``lo`` / ``hi`` may be ``None`` for an open side. Coefficients are integers (paid minutes, 1 per shift).
    """

    name: str
    columns: np.ndarray
    coefs: np.ndarray
    lo: int | None = None
    hi: int | None = None


@dataclass(frozen=True)
class CoverProblem:
    """Data of the covering model.

    Attributes
    ----------
    required:
        ``(H,)`` integer agents required per interval of the horizon.
    cover:
        One integer array per column: the horizon intervals (``0 .. H-1``) the shift puts an agent on
        (work segments only; breaks are absent).
    short_weights:
        Convex marginal cost of shortfall in one interval: the k-th missing agent costs
        ``short_weights[min(k, len - 1)]``; must be non-decreasing so a deep hole costs more than the same
        total spread thin.
    over_weight:
        Cost of each agent above the requirement in one interval.
    lower, upper:
        ``(C,)`` bounds on each column's count (locked assignments give lower bounds; agents available on
        the day give upper bounds).
    rows:
        Aggregate capacity rules.
    names:
        Column names for explanations (``"2024-03-04 E0800"``).
    unit:
        ``required`` is in ``1/unit`` agents (100 for fractional Erlang figures), so the model stays integral.
    """

    required: np.ndarray
    cover: Sequence[np.ndarray]
    short_weights: tuple[float, ...]
    over_weight: float
    lower: np.ndarray
    upper: np.ndarray
    rows: Sequence[CapacityRow] = ()
    names: Sequence[str] = ()
    unit: int = 1

    def __post_init__(self) -> None:
        req = np.asarray(self.required)
        if req.ndim != 1 or (req < 0).any():
            raise InvalidParameterError(f"`required` must be a 1-D array of agents >= 0; got shape {req.shape}")
        if not self.short_weights or any(w < 0 for w in self.short_weights):
            raise InvalidParameterError(f"`short_weights` must be non-empty and >= 0; got {self.short_weights}")
        if any(b < a for a, b in zip(self.short_weights, self.short_weights[1:], strict=False)):
            raise InvalidParameterError(
                f"`short_weights` must be non-decreasing (convex shortfall); got {self.short_weights}")
        if self.over_weight < 0:
            raise InvalidParameterError(f"`over_weight` must be >= 0; got {self.over_weight}")
        n = len(self.cover)
        if len(self.lower) != n or len(self.upper) != n:
            raise InvalidParameterError(
                f"`lower`/`upper` must have one entry per column ({n}); got {len(self.lower)}/{len(self.upper)}")

    @property
    def n_columns(self) -> int:
        return len(self.cover)

    def coverage(self, counts: np.ndarray) -> np.ndarray:
        """Agents on each interval when column ``c`` runs ``counts[c]`` times."""
        cov = np.zeros(len(self.required), dtype=np.int64)
        for c, idx in enumerate(self.cover):
            if counts[c]:
                cov[idx] += int(counts[c])
        return cov


@dataclass
class CoverResult:
    """Solution of the covering model.

    ``objective`` is the cover cost of ``counts``; ``bound`` a proven lower bound on the cover cost of any
    roster (equal to ``objective`` when ``status == "OPTIMAL"``).
    """

    counts: np.ndarray
    coverage: np.ndarray
    shortfall: np.ndarray
    over: np.ndarray
    objective: float
    bound: float
    status: str
    seconds: float
    violated_rows: list[str] = field(default_factory=list)
    greedy: bool = False  # the greedy counts of a search out of time


def cover_cost(required: np.ndarray, coverage: np.ndarray, short_weights: Sequence[float],
               over_weight: float) -> float:
    """Cover cost of a coverage curve: convex piecewise shortfall plus linear over-staffing.

    Parameters
    ----------
    required, coverage:
        Agents required (may be fractional) and scheduled per interval.
    short_weights:
        Marginal cost of the 1st, 2nd, ... missing agent in an interval (last weight repeats); a fraction
        of an agent costs that fraction of its tier.
    over_weight:
        Cost per surplus agent per interval.
    """
    return float(interval_cost(required, coverage, short_weights, over_weight).sum())


def interval_cost(required: np.ndarray, coverage: np.ndarray, short_weights: Sequence[float],
                  over_weight: float) -> np.ndarray:
    """Cover cost of each interval (see :func:`cover_cost`)."""
    short = np.maximum(np.asarray(required, dtype=float) - np.asarray(coverage, dtype=float), 0.0)
    over = np.maximum(np.asarray(coverage, dtype=float) - np.asarray(required, dtype=float), 0.0)
    w = list(short_weights)
    k = len(w)
    cost = over_weight * over
    for j in range(k - 1):
        cost = cost + w[j] * np.clip(short - j, 0.0, 1.0)
    return cost + w[-1] * np.maximum(short - (k - 1), 0.0)


def integer_scale(weights: Sequence[float]) -> int:
    """Smallest power of ten that makes every weight an integer (CP-SAT objectives are integral)."""
    for scale in (1, 10, 100, 1000, 10000):
        if all(abs(w * scale - round(w * scale)) < 1e-9 for w in weights):
            return scale
    return 10000


def _status_name(status: int) -> str:
    return {cp_model.OPTIMAL: "OPTIMAL", cp_model.FEASIBLE: "FEASIBLE", cp_model.INFEASIBLE: "INFEASIBLE",
            cp_model.MODEL_INVALID: "MODEL_INVALID", cp_model.UNKNOWN: "UNKNOWN"}[status]


def solve_cover(problem: CoverProblem, *, time_limit_s: float = 10.0, workers: int | None = None,
                seed: int = 0, hint: np.ndarray | None = None, relative_gap: float = 0.0,
                deterministic: bool = False, deadline: float | None = None) -> CoverResult:
    """Solve the covering model with CP-SAT.

    Parameters
    ----------
    problem:
        The covering data.
    time_limit_s:
        Wall-clock limit in seconds.
    workers:
        CP-SAT search workers (``None``: CP-SAT's default, all cores).
    seed:
        Random seed of the search.
    hint:
        Optional ``(C,)`` counts to start from.
    relative_gap:
        Stop once ``(objective - bound) / objective`` is at most this.
    deterministic:
        Bound the search by deterministic time (one seed, one answer on a loaded machine).
    deadline:
        Absolute ``time.perf_counter()`` time the search may not pass.

    Raises
    ------
    InfeasibleError
        The capacity rows contradict each other (names the rows).
    NoSolutionError
        The time limit passed before any solution was found.
    """
    t0 = time.perf_counter()
    req = np.asarray(problem.required, dtype=np.int64)
    unit = int(problem.unit)
    n_t = len(req)
    n_c = problem.n_columns
    weights = list(problem.short_weights)
    # tier and surplus variables count 1/unit agents, so their weights are per 1/unit agent
    scale = integer_scale([w / unit for w in weights] + [problem.over_weight / unit])
    iw = [round(w * scale / unit) for w in weights]
    iover = round(problem.over_weight * scale / unit)

    # -- variables ------------------------------------------------------------------------------
    m = cp_model.CpModel()
    x = [m.new_int_var(int(problem.lower[c]), int(problem.upper[c]), _col_name(problem, c)) for c in range(n_c)]
    by_interval: list[list[int]] = [[] for _ in range(n_t)]
    for c, idx in enumerate(problem.cover):
        for t in idx:
            by_interval[int(t)].append(c)

    # -- hard rules: aggregate capacity -------------------------------------------------------------
    for row in problem.rows:
        expr = sum(int(k) * x[int(c)] for c, k in zip(row.columns, row.coefs, strict=True))
        if row.lo is not None and row.hi is not None:
            m.add_linear_constraint(expr, int(row.lo), int(row.hi))
        elif row.lo is not None:
            m.add(expr >= int(row.lo))
        elif row.hi is not None:
            m.add(expr <= int(row.hi))

    # -- soft rules: cover each interval --------------------------------------------------------------
    terms: list[tuple[int, cp_model.IntVar]] = []
    aux: list[tuple[list[tuple[cp_model.IntVar, int]], cp_model.IntVar]] = []
    for t in range(n_t):
        cov = sum(x[c] for c in by_interval[t]) if by_interval[t] else 0
        cap_cov = int(sum(problem.upper[c] for c in by_interval[t]))
        r = int(req[t])
        tiers = []
        widths: list[tuple[cp_model.IntVar, int]] = []
        remaining = r
        for k in range(len(iw)):
            width = remaining if k == len(iw) - 1 else min(unit, remaining)
            if width <= 0:
                break
            v = m.new_int_var(0, width, f"short(t={t},tier={k})")
            tiers.append(v)
            widths.append((v, width))
            terms.append((iw[k], v))
            remaining -= width
        over = m.new_int_var(0, max(unit * cap_cov - r, 0), f"over(t={t})")
        if iover:
            terms.append((iover, over))
        m.add(unit * cov + sum(tiers) - over == r)
        aux.append((widths, over))

    # -- objective ----------------------------------------------------------------------------------
    m.minimize(sum(w * v for w, v in terms if w))
    if hint is not None:
        # a complete hint (counts, shortfall tiers, surplus) lets CP-SAT start from it at once
        h = np.clip(np.asarray(hint, dtype=np.int64), problem.lower, problem.upper)
        for c in range(n_c):
            m.add_hint(x[c], int(h[c]))
        hcov = problem.coverage(h) * unit
        for t, (tiers_t, over_t) in enumerate(aux):
            short = max(int(req[t]) - int(hcov[t]), 0)
            for v, width in tiers_t:
                take = min(width, short)
                m.add_hint(v, take)
                short -= take
            m.add_hint(over_t, max(int(hcov[t]) - int(req[t]), 0))

    # -- parameters ---------------------------------------------------------------------------------
    # deterministic: a deterministic-time budget, the wall clock (``deadline``) only as a safety net
    solver = make_cp_solver(time_limit_s=time_limit_s, workers=int(workers or os.cpu_count() or 1), seed=seed,
                            deterministic=deterministic, deadline=deadline)
    if relative_gap > 0:
        solver.parameters.relative_gap_limit = float(relative_gap)

    # -- solve ------------------------------------------------------------------------------------
    status = solver.solve(m)
    name = _status_name(status)
    if status == cp_model.INFEASIBLE:
        raise InfeasibleError(
            "the aggregate capacity rules of the stage-1 covering model contradict each other",
            conflicts=[r.name for r in problem.rows])
    if status == cp_model.MODEL_INVALID:  # pragma: no cover - a bug in the builder
        raise RuntimeError(f"stage-1 covering model invalid: {m.validate()}")
    if status == cp_model.UNKNOWN:
        raise NoSolutionError(f"stage-1 covering model: no solution within `time_limit_s`={time_limit_s}")

    # -- extract ----------------------------------------------------------------------------------
    counts = np.array([solver.value(v) for v in x], dtype=np.int64)
    cov = problem.coverage(counts)
    req = req / unit
    objective = cover_cost(req, cov, weights, problem.over_weight)
    bound = solver.best_objective_bound / scale if status != cp_model.OPTIMAL else objective
    return CoverResult(counts=counts, coverage=cov, shortfall=np.maximum(req - cov, 0.0),
                       over=np.maximum(cov - req, 0.0), objective=objective, bound=min(bound, objective),
                       status=name, seconds=time.perf_counter() - t0)


def greedy_cover(problem: CoverProblem, *, max_steps: int = 100_000) -> np.ndarray:
    """A feasible-by-construction start for the covering model: add the best column while it pays.

    Starting from the column lower bounds, repeatedly add one copy of the column whose cover lowers the
    cost most among those every ``hi`` side of the capacity rows still admits; then, while a row's ``lo``
    side is unmet, add the cheapest admissible column of that row. Rows' ``lo`` sides may stay unmet when
    nothing admissible remains (CP-SAT then repairs from this hint).
    """
    from scipy.sparse import csc_matrix, csr_matrix

    req = np.asarray(problem.required, dtype=float) / problem.unit
    n_t, n_c = len(req), problem.n_columns
    lens = [len(idx) for idx in problem.cover]
    a = csc_matrix((np.ones(sum(lens)), (np.concatenate([np.asarray(i, dtype=np.int64) for i in problem.cover])
                                          if n_c else np.zeros(0, dtype=np.int64),
                                          np.repeat(np.arange(n_c), lens))), shape=(n_t, n_c))
    rr, rc, rv = [], [], []
    hi = np.full(len(problem.rows), np.inf)
    lo = np.full(len(problem.rows), -np.inf)
    for k, row in enumerate(problem.rows):
        rr += [k] * len(row.columns)
        rc += [int(c) for c in row.columns]
        rv += [float(v) for v in row.coefs]
        if row.hi is not None:
            hi[k] = row.hi
        if row.lo is not None:
            lo[k] = row.lo
    r = csr_matrix((rv, (rr, rc)), shape=(len(problem.rows), n_c))
    rt = r.T.tocsr()
    counts = np.asarray(problem.lower, dtype=np.int64).copy()
    level = r @ counts
    cov = a @ counts
    sw, ow = problem.short_weights, problem.over_weight

    def admissible(c: int) -> bool:
        if counts[c] >= problem.upper[c]:
            return False
        lo_i, hi_i = rt.indptr[c], rt.indptr[c + 1]
        rows_c, coef = rt.indices[lo_i:hi_i], rt.data[lo_i:hi_i]
        return bool(np.all(level[rows_c] + coef <= hi[rows_c] + 1e-9))

    def add(c: int) -> None:
        nonlocal level, cov
        counts[c] += 1
        lo_i, hi_i = rt.indptr[c], rt.indptr[c + 1]
        level[rt.indices[lo_i:hi_i]] += rt.data[lo_i:hi_i]
        idx = problem.cover[c]
        cov[idx] += 1

    blocked = np.zeros(n_c, dtype=bool)
    for _ in range(max_steps):
        marginal = interval_cost(req, cov + 1, sw, ow) - interval_cost(req, cov, sw, ow)
        gain = a.T @ marginal  # cost change of one more copy of each column
        gain[blocked | (counts >= problem.upper)] = np.inf
        order = np.argsort(gain)
        if gain[order[0]] >= -1e-9:
            break
        for c in order[:200]:
            if gain[c] >= -1e-9:
                break
            if admissible(int(c)):
                add(int(c))
                break
            blocked[c] = True
    # meet the lo sides (minimum paid minutes, ...) with the cheapest admissible columns of each row
    for k in np.flatnonzero(level < lo - 1e-9):
        while level[k] < lo[k] - 1e-9:
            cs = r.indices[r.indptr[k]:r.indptr[k + 1]]
            coef = r.data[r.indptr[k]:r.indptr[k + 1]]
            cs = cs[coef > 0]
            if not len(cs):
                break
            marginal = interval_cost(req, cov + 1, sw, ow) - interval_cost(req, cov, sw, ow)
            gain = a[:, cs].T @ marginal
            ok = [c for c in cs[np.argsort(gain)] if admissible(int(c))]
            if not ok:
                break
            add(int(ok[0]))
    return counts


def _col_name(problem: CoverProblem, c: int) -> str:
    return f"count({problem.names[c]})" if len(problem.names) > c else f"count(col={c})"


def _lp_arrays(problem: CoverProblem):  # noqa: ANN202 - scipy matrices
    """The covering model as ``min c.x, A_eq x = b_eq, A_ub x <= b_ub, bounds`` (agents, not 1/unit)."""
    from scipy.sparse import coo_matrix

    req = np.asarray(problem.required, dtype=float) / problem.unit
    n_t, n_c = len(req), problem.n_columns
    w = list(problem.short_weights)
    k = len(w)
    # variables: x (C) | short tiers (T*k) | over (T)
    n_var = n_c + n_t * k + n_t
    cost = np.zeros(n_var)
    for j in range(k):
        cost[n_c + j * n_t: n_c + (j + 1) * n_t] = w[j]
    cost[n_c + k * n_t:] = problem.over_weight
    rows: list[int] = []
    cols: list[int] = []
    for c, idx in enumerate(problem.cover):
        rows += [int(t) for t in idx]
        cols += [c] * len(idx)
    for j in range(k + 1):
        rows += list(range(n_t))
        cols += list(range(n_c + j * n_t, n_c + (j + 1) * n_t))
    vals = np.ones(len(rows))
    vals[len(rows) - n_t:] = -1.0
    a_eq = coo_matrix((vals, (rows, cols)), shape=(n_t, n_var)).tocsr()
    lo = np.zeros(n_var)
    hi = np.full(n_var, np.inf)
    lo[:n_c] = problem.lower
    hi[:n_c] = problem.upper
    for j in range(k - 1):
        hi[n_c + j * n_t: n_c + (j + 1) * n_t] = 1.0
    r_rows: list[int] = []
    r_cols: list[int] = []
    r_vals: list[float] = []
    rhs: list[float] = []
    for row in problem.rows:
        for sign, bound in ((1.0, row.hi), (-1.0, row.lo)):
            if bound is None:
                continue
            r_rows += [len(rhs)] * len(row.columns)
            r_cols += [int(c) for c in row.columns]
            r_vals += [sign * float(v) for v in row.coefs]
            rhs.append(sign * float(bound))
    a_ub = coo_matrix((r_vals, (r_rows, r_cols)), shape=(len(rhs), n_var)).tocsr() if rhs else None
    return cost, a_eq, req, a_ub, np.array(rhs), lo, hi


def _highs_options(time_limit_s: float | None) -> dict:
    return {} if time_limit_s is None else {"time_limit": max(float(time_limit_s), 0.01)}


def solve_lp(problem: CoverProblem, time_limit_s: float | None = None) -> tuple[float, np.ndarray | None]:
    """Linear-programming relaxation of the covering model (HiGHS via scipy): its value and column values.

    The value is an always-valid lower bound on the cover cost; ``(-inf, None)`` if HiGHS fails or runs
    out of ``time_limit_s`` (seconds; default none).
    """
    from scipy.optimize import linprog

    cost, a_eq, b_eq, a_ub, b_ub, lo, hi = _lp_arrays(problem)
    res = linprog(cost, A_ub=a_ub, b_ub=b_ub if a_ub is not None else None, A_eq=a_eq, b_eq=b_eq,
                  bounds=np.column_stack([lo, np.where(np.isinf(hi), None, hi)]), method="highs",
                  options=_highs_options(time_limit_s))
    if res.status != 0:
        return -math.inf, None
    return float(res.fun), np.asarray(res.x[:problem.n_columns])


def solve_lp_duals(problem: CoverProblem, time_limit_s: float | None = None) -> tuple[float, np.ndarray | None]:
    """LP value of the covering model and the duals of its interval rows (``(-inf, None)`` on failure or
    out of ``time_limit_s`` seconds)."""
    from scipy.optimize import linprog

    cost, a_eq, b_eq, a_ub, b_ub, lo, hi = _lp_arrays(problem)
    res = linprog(cost, A_ub=a_ub, b_ub=b_ub if a_ub is not None else None, A_eq=a_eq, b_eq=b_eq,
                  bounds=np.column_stack([lo, np.where(np.isinf(hi), None, hi)]), method="highs",
                  options=_highs_options(time_limit_s))
    if res.status != 0:
        return -math.inf, None
    return float(res.fun), np.asarray(res.eqlin.marginals, dtype=float)[:len(problem.required)]


def lp_bound(problem: CoverProblem) -> float:
    """Value of the linear-programming relaxation: a lower bound on the cover cost of any roster."""
    return solve_lp(problem)[0]


def solve_cover_mip(problem: CoverProblem, *, time_limit_s: float = 10.0,
                    relative_gap: float = 1e-4, node_limit: int | None = None) -> CoverResult | None:
    """Solve the covering model as a MIP with HiGHS (scipy); ``None`` when HiGHS finds no solution.

    The covering model is a textbook MIP with a tight LP relaxation, where HiGHS' branch-and-cut proves
    near-optimality faster than CP-SAT's search on two cores. Its dual bound is a valid lower bound.
    A ``node_limit`` (branch-and-bound nodes) is a budget that gives the same answer on any machine.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    t0 = time.perf_counter()
    cost, a_eq, b_eq, a_ub, b_ub, lo, hi = _lp_arrays(problem)
    cons = [LinearConstraint(a_eq, b_eq, b_eq)]
    if a_ub is not None:
        cons.append(LinearConstraint(a_ub, -np.inf, b_ub))
    integrality = np.zeros(len(cost))
    integrality[:problem.n_columns] = 1
    options = {"time_limit": float(time_limit_s), "mip_rel_gap": float(relative_gap), "disp": False}
    if node_limit is not None:
        options["node_limit"] = int(node_limit)
    res = milp(cost, constraints=cons, integrality=integrality, bounds=Bounds(lo, hi), options=options)
    if res.x is None:
        return None
    counts = np.round(res.x[:problem.n_columns]).astype(np.int64)
    req = np.asarray(problem.required, dtype=float) / problem.unit
    cov = problem.coverage(counts)
    objective = cover_cost(req, cov, problem.short_weights, problem.over_weight)
    bound = getattr(res, "mip_dual_bound", None)
    bound = float(bound) if bound is not None and np.isfinite(bound) else lp_bound(problem)
    status = "OPTIMAL" if res.status == 0 and objective - bound <= 1e-6 * max(1.0, objective) else "FEASIBLE"
    return CoverResult(counts=counts, coverage=cov, shortfall=np.maximum(req - cov, 0.0),
                       over=np.maximum(cov - req, 0.0), objective=objective, bound=min(bound, objective),
                       status=status, seconds=time.perf_counter() - t0)


def greedy_result(problem: CoverProblem, seconds: float = 0.0) -> CoverResult:
    """The :func:`greedy_cover` counts as a result (status UNKNOWN: no search, no bound of its own)."""
    counts = greedy_cover(problem)
    cov = problem.coverage(counts)
    req = np.asarray(problem.required, dtype=float) / problem.unit
    objective = cover_cost(req, cov, list(problem.short_weights), problem.over_weight)
    return CoverResult(counts=counts, coverage=cov, shortfall=np.maximum(req - cov, 0.0),
                       over=np.maximum(cov - req, 0.0), objective=objective, bound=-math.inf, status="UNKNOWN",
                       seconds=seconds, greedy=True)


def solve_cover_box(cover: CoverProblem, time_limit_s: float, *, workers: int | None, seed: int,
                    engine: str = "highs", deterministic: bool = False, deadline: float | None = None,
                    lp_time_limit_s: float | None = None) -> CoverResult:
    """The LP relaxation of ``cover`` (its bound), then the integer model inside the LP's rounding box.

    Searching only between the floor and the ceiling of the LP solution keeps the integer search small;
    HiGHS' branch-and-cut closes it in seconds where the full integer model would take minutes. The bound
    reported is the LP value of the *full* model, valid for every roster. ``engine="highs"`` solves the box
    MIP with HiGHS (fast, but stopped by the wall clock); ``"cpsat"`` with CP-SAT from the rounded LP
    solution (with ``deterministic``, bounded by deterministic time, so one seed gives one answer on a
    loaded machine too). The LP stops at ``lp_time_limit_s`` (seconds; no bound then). Out of time in the
    box and in the full model, the greedy counts
    (:func:`greedy_cover`) stand in: a plan is always returned, never a time-out.

    Raises
    ------
    InfeasibleError
        The capacity rows contradict each other (proved by CP-SAT).
    """
    t0 = time.perf_counter()

    def left() -> float:
        return time_limit_s - (time.perf_counter() - t0)

    bound, x = solve_lp(cover, lp_time_limit_s)
    res: CoverResult | None = None
    if x is not None:
        lo = np.maximum(np.floor(x + 1e-6), cover.lower).astype(np.int64)
        hi = np.maximum(np.minimum(np.ceil(x - 1e-6), cover.upper), lo).astype(np.int64)
        box = replace(cover, lower=lo, upper=hi)
        if engine == "cpsat":
            limit = max(time_limit_s if deterministic else left(), 0.5)
            try:
                res = solve_cover(box, time_limit_s=limit, workers=workers, seed=seed, deterministic=deterministic,
                                  deadline=deadline, hint=np.clip(np.round(x), lo, hi).astype(np.int64))
            except (NoSolutionError, InfeasibleError):
                res = None
        else:
            res = solve_cover_mip(box, time_limit_s=max(left(), 1.0))
    if res is None and (deadline is None or deadline - time.perf_counter() > 1.0):
        # no LP or nothing in the box: the full model with CP-SAT
        hint = None if x is None else np.round(x).astype(np.int64)
        try:
            # (deterministic: the nominal limit, not what the clock left of it)
            full_s = time_limit_s if deterministic else left()
            res = solve_cover(cover, time_limit_s=max(full_s, 1.0), workers=workers, seed=seed, hint=hint,
                              deterministic=deterministic, deadline=deadline)
        except NoSolutionError:
            res = None
    if res is None:  # out of time: the greedy plan (the construction places agents under their rules anyway)
        res = greedy_result(cover)
    if np.isfinite(bound):
        res.bound = min(bound, res.objective)
        res.status = "OPTIMAL" if res.objective - res.bound <= 1e-6 * max(1.0, res.objective) else "FEASIBLE"
    elif not np.isfinite(res.bound):
        res.bound = 0.0  # no LP: cover costs are never negative
    res.seconds = time.perf_counter() - t0
    return res
