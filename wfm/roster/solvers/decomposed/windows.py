"""Day-window moves: every agent re-rostered on one day (or a few), the rest of the roster fixed.

The best-response sweeps (:mod:`wfm.roster.solvers.decomposed.pricing`) move one agent over the whole horizon. They
stall where filling a hole needs two agents to change at once — one takes the late shift, the other gives up
hers so her week stays within contract. A day window is the other axis: *all* agents, *one* day. The contract
rules with the other days fixed (rest and successions to the neighbouring days, weekly minutes and days,
runs, weekends) leave each agent a few shifts or a day off, and CP-SAT then solves the day exactly:

* variables — ``work[a, d, s]`` per agent and allowed shift on the window days (the stage-2 model in window
  mode, so every hard rule is the same code the sweeps price);
* break placement as *counts*: agents are interchangeable in where their break falls, so each (day, shift)
  has one integer per break variant summing to the agents on it, not one boolean per agent and variant;
* cover cost exact and convex: per interval, the shortfall in unit tiers at the tier weights plus the
  over-staffing, which is exactly the interval cost because the tier weights increase;
* wishes, start-time consistency and the fairness spread of each tag, as the sweeps price them; a move is
  kept only if the whole roster's exact objective does not get worse.

Measured from the same 150-agent, 4-week roster (232 agent-intervals short; bank profile, 2 threads): the
sweeps alone stay at 231 after 8 s more; one pass of 28 one-day windows (about 1 s each there; 0.1-0.6 s
from a 127-short roster) takes it to 196, and alternating sweeps and passes to 180 in 150 s. Two-day windows
are solved to optimality far less often in a few seconds and did worse per second (208 after 240 s; from
the 127-short roster, 125-127 in 60-s solves against 115-119 with one-day windows).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from ortools.sat.python import cp_model

from wfm.roster.solvers.cpsat import make_cp_solver
from wfm.roster.solvers.decomposed.agent_model import AgentModel, personal_cost
from wfm.roster.solvers.decomposed.covering import integer_scale, interval_cost
from wfm.roster.solvers.decomposed.data import FlatProblem
from wfm.roster.solvers.decomposed.pricing import Fairness, counts_for, fairness_members
from wfm.roster.solvers.decomposed.variants import coverage

__all__ = ["roster_cost", "window_move", "window_pass"]


def roster_cost(fp: FlatProblem, shift: np.ndarray, var: np.ndarray) -> float:
    """The decomposed solve's exact objective of a roster with its break variants.

    Cover cost per interval, unmet wishes, extra start times and the fairness spread of each tag.
    """

    w = fp.problem.weights
    cost = float(interval_cost(fp.required, coverage(fp, shift, var), w.shortfall, w.overstaffing).sum())
    cost += personal_cost(fp, shift)
    fair = Fairness(fp, shift)
    for tag, members in fair.members.items():
        counts = fair.counts[tag][members]
        cost += fair.weight * float(counts.max() - counts.min())
    return cost


class _Window:
    """The CP-SAT model of every free agent on the ``days`` of the window."""

    def __init__(self, fp: FlatProblem, shift: np.ndarray, var: np.ndarray, cov: np.ndarray,
                 days: Sequence[int]) -> None:
        self.fp, self.shift, self.var, self.days = fp, shift, var, sorted(int(d) for d in days)
        self.agents = [a for a in range(fp.n_agents)
                       if any(d not in fp.locked[a] and fp.available[a, d] for d in self.days)]
        # the others' cover: the whole roster without the free agents on the window days
        self.base = coverage(fp, shift, var, skip={(a, d) for a in self.agents for d in self.days})
        self.mine = cov - self.base
        wide = np.broadcast_to(fp.usable, (len(fp.contracts), fp.n_days, fp.n_shifts))
        self.st = AgentModel(fp, np.zeros(wide.shape, dtype=np.int64), self.agents, wide, None, set(self.days), shift)
        self.m = self.st.m
        self.terms: list[tuple[float, cp_model.IntVar]] = []

    # -- variables and hard rules -----------------------------------------------------------------
    def variables(self) -> None:
        self.st.variables()
        self.work = {k: x for k, x in self.st.work.items() if k[1] in self.days and not isinstance(x, int)}
        self.st.hard_rules()

    def break_counts(self) -> None:
        """Agents per break variant of each (day, shift): they sum to the agents working it."""
        on: dict[tuple[int, int], list[cp_model.IntVar]] = {}
        for (_a, d, s), x in self.work.items():
            on.setdefault((d, s), []).append(x)
        self.count: dict[tuple[int, int], list[cp_model.LinearExprT]] = {}
        for (d, s), xs in on.items():
            variants = self.fp.variants[d, s]
            if len(variants) == 1:
                self.count[d, s] = [sum(xs)]
                continue
            ns = [self.m.new_int_var(0, len(xs), f"on_break_variant(day={d}, shift={self.fp.shifts[s].id}, v={v})")
                  for v in range(len(variants))]
            self.m.add(sum(ns) == sum(xs))
            self.count[d, s] = ns

    # -- soft rules ---------------------------------------------------------------------------------
    def cover(self) -> None:
        """Shortfall in unit tiers at increasing weights plus over-staffing: the exact convex interval cost."""
        fp, w = self.fp, self.fp.problem.weights
        on: dict[int, list[cp_model.LinearExprT]] = {}
        for (d, s), ns in self.count.items():
            for variant, n in zip(fp.variants[d, s], ns, strict=True):
                for t in variant.intervals:
                    on.setdefault(int(t), []).append(n)
        tiers = list(w.shortfall)
        for t, ns in on.items():
            need = int(round(fp.required[t] - self.base[t]))
            short = [self.m.new_int_var(0, 1, f"short(t={t}, tier={j})") for j in range(len(tiers) - 1)]
            short.append(self.m.new_int_var(0, max(need, 0), f"short(t={t}, tier={len(tiers) - 1})"))
            over = self.m.new_int_var(0, len(self.agents) * len(self.days), f"over(t={t})")
            self.m.add(sum(short) - over == need - sum(ns))
            self.terms += list(zip(tiers, short, strict=True)) + [(float(w.overstaffing), over)]
            # the hint: what the current roster leaves short or over at t
            gap = need - int(self.mine[t])
            for j, y in enumerate(short[:-1]):
                self.m.add_hint(y, int(gap > j))
            self.m.add_hint(short[-1], max(gap - (len(short) - 1), 0))
            self.m.add_hint(over, max(-gap, 0))

    def personal(self) -> None:
        w = self.fp.problem.weights
        terms = self.st.preference_terms(w.preference) + self.st.start_consistency_terms(w.start_consistency)
        self.terms += [(wt, v) for wt, v in terms if not isinstance(v, int)]

    def fairness(self) -> None:
        """The spread (most minus fewest) of each fairness tag's shifts over its agents, at the fairness weight."""

        fp, weight = self.fp, float(self.fp.problem.weights.fairness)
        if weight <= 0:
            return
        free = set(self.agents)
        for tag, members in fairness_members(fp).items():
            if len(members) < 2:
                continue
            counts = []
            for a in members:
                tagged = {d for d in range(fp.n_days)
                          if self.shift[a, d] >= 0 and counts_for(fp, tag, d, int(self.shift[a, d]))}
                movable = set(self.days) if a in free else set()
                fixed = len(tagged - movable)
                part = [x for d in movable for s in self.st.by_agent_day.get((a, d), [])
                        if (x := self.work.get((a, d, s))) is not None and counts_for(fp, tag, d, s)]
                counts.append((fixed + sum(part), len(tagged)))
            top = self.m.new_int_var(0, fp.n_days, f"fair_most({tag})")
            bottom = self.m.new_int_var(0, fp.n_days, f"fair_fewest({tag})")
            for expr, _ in counts:
                self.m.add(top >= expr)
                self.m.add(bottom <= expr)
            self.m.add_hint(top, max(c for _, c in counts))
            self.m.add_hint(bottom, min(c for _, c in counts))
            self.terms += [(weight, top), (-weight, bottom)]

    def hint(self) -> None:
        """The current roster, so CP-SAT starts from it and only improves."""
        for (a, d, s), x in self.work.items():
            self.m.add_hint(x, int(self.shift[a, d] == s))
        for (d, s), ns in self.count.items():
            if len(ns) > 1:
                for v, n in enumerate(ns):
                    self.m.add_hint(n, int(sum(1 for a in self.agents
                                               if self.shift[a, d] == s and self.var[a, d] == v)))

    def build(self) -> None:
        self.variables()
        self.break_counts()
        self.cover()
        self.personal()
        self.fairness()
        self.hint()
        scale = integer_scale([wt for wt, _ in self.terms])
        self.m.minimize(sum(int(round(wt * scale)) * v for wt, v in self.terms))

    # -- extract ------------------------------------------------------------------------------------
    def roster(self, solver: cp_model.CpSolver) -> tuple[np.ndarray, np.ndarray]:
        shift, var = self.shift.copy(), self.var.copy()
        who: dict[tuple[int, int], list[int]] = {}
        for a in self.agents:
            for d in self.days:
                shift[a, d] = var[a, d] = -1
        for (a, d, s), x in self.work.items():
            if solver.boolean_value(x):
                shift[a, d] = s
                who.setdefault((d, s), []).append(a)
        for (d, s), agents in who.items():
            ns = self.count[d, s]
            counts = [len(agents)] if len(ns) == 1 else [int(solver.value(n)) for n in ns]
            it = iter(agents)
            for v, c in enumerate(counts):
                for _ in range(c):
                    var[next(it), d] = v
        return shift, var


def window_move(fp: FlatProblem, shift: np.ndarray, var: np.ndarray, days: Sequence[int], *,
                time_limit_s: float, workers: int = 1, seed: int = 0, deterministic: bool = False,
                work: list[float] | None = None, deadline: float | None = None
                ) -> tuple[np.ndarray, np.ndarray] | None:
    """The best roster CP-SAT finds with every agent free on ``days`` and everything else fixed.

    Parameters
    ----------
    fp:
        The flattened problem.
    shift, var:
        The current roster: shift index per (agent, day), ``-1`` off, and the break variant of each shift.
    days:
        The window (day indices).
    time_limit_s:
        CP-SAT budget, seconds (deterministic time units with ``deterministic``, so one seed gives one
        result on a loaded machine).
    workers, seed:
        CP-SAT search workers and random seed.
    work:
        Optional list the solve appends its CP-SAT deterministic time to (about seconds of one core; what a
        reproducible search charges to its budget).
    deadline:
        Absolute ``time.perf_counter()`` time the solve may not pass (the caller's wall-clock promise).

    Returns
    -------
    ``(shift, var)`` of the window's solution (at worst the hinted current roster), or ``None`` when CP-SAT
    found nothing in time.
    """
    win = _Window(fp, shift, var, coverage(fp, shift, var), days)
    win.build()
    solver = make_cp_solver(time_limit_s=time_limit_s, workers=workers, seed=seed, deterministic=deterministic,
                            safety_factor=10.0, deadline=deadline)
    status = solver.solve(win.m)
    if work is not None:
        work.append(float(solver.response_proto.deterministic_time))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None  # UNKNOWN: nothing in time; the window model cannot be INFEASIBLE with a valid roster
    return win.roster(solver)


def window_pass(fp: FlatProblem, shift: np.ndarray, var: np.ndarray, days: Sequence[int], *, deadline: float,
                seed: int, workers: int = 1, time_per_window: float = 1.5, deterministic: bool = False,
                work: list[float] | None = None) -> tuple[np.ndarray, np.ndarray, int]:
    """One-day windows on ``days`` in turn, keeping each that does not make the roster worse.

    Stops early at ``deadline`` (``time.perf_counter()`` seconds). Returns the roster, its break
    variants and the number of windows that improved it; each window's CP-SAT deterministic time is
    appended to ``work`` when given.
    """
    current = roster_cost(fp, shift, var)
    improved = 0
    for i, d in enumerate(days):
        left = deadline - time.perf_counter()
        if left <= 0.2:
            break
        got = window_move(fp, shift, var, [int(d)], time_limit_s=time_per_window if deterministic else
                          min(time_per_window, left), workers=workers, seed=seed + i, deterministic=deterministic,
                          work=work, deadline=deadline)
        if got is None:
            continue
        value = roster_cost(fp, *got)
        if value <= current + 1e-9:
            improved += value < current - 1e-9
            shift, var, current = got[0], got[1], value
    return shift, var, improved
