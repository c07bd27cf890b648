"""Agent rosters as columns: the one-agent pricing problem and exact best-response sweeps.

A *column* is one agent's whole roster over the horizon (a shift, or a day off, each day, with a break
variant per shift). Because one agent adds 0 or 1 to the head-count of an interval, the change in cover cost
of giving agent ``a`` a roster, everyone else fixed, is *linear*: interval ``g`` is worth
``cost(base_g + 1) - cost(base_g)`` where ``base`` is the others' cover. So one agent's best roster is a
shortest path through its contract's state graph (:mod:`wfm.roster._decompose_dp`, about a millisecond)
or, where that graph does not apply (a contract with too many states, or ``pricing="cp-sat"``, the
benchmark's baseline), a small CP-SAT model (:class:`AgentPricer`: its
contract rules read as :mod:`wfm.roster._decompose_stage2` reads them) with a linear objective — the
*pricing problem* of the Dantzig–Wolfe reformulation of the roster.

Two things use it:

* **best-response sweeps** (stage 3 of the decomposed solve) — each agent in turn is re-rostered against
  what the others leave; every kept move is exact (the whole roster's objective never gets worse), and
  seeded noise on the values with equal-cost moves kept lets the search cross plateaus;
* the **Dantzig–Wolfe lower bound** on shortfall (:mod:`wfm.roster._decompose_dw`) — column generation
  with one pricing problem per class of interchangeable agents under its *full* contract rules.

With CP-SAT pricing (about 35 ms a solve), a round of the 118 agent classes at 150 agents cost about 4 s
and column generation lost to the sweeps within 60 s; priced by dynamic programming, a round costs the
master LP's half second and the column start wins at every budget measured.

References: Dantzig (1954) set covering for shift scheduling; Desrosiers & Lübbecke (2005), *A primer in
column generation*; Ernst, Jiang, Krishnamoorthy & Sier (2004), *Staff scheduling and rostering: a review*.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from ortools.sat.python import cp_model

from wfm.exceptions import InfeasibleError, NoSolutionError
from wfm.roster._decompose_cover import integer_scale, interval_cost
from wfm.roster._decompose_data import FlatProblem
from wfm.roster._decompose_stage2 import _RULES, _Stage2, agent_personal_cost

__all__ = ["VariantTable", "AgentPricer", "best_response_sweeps", "agent_cover", "agent_classes", "improve"]


_FIRST_FACTOR = 10  # a first placement (no roster to improve on) gets this many times the per-agent budget
_DP_AGENT_S = 0.01  # nominal seconds of one dynamic-programming best response (1-10 ms at 150 agents)
_WINDOW_S = 1.5  # CP-SAT budget of one day window at 150 agents or more, seconds (0.02-0.9 s used, 0.3 typical)
_WINDOW_BUILD_S = 0.15  # nominal seconds to build one day window's model at 150 agents (the CP-SAT work is measured)
_WINDOW_BATCH = 7  # day windows between two looks at which move gains more
_WINDOW_START = 0.01  # windows get their first turn once a sweep gains less than this share of the objective


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
        st = _Stage2(fp, np.zeros(wide.shape, dtype=np.int64), [a], wide, None, None, None)
        st.variables()
        for rule in _RULES:
            getattr(st, rule)()
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
                xs = [x for d, s, x in self.cells if _counts_for(fp, tag, d, s)]
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
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = int(seed)
        # a one-agent model has no symmetry worth finding and little to probe: 90 solves at 150 agents took
        # 3.1 s with both off against 3.6 s with the defaults, to the same optima
        solver.parameters.symmetry_level = 0
        solver.parameters.cp_model_probing_level = 0
        # a deterministic budget: the same seed gives the same roster on a loaded machine
        solver.parameters.max_deterministic_time = float(time_limit_s)
        solver.parameters.max_time_in_seconds = float(max(10 * time_limit_s, 1.0))
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


def _counts_for(fp: FlatProblem, tag: str, d: int, s: int) -> bool:
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


class _Fairness:
    """Each agent's count of each fairness tag, so a best response can be priced against the others."""

    def __init__(self, fp: FlatProblem, shift: np.ndarray) -> None:
        self.fp = fp
        self.weight = float(fp.problem.weights.fairness)
        self.members = {t: m for t, m in fairness_members(fp).items() if len(m) >= 2}
        self.counts = {t: np.array([self.count(t, shift[a]) for a in range(fp.n_agents)], dtype=np.int64)
                       for t in self.members}

    def count(self, tag: str, row: np.ndarray) -> int:
        return int(sum(1 for d in range(self.fp.n_days) if row[d] >= 0 and _counts_for(self.fp, tag, d, row[d])))

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


def _no_roster(fp: FlatProblem, a: int, status: int) -> None:
    agent = fp.problem.agents[a].id
    if status == cp_model.INFEASIBLE:
        raise InfeasibleError(f"agent {agent}: no roster satisfies its contract rules, leave and locks; run "
                              "strategy='monolithic' for the clashing rules", conflicts=[agent])
    raise NoSolutionError(f"no roster found for agent {agent} in its time budget")


def _delta(fp: FlatProblem, base: np.ndarray) -> np.ndarray:
    """Change in cover cost of one more agent on each interval, the others' cover ``base`` fixed."""
    w = fp.problem.weights
    req = fp.required
    return (interval_cost(req, base + 1, w.shortfall, w.overstaffing)
            - interval_cost(req, base, w.shortfall, w.overstaffing))


def best_response_sweeps(fp: FlatProblem, shift: np.ndarray, var: np.ndarray, pricers: dict,
                         table: VariantTable, *, deadline: float, seed: int, max_sweeps: int = 50,
                         time_per_agent: float = 0.05,
                         unplaced: set[int] | None = None, threads: int = 1, noise: float = 0.0
                         ) -> tuple[np.ndarray, np.ndarray, int]:
    """Re-roster one agent at a time against the others' cover, keeping each exact improvement.

    ``pricers`` is a :class:`wfm.roster._decompose_dp.PricerPool` (or a dict of pricers to start one with).

    Stops when a whole sweep moves nobody, after ``max_sweeps`` sweeps, or at ``deadline``
    (``time.perf_counter()`` seconds). Agents in
    ``unplaced`` have no valid roster yet (a construction from scratch): they take their best response
    whatever it costs, the first time round. With ``threads`` > 1, that many agents are priced at once
    against the same cover when they are CP-SAT pricers (which release the GIL; graph pricers run one at a
    time); each proposal is then re-priced exactly against the
    cover the earlier ones left and kept only if it still improves, so every move stays an improvement
    and a seed still gives one roster. With ``noise`` > 0 each agent is priced on values perturbed by up to
    that much per interval (seeded) and moves that leave the exact objective unchanged are kept too: the
    search drifts across plateaus of equal cost (a hole moved, not filled) towards improvements that one
    agent alone cannot see. Returns the roster, its break variants and the number of moves.
    """
    from concurrent.futures import ThreadPoolExecutor

    from wfm.roster._decompose_dp import PricerPool

    if not isinstance(pricers, PricerPool):
        pool = PricerPool(fp, table)
        pool.update(pricers)
        pricers = pool
    unplaced = set() if unplaced is None else set(unplaced)
    shift, var = shift.copy(), var.copy()
    cov = np.zeros(len(fp.required), dtype=np.int64)
    for a in range(fp.n_agents):
        cov[agent_cover(fp, shift[a], var[a])] += 1
    rng = np.random.default_rng(seed)
    # a construction places the most constrained agents first (fewest days available, fewest shifts)
    order = np.argsort(fp.available.sum(axis=1) * 100 + fp.allowed.sum(axis=1), kind="stable")
    # a dynamic-programming pricer holds the GIL and takes milliseconds: one agent at a time, each priced
    # against the latest cover, is then both faster and exact
    parallel = 1 if pricers.uses_dp else max(1, int(threads))
    batch = 1 if unplaced else parallel
    moves = 0
    fair = _Fairness(fp, shift)

    def propose(a: int, sweep: int) -> tuple[np.ndarray, np.ndarray] | None:
        mine = agent_cover(fp, shift[a], var[a])
        base = cov.copy()
        base[mine] -= 1
        value = _delta(fp, base)
        if noise > 0:
            value = value + noise * np.random.default_rng([seed, sweep, a]).random(len(value))
        key_value, key_variant = table.best(value)
        pricer = pricers[a]
        first = a in unplaced
        got = pricer.solve(key_value, key_variant, hint=None if first else shift[a],
                           time_limit_s=time_per_agent * (_FIRST_FACTOR if first else 1), seed=seed + sweep,
                           others=fair.others(a))
        if got is None:
            if first:
                _no_roster(fp, a, pricer.status)
            return None
        return got[0], got[1]

    with ThreadPoolExecutor(max_workers=max(1, int(threads))) as ex:
        for sweep in range(max_sweeps):
            moved = 0
            agents = [int(a) for a in (rng.permutation(fp.n_agents) if sweep or not unplaced else order)]
            for i in range(0, len(agents), batch):
                if time.perf_counter() > deadline and not unplaced:
                    return shift, var, moves + moved
                chunk = agents[i:i + batch]
                # pricers are built here, in this thread: CP-SAT model building is not thread-safe
                for a in chunk:
                    pricers[a]  # noqa: B018 (builds the pricer)
                found = list(ex.map(propose, chunk, [sweep] * len(chunk))) if batch > 1 else \
                    [propose(chunk[0], sweep)]
                for a, got in zip(chunk, found, strict=True):
                    if got is None:
                        continue
                    row, vrow = got
                    mine = agent_cover(fp, shift[a], var[a])
                    base = cov.copy()
                    base[mine] -= 1
                    delta = _delta(fp, base)
                    others = fair.others(a)
                    now = float(delta[mine].sum()) + agent_personal_cost(fp, a, shift[a]) + \
                        fair.cost(a, shift[a], others)
                    new_cover = agent_cover(fp, row, vrow)
                    value = float(delta[new_cover].sum()) + agent_personal_cost(fp, a, row) + \
                        fair.cost(a, row, others)
                    same = np.array_equal(row, shift[a]) and np.array_equal(vrow, var[a])
                    if value < now - 1e-9 or a in unplaced or (noise > 0 and not same and value <= now + 1e-9):
                        unplaced.discard(a)
                        shift[a], var[a] = row, vrow
                        fair.update(a, row)
                        cov = base
                        cov[new_cover] += 1
                        moved += 1
            moves += moved
            if not moved:
                break
            batch = parallel
    return shift, var, moves


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


def improve(fp: FlatProblem, shift: np.ndarray, var: np.ndarray, *, time_limit_s: float, seed: int,
            reproducible: bool, threads: int = 1, time_per_agent: float = 0.05, windows: bool = True,
            pricing: str = "auto") -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """Stage 3: best-response sweeps with plateau moves, and one-day windows once the sweeps slow down.

    Measured on the 150-agent, 4-week bank instance from the same roster, 40 s, 2 threads: strict
    improvements only stall at 61,384 (260 agent-intervals short); with noise 1.0 and plateau moves
    56,348 (236 short); noise 0.3 → 56,670, 4.0 → 57,797. The sweeps move one agent over the horizon; the
    day windows (:mod:`wfm.roster._decompose_window`) move every agent on one day and fill holes the
    sweeps leave, at 0.1-0.6 s each at 150 agents (of a 1.5-s budget). Far from a local optimum the sweeps
    gain much more per second, so the search runs sweeps until one gains less than 1% of the objective,
    then whichever of a sweep or a batch of windows last gained more per second it took. Charging a window
    its budget instead of its time kept windows out of 60-s solves: 150 agents, 60 s, seeds 0-2: 34,554,
    33,949, 34,233 (119, 115, 117 short) against 35,325, 35,784, 35,532 (124, 122, 117).
    ``windows=False`` runs the sweeps alone. With ``reproducible`` every step is bounded by work
    (deterministic budgets; a sweep is charged a nominal cost, a window its CP-SAT deterministic time plus a
    nominal model build), the clock only a safety net, so one seed gives one roster. ``pricing``
    is a :class:`wfm.roster._decompose_dp.PricerPool` method (``"auto"``: contract graphs where they apply;
    ``"cp-sat"``: one-agent CP-SAT models). Returns the roster, its break variants and counters.
    """
    from wfm.roster._decompose_dp import PricerPool
    from wfm.roster._decompose_window import roster_cost, window_pass

    t0 = time.perf_counter()
    w = fp.problem.weights
    table = VariantTable(fp)
    pricers = PricerPool(fp, table, method=pricing)
    noise = 0.2 * max(w.overstaffing, 0.01 * w.shortfall[0])
    threads = max(1, int(threads))
    # nominal costs: a sweep about time_per_agent per agent plus the model build, a window its budget
    if pricers.uses_dp:
        per_sweep = max(fp.n_agents * _DP_AGENT_S, 1e-3)
    else:
        per_sweep = max(fp.n_agents * (time_per_agent + 0.02), 1e-3) / threads
    batch = min(fp.n_days, _WINDOW_BATCH)
    # a window's model grows with the agents: its budget at 150 agents, far less for a team of 15
    window_s = float(np.clip(_WINDOW_S * fp.n_agents / 150, 0.25, _WINDOW_S))
    end = t0 + time_limit_s
    safety = t0 + (4.0 if reproducible else 1.0) * time_limit_s
    budget = time_limit_s  # nominal seconds left
    rate: dict[str, float | None] = {"sweep": None, "window": None}
    days = [int(d) for d in np.random.default_rng(seed).permutation(fp.n_days)]
    moves = kept = steps = visited = 0
    current = roster_cost(fp, shift, var)

    def out_of_time() -> bool:
        return budget <= 0 if reproducible else time.perf_counter() >= end - 0.05

    while not out_of_time():
        steps += 1
        t_step = time.perf_counter()
        use_windows = windows and budget >= batch * window_s / 2 and rate["sweep"] is not None and (
            rate["window"] is None and rate["sweep"] * per_sweep < _WINDOW_START * current
            or rate["window"] is not None and rate["window"] > rate["sweep"])
        if use_windows:
            # batches walk the seeded day order round and round, so every day gets its turn
            todo = [days[(visited + i) % len(days)] for i in range(batch)]
            visited += batch
            work: list[float] = []
            shift, var, better = window_pass(fp, shift, var, todo, deadline=safety if reproducible else end,
                                             seed=seed + steps, workers=threads, time_per_window=window_s,
                                             deterministic=reproducible, work=work)
            kept += better
            # a window is charged the work it did, not its budget: most end at a tenth of it (150 agents:
            # 0.1-0.6 s of a 1.5-s budget), and charging the budget kept them out of the search
            build = _WINDOW_BUILD_S * fp.n_agents / 150
            spent = sum(work) + build * len(work) if reproducible else time.perf_counter() - t_step
        else:
            shift, var, moved = best_response_sweeps(
                fp, shift, var, pricers, table, deadline=safety if reproducible else end, seed=seed + steps,
                max_sweeps=1, time_per_agent=time_per_agent, threads=threads, noise=noise)
            moves += moved
            spent = per_sweep if reproducible else time.perf_counter() - t_step
        value = roster_cost(fp, shift, var)
        rate["window" if use_windows else "sweep"] = (current - value) / max(spent, 1e-3)
        current = value
        budget -= spent
    return shift, var, {"moves": float(moves), "windows_improved": float(kept), "steps": float(steps),
                        "seconds": time.perf_counter() - t0}
