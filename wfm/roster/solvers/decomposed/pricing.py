"""Agent rosters as columns: the one-agent pricing problem and exact best-response sweeps.

A *column* is one agent's whole roster over the horizon (a shift, or a day off, each day, with a break
variant per shift). Because one agent adds 0 or 1 to the head-count of an interval, the change in cover cost
of giving agent ``a`` a roster, everyone else fixed, is *linear*: interval ``g`` is worth
``cost(base_g + 1) - cost(base_g)`` where ``base`` is the others' cover. So one agent's best roster is a
shortest path through its contract's state graph (:mod:`wfm.roster.solvers.decomposed.contract_graph`, about a
millisecond)
or, where that graph does not apply (a contract with too many states, or ``pricing="cp-sat"``, the
benchmark's baseline), a small CP-SAT model (:class:`AgentPricer`: its
contract rules read as :mod:`wfm.roster.solvers.decomposed.agent_model` reads them) with a linear objective — the
*pricing problem* of the Dantzig–Wolfe reformulation of the roster.

Two things use it:

* **best-response sweeps** (stage 3 of the decomposed solve) — each agent in turn is re-rostered against
  what the others leave; every kept move is exact (the whole roster's objective never gets worse), and
  seeded noise on the values with equal-cost moves kept lets the search cross plateaus;
* the **Dantzig–Wolfe lower bound** on shortfall (:mod:`wfm.roster.solvers.decomposed.column_generation`) — column
  generation
  with one pricing problem per class of interchangeable agents under its *full* contract rules.

With CP-SAT pricing (about 35 ms a solve), a round of the 118 agent classes at 150 agents cost about 4 s
and column generation lost to the sweeps within 60 s; priced by dynamic programming, a round costs the
master LP's half second and the column start wins at every budget measured.

References: Dantzig (1954) set covering for shift scheduling; Desrosiers & Lübbecke (2005), *A primer in
column generation*; Ernst, Jiang, Krishnamoorthy & Sier (2004), *Staff scheduling and rostering: a review*.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from ortools.sat.python import cp_model

from wfm.exceptions import InfeasibleError, NoSolutionError
from wfm.roster.solvers.cpsat import make_cp_solver
from wfm.roster.solvers.decomposed.agent_model import AgentModel
from wfm.roster.solvers.decomposed.covering import integer_scale, interval_cost
from wfm.roster.solvers.decomposed.data import FlatProblem

__all__ = ["AgentPricer", "Fairness", "VariantTable", "agent_classes", "agent_cover", "counts_for", "cover_delta",
           "fairness_members", "no_roster"]


class VariantTable:
    """Every (day, shift, break variant) of the problem laid out for vectorised pricing.

    :meth:`best` turns a value per interval into the value of each (day, shift) at its best break variant.
    """

    def __init__(self, fp: FlatProblem) -> None:
        self.keys: list[tuple[int, int]] = sorted(fp.variants)
        self.key_index = {k: i for i, k in enumerate(self.keys)}
        sentinel = len(fp.required)  # every variant also "covers" a zero-valued sentinel, so none is empty
        cat: list[np.ndarray] = []
        starts: list[int] = []
        var_key: list[int] = []
        var_local: list[int] = []
        pos = 0
        for i, k in enumerate(self.keys):
            for v, variant in enumerate(fp.variants[k]):
                starts.append(pos)
                idx = np.append(variant.intervals, sentinel)
                cat.append(idx)
                pos += len(idx)
                var_key.append(i)
                var_local.append(v)
        self.cat = np.concatenate(cat) if cat else np.zeros(0, dtype=np.int64)
        self.starts = np.asarray(starts, dtype=np.int64)
        self.var_key = np.asarray(var_key, dtype=np.int64)
        self.var_local = np.asarray(var_local, dtype=np.int64)
        self.n_intervals = len(fp.required)

    def best(self, value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(K,)`` value of each key at its best (lowest-value) variant, and that variant's index."""
        ext = np.append(np.asarray(value, dtype=float), 0.0)
        vals = np.add.reduceat(ext[self.cat], self.starts)
        order = np.lexsort((vals, self.var_key))
        first = np.ones(len(order), dtype=bool)
        first[1:] = self.var_key[order][1:] != self.var_key[order][:-1]
        pick = order[first]
        return vals[pick], self.var_local[pick]


def agent_cover(fp: FlatProblem, row: np.ndarray, var_row: np.ndarray) -> np.ndarray:
    """Horizon intervals agent ``row`` is on the phones (with repeats across days impossible)."""
    parts = [fp.variants[d, int(row[d])][int(var_row[d])].intervals for d in range(fp.n_days) if row[d] >= 0]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


class AgentPricer:
    """The one-agent CP-SAT model of agent ``a``, built once and re-solved with new interval values."""

    def __init__(self, fp: FlatProblem, a: int, table: VariantTable, scale: int | None = None) -> None:
        self.fp, self.a, self.table = fp, a, table
        wide = np.broadcast_to(fp.usable, (len(fp.contracts), fp.n_days, fp.n_shifts))
        st = AgentModel(fp, np.zeros(wide.shape, dtype=np.int64), [a], wide, None, None, None)
        st.variables()
        st.hard_rules()
        w = fp.problem.weights
        personal = st.preference_terms(w.preference) + st.start_consistency_terms(w.start_consistency)
        self.scale = scale or 100 * integer_scale([wt for wt, _ in personal] + list(w.shortfall)
                                                  + [w.overstaffing])
        self.constant = sum(wt * v for wt, v in personal if isinstance(v, int))
        self.personal = [(int(round(wt * self.scale)), v) for wt, v in personal if not isinstance(v, int)]
        self.model = st.m
        self.status = cp_model.UNKNOWN
        self.cells = [(d, s, x) for (_a, d, s), x in st.work.items()]
        self.vars = [x for _, _, x in self.cells]
        self.cell_key = np.array([table.key_index[d, s] for d, s, _ in self.cells], dtype=np.int64)
        # fairness: the agent's count c of each tag in unary, b[k] <=> c >= k+1, so that the spread it leaves,
        # max(M, c) - min(m, c) = M + sum(b[k] for k >= M) - sum(b[k] for k < m), is linear in b with
        # coefficients set per visit from the others' max M and min m (the model itself never changes)
        self.fair: dict[str, list[cp_model.IntVar]] = {}
        self.fair_weight = int(round(w.fairness * self.scale))
        if self.fair_weight:
            for tag, members in fairness_members(fp).items():
                if a not in members or len(members) < 2:
                    continue
                xs = [x for d, s, x in self.cells if counts_for(fp, tag, d, s)]
                if not xs:
                    continue
                b = [st.m.new_bool_var(f"fair({tag}, >={k + 1})") for k in range(len(xs))]
                st.m.add(sum(b) == sum(xs))
                for k in range(len(b) - 1):
                    st.m.add_implication(b[k + 1], b[k])
                self.fair[tag] = b

    def solve(self, key_value: np.ndarray, key_variant: np.ndarray, *, hint: np.ndarray | None,
              time_limit_s: float, seed: int, offset: float = 0.0, round_down: bool = False,
              others: dict[str, tuple[int, int]] | None = None, collect: bool = False
              ) -> tuple[np.ndarray, np.ndarray, float, float] | None:
        """The agent's best roster when working (day, shift) is worth ``key_value`` (lower is better).

        Returns ``(shift_row, variant_row, objective, bound)`` — objective and proven lower bound of
        ``sum of key values + personal cost + offset`` — or ``None`` if CP-SAT found nothing in time.
        CP-SAT needs integer costs: values are scaled and rounded to the nearest, or down with
        ``round_down`` so the bound stays a valid lower bound of the unrounded problem (values are costs of
        working, and an agent's roster has only non-negative terms). ``others`` gives, per fairness tag,
        the largest and smallest count among the other agents; the agent then pays the fairness weight
        for each unit its own count widens that spread (exactly ``max(M, c) - min(m, c)``). With
        ``collect``, every improving roster CP-SAT met on the way is kept in ``self.found`` as
        ``(shift_row, variant_row)`` (more columns per solve for column generation).
        """
        m = self.model
        scaled = key_value[self.cell_key] * self.scale
        coefs = (np.floor(scaled + 1e-9) if round_down else np.round(scaled)).astype(np.int64)
        expr = cp_model.LinearExpr.weighted_sum(self.vars, coefs.tolist())
        if self.personal:
            expr = expr + sum(c * v for c, v in self.personal)
        fair_offset = 0.0
        if self.fair and others:
            for tag, b in self.fair.items():
                if tag not in others:
                    continue
                top, bottom = others[tag]
                expr = expr + self.fair_weight * (sum(b[top:]) - sum(b[:bottom]))
                fair_offset += self.fair_weight * top / self.scale
        m.minimize(expr)
        m.clear_hints()
        if hint is not None:
            for d, s, x in self.cells:
                m.add_hint(x, int(hint[d] == s))
        # a one-agent model has no symmetry worth finding and little to probe: 90 solves at 150 agents took
        # 3.1 s with both off against 3.6 s with the defaults, to the same optima; a deterministic budget:
        # the same seed gives the same roster on a loaded machine
        solver = make_cp_solver(time_limit_s=time_limit_s, seed=seed, deterministic=True, safety_factor=10.0,
                                symmetry_level=0, cp_model_probing_level=0)
        seen = _Seen(self.vars) if collect else None
        status = self.status = solver.solve(m, seen)
        self.found = [self._rows(on, key_variant) for on in seen.solutions[:-1]] if seen else []
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        row, var = self._rows(solver.boolean_values(self.vars), key_variant)
        extra = self.constant + offset + fair_offset
        bound = solver.best_objective_bound / self.scale + extra
        return row, var, solver.objective_value / self.scale + extra, bound


    def _rows(self, on: Sequence[bool], key_variant: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        row = np.full(self.fp.n_days, -1, dtype=np.int64)
        var = np.full(self.fp.n_days, -1, dtype=np.int64)
        for (d, s, _x), k, lit in zip(self.cells, self.cell_key, on, strict=True):
            if lit:
                row[d] = s
                var[d] = key_variant[k]
        return row, var


class _Seen(cp_model.CpSolverSolutionCallback):
    """Every solution of a pricing solve, as the values of its work literals."""

    def __init__(self, xs: list[cp_model.IntVar]) -> None:
        super().__init__()
        self.xs = xs
        self.solutions: list[list[bool]] = []

    def on_solution_callback(self) -> None:
        self.solutions.append([self.boolean_value(x) for x in self.xs])


def counts_for(fp: FlatProblem, tag: str, d: int, s: int) -> bool:
    """Whether working shift ``s`` on day ``d`` counts for fairness tag ``tag`` ('weekend': weekend days)."""
    if tag == "weekend":
        return any(d in g for g in fp.weekend_groups)
    return tag in fp.tags[s]


def fairness_members(fp: FlatProblem) -> dict[str, list[int]]:
    """Agents counted in the spread of each fairness tag, as :mod:`wfm.roster.rules.soft` counts them."""
    w = fp.problem.weights
    out: dict[str, list[int]] = {}
    if w.fairness <= 0:
        return out
    weekend = any(fp.weekend_groups)
    for tag in w.fairness_tags:
        if tag == "weekend":
            out[tag] = list(range(fp.n_agents)) if weekend else []
            continue
        if not any(tag in t for t in fp.tags):
            out[tag] = []
            continue
        out[tag] = [a for a, agent in enumerate(fp.problem.agents)
                    if any(tag in fp.tags[s] and fp.allowed[a, s] and agent.max_shifts.get(fp.shifts[s].id, 1) > 0
                           for s in range(fp.n_shifts))]
    return out


class Fairness:
    """Each agent's count of each fairness tag, so a best response can be priced against the others."""

    def __init__(self, fp: FlatProblem, shift: np.ndarray) -> None:
        self.fp = fp
        self.weight = float(fp.problem.weights.fairness)
        self.members = {t: m for t, m in fairness_members(fp).items() if len(m) >= 2}
        self.counts = {t: np.array([self.count(t, shift[a]) for a in range(fp.n_agents)], dtype=np.int64)
                       for t in self.members}

    def count(self, tag: str, row: np.ndarray) -> int:
        return int(sum(1 for d in range(self.fp.n_days) if row[d] >= 0 and counts_for(self.fp, tag, d, row[d])))

    def others(self, a: int) -> dict[str, tuple[int, int]]:
        out = {}
        for tag, members in self.members.items():
            if a not in members:
                continue
            vals = self.counts[tag][[m for m in members if m != a]]
            out[tag] = (int(vals.max()), int(vals.min()))
        return out

    def cost(self, a: int, row: np.ndarray, others: dict[str, tuple[int, int]]) -> float:
        """The spread cost with agent ``a`` working ``row`` and everyone else as counted."""
        total = 0.0
        for tag, (top, bottom) in others.items():
            c = self.count(tag, row)
            total += self.weight * (max(top, c) - min(bottom, c))
        return total

    def update(self, a: int, row: np.ndarray) -> None:
        for tag in self.members:
            self.counts[tag][a] = self.count(tag, row)


def no_roster(fp: FlatProblem, a: int, status: int) -> None:
    agent = fp.problem.agents[a].id
    if status == cp_model.INFEASIBLE:
        raise InfeasibleError(f"agent {agent}: no roster satisfies its contract rules, leave and locks; run "
                              "strategy='monolithic' for the clashing rules", conflicts=[agent])
    raise NoSolutionError(f"no roster found for agent {agent} in its time budget")


def cover_delta(fp: FlatProblem, base: np.ndarray) -> np.ndarray:
    """Change in cover cost of one more agent on each interval, the others' cover ``base`` fixed."""
    w = fp.problem.weights
    req = fp.required
    return (interval_cost(req, base + 1, w.shortfall, w.overstaffing)
            - interval_cost(req, base, w.shortfall, w.overstaffing))


def agent_classes(fp: FlatProblem) -> list[list[int]]:
    """Agents that are interchangeable in every rule and cost (same contract, leave, locks, wishes).

    Wishes only count when the objective prices them (``weights.preference > 0``): the shortfall bound
    zeroes that weight, and 150 agents then fall into 74 classes instead of 118.
    """
    classes: dict[tuple, list[int]] = {}
    priced = fp.problem.weights.preference > 0
    for a, agent in enumerate(fp.problem.agents):
        key = (int(fp.agent_contract[a]), fp.available[a].tobytes(), fp.allowed[a].tobytes(),
               tuple(sorted(fp.locked[a].items(), key=lambda kv: kv[0])),
               tuple((p.date, p.shift, p.kind, p.weight) for p in agent.preferences) if priced else (),
               tuple(sorted(agent.max_shifts.items())))
        classes.setdefault(key, []).append(a)
    return list(classes.values())
