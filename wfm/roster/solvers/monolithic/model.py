"""The CP-SAT roster model and ``solve``.

The model reads in one order: data → variables ``work[a, d, s]`` (agent ``a`` works shift ``s`` on day ``d``) and
``on[a, d]`` (agent works that day) → hard rules (:data:`wfm.roster.rules.HARD_RULES`, one module each, through the
:class:`~wfm.roster.rules.base.CpContext` this model implements) → soft rules (:mod:`wfm.roster.rules.soft`,
weighted penalty terms with business names) → objective → parameters → solve → extract. The same model serves
call-centre interval cover and shift-type cover."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from ortools.sat.python import cp_model

from wfm.roster.models import Agent, Assignment, Contract, Penalty, Period, RosterProblem, RosterSolution
from wfm.roster.rules import HARD_RULES
from wfm.roster.rules.calendar import weekend_groups, weeks
from wfm.roster.rules.soft import SOFT_RULES
from wfm.roster.timeline import Timeline

__all__ = ["RosterModel", "objective_scale"]


class RosterModel:
    """A CP-SAT model of a :class:`RosterProblem`.

    Parameters
    ----------
    problem : RosterProblem
        The problem to model.
    explain : bool, default False
        Attach an assumption literal to every rule group (rule × agent, or rule × agent × day for day-level
        rules) so that an infeasible model can name the rules that clash.
    symmetry : bool, default True
        Order interchangeable agents (same contract, skills and personal data) to cut symmetric rosters.
    gaps : dict, optional
        A cache of :meth:`gap_minutes` to share with other models of the same horizon and shifts (the
        award's exchange search builds hundreds of small ones); it changes no constraint.
    """

    def __init__(self, problem: RosterProblem, *, explain: bool = False, symmetry: bool = True,
                 gaps: dict[tuple[int, int, int], float] | None = None) -> None:
        # -- data ------------------------------------------------------------------------------------
        self.problem = problem
        self.timeline = Timeline(problem)
        self.agents = problem.agents
        self.shifts = problem.shifts
        self.contracts = [problem.contract_of(a) for a in problem.agents]
        self.shift_index = {t.id: s for s, t in enumerate(self.shifts)}
        self.n_days = problem.horizon.days
        self.agent_indices = range(len(self.agents))
        self.weeks = weeks(problem)
        self.weekends = weekend_groups(problem)
        self.explain = explain
        self.clash_rows = "pairs"  # one row per rule and pair (wfm.roster.rules.rest says why)
        self.req_scale = 1 if all(float(c.agents).is_integer() for c in self.timeline.requirements.values()) \
            else 100
        self.model = cp_model.CpModel()
        self.guards: dict[tuple[str, str, int | None], cp_model.IntVar] = {}
        self.objective_terms: list[tuple[Any, float]] = []
        self.evaluators: list[Callable[[Callable], list[Penalty]]] = []
        self.cover_cells: list[tuple] = []
        self._weekend: dict[tuple[int, int], Any] = {}
        self._cover: dict | None = None
        # gap_minutes by (day, shift, next shift); ``gaps`` shares it between models of the same horizon and
        # shifts (the award's exchange search builds hundreds of small ones)
        self._gaps: dict[tuple[int, int, int], float] = {} if gaps is None else gaps
        self.break_counts: dict[tuple[int, int, int, int], list] = {}
        self.group_members: dict[int, list[int]] = {}
        self.symmetry_classes: list[list[int]] = []
        # -- variables -------------------------------------------------------------------------------
        self.work: dict[tuple[int, int, int], cp_model.IntVar] = {}
        self.on: dict[tuple[int, int], cp_model.IntVar] = {}
        self.shifts_of_day: dict[tuple[int, int], list[int]] = {}  # (agent, day) -> shifts it may work that day
        for a, agent in enumerate(self.agents):
            for d in range(self.n_days):
                weekday = problem.horizon.date_of(d).weekday()
                xs = []
                ss = self.shifts_of_day[a, d] = []
                for s, t in enumerate(self.shifts):
                    if weekday in t.weekdays:
                        x = self.model.new_bool_var(f"work({agent.id}, {d}, {t.id})")
                        self.work[a, d, s] = x
                        xs.append(x)
                        ss.append(s)
                self.on[a, d] = self.model.new_bool_var(f"on({agent.id}, {d})")
                # one shift a day at most: on[a, d] is the sum of the day's shift literals
                self.model.add(sum(xs) == self.on[a, d])
        # -- hard rules ------------------------------------------------------------------------------
        for rule in HARD_RULES:
            rule.cp(self)
        if not explain:
            # implied by the rules, so left out when the rules themselves are being relaxed one by one
            for rule in HARD_RULES:
                rule.cuts(self)
            if symmetry:
                self._break_symmetry()
        # -- soft rules and objective ----------------------------------------------------------------
        for rule in SOFT_RULES:
            rule(self)
        self.objective_scale = objective_scale([w for _, w in self.objective_terms])
        self.model.minimize(sum(round(w * self.objective_scale) * e for e, w in self.objective_terms
                                if round(w * self.objective_scale)))

    # -- helpers used by the rules ---------------------------------------------------------------------
    def guard(self, rule: str, a: int, d: int | None = None) -> list:
        """The assumption literal of (rule, agent, day) in explain mode; nothing otherwise."""
        if not self.explain:
            return []
        key = (rule, self.agents[a].id, d)
        if key not in self.guards:
            self.guards[key] = self.model.new_bool_var(f"assume{key}")
        return [self.guards[key]]

    # -- the CpContext the hard rules are written against (wfm.roster.rules.base) ------------------------
    def contract(self, a: int) -> Contract:
        return self.contracts[a]

    def agent(self, a: int) -> Agent:
        return self.agents[a]

    def day_of(self, date: dt.date) -> int:
        return self.problem.horizon.day_of(date)

    def day_on(self, a: int, d: int) -> cp_model.IntVar:
        return self.on[a, d]

    def day_literal(self, a: int, d: int) -> cp_model.IntVar:
        return self.on[a, d]

    def shift_var(self, a: int, d: int, s: int) -> cp_model.IntVar | None:
        return self.work.get((a, d, s))

    def day_shifts(self, a: int, d: int) -> list[int]:
        return self.shifts_of_day[a, d]

    def gap_minutes(self, d: int, s1: int, s2: int) -> float:
        """Minutes from the end of shift ``s1`` on day ``d`` to the start of ``s2`` on day ``d + 1``."""
        # the same for every agent: kept, since the rest rule asks once per agent (1.7 M calls, 16 s of the
        # model's 21 s at 150 agents x 4 weeks, for 12 k distinct answers)
        key = (d, s1, s2)
        gap = self._gaps.get(key)
        if gap is None:
            delta = self.timeline.shift_start(d + 1, self.shifts[s2]) - self.timeline.shift_end(d, self.shifts[s1])
            gap = self._gaps[key] = delta.total_seconds() / 60
        return gap

    def false(self) -> Any:
        return self.model.new_constant(0) == 1

    def new_bool(self, name: str) -> cp_model.IntVar:
        return self.model.new_bool_var(name)

    def touch(self, days: Iterable[int]) -> bool:
        return True  # every day of the monolithic model is free

    def add(self, constraint: Any, rule: str, a: int, d: int | None = None) -> None:
        """Add a hard constraint belonging to rule group (rule, agent, day)."""
        if constraint is True:
            return
        ct = self.model.add(constraint)
        lits = self.guard(rule, a, d)
        if lits:
            ct.only_enforce_if(lits)

    def add_clause(self, literals: list, rule: str, a: int, d: int | None = None) -> None:
        ct = self.model.add_bool_or(literals)
        lits = self.guard(rule, a, d)
        if lits:
            ct.only_enforce_if(lits)

    def penalise(self, expr: Any, weight: float) -> None:
        """Add ``weight * expr`` to the objective (weights in objective units)."""
        if weight:
            self.objective_terms.append((expr, weight))

    def minutes(self, a: int, days: Iterable[int]) -> Any:
        return sum(self.shifts[s].paid_minutes * self.work[a, d, s] for d in days
                   for s in range(len(self.shifts)) if (a, d, s) in self.work)

    def tagged(self, a: int, tag: str, days: Iterable[int]) -> list:
        return [self.work[a, d, s] for d in days for s, t in enumerate(self.shifts)
                if tag in t.tags and (a, d, s) in self.work]

    def eligible(self, a: int, tag: str) -> bool:
        allowed = self.contracts[a].allowed_shifts
        return any(tag in t.tags and (allowed is None or t.id in allowed)
                   and self.agents[a].max_shifts.get(t.id, 1) > 0 for t in self.shifts)

    def weekend_worked(self, a: int, k: int, days: list[int]) -> Any:
        """Literal 'agent a works weekend k' (at least one of its days)."""
        if (a, k) not in self._weekend:
            w = self.model.new_bool_var(f"weekend({self.agents[a].id}, {k})")
            for d in days:
                self.model.add_implication(self.on[a, d], w)
            self.model.add_bool_or([self.on[a, d] for d in days]).only_enforce_if(w)
            self._weekend[a, k] = w
        return self._weekend[a, k]

    def cover_expressions(self) -> dict[tuple[int, str | None], Any]:
        """Cover of each requirement cell as a sum of (day, shift, skill group) counts minus breaks."""
        if self._cover is not None:
            return self._cover
        cells = self.timeline.requirements
        skills_needed = sorted({k for _, k in cells if k is not None})
        groups: dict[frozenset, list[int]] = {}
        for a, agent in enumerate(self.agents):
            key = frozenset(sk for sk in agent.skills if sk in skills_needed)
            groups.setdefault(key, []).append(a)
        wanted = {g for g, _ in cells}
        terms: dict[tuple[int, str | None], list] = {}
        for d in range(self.n_days):
            for s, t in enumerate(self.shifts):
                cover = [g for g in self.timeline.shift_cover(d, t) if g in wanted]
                if not cover:
                    continue
                cover_set = set(cover)
                for gi, (key, members) in enumerate(groups.items()):
                    xs = [self.work[a, d, s] for a in members if (a, d, s) in self.work]
                    if not xs:
                        continue
                    n = self.model.new_int_var(0, len(xs), f"count(day={d}, shift={t.id}, group={gi})")
                    self.model.add(n == sum(xs))
                    removed: dict[int, list] = {}
                    for k in range(len(t.breaks)):
                        opts = self.timeline.break_options(d, t, k)
                        nb = [self.model.new_int_var(0, len(xs), f"break(day={d}, shift={t.id}, group={gi}, "
                                                                  f"k={k}, at={off})") for off, _ in opts]
                        self.model.add(sum(nb) == n)
                        self.break_counts[d, s, gi, k] = list(zip([o for o, _ in opts], nb, strict=True))
                        for (_, gs), v in zip(opts, nb, strict=True):
                            for g in gs:
                                if g in cover_set:
                                    removed.setdefault(g, []).append(v)
                    self.group_members[gi] = members
                    for g in cover:
                        expr = n - sum(removed.get(g, []))
                        for skill in [None, *key]:
                            if (g, skill) in cells:
                                terms.setdefault((g, skill), []).append(expr)
        self._cover = {k: sum(v) for k, v in terms.items()}
        return self._cover

    def _break_symmetry(self) -> None:
        """Interchangeable agents (same contract, skills and no personal data) work in decreasing minutes.

        Any roster can be relabelled among such agents, so ordering their paid minutes loses nothing.
        """
        classes: dict[tuple, list[int]] = {}
        for a, agent in enumerate(self.agents):
            if agent.leave or agent.locked or agent.preferences:
                continue
            key = (agent.contract, tuple(sorted(agent.skills)), tuple(sorted(agent.max_shifts.items())))
            classes.setdefault(key, []).append(a)
        self.symmetry_classes = [m for m in classes.values() if len(m) > 1]
        for members in classes.values():
            for a, b in zip(members, members[1:], strict=False):
                self.model.add(self.minutes(a, range(self.n_days)) >= self.minutes(b, range(self.n_days)))

    # -- results ---------------------------------------------------------------------------------------
    def extract(self, solver: cp_model.CpSolver) -> tuple[list[Assignment], list[Penalty]]:
        """Assignments (with break placements) and penalties of the solver's current solution."""
        tl = self.timeline
        assignments: list[Assignment] = []
        # hand out break slots to the agents of each (day, shift, group) in agent order
        slots: dict[tuple[int, int, int], list[list[int]]] = {}
        for (d, s, gi, _k), opts in self.break_counts.items():
            seq = [off for off, v in opts for _ in range(solver.value(v))]
            slots.setdefault((d, s, gi), []).append(seq)
        agent_group = {a: gi for gi, ms in self.group_members.items() for a in ms}
        used: dict[tuple[int, int, int], int] = {}
        for (a, d, s), x in sorted(self.work.items()):
            if not solver.boolean_value(x):
                continue
            t = self.shifts[s]
            segs = tl.segments(d, t)
            breaks = []
            key = (d, s, agent_group.get(a, -1))
            i = used.get(key, 0)
            used[key] = i + 1
            for k, b in enumerate(t.breaks):
                seqs = slots.get(key)
                off = seqs[k][i] if seqs and i < len(seqs[k]) else b.earliest_offset_minutes
                bs, be = tl.break_period(d, t, k, off)
                breaks.append(Period(start=bs, end=be))
            assignments.append(Assignment(
                agent=self.agents[a].id, date=self.problem.horizon.date_of(d), shift=t.id,
                start=segs[0][0], end=segs[-1][1], paid_minutes=t.paid_minutes or 0, tags=list(t.tags),
                segments=[Period(start=x0, end=x1) for x0, x1 in segs], breaks=breaks))
        penalties = [p for ev in self.evaluators for p in ev(solver.value)]
        return assignments, penalties

    def add_hint(self, solution: RosterSolution | set[tuple[str, int, str]]) -> None:
        """Hint the solver with an existing roster (last week's, a greedy one) or ``(agent, day, shift)`` cells.

        Rosters of interchangeable agents are first reordered to meet the symmetry-breaking order.
        """
        if isinstance(solution, RosterSolution):
            chosen = {(x.agent, self.problem.horizon.day_of(x.date), x.shift) for x in solution.assignments}
        else:
            chosen = set(solution)
        rows: dict[str, list[tuple[int, str]]] = {}
        for agent, d, sid in chosen:
            rows.setdefault(agent, []).append((d, sid))
        paid = {t.id: t.paid_minutes or 0 for t in self.shifts}
        for members in self.symmetry_classes:
            ids = [self.agents[a].id for a in members]
            ranked = sorted(ids, key=lambda i: -sum(paid[s] for _, s in rows.get(i, [])))
            moved = {new: rows.get(old, []) for new, old in zip(ids, ranked, strict=True)}
            rows.update(moved)
        chosen = {(agent, d, sid) for agent, cells in rows.items() for d, sid in cells}
        for (a, d, s), x in self.work.items():
            self.model.add_hint(x, (self.agents[a].id, d, self.shifts[s].id) in chosen)


def objective_scale(weights: list[float]) -> int:
    """Smallest power of ten making every weight an integer (capped at 10**4, then rounded)."""
    for p in range(5):
        m = 10 ** p
        if all(abs(w * m - round(w * m)) < 1e-6 for w in weights):
            return m
    return 10 ** 4
