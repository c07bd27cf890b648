"""Stage 2 of the decomposed roster: give the stage-1 shift slots to agents under every contract rule.

The model reads data → variables → hard rules → soft rules → objective → parameters → solve → extract.
Variables ``work[a, d, s]`` exist only for the shifts stage 1 opened on day ``d`` (plus locked ones) that
agent ``a`` may work, which keeps the model a few tens of thousands of literals at 150 agents × 4 weeks.
The hard rules are the registry's own CP-SAT encodings (:data:`wfm.roster.rules.HARD_RULES`), written once
against the :class:`~wfm.roster.rules.base.CpContext` this model implements (the monolithic model implements
it too), so a stage-2 roster passes the checker. The soft rules price a slot left open or a shift added
beyond the slots by its marginal effect on the cover cost, and add the agents' preferences.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from wfm.exceptions import InfeasibleError, NoSolutionError
from wfm.roster.models import Agent, Contract
from wfm.roster.rules import HARD_RULES
from wfm.roster.solvers.cpsat import make_cp_solver
from wfm.roster.solvers.decomposed.covering import integer_scale
from wfm.roster.solvers.decomposed.data import FlatProblem

__all__ = ["AgentModel", "Stage2Result", "agent_personal_cost", "fills", "personal_cost", "place_agent",
           "solve_stage2"]


@dataclass
class Stage2Result:
    """Agent ``a`` works shift ``shift[a, d]`` on day ``d`` (``-1``: day off)."""

    shift: np.ndarray
    status: str
    objective: float
    bound: float
    seconds: float
    unfilled: int
    extra: int
    constructed: float = float("nan")
    iterations: int = 0


class AgentModel:
    """The stage-2 CP-SAT model under construction (one method per rule)."""

    def __init__(self, fp: FlatProblem, slots: np.ndarray, agents: Sequence[int] | None = None,
                 open_mask: np.ndarray | None = None, days_on: np.ndarray | None = None,
                 window: set[int] | None = None, fixed: np.ndarray | None = None) -> None:
        self.days_on = days_on
        # window mode: only the days in ``window`` are free; other days keep ``fixed`` (constants), and
        # rules touching no window day are left out
        self.window = window
        self.fixed = fixed
        self.fp = fp
        self.slots = slots
        self.open_mask = slots > 0 if open_mask is None else open_mask
        self.agents = list(range(fp.n_agents)) if agents is None else list(agents)
        self.m = cp_model.CpModel()
        self.work: dict[tuple[int, int, int], cp_model.IntVar] = {}
        self.on: dict[tuple[int, int], cp_model.LinearExprT] = {}
        self.by_agent_day: dict[tuple[int, int], list[int]] = {}
        self._on_cache: dict[tuple[str, int, int], cp_model.IntVar] = {}
        # the calendar and shifts the rules read (CpContext)
        self.agent_indices = self.agents
        self.clash_rows = "cliques"  # one row per first shift (wfm.roster.rules.rest says why)
        self.n_days = fp.n_days
        self.weeks = fp.weeks
        self.weekends = fp.weekend_groups
        self.shifts = fp.shifts
        self.shift_index = fp.shift_index

    def touch(self, days: Sequence[int] | range) -> bool:
        """Whether a rule over ``days`` involves a free day."""
        return self.window is None or any(d in self.window for d in days)

    # -- variables ---------------------------------------------------------------------------------
    def variables(self) -> None:
        fp, m = self.fp, self.m
        for a in self.agents:
            lk = fp.locked[a]
            for d in range(fp.n_days):
                if self.window is not None and d not in self.window:
                    s_fix = int(self.fixed[a, d])  # type: ignore[index]
                    self.by_agent_day[a, d] = [s_fix] if s_fix >= 0 else []
                    if s_fix >= 0:
                        self.work[a, d, s_fix] = m.new_constant(1)
                    self.on[a, d] = 1 if s_fix >= 0 else 0
                    continue
                if not fp.available[a, d] or (d in lk and lk[d] is None) or (
                        self.days_on is not None and not self.days_on[a, d]):
                    shifts: list[int] = []
                elif d in lk:
                    shifts = [lk[d]]  # type: ignore[list-item]
                else:
                    shifts = [s for s in np.flatnonzero(self.open_mask[fp.agent_contract[a], d])
                              if fp.allowed[a, s]]
                self.by_agent_day[a, d] = [int(s) for s in shifts]
                for s in shifts:
                    self.work[a, d, int(s)] = m.new_bool_var(f"work(agent={a}, day={d}, shift={fp.shifts[s].id})")
                xs = [self.work[a, d, int(s)] for s in shifts]
                if self.days_on is not None and self.days_on[a, d] and xs:
                    m.add_exactly_one(xs)
                elif len(xs) > 1:
                    m.add_at_most_one(xs)
                self.on[a, d] = sum(xs) if xs else 0

    def minutes(self, a: int, days: Sequence[int]) -> cp_model.LinearExprT:
        return sum(int(self.fp.paid[s]) * self.work[a, d, s] for d in days for s in self.by_agent_day[a, d])

    def tagged(self, a: int, tag: str, days: Sequence[int]) -> list[cp_model.IntVar]:
        return [self.work[a, d, s] for d in days for s in self.by_agent_day[a, d] if tag in self.fp.tags[s]]

    # -- the CpContext the hard rules are written against (wfm.roster.rules.base) ---------------------------
    def hard_rules(self) -> None:
        """Every hard rule of the registry, in its order (:data:`wfm.roster.rules.HARD_RULES`)."""
        for rule in HARD_RULES:
            rule.cp(self)

    def contract(self, a: int) -> Contract:
        return self.fp.contracts[self.fp.agent_contract[a]]

    def agent(self, a: int) -> Agent:
        return self.fp.problem.agents[a]

    def day_of(self, date: dt.date) -> int:
        return self.fp.problem.horizon.day_of(date)

    def day_on(self, a: int, d: int) -> cp_model.LinearExprT:
        return self.on[a, d]

    def day_literal(self, a: int, d: int) -> cp_model.IntVar | bool:
        """A literal equal to "agent works day d" (``False`` when the agent cannot work that day)."""
        xs = [self.work[a, d, s] for s in self.by_agent_day[a, d]]
        if not xs:
            return False
        if len(xs) == 1:
            return xs[0]
        key = ("on", a, d)
        if key not in self._on_cache:
            b = self.m.new_bool_var(f"on(agent={a}, day={d})")
            self.m.add(sum(xs) == b)
            self._on_cache[key] = b
        return self._on_cache[key]

    def shift_var(self, a: int, d: int, s: int) -> cp_model.IntVar | None:
        return self.work.get((a, d, s))

    def day_shifts(self, a: int, d: int) -> list[int]:
        return self.by_agent_day[a, d]

    def weekend_worked(self, a: int, k: int, days: list[int]) -> cp_model.IntVar | int:
        """Literal 'agent a works weekend k' (0 when it cannot work any of its days)."""
        xs = [self.work[a, d, s] for d in days for s in self.by_agent_day[a, d]]
        if not xs:
            return 0
        b = self.m.new_bool_var(f"weekend(agent={a}, k={k})")
        for x in xs:
            self.m.add_implication(x, b)
        self.m.add_bool_or(xs).only_enforce_if(b)
        return b

    def gap_minutes(self, d: int, s1: int, s2: int) -> float:
        """Minutes from the end of shift ``s1`` on day ``d`` to the start of ``s2`` on day ``d + 1``."""
        return float(self.fp.start_min[d + 1, s2] - self.fp.end_min[d, s1])

    def false(self) -> object:
        return self.m.new_constant(0) == 1

    def new_bool(self, name: str) -> cp_model.IntVar:
        return self.m.new_bool_var(name)

    def add(self, constraint: object, rule: str, a: int, d: int | None = None) -> None:
        """Add a hard constraint (``rule``, ``a`` and ``d`` name it; stage 2 does not explain)."""
        if constraint is True:
            return
        self.m.add(constraint)

    def add_clause(self, literals: list, rule: str, a: int, d: int | None = None) -> None:
        self.m.add_bool_or(literals)

    # -- soft rules --------------------------------------------------------------------------------
    def slot_terms(self, value_under: np.ndarray, value_over: np.ndarray) -> list[tuple[float, object]]:
        """Slots left open and shifts beyond the slots, priced by their marginal cover cost."""
        fp = self.fp
        fill: dict[tuple[int, int, int], list[cp_model.IntVar]] = {}
        for (a, d, s), x in self.work.items():
            fill.setdefault((int(fp.agent_contract[a]), d, s), []).append(x)
        terms: list[tuple[float, object]] = []
        self.under: dict[tuple[int, int, int], cp_model.IntVar] = {}
        self.over: dict[tuple[int, int, int], cp_model.IntVar] = {}
        for (g, d, s), xs in fill.items():
            if self.window is not None and d not in self.window:
                continue
            n = int(self.slots[g, d, s])
            u = self.m.new_int_var(0, n, f"slot_open(day={d}, shift={fp.shifts[s].id})")
            o = self.m.new_int_var(0, len(xs), f"slot_extra(day={d}, shift={fp.shifts[s].id})")
            self.m.add(sum(xs) + u - o == n)
            self.under[g, d, s], self.over[g, d, s] = u, o
            terms.append((float(value_under[d, s]), u))
            terms.append((float(value_over[d, s]), o))
        for g, d, s in zip(*np.nonzero(self.slots), strict=True):
            if (int(g), int(d), int(s)) not in fill and (self.window is None or int(d) in self.window):
                terms.append((float(value_under[d, s]) * int(self.slots[g, d, s]), 1))
        return terms

    def preference_terms(self, multiplier: float) -> list[tuple[float, object]]:
        """Unmet on/off wishes, each at its weight times the preference multiplier."""
        fp = self.fp
        hz = fp.problem.horizon
        terms: list[tuple[float, object]] = []
        if multiplier <= 0:
            return terms
        for a, agent in ((a, fp.problem.agents[a]) for a in self.agents):
            for p in agent.preferences:
                d = hz.day_of(p.date)
                if not 0 <= d < fp.n_days or not self.touch((d,)):
                    continue
                if p.shift is None:
                    xs = [self.work[a, d, s] for s in self.by_agent_day[a, d]]
                else:
                    s = fp.shift_index[p.shift]
                    xs = [self.work[a, d, s]] if (a, d, s) in self.work else []
                granted = sum(xs) if xs else 0
                w = p.weight * multiplier
                if p.kind == "on":
                    terms.append((w, 1))
                    terms.append((-w, granted))
                else:
                    terms.append((w, granted))
        return terms


    def start_consistency_terms(self, weight: float) -> list[tuple[float, object]]:
        """Each distinct start time beyond the first in a week costs ``weight`` (contracts that ask for it)."""
        fp = self.fp
        terms: list[tuple[float, object]] = []
        if weight <= 0:
            return terms
        for a in self.agents:
            if not fp.contracts[fp.agent_contract[a]].shift_start_consistency:
                continue
            for w in range(fp.n_weeks):
                if not self.touch(fp.week_days(w)):
                    continue
                by_start: dict[object, list[cp_model.IntVar]] = {}
                for d in fp.week_days(w):
                    for s in self.by_agent_day[a, d]:
                        by_start.setdefault(fp.shifts[s].start, []).append(self.work[a, d, s])
                if len(by_start) < 2:
                    continue
                used = []
                for h, xs in by_start.items():
                    u = self.m.new_bool_var(f"starts(agent={a}, week={w}, at={h})")
                    for x in xs:
                        self.m.add_implication(x, u)
                    used.append(u)
                extra = self.m.new_int_var(0, len(used) - 1, f"start_mix(agent={a}, week={w})")
                self.m.add(extra >= sum(used) - 1)
                terms.append((weight, extra))
        return terms


def _hint_from(shift: np.ndarray, st: AgentModel) -> None:
    for (a, d, s), x in st.work.items():
        if st.window is None or d in st.window:  # fixed days are constants, not hinted
            st.m.add_hint(x, int(shift[a, d] == s))


def _build(fp: FlatProblem, residual: np.ndarray, open_mask: np.ndarray, agents: Sequence[int],
           value_under: np.ndarray, value_over: np.ndarray, days_on: np.ndarray | None = None,
           window: set[int] | None = None, fixed: np.ndarray | None = None) -> tuple[AgentModel, int]:
    """The stage-2 model of ``agents`` facing the ``residual`` slots the other agents left open."""
    st = AgentModel(fp, residual, agents, open_mask, days_on, window, fixed)
    st.variables()
    st.hard_rules()
    terms = st.slot_terms(value_under, value_over)
    terms += st.preference_terms(fp.problem.weights.preference)
    terms += st.start_consistency_terms(fp.problem.weights.start_consistency)
    scale = integer_scale([w for w, _ in terms])
    st.m.minimize(sum(round(w * scale) * v for w, v in terms if not isinstance(v, int)))
    return st, scale


def fills(fp: FlatProblem, shift: np.ndarray, agents: Sequence[int] | None = None) -> np.ndarray:
    """``(contract, day, shift)`` head-counts of a roster (of ``agents`` only, if given)."""
    fill = np.zeros((len(fp.contracts), fp.n_days, fp.n_shifts), dtype=np.int64)
    idx = np.arange(fp.n_agents) if agents is None else np.asarray(list(agents), dtype=np.int64)
    rows = shift[idx]
    a_idx, d_idx = np.nonzero(rows >= 0)
    np.add.at(fill, (fp.agent_contract[idx[a_idx]], d_idx, rows[a_idx, d_idx]), 1)
    return fill


def stage2_cost(fp: FlatProblem, slots: np.ndarray, value_under: np.ndarray, value_over: np.ndarray,
                shift: np.ndarray) -> float:
    """Stage-2 objective of a roster: open slots, extra shifts, unmet wishes, extra start times."""
    fill = fills(fp, shift)
    cost = float(np.sum(value_under[None] * np.maximum(slots - fill, 0))
                 + np.sum(value_over[None] * np.maximum(fill - slots, 0)))
    return cost + personal_cost(fp, shift)


def place_agent(fp: FlatProblem, shift: np.ndarray, a: int, target: np.ndarray, open_mask: np.ndarray,
                wide_mask: np.ndarray, value_under: np.ndarray, value_over: np.ndarray, *, budget: float,
                seed: int, days_on: np.ndarray | None = None, safety_deadline: float | None = None) -> np.ndarray:
    """``shift`` with agent ``a`` placed: on its planned days (when ``days_on`` is given), then on the opened
    shifts, then on every usable shift; raises when its own rules admit no roster. ``safety_deadline``
    (``time.perf_counter()``; reproducible mode) replaces each solve's own wall-clock net of about four times
    ``budget``, which a loaded machine reaches."""
    new, status = None, cp_model.UNKNOWN
    if days_on is not None:
        new, status = _solve_agents(fp, shift, [a], target, open_mask, value_under, value_over,
                                    time_limit_s=budget, workers=1, seed=seed, hint=False, days_on=days_on,
                                    deadline=safety_deadline)
    if new is None:
        new, status = _solve_agents(fp, shift, [a], target, open_mask, value_under, value_over,
                                    time_limit_s=budget, workers=1, seed=seed, hint=False, deadline=safety_deadline)
    if new is None:  # the opened shifts cannot carry this agent's contract: every usable shift
        new, status = _solve_agents(fp, shift, [a], target, wide_mask, value_under, value_over,
                                    time_limit_s=budget, workers=1, seed=seed, hint=False, deadline=safety_deadline)
    if new is None:
        if status == cp_model.INFEASIBLE:
            raise InfeasibleError(
                f"agent {fp.problem.agents[a].id}: no roster satisfies its contract rules, leave and "
                "locks; run strategy='monolithic' for the clashing rules",
                conflicts=[fp.problem.agents[a].id])
        raise NoSolutionError(f"stage 2: no roster for agent {fp.problem.agents[a].id} within {budget:.2f} s")
    return new


def personal_cost(fp: FlatProblem, shift: np.ndarray) -> float:
    """Cost of unmet on/off wishes and of extra start times within a week (per-agent soft rules)."""
    return float(sum(agent_personal_cost(fp, a, shift[a]) for a in range(fp.n_agents)))


def agent_personal_cost(fp: FlatProblem, a: int, row: np.ndarray) -> float:
    """:func:`personal_cost` of agent ``a`` working ``row`` (shift index per day, ``-1`` off)."""
    cost = 0.0
    w = fp.problem.weights
    hz = fp.problem.horizon
    if w.preference > 0:
        for p in fp.problem.agents[a].preferences:
            d = hz.day_of(p.date)
            if not 0 <= d < fp.n_days:
                continue
            s = row[d]
            x = s >= 0 if p.shift is None else (s >= 0 and fp.shifts[s].id == p.shift)
            if x != (p.kind == "on"):
                cost += p.weight * w.preference
    if w.start_consistency > 0 and fp.contracts[fp.agent_contract[a]].shift_start_consistency:
        for wk in range(fp.n_weeks):
            hs = {fp.shifts[row[d]].start for d in fp.week_days(wk) if row[d] >= 0}
            cost += max(len(hs) - 1, 0) * w.start_consistency
    return cost


def _solve_agents(fp: FlatProblem, shift: np.ndarray, agents: Sequence[int], slots: np.ndarray,
                  open_mask: np.ndarray, value_under: np.ndarray, value_over: np.ndarray, *,
                  time_limit_s: float, workers: int, seed: int, hint: bool, deterministic: bool = True,
                  days_on: np.ndarray | None = None, window: set[int] | None = None,
                  deadline: float | None = None) -> tuple[np.ndarray | None, int]:
    """Re-roster ``agents`` (on the ``window`` days only, if given) with everyone else fixed (``deadline``:
    the wall-clock net of a deterministic solve, default about four times ``time_limit_s``).

    Returns the new roster, or ``None`` when CP-SAT found nothing, and the CP-SAT status.
    """
    chosen = set(agents)
    others = [a for a in range(fp.n_agents) if a not in chosen]
    residual = np.maximum(slots - fills(fp, shift, others), 0)
    st, _ = _build(fp, residual, open_mask, agents, value_under, value_over, days_on, window, shift)
    if hint:
        _hint_from(shift, st)
    # deterministic: a deterministic-time budget, so the same seed gives the same roster on any machine
    # (the wall-clock limit is only a safety net)
    solver = make_cp_solver(time_limit_s=max(time_limit_s, 0.05), workers=workers, seed=seed,
                            deterministic=deterministic, deadline=deadline)
    status = solver.solve(st.m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, status
    out = shift.copy()
    for a in agents:
        for d in range(fp.n_days):
            if window is None or d in window:
                out[a, d] = -1
    for (a, d, s), x in st.work.items():
        if (window is None or d in window) and solver.boolean_value(x):
            out[a, d] = s
    return out, status


def solve_stage2(fp: FlatProblem, slots: np.ndarray, value_under: np.ndarray, value_over: np.ndarray, *,
                 time_limit_s: float, workers: int | None, seed: int,
                 hint: np.ndarray | None = None, days_on: np.ndarray | None = None,
                 search: bool = True, reproducible: bool = False) -> Stage2Result:
    """Assign agents to the ``(D, S)`` slot counts ``slots``: sequential construction, then agent LNS.

    Each agent in turn takes the most valuable open slots its contract allows (a one-agent CP-SAT model,
    milliseconds); then neighbourhoods of a few agents are freed and re-rostered jointly against the slots
    everyone else leaves open, keeping every improvement, until the time limit.

    Parameters
    ----------
    fp:
        Flattened problem.
    slots:
        ``(K, D, S)`` shifts stage 1 opened per contract ``K``, day and shift.
    value_under, value_over:
        ``(D, S)`` cover cost of leaving one slot open, and of adding one shift beyond the slots.
    time_limit_s, workers, seed:
        Wall-clock limit (seconds), CP-SAT workers of the neighbourhood solves, random seed.
    hint:
        Optional ``(A, D)`` shift indices (``-1`` off) to start from instead of the construction.
    days_on:
        Optional ``(A, D)`` days-off pattern the construction follows; the search may leave it.
    search:
        Run the neighbourhood search after the construction (``False``: the greedy roster alone).
    reproducible:
        Bound the neighbourhood solves by deterministic time (one seed, one roster).
    """
    t0 = time.perf_counter()
    deadline = t0 + time_limit_s
    rng = np.random.default_rng(seed)
    n_a = fp.n_agents
    # an agent may take any shift stage 1 opened on the day (its group's slots are priced, others are extras)
    open_mask = np.broadcast_to((slots > 0).any(axis=0), slots.shape)
    wide_mask = np.broadcast_to(fp.usable, slots.shape)
    workers = int(workers or 1)

    # -- construction: one agent at a time, the most constrained first ---------------------------------
    if hint is not None:
        shift = hint.copy()
    else:
        shift = np.full((n_a, fp.n_days), -1, dtype=np.int64)
        freedom = fp.available.sum(axis=1) * 100 + fp.allowed.sum(axis=1) + rng.random(n_a)
        order = np.argsort(freedom, kind="stable")
        for a in order:
            budget = min(max(time_limit_s * 0.5 / n_a, 0.06), 0.3)
            shift = place_agent(fp, shift, int(a), slots, open_mask, wide_mask, value_under, value_over,
                                budget=budget, seed=seed, days_on=days_on)
    cost = stage2_cost(fp, slots, value_under, value_over, shift)
    constructed = cost

    # -- large-neighbourhood search ------------------------------------------------------------------
    # Two neighbourhoods alternate: (a) every agent of one contract group on a window of a few days around
    # an open slot (CP-SAT re-matches that day's shifts among all of them, rest rules to the fixed days
    # included), (b) a few agents of the group over the whole horizon (days off move).
    k = min(n_a, 3)
    span = 2
    it = 0
    max_iterations = max(10, int(4 * time_limit_s))
    while search and time.perf_counter() < deadline - 0.2 and n_a > 1 and it < max_iterations:
        it += 1
        fill = fills(fp, shift)
        open_gd = (slots - fill).clip(min=0).sum(axis=2) > 0
        gap_days = np.flatnonzero(open_gd.any(axis=0))
        window: set[int] | None = None
        if len(gap_days):
            d = int(rng.choice(gap_days))
            g = int(rng.choice(np.flatnonzero(open_gd[:, d])))
            members = [a for a in range(n_a) if fp.agent_contract[a] == g]
            if it % 2:
                lo = max(0, d - int(rng.integers(0, span)))
                window = set(range(lo, min(fp.n_days, lo + span + 1)))
                chosen = members
            else:
                pool = [a for a in members if fp.available[a, d]]
                chosen = list(rng.choice(pool, size=min(k, len(pool)), replace=False)) if pool else []
        else:
            chosen = list(rng.choice(n_a, size=min(k, n_a), replace=False))
        chosen = sorted(int(a) for a in chosen)
        if not chosen:
            continue
        limit = min(2.0 if window else 1.0, deadline - time.perf_counter() - 0.1)
        if limit <= 0.05:
            break
        new, status = _solve_agents(fp, shift, chosen, slots, wide_mask, value_under, value_over,
                                    time_limit_s=limit, workers=workers, seed=seed + it, hint=True,
                                    window=window, deterministic=reproducible)
        if new is not None:
            new_cost = stage2_cost(fp, slots, value_under, value_over, new)
            if new_cost <= cost + 1e-9:
                shift, cost = new, new_cost
        # grow a neighbourhood while CP-SAT proves optimality quickly, shrink it when it does not
        grow = status == cp_model.OPTIMAL
        if window:
            span = min(6, span + 1) if grow else max(1, span - 1)
        else:
            k = min(n_a, k + 1) if grow else max(2, k - 1)

    fill = fills(fp, shift)
    return Stage2Result(shift=shift, status="FEASIBLE", objective=cost, bound=float("nan"),
                        seconds=time.perf_counter() - t0,
                        unfilled=int(np.maximum(slots - fill, 0).sum()),
                        extra=int(np.maximum(fill - slots, 0).sum()), constructed=constructed, iterations=it)
