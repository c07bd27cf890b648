"""Stage 2 of the decomposed roster: give the stage-1 shift slots to agents under every contract rule.

The model reads data → variables → hard rules → soft rules → objective → parameters → solve → extract.
Variables ``work[a, d, s]`` exist only for the shifts stage 1 opened on day ``d`` (plus locked ones) that
agent ``a`` may work, which keeps the model a few tens of thousands of literals at 150 agents × 4 weeks.
The hard rules mirror :mod:`wfm.roster.rules.hard` one for one (same names, same reading of weeks, runs and
weekends), so a stage-2 roster passes the checker. The soft rules price a slot left open or a shift added
beyond the slots by its marginal effect on the cover cost, and add the agents' preferences.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from wfm.exceptions import InfeasibleError, NoSolutionError
from wfm.roster.rules.hard import short_runs
from wfm.roster.solvers.cpsat import make_cp_solver
from wfm.roster.solvers.decomposed.covering import integer_scale
from wfm.roster.solvers.decomposed.data import FlatProblem

__all__ = ["RULES", "AgentModel", "Stage2Result", "agent_personal_cost", "fills", "personal_cost", "place_agent",
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

    # -- hard rules ----------------------------------------------------------------------------------
    def locked(self) -> None:
        """A locked shift holds (its variable is the only one that day and is fixed to 1)."""
        for a in self.agents:
            for d, s in self.fp.locked[a].items():
                if s is not None and self.fp.available[a, d]:
                    self.m.add(self.work[a, d, s] == 1)

    def max_shifts(self) -> None:
        """Each agent works a shift at most its personal maximum number of times."""
        for a, agent in ((a, self.fp.problem.agents[a]) for a in self.agents):
            for sid, k in agent.max_shifts.items():
                s = self.fp.shift_index[sid]
                xs = [self.work[a, d, s] for d in range(self.fp.n_days) if (a, d, s) in self.work]
                if len(xs) > k:
                    self.m.add(sum(xs) <= k)

    def paid_minutes(self) -> None:
        """Paid minutes per horizon and per week (minimum on full weeks only) within the contract."""
        fp = self.fp
        for a in self.agents:
            c = fp.contracts[fp.agent_contract[a]]
            total = self.minutes(a, range(fp.n_days))
            if c.min_paid_minutes is not None:
                self.m.add(total >= c.min_paid_minutes)
            if c.max_paid_minutes is not None:
                self.m.add(total <= c.max_paid_minutes)
            for w in range(fp.n_weeks):
                days = list(fp.week_days(w))
                if not self.touch(days):
                    continue
                total = self.minutes(a, days)
                if c.max_paid_minutes_per_week is not None:
                    self.m.add(total <= c.max_paid_minutes_per_week)
                if c.min_paid_minutes_per_week is not None and len(days) == 7:
                    self.m.add(total >= c.min_paid_minutes_per_week)

    def working_days_per_week(self) -> None:
        """At most N working days per week; at least N days off per full week."""
        fp = self.fp
        for a in self.agents:
            c = fp.contracts[fp.agent_contract[a]]
            for w in range(fp.n_weeks):
                days = list(fp.week_days(w))
                if not self.touch(days):
                    continue
                on = sum(self.on[a, d] for d in days)
                if c.max_working_days_per_week is not None and len(days) > c.max_working_days_per_week:
                    self.m.add(on <= c.max_working_days_per_week)
                if c.min_days_off_per_week is not None and len(days) == 7:
                    self.m.add(on <= 7 - c.min_days_off_per_week)

    def max_consecutive_working_days(self) -> None:
        """Every window of N+1 days has a day off."""
        fp = self.fp
        for a in self.agents:
            k = fp.contracts[fp.agent_contract[a]].max_consecutive_working_days
            if k is None or k >= fp.n_days:
                continue
            for d in range(fp.n_days - k):
                if self.touch(range(d, d + k + 1)):
                    self.m.add(sum(self.on[a, e] for e in range(d, d + k + 1)) <= k)

    def _on_lit(self, a: int, d: int) -> cp_model.IntVar | None:
        """A literal equal to "agent works day d" (``None`` when the agent cannot work that day)."""
        xs = [self.work[a, d, s] for s in self.by_agent_day[a, d]]
        if not xs:
            return None
        if len(xs) == 1:
            return xs[0]
        key = ("on", a, d)
        if key not in self._on_cache:
            b = self.m.new_bool_var(f"on(agent={a}, day={d})")
            self.m.add(sum(xs) == b)
            self._on_cache[key] = b
        return self._on_cache[key]

    def _min_run(self, a: int, k: int, exempt: bool, working: bool) -> None:
        """Forbid runs (of work if ``working``, else of days off) shorter than ``k``, as the checker reads it."""
        n = self.fp.n_days

        def lit(d: int, state: bool) -> cp_model.LiteralT | bool:
            x = self._on_lit(a, d)
            if x is None:  # never works that day
                val = not working
                return val if state else not val
            y = x if working else x.Not()
            return y if state else y.Not()

        for inside, before, after in short_runs(n, k, exempt):
            span = range(inside.start if before is None else before, (inside.stop - 1 if after is None else after) + 1)
            if not self.touch(span):
                continue
            clause = [lit(d, False) for d in inside] + [lit(d, True) for d in (before, after) if d is not None]
            if any(c is True for c in clause):
                continue
            lits = [c for c in clause if c is not False]
            if not lits:
                raise InfeasibleError(f"agent {self.fp.problem.agents[a].id}: leave and locks force a run "
                                      f"shorter than {k} days", conflicts=["min_consecutive"])
            self.m.add_bool_or(lits)

    def min_consecutive(self) -> None:
        """Runs of working days and of days off last at least the contract's minimum."""
        fp = self.fp
        self._on_cache: dict[tuple[str, int, int], cp_model.IntVar] = {}
        for a in self.agents:
            c = fp.contracts[fp.agent_contract[a]]
            if c.min_consecutive_working_days and c.min_consecutive_working_days > 1:
                self._min_run(a, c.min_consecutive_working_days, c.exempt_edge_runs, True)
            if c.min_consecutive_days_off and c.min_consecutive_days_off > 1:
                self._min_run(a, c.min_consecutive_days_off, c.exempt_edge_runs, False)

    def rest_and_successions(self) -> None:
        """Minimum rest between consecutive days' shifts and forbidden successions, one row per first shift."""
        fp = self.fp
        for a in self.agents:
            c = fp.contracts[fp.agent_contract[a]]
            rest = None if not c.min_rest_hours else c.min_rest_hours * 60
            pairs = [(fs.first, fs.second) for fs in c.forbidden_successions]
            if rest is None and not pairs:
                continue
            for d in range(fp.n_days - 1):
                if not self.touch((d, d + 1)):
                    continue
                for s1 in self.by_agent_day[a, d]:
                    t1 = fp.shifts[s1]
                    bad = []
                    for s2 in self.by_agent_day[a, d + 1]:
                        t2 = fp.shifts[s2]
                        clash = rest is not None and fp.start_min[d + 1, s2] - fp.end_min[d, s1] < rest
                        clash = clash or any(f.matches(t1) and g.matches(t2) for f, g in pairs)
                        if clash:
                            bad.append(self.work[a, d + 1, s2])
                    if bad:
                        self.m.add(self.work[a, d, s1] + sum(bad) <= 1)

    def max_tag(self) -> None:
        """At most N shifts with a tag per week and per horizon."""
        fp = self.fp
        for a in self.agents:
            c = fp.contracts[fp.agent_contract[a]]
            for tag, k in c.max_tag_per_horizon.items():
                xs = self.tagged(a, tag, range(fp.n_days))
                if len(xs) > k:
                    self.m.add(sum(xs) <= k)
            for tag, k in c.max_tag_per_week.items():
                for w in range(fp.n_weeks):
                    if not self.touch(fp.week_days(w)):
                        continue
                    xs = self.tagged(a, tag, list(fp.week_days(w)))
                    if len(xs) > k:
                        self.m.add(sum(xs) <= k)

    def max_weekends(self) -> None:
        """At most N weekends worked in the horizon and per window of 4 consecutive weekends."""
        fp = self.fp
        groups = fp.weekend_groups
        for a in self.agents:
            c = fp.contracts[fp.agent_contract[a]]
            if c.max_weekends is None and c.max_weekends_per_4_weeks is None:
                continue
            we = []
            for k, g in enumerate(groups):
                xs = [self.work[a, d, s] for d in g for s in self.by_agent_day[a, d]]
                if not xs:
                    we.append(0)
                    continue
                b = self.m.new_bool_var(f"weekend(agent={a}, k={k})")
                for x in xs:
                    self.m.add_implication(x, b)
                self.m.add_bool_or(xs).only_enforce_if(b)
                we.append(b)
            if c.max_weekends is not None and len(we) > c.max_weekends:
                self.m.add(sum(we) <= c.max_weekends)
            k4 = c.max_weekends_per_4_weeks
            if k4 is not None:
                for i in range(max(1, len(we) - 3)):
                    window = we[i:i + 4]
                    if len(window) > k4:
                        self.m.add(sum(window) <= k4)

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


RULES = ("locked", "max_shifts", "paid_minutes", "working_days_per_week", "max_consecutive_working_days",
          "min_consecutive", "rest_and_successions", "max_tag", "max_weekends")


def _build(fp: FlatProblem, residual: np.ndarray, open_mask: np.ndarray, agents: Sequence[int],
           value_under: np.ndarray, value_over: np.ndarray, days_on: np.ndarray | None = None,
           window: set[int] | None = None, fixed: np.ndarray | None = None) -> tuple[AgentModel, int]:
    """The stage-2 model of ``agents`` facing the ``residual`` slots the other agents left open."""
    st = AgentModel(fp, residual, agents, open_mask, days_on, window, fixed)
    st.variables()
    for rule in RULES:
        getattr(st, rule)()
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
                seed: int, days_on: np.ndarray | None = None) -> np.ndarray:
    """``shift`` with agent ``a`` placed: on its planned days (when ``days_on`` is given), then on the opened
    shifts, then on every usable shift; raises when its own rules admit no roster."""
    new, status = None, cp_model.UNKNOWN
    if days_on is not None:
        new, status = _solve_agents(fp, shift, [a], target, open_mask, value_under, value_over,
                                    time_limit_s=budget, workers=1, seed=seed, hint=False, days_on=days_on)
    if new is None:
        new, status = _solve_agents(fp, shift, [a], target, open_mask, value_under, value_over,
                                    time_limit_s=budget, workers=1, seed=seed, hint=False)
    if new is None:  # the opened shifts cannot carry this agent's contract: every usable shift
        new, status = _solve_agents(fp, shift, [a], target, wide_mask, value_under, value_over,
                                    time_limit_s=budget, workers=1, seed=seed, hint=False)
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
                  days_on: np.ndarray | None = None,
                  window: set[int] | None = None) -> tuple[np.ndarray | None, int]:
    """Re-roster ``agents`` (on the ``window`` days only, if given) with everyone else fixed.

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
                            deterministic=deterministic)
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
