"""The CP-SAT roster model and ``solve``.

The model reads in one order: data → variables ``work[a, d, s]`` (agent ``a`` works shift ``s`` on day
``d``) and ``on[a, d]`` (agent works that day) → hard rules (:mod:`wfm.roster.rules.hard`, one named function
each) → soft rules (:mod:`wfm.roster.rules.soft`, weighted penalty terms with business names) → objective →
parameters → solve → extract. The same model serves call-centre interval cover and shift-type cover.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from ortools.sat.python import cp_model

from wfm.exceptions import InfeasibleError, InvalidParameterError, NoSolutionError, WfmError
from wfm.roster.models import Assignment, Penalty, Period, RosterProblem, RosterSolution
from wfm.roster.rules.hard import HARD_RULES, REDUNDANT
from wfm.roster.rules.soft import SOFT_RULES
from wfm.roster.timeline import Timeline

__all__ = ["RosterModel", "solve", "STRATEGIES"]

STRATEGIES = ("auto", "monolithic", "decomposed")


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
    """

    def __init__(self, problem: RosterProblem, *, explain: bool = False, symmetry: bool = True) -> None:
        # -- data ------------------------------------------------------------------------------------
        self.problem = problem
        self.timeline = Timeline(problem)
        self.agents = problem.agents
        self.shifts = problem.shifts
        self.contracts = [problem.contract_of(a) for a in problem.agents]
        self.shift_index = {t.id: s for s, t in enumerate(self.shifts)}
        self.n_days = problem.horizon.days
        self.explain = explain
        self.req_scale = 1 if all(float(c.agents).is_integer() for c in self.timeline.requirements.values()) \
            else 100
        self.model = cp_model.CpModel()
        self.guards: dict[tuple[str, str, int | None], cp_model.IntVar] = {}
        self.objective_terms: list[tuple[Any, float]] = []
        self.evaluators: list[Callable[[Callable], list[Penalty]]] = []
        self.cover_cells: list[tuple] = []
        self._weekend: dict[tuple[int, int], Any] = {}
        self._cover: dict | None = None
        self.break_counts: dict[tuple[int, int, int, int], list] = {}
        self.group_members: dict[int, list[int]] = {}
        self.symmetry_classes: list[list[int]] = []
        # -- variables -------------------------------------------------------------------------------
        self.work: dict[tuple[int, int, int], cp_model.IntVar] = {}
        self.on: dict[tuple[int, int], cp_model.IntVar] = {}
        for a, agent in enumerate(self.agents):
            for d in range(self.n_days):
                weekday = problem.horizon.date_of(d).weekday()
                xs = []
                for s, t in enumerate(self.shifts):
                    if weekday in t.weekdays:
                        x = self.model.new_bool_var(f"work({agent.id}, {d}, {t.id})")
                        self.work[a, d, s] = x
                        xs.append(x)
                self.on[a, d] = self.model.new_bool_var(f"on({agent.id}, {d})")
                # one shift a day at most: on[a, d] is the sum of the day's shift literals
                self.model.add(sum(xs) == self.on[a, d])
        # -- hard rules ------------------------------------------------------------------------------
        for rule in HARD_RULES:
            rule(self)
        if not explain:
            # implied by the rules, so left out when the rules themselves are being relaxed one by one
            for cut in REDUNDANT:
                cut(self)
            if symmetry:
                self._break_symmetry()
        # -- soft rules and objective ----------------------------------------------------------------
        for rule in SOFT_RULES:
            rule(self)
        self.objective_scale = _objective_scale([w for _, w in self.objective_terms])
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

    def add(self, constraint: Any, rule: str, a: int, d: int | None = None) -> None:
        """Add a hard constraint belonging to rule group (rule, agent, day)."""
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


def _objective_scale(weights: list[float]) -> int:
    """Smallest power of ten making every weight an integer (capped at 10**4, then rounded)."""
    for p in range(5):
        m = 10 ** p
        if all(abs(w * m - round(w * m)) < 1e-6 for w in weights):
            return m
    return 10 ** 4


def solve(problem: RosterProblem, *, time_limit_s: float = 60.0, workers: int | None = None, seed: int = 0,
          log: bool = False, strategy: str = "auto", hint: RosterSolution | None = None,
          explain_time_s: float = 10.0) -> RosterSolution:
    """Build the roster of ``problem`` with CP-SAT.

    Parameters
    ----------
    problem : RosterProblem
        Agents, shifts, contracts, requirements and weights.
    time_limit_s : float, default 60
        Wall-clock limit of the search, seconds.
    workers : int, optional
        CP-SAT search workers; default all cores. Use 1 for a run-to-run deterministic search.
    seed : int, default 0
        Random seed of the search.
    log : bool, default False
        Print the CP-SAT search log.
    strategy : {"auto", "monolithic", "decomposed"}
        "decomposed" solves large call-centre problems in two stages
        (:func:`wfm.roster.decompose.solve_decomposed`); "auto" picks it for
        head-count interval requirements from 10 agents × 7 days up (where the two stages measured better
        than one model: 29 335 vs 44 945 on the 30-agent, 4-week bank instance in 30 s; equal or better on
        12-30 agents over one week), the monolithic model otherwise (skills, shift-type cover).
    hint : RosterSolution, optional
        A roster to start from.
    explain_time_s : float, default 10
        Time budget, seconds, to find a small set of clashing rules when the problem is infeasible.

    Returns
    -------
    RosterSolution
        Status OPTIMAL, or FEASIBLE with the gap to the best bound when the time limit cut the search.

    Raises
    ------
    InfeasibleError
        No roster satisfies the hard rules; ``conflicts`` names the clashing rules, agents and days.
    NoSolutionError
        The time limit passed before any roster was found (not a proof of infeasibility).
    """
    if strategy not in STRATEGIES:
        raise InvalidParameterError(f"`strategy` must be one of {STRATEGIES}; got {strategy!r}")
    if time_limit_s <= 0:
        raise InvalidParameterError(f"`time_limit_s` must be > 0; got {time_limit_s}")
    if workers is not None and workers < 1:
        raise InvalidParameterError(f"`workers` must be >= 1; got {workers}")
    if strategy == "decomposed" or (strategy == "auto" and _large(problem)):
        from wfm.roster.decompose import solve_decomposed
        from wfm.roster.explain import explain_infeasible

        try:
            return solve_decomposed(problem, time_limit_s=time_limit_s, workers=workers, seed=seed)
        except InfeasibleError as err:
            # the stages speak of aggregate shift counts; the full model names the clashing business rules
            raise explain_infeasible(problem, time_limit_s=explain_time_s, seed=seed) from err
    return solve_monolithic(problem, time_limit_s=time_limit_s, workers=workers, seed=seed, log=log,
                            hint=hint, explain_time_s=explain_time_s)


def _large(problem: RosterProblem) -> bool:
    """A head-count call-centre problem big enough for the two-stage decomposition to pay off."""
    return (bool(problem.requirements) and not problem.shift_demands
            and all(r.skill is None for r in problem.requirements)
            # measured on the demo week (7 days, 12 / 20 / 30 agents, 8 s): decomposed equal or better from
            # about 10 agents x 7 days (30 agents: shortfall 3 vs 23 agent-intervals monolithic)
            and len(problem.agents) * problem.horizon.days >= 10 * 7)


class _FirstSolution(cp_model.CpSolverSolutionCallback):
    """Records the wall time of the first solution."""

    def __init__(self) -> None:
        super().__init__()
        self.t0 = time.perf_counter()
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        if self.first is None:
            self.first = time.perf_counter() - self.t0


def parameters(*, time_limit_s: float, workers: int | None, seed: int, log: bool) -> cp_model.CpSolver:
    """A CP-SAT solver configured from explicit arguments (no hidden constants in the model)."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(time_limit_s)
    solver.parameters.num_workers = int(workers or os.cpu_count() or 1)
    solver.parameters.random_seed = int(seed)
    solver.parameters.log_search_progress = bool(log)
    return solver


def solve_monolithic(problem: RosterProblem, *, time_limit_s: float = 60.0, workers: int | None = None,
                     seed: int = 0, log: bool = False, hint: RosterSolution | None = None,
                     explain_time_s: float = 10.0, lns_share: float | None = None) -> RosterSolution:
    """Solve ``problem`` as one CP-SAT model (see :func:`solve`).

    The search runs in two phases: CP-SAT on the full model with a strong LP (it finds the bound and a good
    roster) for ``1 - lns_share`` of the time, then, unless optimality is proven, large-neighbourhood search
    (:mod:`wfm.roster.lns`) on the incumbent for the rest. ``lns_share=0`` keeps CP-SAT alone; the default
    is 0.3 for shift-type cover (the Curtois-style problems, where the search runs parallel one-thread
    sub-solves drawn around the short cells) and 0.5 otherwise.
    """
    if lns_share is None:
        lns_share = 0.3 if _shift_cover(problem) else 0.5
    t0 = time.perf_counter()
    deadline = t0 + time_limit_s
    rm = RosterModel(problem)
    if hint is not None:
        rm.add_hint(hint)
    elif problem.requirements:
        # interval cover: finding any feasible roster is the hard part for the full model, so start from a
        # constructive one (agent by agent, each covering what is still missing)
        from wfm.roster.greedy import greedy_roster

        cells = greedy_roster(problem, time_limit_s=0.3 * time_limit_s, seed=seed)
        if cells is not None:
            rm.add_hint(cells)
            _complete_hint(rm, time_limit_s=0.1 * time_limit_s)
    n_workers = int(workers or os.cpu_count() or 1)
    left = deadline - time.perf_counter()
    phase_a = left * (1.0 - lns_share) if lns_share > 0 else left
    solver = parameters(time_limit_s=max(0.1, phase_a), workers=n_workers, seed=seed, log=log)
    _strong_lp(solver, rm, n_workers)
    cb = _FirstSolution()
    cb.t0 = t0  # time to first roster counts from the call, model building and greedy start included
    status = solver.solve(rm.model, cb)
    if status == cp_model.UNKNOWN and deadline - time.perf_counter() > 0.5:
        # nothing found yet: keep searching with the whole remaining time rather than start the LNS
        solver.parameters.max_time_in_seconds = deadline - time.perf_counter()
        status = solver.solve(rm.model, cb)
    if status == cp_model.FEASIBLE and deadline - time.perf_counter() > 1.0:
        return _improve(rm, solver, deadline=deadline, workers=n_workers, seed=seed, t0=t0, first=cb.first)
    elapsed = time.perf_counter() - t0
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _solution(rm, solver, status, elapsed, cb.first)
    if status == cp_model.INFEASIBLE:
        from wfm.roster.explain import explain_infeasible

        raise explain_infeasible(problem, time_limit_s=explain_time_s, seed=seed)
    if status == cp_model.MODEL_INVALID:
        raise WfmError(f"internal error: the CP-SAT model is invalid: {rm.model.validate()}")
    # UNKNOWN: the limit passed with nothing found; this is not a proof of infeasibility
    raise NoSolutionError(f"no roster found within `time_limit_s`={time_limit_s} s; the problem may still be "
                          "feasible: raise the time limit or relax rules")


def _shift_cover(problem: RosterProblem) -> bool:
    """A shift-type demand problem (the Curtois & Qu kind): no interval requirements."""
    return bool(problem.shift_demands) and not problem.requirements


def _complete_hint(rm: RosterModel, *, time_limit_s: float) -> None:
    """Extend a hint on ``work`` to every variable (counts, breaks, shortfall tiers) by one quick solve.

    CP-SAT follows a complete hint at once; a partial one on a large cover model can stall the first
    solution for the whole time limit.
    """
    fixed = rm.model.clone()
    hint = rm.model.proto.solution_hint
    for i, v in zip(list(hint.vars), list(hint.values), strict=True):
        fixed.add(fixed.get_int_var_from_proto_index(i) == v)
    fixed.clear_hints()
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = max(0.5, time_limit_s)
    solver.parameters.stop_after_first_solution = True
    if solver.solve(fixed) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = list(solver.response_proto.solution)
        rm.model.clear_hints()
        for i, v in enumerate(values):
            rm.model.add_hint(rm.model.get_int_var_from_proto_index(i), v)


def _strong_lp(solver: cp_model.CpSolver, rm: RosterModel, workers: int) -> None:
    """Give the search the strongest LP (all constraints linearised, more cuts).

    On rostering models the default LP relaxation is weak; the ``max_lp`` worker proves far better bounds
    and, guided by them, finds better rosters. The whole portfolio works on the full LP too, so that CP-SAT's
    own neighbourhoods (RINS among them) repair shift-type cover with the relaxation that bounds it
    (Curtois instances 6 and 8, 30 s A/B: better or equal on 5 of 6 runs). Call-centre models keep the
    default, cheaper LP.
    """
    if len(rm.model.proto.variables) > 60_000 or rm.problem.requirements:
        return
    solver.parameters.linearization_level = 2
    if workers >= 2:
        solver.parameters.subsolvers.append("max_lp")


def _improve(rm: RosterModel, solver: cp_model.CpSolver, *, deadline: float, workers: int, seed: int,
             t0: float, first: float | None) -> RosterSolution:
    """Run the LNS from the phase-one roster, then read the final roster back through the model."""
    from wfm.roster.lns import improve

    bound = solver.best_objective_bound
    values = {k: int(solver.value(x)) for k, x in rm.work.items()}
    incumbent = list(solver.response_proto.solution)
    # LNS while it pays; when it stalls for a third of its time, the full search resumes from its roster
    patience = max(5.0, (deadline - time.perf_counter()) / 3)
    if _shift_cover(rm.problem):
        from wfm.roster.lns import improve_parallel

        _, objective, stats = improve_parallel(rm, incumbent, round(solver.objective_value), deadline=deadline,
                                               workers=workers, seed=seed, patience_s=patience, focus=True)
    else:
        values, objective, stats = improve(rm, values, round(solver.objective_value), deadline=deadline,
                                           workers=workers, seed=seed, patience_s=patience)
    best = stats.solution or incumbent
    left = deadline - time.perf_counter()
    if left > 1.0:
        rm.model.clear_hints()
        for i, v in enumerate(best):
            rm.model.add_hint(rm.model.get_int_var_from_proto_index(i), v)
        again = parameters(time_limit_s=left, workers=workers, seed=seed + 1, log=False)
        _strong_lp(again, rm, workers)
        if again.solve(rm.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE) and \
                round(again.objective_value) <= objective:
            best = list(again.response_proto.solution)
            bound = max(bound, again.best_objective_bound)
    # every variable is fixed at its value in the best roster, so this solve only reads it back
    final = rm.model.clone()
    final.clear_hints()
    for i, v in enumerate(best):
        final.add(final.get_int_var_from_proto_index(i) == v)
    fixer = cp_model.CpSolver()
    fixer.parameters.num_workers = 1
    fixer.parameters.max_time_in_seconds = 30.0
    status = fixer.solve(final)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # pragma: no cover - the roster was feasible
        raise WfmError("internal error: the LNS roster could not be read back through the model")
    sol = _solution(rm, fixer, cp_model.FEASIBLE, time.perf_counter() - t0, first, bound=bound)
    sol.info.update({"lns_iterations": stats.iterations, "lns_improvements": stats.improvements})
    if sol.gap <= 1e-9:
        sol.status = "OPTIMAL"
    return sol


def _solution(rm: RosterModel, solver: cp_model.CpSolver, status: int, elapsed: float,
              first: float | None, strategy: str = "monolithic", bound: float | None = None) -> RosterSolution:
    assignments, penalties = rm.extract(solver)
    objective = sum(p.cost for p in penalties)
    bound = (solver.best_objective_bound if bound is None else bound) / rm.objective_scale
    if status == cp_model.OPTIMAL:
        bound = objective
    bound = min(bound, objective)
    totals: dict[str, float] = {}
    for p in penalties:
        totals[p.rule] = totals.get(p.rule, 0.0) + p.cost
    gap = 0.0 if status == cp_model.OPTIMAL else (objective - bound) / max(1.0, abs(objective))
    return RosterSolution(
        status="OPTIMAL" if status == cp_model.OPTIMAL else "FEASIBLE",
        assignments=assignments, objective=_clean(objective), best_bound=_clean(bound), gap=max(0.0, gap),
        solve_time_s=elapsed, time_to_first_solution_s=first, penalties=penalties, penalty_totals=totals,
        strategy=strategy,
        info={"conflicts": solver.num_conflicts, "branches": solver.num_branches,
              "wall_time_s": solver.wall_time, "objective_scale": rm.objective_scale})


def _clean(x: float) -> float:
    r = round(x)
    return float(r) if math.isclose(x, r, abs_tol=1e-6) else float(x)

