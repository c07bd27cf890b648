"""The Dantzig–Wolfe (column generation) lower bound on shortfall.

The roster problem, written over *columns* (one agent's whole roster), is::

    min  sum_g short_g
    s.t. sum_(k, r) cover_g(r) * lam_(k,r) + short_g >= required_g     (dual pi_g >= 0)
         sum_r lam_(k,r) = n_k                                          (dual mu_k)

where ``k`` runs over classes of interchangeable agents (``n_k`` members) and ``r`` over the rosters their
full contract rules allow. Its LP relaxation (the *master*) is at least as strong as the stage-1 LP and
as any Lagrangian bound that relaxes the interval rows. Column generation solves it: the restricted master
over the columns found so far gives duals, each class's pricing problem returns its best roster at those
duals — a shortest path through its contract's state graph
(:mod:`wfm.roster.solvers.decomposed.contract_graph`, exact, about
a millisecond), or the one-agent CP-SAT model (:class:`AgentPricer`) where the graph does not apply — and::

    L(pi) = pi . required + sum_k n_k * min_r (-pi . cover(r))

is a valid lower bound at every round (each minimum is exact, or CP-SAT's proven bound with costs rounded
down). With pricing at a millisecond a class, the master LP (GLOP, warm) is what a round costs, so the
master holds a column as the (day, shift) pairs it works, linked to free break placements, not as the
intervals it covers (:class:`_Master`): at 150 agents × 4 weeks it converges to 80.1 in about 30 s (100
rounds), where written out interval by interval it was still at 177 after 30 s and needed 600 s.
Plain column generation converges slowly here (the master's duals jump between rounds), so the pricing
point is smoothed towards the duals of the best bound so far (Wentges 1997): ``alpha * centre +
(1 - alpha) * pi_master``, with ``alpha`` lowered when a smoothed round finds no column the master can use.

Measured (shortfall in agent-intervals, bank profile, seed 0): 30 agents × 1 week converges in 9 s to
30.1, where a subgradient Lagrangian reached 15.1 in 20 s and the primal roster is 45 short.
The master's fractional roster is rounded to whole agents by diving (:meth:`_Master.dive`).

References: Desrosiers & Lübbecke (2005), *A primer in column generation*; Wentges (1997), *Weighted
Dantzig–Wolfe decomposition for linear mixed-integer programming*; Pessoa, Sadykov, Uchoa & Vanderbeck
(2018), *Automation and combination of linear-programming based stabilization techniques in column
generation*.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from wfm.exceptions import NoSolutionError
from wfm.roster.solvers.decomposed.contract_graph import PricerPool
from wfm.roster.solvers.decomposed.data import FlatProblem
from wfm.roster.solvers.decomposed.pricing import VariantTable, agent_classes, no_roster

__all__ = ["ColumnGenerationBound", "column_generation", "column_generation_bound", "columns_roster"]

_log = logging.getLogger(__name__)

_DIVE_STEP = 5  # agents fixed per dive re-solve once no column is used a whole time over (see _Master.dive)


@dataclass(frozen=True)
class ColumnGenerationBound:
    """Outcome of :func:`column_generation_bound` (agent-intervals short; seconds)."""

    bound: float       # best valid lower bound L(pi) found
    master: float      # last restricted-master LP value (an upper estimate of the master optimum)
    rounds: int
    columns: int
    seconds: float

    @property
    def converged(self) -> bool:
        """Bound and master agree to within 1% (or half an agent-interval)."""
        return self.master - self.bound <= max(0.5, 0.01 * abs(self.master))


class _Master:
    """The restricted master LP over the columns found so far, kept in GLOP and re-solved warm.

    A column enters as the (day, shift) pairs it works, not the intervals it covers: one *link* row per
    (day, shift) counts the agents the columns put there, and one variable per (day, shift, break variant)
    spreads them over the break placements that cover the intervals. Break variants are a free choice of
    the head-counts (any agent on a shift can take any placement), so the LP is the same as with every
    column's intervals written out, but a column holds about 20 coefficients instead of about 300: 150
    agents, 30 s, 1 worker: GLOP 0.22 s a re-solve against 0.47 s, and 94 rounds against 50.

    ``cover_weights = (tiers, over)`` prices cover as the roster does, in units of the first tier: the
    ``j``-th missing agent of an interval costs ``tiers[j]`` (the last applies beyond) and each agent over
    costs ``over``; the default ``((1.0,), 0.0)`` counts agent-intervals short.
    """

    def __init__(self, fp: FlatProblem, classes: list[list[int]], table: VariantTable,
                 cover_weights: tuple[tuple[float, ...], float] = ((1.0,), 0.0)) -> None:
        from ortools.linear_solver import pywraplp

        self.req = fp.required.astype(float)
        self.n_k = np.array([len(m) for m in classes], dtype=float)
        self.table = table
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        # presolve would re-run on every warm re-solve: without it, 48 rounds in 25 s against 44 (150 agents)
        self.lp.SetSolverSpecificParametersAsString("use_preprocessing:false")
        inf = self.lp.infinity()
        tiers, over = cover_weights
        # with over-staffing priced, cover is an equality: what the columns put beyond the need is "over"
        self.cover_rows = [self.lp.Constraint(float(r), float(r) if over > 0 else inf) for r in self.req]
        self.link_rows = [self.lp.Constraint(0.0, 0.0) for _ in table.keys]
        self.class_rows = [self.lp.Constraint(float(n), float(n)) for n in self.n_k]
        self.link = np.full((fp.n_days, fp.n_shifts), -1, dtype=np.int64)
        for i, (d, s) in enumerate(table.keys):
            self.link[d, s] = i
        objective = self.lp.Objective()
        for row in self.cover_rows:
            for j, w in enumerate(tiers):  # convex tiers: the LP fills the cheap ones first
                x = self.lp.NumVar(0.0, 1.0 if j < len(tiers) - 1 else inf, "")
                row.SetCoefficient(x, 1.0)
                objective.SetCoefficient(x, float(w))
            if over > 0:
                x = self.lp.NumVar(0.0, inf, "")
                row.SetCoefficient(x, -1.0)
                objective.SetCoefficient(x, float(over))
        self.dual_box = (-float(over), float(tiers[-1]))  # where the Lagrangian of the cover rows is finite
        self.placed = []  # one per (day, shift, break variant), in the table's order
        for j, i in enumerate(table.var_key.tolist()):
            y = self.lp.NumVar(0.0, inf, "")
            self.link_rows[i].SetCoefficient(y, 1.0)
            for g in table.cat[table.starts[j]:table.starts[j] + _span(table, j) - 1].tolist():
                self.cover_rows[g].SetCoefficient(y, 1.0)
            self.placed.append(y)
        objective.SetMinimization()
        self.columns = 0
        self.seen: set[tuple[int, bytes]] = set()
        self.rows: list[tuple[int, np.ndarray, np.ndarray]] = []  # (class, shift row, variant row)
        self.lams: list = []
        self.sigma = np.zeros(len(table.keys))
        self.mu = np.zeros(len(classes))

    def add(self, k: int, row: np.ndarray, var_row: np.ndarray) -> bool:
        key = (k, row.tobytes())
        if key in self.seen:
            return False
        self.seen.add(key)
        lam = self.lp.NumVar(0.0, self.lp.infinity(), "")
        for i in self.link[np.flatnonzero(row >= 0), row[row >= 0]].tolist():
            self.link_rows[i].SetCoefficient(lam, -1.0)
        self.class_rows[k].SetCoefficient(lam, 1.0)
        self.columns += 1
        self.rows.append((k, row.copy(), var_row.copy()))
        self.lams.append(lam)
        return True

    def reduced_cost(self, k: int, row: np.ndarray) -> float:
        """Reduced cost of a class-``k`` column working ``row`` at the last solve's duals."""
        worked = row >= 0
        return float(self.sigma[self.link[np.flatnonzero(worked), row[worked]]].sum() - self.mu[k])

    def roster(self, classes: list[list[int]], n_days: int) -> tuple[np.ndarray, np.ndarray]:
        """Round the last LP solution to a roster: each class's ``n_k`` agents go to its columns in
        proportion to their weights (largest remainders), and each (day, shift)'s agents to its break
        variants in proportion to theirs. Every agent gets a column of its own class, so every hard rule
        holds; only the cover is approximate."""
        self.solve()  # columns may have entered since the last solve
        weight = np.array([x.solution_value() for x in self.lams])
        cls = np.array([k for k, _, _ in self.rows])
        counts = np.zeros(len(self.rows), dtype=np.int64)
        for k, members in enumerate(classes):
            js = np.flatnonzero(cls == k)
            counts[js] = _largest_remainders(weight[js], len(members))
        return self._place(classes, n_days, counts)

    def dive(self, classes: list[list[int]], n_days: int, *, per_step: int = _DIVE_STEP,
             deadline: float = float("inf")) -> tuple[np.ndarray, np.ndarray]:
        """Round the LP by diving: fix the columns' integer parts, else one agent on each of the
        ``per_step`` most-used fractional columns (of distinct classes), re-solve, and repeat until every
        agent has a column; what is left at ``deadline`` (``time.perf_counter()``) is rounded by largest
        remainders.

        Each re-solve lets the LP re-balance the agents not yet fixed around those that are, which the
        one-shot rounding cannot: 150 agents, master at 80, 30 s of column generation: 167 agent-intervals
        short after 22 re-solves (6 s) against 552 by largest remainders. The master keeps the fixings (its
        columns' lower bounds), so no column generation follows a dive. Pricing new columns for the agents
        left after each re-solve (dive-and-price) dives to 141 but takes 16 s, and after the sweeps lost to
        the plain dive (150 agents, 60 s, seeds 0-2: 120, 133, 131 against 112, 120, 119).
        """
        # bounds moved, columns unchanged: the basis stays dual feasible, so the dual simplex restarts warm
        # (0.3 s a re-solve at 150 agents against 2.6 s for the primal)
        self.lp.SetSolverSpecificParametersAsString("use_preprocessing:false use_dual_simplex:true")
        left = self.n_k.astype(np.int64)
        cls = np.array([k for k, _, _ in self.rows])
        fixed = np.zeros(len(self.rows), dtype=np.int64)
        while left.sum() > 0:
            self.solve()
            free = np.array([x.solution_value() for x in self.lams]) - fixed
            if time.perf_counter() > deadline:
                for k in np.flatnonzero(left > 0):
                    js = np.flatnonzero(cls == k)
                    fixed[js] += _largest_remainders(np.maximum(free[js], 0.0), int(left[k]))
                break
            changed = 0
            for c in np.flatnonzero(free >= 1 - 1e-6):
                n = min(int(np.floor(free[c] + 1e-6)), int(left[cls[c]]))
                fixed[c] += n
                left[cls[c]] -= n
                changed += n
            if changed == 0:
                taken: set[int] = set()
                for c in np.argsort(-free, kind="stable"):
                    if free[c] <= 1e-6 or len(taken) == per_step:
                        break
                    if left[cls[c]] > 0 and cls[c] not in taken:
                        fixed[c] += 1
                        left[cls[c]] -= 1
                        taken.add(int(cls[c]))
                if not taken:  # only round-off left: the rest by largest remainders
                    deadline = -float("inf")
                    continue
            self._fix(fixed)
        self._fix(fixed)
        self.solve()  # the break placements that suit the fixed columns best
        return self._place(classes, n_days, fixed)

    def _fix(self, counts: np.ndarray) -> None:
        for c in np.flatnonzero(counts):
            self.lams[c].SetLb(float(counts[c]))

    def _place(self, classes: list[list[int]], n_days: int, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The roster with ``counts[j]`` agents of column ``j``'s class on it, each (day, shift)'s agents
        spread over its break variants in proportion to the LP's placements."""
        n_agents = sum(len(m) for m in classes)
        shift = np.full((n_agents, n_days), -1, dtype=np.int64)
        var = np.full((n_agents, n_days), -1, dtype=np.int64)
        agents = [iter(m) for m in classes]
        for (k, row, var_row), c in zip(self.rows, counts.tolist(), strict=True):
            for _ in range(c):
                a = next(agents[k])
                shift[a], var[a] = row, var_row
        placed = np.array([y.solution_value() for y in self.placed])
        for i, (d, s) in enumerate(self.table.keys):
            on = np.flatnonzero(shift[:, d] == s)
            vs = np.flatnonzero(self.table.var_key == i)
            if len(on) and placed[vs].sum() > 1e-9:
                var[on, d] = np.repeat(self.table.var_local[vs], _largest_remainders(placed[vs], len(on)))
        return shift, var

    def solve(self) -> tuple[float, np.ndarray, np.ndarray]:
        """LP value, interval duals ``pi >= 0`` and class duals ``mu``."""
        from ortools.linear_solver import pywraplp

        status = self.lp.Solve()
        if status != pywraplp.Solver.OPTIMAL:  # the short variables keep it feasible and bounded
            raise RuntimeError(f"restricted master LP failed with GLOP status {status}")
        pi = np.array([r.dual_value() for r in self.cover_rows])  # in [-over, last tier]
        self.sigma = np.array([r.dual_value() for r in self.link_rows])
        self.mu = np.array([r.dual_value() for r in self.class_rows])
        return float(self.lp.Objective().Value()), np.clip(pi, *self.dual_box), self.mu


def _span(table: VariantTable, j: int) -> int:
    """Entries of variant ``j`` in ``table.cat`` (its intervals plus the sentinel)."""
    return int((table.starts[j + 1] if j + 1 < len(table.starts) else len(table.cat)) - table.starts[j])


def _largest_remainders(weight: np.ndarray, total: int) -> np.ndarray:
    """Integers summing to ``total`` in proportion to ``weight`` (floors, then the largest remainders)."""
    if weight.sum() <= 0:  # nothing to go by: spread evenly (so the counts always reach the total)
        weight = np.ones_like(weight)
    scaled = weight * (total / weight.sum())
    counts = np.floor(scaled + 1e-9).astype(np.int64)
    rest = total - int(counts.sum())
    counts[np.argsort(-(scaled - counts), kind="stable")[:max(rest, 0)]] += 1
    return counts


def column_generation_bound(fp: FlatProblem, duals: np.ndarray, *, time_limit_s: float, seed: int = 0,
                            workers: int = 2, smoothing: float = 0.5, time_per_class: float = 0.5,
                            rosters: tuple[np.ndarray, np.ndarray] | None = None) -> ColumnGenerationBound:
    """Lower bound on the agent-intervals short of any roster of ``fp``, by stabilised column generation.

    See :func:`column_generation` for the parameters.
    """
    return column_generation(fp, duals, time_limit_s=time_limit_s, seed=seed, workers=workers,
                             smoothing=smoothing, time_per_class=time_per_class, rosters=rosters)[0]


def columns_roster(fp: FlatProblem, duals: np.ndarray, *, time_limit_s: float, seed: int = 0,
                   workers: int = 2, max_rounds: int | None = None, time_per_class: float = 0.5,
                   rosters: tuple[np.ndarray, np.ndarray] | None = None, pricing: str = "auto",
                   dive_s: float | None = None, cover_weights: tuple[tuple[float, ...], float] = ((1.0,), 0.0)
                   ) -> tuple[np.ndarray, np.ndarray, ColumnGenerationBound]:
    """A roster of ``fp`` rounded from the column-generation master: ``(shift, variant, outcome)``.

    The master's fractional roster is what the whole workforce can cover under every contract rule, so its
    rounding (each class's agents spread over its columns by weight) is a start that single-agent moves
    alone do not reach: on the 150-agent instance, 300 s of column generation (master at 95) rounded and
    improved by 10 s of sweeps is 157 agent-intervals short, where the sweeps from the usual construction
    stall near 220. With ``dive_s`` (seconds, ``inf`` for no clock) the master is rounded by diving
    (:meth:`_Master.dive`), else by largest remainders.
    """
    got, master = column_generation(fp, duals, time_limit_s=time_limit_s, seed=seed, workers=workers,
                                    max_rounds=max_rounds, time_per_class=time_per_class, rosters=rosters,
                                    pricing=pricing, cover_weights=cover_weights)
    if master is None:
        raise NoSolutionError(f"column generation priced no roster in {time_limit_s:g} s")
    if dive_s is None:
        shift, var = master.roster(agent_classes(fp), fp.n_days)
    else:
        shift, var = master.dive(agent_classes(fp), fp.n_days, per_step=_DIVE_STEP,
                                 deadline=time.perf_counter() + dive_s)
    return shift, var, got


def column_generation(fp: FlatProblem, duals: np.ndarray, *, time_limit_s: float, seed: int = 0,
                      workers: int = 2, smoothing: float = 0.5, time_per_class: float = 0.5,
                      rosters: tuple[np.ndarray, np.ndarray] | None = None, max_rounds: int | None = None,
                      pricing: str = "auto", cover_weights: tuple[tuple[float, ...], float] = ((1.0,), 0.0)
                      ) -> tuple[ColumnGenerationBound, _Master | None]:
    """Stabilised column generation on the shortfall of ``fp``: the bound and the last restricted master.

    ``fp`` must price shortfall only (weights: one shortfall tier of 1, no over-staffing or personal
    costs), as :func:`wfm.roster.solvers.decomposed.solver.shortfall_lower_bound` builds it.

    Parameters
    ----------
    fp:
        The flattened problem.
    duals:
        Starting interval prices (the stage-1 LP's duals: the bound starts at least at that LP's value).
    time_limit_s:
        Budget in seconds; the bound is valid whenever it stops.
    seed:
        Seed of the CP-SAT pricing solves (dynamic programming needs none).
    workers:
        Classes priced in parallel when pricing is by CP-SAT (which releases the GIL).
    smoothing:
        Initial Wentges weight ``alpha`` of the best-bound duals in the pricing point (0 = plain column
        generation).
    time_per_class:
        Deterministic CP-SAT budget of one pricing solve (about seconds).
    rosters:
        Optional ``(shift, variant)`` arrays ``(A, D)`` of a known roster (``-1`` = day off): its agents'
        rows seed the master, which then starts near a good primal instead of far above it.
    max_rounds:
        Optional cap on master rounds: a budget in work, not time, so one worker and one seed give one
        master on any machine (the clock then only guards against a stuck solve).
    pricing:
        ``"auto"`` (dynamic programming where it applies) or ``"cp-sat"`` (one-agent CP-SAT models: the
        previous pricer, kept as the benchmark's baseline).
    cover_weights:
        ``(tiers, over)``: cover priced as :class:`_Master` reads it (default: agent-intervals short, and
        the bound is then a bound on shortfall; otherwise on that cover cost).
    """
    t0 = time.perf_counter()
    table = VariantTable(fp)
    classes = agent_classes(fp)
    pool = PricerPool(fp, table, method=pricing, scale=10_000)
    pricers = [pool[m[0]] for m in classes]
    master = _Master(fp, classes, table, cover_weights)
    tiers = np.asarray(cover_weights[0][:-1], dtype=float)  # the tiers of one agent each
    req = master.req

    extra: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}  # the pricing solves' other solutions

    def price(pi: np.ndarray, rnd: int) -> list[tuple[np.ndarray, np.ndarray, float, float] | None]:
        key_value, key_variant = table.best(-pi)

        def one(k: int) -> tuple[np.ndarray, np.ndarray, float, float] | None:
            if time.perf_counter() - t0 > time_limit_s:
                return None
            got = pricers[k].solve(key_value, key_variant, hint=None, time_limit_s=time_per_class,
                                   seed=seed + rnd, round_down=True, collect=True)
            extra[k] = pricers[k].found
            if got is None and pricers[k].status == cp_model.INFEASIBLE:
                no_roster(fp, classes[k][0], pricers[k].status)  # no roster at all: say whose, not "no time"
            return got

        if workers > 1 and not pool.uses_dp:  # dynamic programming holds the GIL: threads would only wait
            with ThreadPoolExecutor(workers) as threads:
                return list(threads.map(one, range(len(classes))))
        return [one(k) for k in range(len(classes))]

    def bound_at(pi: np.ndarray, got: list) -> float:
        # min over each interval's tier and over variables of their cost less pi times what they cover
        tier_part = float(np.minimum(tiers[None, :] - pi[:, None], 0.0).sum()) if len(tiers) else 0.0
        return float(pi @ req) + tier_part + float(sum(master.n_k[k] * g[3] for k, g in enumerate(got)))

    centre = np.clip(np.asarray(duals, dtype=float), *master.dual_box)
    got = price(centre, 0)
    if any(g is None for g in got):
        return ColumnGenerationBound(-float("inf"), float("inf"), 0, 0, time.perf_counter() - t0), None
    best = bound_at(centre, got)
    for k, g in enumerate(got):
        master.add(k, g[0], g[1])
    if rosters is not None:
        shift, var = rosters
        for k, members in enumerate(classes):
            for a in members:
                master.add(k, shift[a], var[a])
    alpha, rounds, lp = smoothing, 0, float("inf")
    while time.perf_counter() - t0 < time_limit_s and (max_rounds is None or rounds < max_rounds):
        rounds += 1
        lp, pi_lp, mu = master.solve()
        if lp - best <= max(0.5, 0.01 * abs(lp)):
            break
        point = alpha * centre + (1 - alpha) * pi_lp
        got = price(point, rounds)
        if any(g is None for g in got):
            break
        value = bound_at(point, got)
        if value > best:
            best, centre = value, point
        new = 0
        for k, g in enumerate(got):
            for row, var_row in [(g[0], g[1]), *extra.get(k, [])]:
                # a column enters only if the master can use it (negative reduced cost at its own duals)
                if master.reduced_cost(k, row) < -1e-6 and master.add(k, row, var_row):
                    new += 1
        if new == 0:
            if alpha == 0.0:
                break  # no column at the master's own duals: the master is optimal (up to rounding)
            alpha = max(0.0, alpha - 0.25)  # mis-priced round: trust the master's duals more
        _log.debug("round %d: master %.3f, bound %.3f, %d new columns, alpha %.2f, %.1f s", rounds, lp, best,
                   new, alpha, time.perf_counter() - t0)
    return ColumnGenerationBound(best, lp, rounds, master.columns, time.perf_counter() - t0), master
