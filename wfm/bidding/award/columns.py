"""A column-generation bound (and incumbent) for the points stage over exchanges of the posted slots.

The slot-exchange points problem (:mod:`wfm.bidding.award.slots`) is an assignment of R1's slots to agents,
each agent's line obeying its own contract rules. Written per agent (Dantzig-Wolfe), a *column* is one
agent's whole line (a shift or a day off per day), with the points of the bids it grants and its personal
cost (preferences, start-time consistency). The master LP picks a convex mix of lines per agent such that

* every slot ``(day, shift, skill group)`` is worked exactly R1's number of times (duals ``pi``), and
* the personal costs sum to at most the cap minus R1's (fixed) coverage cost (dual ``mu >= 0``),

maximising the points. Pricing is one agent's roster model (every hard rule, its bids' literals), solved
exactly by CP-SAT: ``max points - pi . line - mu * cost``. For *any* duals, the Lagrangian value
``sum_a max_line(...) + pi . counts + mu * budget`` bounds the points of every slot exchange from above, so
the bound is valid at every iteration, not only at convergence. The LP relaxation of this master is far
tighter than the full model's: the contract rules are inside the columns. The same columns give an
incumbent by a small set-partitioning solve (one line per agent).

Valid when the roster's cost is coverage plus per-agent terms: a fairness spread (``weights.fairness > 0``)
couples agents, and :func:`column_bound` then declines (returns ``None``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from wfm.bidding.award.explain import Reader
from wfm.bidding.award.model import STATUS_NAMES, AwardModel, SolveOptions
from wfm.bidding.award.slots import skill_groups
from wfm.bidding.award.targets import item_holds
from wfm.roster.solvers.monolithic.model import RosterModel

__all__ = ["Line", "ColumnResult", "column_bound"]

#: Pricing objectives are integers: duals and costs times this; the rounding error is added to the bound.
PRICE_SCALE = 10**7


@dataclass(frozen=True)
class Line:
    """One agent's line: ``cells`` ``(day, shift)`` worked, the bids (indices) it grants, its points and cost."""

    agent: int
    cells: tuple[tuple[int, int], ...]
    won: tuple[int, ...]
    points: int
    cost: float


@dataclass
class ColumnResult:
    """The bound (points, valid upper bound of every slot exchange), the best integer award over the columns
    (one line per agent; ``None`` if none found), the LP value, iterations, and whether pricing converged."""

    bound: float
    lines: list[Line] | None
    points: int
    lp: float
    iterations: int
    converged: bool
    time_s: float
    columns: int = 0
    history: list[tuple[float, float]] = field(default_factory=list)


class _Pricer:
    """One agent's roster model (no cover) restricted to the slots, with its bids' literals."""

    def __init__(self, am: AwardModel, a: int, bid_idx: list[int], allowed: set[tuple[int, int]]) -> None:
        problem = am.problem
        me = problem.agents[a]
        alone = problem.model_copy(update={"agents": [me], "requirements": [], "shift_demands": []})
        self.rm = RosterModel(alone, symmetry=False)
        self.a = a
        self.bid_idx = bid_idx
        self.won = [item_holds(self.rm, 0, am.bids[i].item, f"won(bid={am.bids[i].id})") for i in bid_idx]
        self.points = [am.points[i] for i in bid_idx]
        for (_, d, s), x in self.rm.work.items():
            if (d, s) not in allowed:
                self.rm.model.add(x == 0)
        # the personal cost terms (cost units), as the roster model weighs them
        self.terms = [(e, w) for e, w in self.rm.objective_terms if w]

    def line(self, values: Sequence[int]) -> Line:
        """The line of a solution vector, its cost re-scored by the roster's own evaluators."""
        reader = Reader(values)
        cells = tuple(sorted((d, s) for (_, d, s), x in self.rm.work.items() if values[x.index]))
        won = tuple(i for i, w in zip(self.bid_idx, self.won, strict=True) if values[w.index])
        cost = sum(p.cost for ev in self.rm.evaluators for p in ev(reader.value))
        points = sum(p for p, w in zip(self.points, self.won, strict=True) if values[w.index])
        return Line(agent=self.a, cells=cells, won=won, points=points, cost=float(cost))

    def price(self, pi: dict[tuple[int, int], float], mu: float, options: SolveOptions,
              time_limit_s: float) -> tuple[Line | None, float, float]:
        """Best line for duals ``pi`` (per (day, shift) of this agent's group) and ``mu``: the line, an upper
        bound on ``max_line(points - pi . line - mu * cost)``, and CP-SAT's work units."""
        m = self.rm.model
        obj = []
        err = 0.0  # the most the rounded objective can differ from the true one, in scaled units
        for p, w in zip(self.points, self.won, strict=True):
            obj.append(p * PRICE_SCALE * w)
        for (_, d, s), x in self.rm.work.items():
            c = pi.get((d, s), 0.0)
            if c:
                obj.append(-round(c * PRICE_SCALE) * x)
                err += 0.5
        for e, wt in self.terms:
            c = mu * wt
            if c:
                obj.append(-round(c * PRICE_SCALE) * e)
                err += 0.5 * _upper(m, e)
        m.maximize(sum(obj))
        solver = options.solver(time_limit_s)
        solver.parameters.linearization_level = 1
        status = STATUS_NAMES.get(solver.solve(m), "UNKNOWN")
        if status not in ("OPTIMAL", "FEASIBLE"):
            return None, math.inf, solver.deterministic_time
        values = list(solver.response_proto.solution)
        bound = (solver.best_objective_bound + err) / PRICE_SCALE
        return self.line(values), bound, solver.deterministic_time


def _upper(m: cp_model.CpModel, e: object) -> int:
    """Largest value of a penalty expression (a variable's upper bound; 1 for anything else)."""
    index = getattr(e, "index", None)
    if isinstance(index, int) and index >= 0:
        dom = m.proto.variables[index].domain
        return max(1, abs(int(dom[-1])))
    return 1


def column_bound(am: AwardModel, counts: dict[tuple[int, int, int], int], start: Sequence[Sequence[int]],
                 slack: float, options: SolveOptions, *, time_limit_s: float, max_iterations: int = 200,
                 price_s: float = 2.0) -> ColumnResult | None:
    """Column generation over slot exchanges (see the module docstring).

    Parameters
    ----------
    am : AwardModel
        The award model (its problem and bids).
    counts : dict
        Slots ``{(day, shift, group): agents}`` to keep (:func:`wfm.bidding.award.slots.slot_counts`).
    start : sequence of solution vectors
        Solutions of ``am.model`` (R1's, the incumbent) whose lines seed the master.
    slack : float
        How far the personal costs may sum above the first start solution's (R1's), cost units: the cap minus
        R1's cost (0 with ``coverage_tolerance`` 0).
    options : SolveOptions
        Seed and determinism of the pricing solves.
    time_limit_s : float
        Work budget, CP-SAT deterministic seconds summed over pricing solves (wall seconds if not
        deterministic).
    max_iterations : int
        Rounds of pricing (every agent once per round).
    price_s : float
        Limit of one pricing solve, seconds.

    Returns
    -------
    ColumnResult or None
        ``None`` when the cost does not split per agent (a fairness spread is priced).
    """
    w = am.problem.weights
    if w.fairness > 0 and w.fairness_tags:
        return None
    t0 = time.perf_counter()
    groups = skill_groups(am)
    group_of = {a: g for g, members in enumerate(groups) for a in members}
    n_agents = len(am.rm.agents)
    rows = {k: r for r, k in enumerate(sorted(k for k, n in counts.items() if n > 0))}
    rhs_slots = np.array([counts[k] for k in rows], dtype=float)
    by_agent: dict[int, list[int]] = {}
    for i, b in enumerate(am.bids):
        by_agent.setdefault(next(a for a, x in enumerate(am.rm.agents) if x.id == b.agent), []).append(i)
    pricers = []
    for a in range(n_agents):
        allowed = {(d, s) for (d, s, g) in rows if g == group_of[a]}
        pricers.append(_Pricer(am, a, by_agent.get(a, []), allowed))
    lines: list[Line] = []
    seen: set[tuple[int, tuple]] = set()

    def add(line: Line) -> bool:
        key = (line.agent, line.cells)
        if key in seen:
            return False
        seen.add(key)
        lines.append(line)
        return True

    for values in start:
        for a in range(n_agents):
            cells = tuple(sorted((d, s) for (b, d, s), x in am.rm.work.items() if b == a and values[x.index]))
            won = tuple(i for i in by_agent.get(a, []) if values[am.won[i].index])
            add(Line(agent=a, cells=cells, won=won, points=sum(am.points[i] for i in won),
                     cost=_line_cost(pricers[a], cells)))
    budget = sum(x.cost for x in lines[:n_agents]) + slack
    best_bound, lp_value, spent, it, converged = math.inf, 0.0, 0.0, 0, False
    history: list[tuple[float, float]] = []
    while it < max_iterations and spent < time_limit_s:
        it += 1
        lp = _master(lines, rows, rhs_slots, budget, n_agents, group_of)
        if lp is None:  # pragma: no cover - the start lines are feasible
            return None
        lp_value, pi_rows, mu = lp
        lagrange = float(pi_rows @ rhs_slots) + mu * budget
        added = 0
        for a in range(n_agents):
            g = group_of[a]
            pi = {(d, s): pi_rows[r] for (d, s, gg), r in rows.items() if gg == g}
            line, z, work = pricers[a].price(pi, mu, options, min(price_s, max(0.05, time_limit_s - spent)))
            spent += work if options.deterministic else 0.0
            lagrange += z
            if line is not None and _reduced(line, pi, mu) > 1e-6 + _dual_of_agent(lines, a, pi, mu):
                added += add(line)
        if not options.deterministic:
            spent = time.perf_counter() - t0
        best_bound = min(best_bound, lagrange)
        history.append((lp_value, lagrange))
        if added == 0 or best_bound <= lp_value + 1e-6:
            converged = True
            break
    chosen, points = _integer_master(lines, rows, counts, budget, n_agents, group_of, options,
                                     time_limit_s=max(1.0, 0.25 * time_limit_s))
    return ColumnResult(bound=best_bound, lines=chosen, points=points, lp=lp_value, iterations=it,
                        converged=converged, time_s=time.perf_counter() - t0, columns=len(lines), history=history)


def _line_cost(pricer: _Pricer, cells: tuple[tuple[int, int], ...]) -> float:
    """Personal cost of a line, re-scored by the agent's roster model evaluators."""
    chosen = set(cells)
    values = [0] * len(pricer.rm.model.proto.variables)
    for (_, d, s), x in pricer.rm.work.items():
        values[x.index] = int((d, s) in chosen)
    for (_, d), x in pricer.rm.on.items():
        values[x.index] = int(any(c[0] == d for c in chosen))
    return pricer.line(values).cost


def _reduced(line: Line, pi: dict[tuple[int, int], float], mu: float) -> float:
    return line.points - sum(pi.get(c, 0.0) for c in line.cells) - mu * line.cost


def _dual_of_agent(lines: list[Line], a: int, pi: dict[tuple[int, int], float], mu: float) -> float:
    """The best reduced value among the agent's lines already in the master (its convexity dual at an LP
    optimum): a priced line is new only if it beats it."""
    return max(_reduced(x, pi, mu) for x in lines if x.agent == a)


def _master(lines: list[Line], rows: dict[tuple[int, int, int], int], rhs_slots: np.ndarray, budget: float,
            n_agents: int, group_of: dict[int, int]) -> tuple[float, np.ndarray, float] | None:
    """The master LP: its value, the slot duals and the cost dual ``mu >= 0`` (of the maximisation)."""
    n_rows = n_agents + len(rows)
    r_idx, c_idx, vals = [], [], []
    for k, line in enumerate(lines):
        r_idx.append(line.agent)
        c_idx.append(k)
        vals.append(1.0)
        g = group_of[line.agent]
        for d, s in line.cells:
            r = rows.get((d, s, g))
            if r is None:  # pragma: no cover - pricing only opens slot cells
                raise AssertionError("a line works outside the slots")
            r_idx.append(n_agents + r)
            c_idx.append(k)
            vals.append(1.0)
    a_eq = coo_matrix((vals, (r_idx, c_idx)), shape=(n_rows, len(lines))).tocsr()
    b_eq = np.concatenate([np.ones(n_agents), rhs_slots])
    a_ub = np.array([[x.cost for x in lines]])
    res = linprog(-np.array([x.points for x in lines], dtype=float), A_ub=a_ub, b_ub=[budget], A_eq=a_eq,
                  b_eq=b_eq, bounds=(0, None), method="highs")
    if res.status != 0:
        return None
    # linprog minimises -points: its marginals are d(min)/d(rhs); the maximisation's duals are their negatives
    pi = -np.asarray(res.eqlin.marginals)[n_agents:]
    mu = max(0.0, -float(res.ineqlin.marginals[0]))
    return -float(res.fun), pi, mu


def _integer_master(lines: list[Line], rows: dict[tuple[int, int, int], int],
                    counts: dict[tuple[int, int, int], int], budget: float, n_agents: int,
                    group_of: dict[int, int], options: SolveOptions, *,
                    time_limit_s: float) -> tuple[list[Line] | None, int]:
    """One line per agent, the slots exactly, personal costs within budget, most points (CP-SAT)."""
    m = cp_model.CpModel()
    y = [m.new_bool_var(f"line(agent={x.agent}, k={k})") for k, x in enumerate(lines)]
    for a in range(n_agents):
        m.add_exactly_one(v for v, x in zip(y, lines, strict=True) if x.agent == a)
    cover: dict[int, list[cp_model.IntVar]] = {r: [] for r in rows.values()}
    for v, x in zip(y, lines, strict=True):
        for d, s in x.cells:
            cover[rows[d, s, group_of[x.agent]]].append(v)
    for key, r in rows.items():
        m.add(sum(cover[r]) == counts[key])
    scale = 100
    m.add(sum(round(x.cost * scale) * v for v, x in zip(y, lines, strict=True)) <= math.floor(budget * scale + 1e-6))
    m.maximize(sum(x.points * v for v, x in zip(y, lines, strict=True)))
    solver = options.solver(time_limit_s)
    status = STATUS_NAMES.get(solver.solve(m), "UNKNOWN")
    if status not in ("OPTIMAL", "FEASIBLE"):
        return None, 0
    chosen = [x for v, x in zip(y, lines, strict=True) if solver.boolean_value(v)]
    return chosen, sum(x.points for x in chosen)
