"""The monolithic path: one CP-SAT model of everything, started greedily, improved by neighbourhoods.

Stages, in order, each with its named share of the budget (:class:`~wfm.roster.solvers.budget.BudgetShares`):

1. **start** — a roster to hint the model: the caller's ``hint``, or for interval cover the greedy start
   (:mod:`~wfm.roster.solvers.monolithic.greedy`, agent by agent) completed to every variable by one quick solve;
2. **search** — CP-SAT on the full model (a strong LP for shift-type cover) for ``1 - lns_*`` of what is left;
3. **improve** — unless proven optimal, large-neighbourhood search (:mod:`~wfm.roster.solvers.monolithic.lns`)
   on the incumbent, then the full search again from the best roster for whatever time is left;
4. **finish** — the roster read back through the model, every penalty priced.

Progress events: ``start``, ``search`` (and each better roster CP-SAT reports), ``improve`` (and each better
roster the LNS keeps), ``finish``, ``done`` (the final roster).

Infeasibility is reported as a bare :class:`~wfm.exceptions.InfeasibleError`; the caller
(:func:`wfm.roster.solvers.dispatch.solve`) explains it, once, for both paths.
"""

from __future__ import annotations

import math

from ortools.sat.python import cp_model

from wfm.exceptions import InfeasibleError, NoSolutionError, WfmError
from wfm.roster.models import RosterProblem, RosterSolution, SolveStatus
from wfm.roster.solvers.budget import Budget
from wfm.roster.solvers.cpsat import make_cp_solver
from wfm.roster.solvers.monolithic.greedy import graph_start, greedy_roster
from wfm.roster.solvers.monolithic.lns import improve, improve_parallel
from wfm.roster.solvers.monolithic.model import RosterModel
from wfm.roster.solvers.options import SolveOptions

__all__ = ["solve_monolithic"]

# the readback solve fixes every variable, so it only propagates; this bounds it on a huge model
_READBACK_S = 30.0


class _Observer(cp_model.CpSolverSolutionCallback):
    """Records the wall time of the first roster and reports each better one to the progress callback."""

    def __init__(self, options: SolveOptions, budget: Budget, scale: int, stage: str) -> None:
        super().__init__()
        self.options, self.budget, self.scale, self.stage = options, budget, scale, stage
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        if self.first is None:
            self.first = self.budget.elapsed()
        if self.options.progress is not None:
            self.options.report(self.stage, self.budget, self.objective_value / self.scale,
                                self.best_objective_bound / self.scale)


def solve_monolithic(problem: RosterProblem, options: SolveOptions) -> RosterSolution:
    """Solve ``problem`` as one CP-SAT model (see the module docstring and :func:`wfm.roster.solve`).

    Raises
    ------
    InfeasibleError
        CP-SAT proved that no roster satisfies the hard rules (not yet explained).
    NoSolutionError
        The time limit passed before any roster was found.
    """
    budget = options.budget()
    work = _Spent(options, budget)
    shift_cover = _shift_cover(problem)
    lns_share = budget.share("lns_shift_cover" if shift_cover else "lns_interval")
    options.report("start", budget)
    rm = RosterModel(problem)
    start: list[int] | None = None  # every variable's value in the greedy start, once completed
    start_s = 0.0  # when it was
    if options.hint is not None:
        rm.add_hint(options.hint)
    elif problem.requirements:
        # interval cover: finding any feasible roster is the hard part for the full model, so start from a
        # constructive one (agent by agent, each covering what is still missing)
        greedy_s = budget.seconds("greedy_start", nominal=options.reproducible)
        cells = greedy_roster(problem, time_limit_s=greedy_s, seed=options.seed,
                              deadline=budget.deadline - budget.share("margin_s"), deterministic=options.reproducible)
        work.charge(greedy_s)  # its nominal share (it stops early only when every agent is placed)
        if cells is None:
            # out of time before the last agent (a loaded machine) or an agent with no roster: the
            # contract graph places every agent in milliseconds, so the search still starts from a whole
            # roster, and a real infeasibility is still proved and explained by the full model
            cells = graph_start(problem, seed=options.seed)
        if cells:
            rm.add_hint(cells)
            # it stops at its first solution, so a generous limit costs nothing on an idle machine and keeps
            # the start (the fallback roster) on a loaded one; reproducible: the whole limit in work, charged
            # what it used
            start, spent = _complete_hint(
                rm, time_limit_s=options.time_limit_s if options.reproducible else
                max(budget.seconds("complete_hint"), budget.left() / 2),
                deadline=budget.deadline, deterministic=options.reproducible)
            work.charge(spent)
            start_s = budget.elapsed()
    options.report("search", budget)
    phase_a = work.left() * (1.0 - lns_share) if lns_share > 0 else work.left()
    solver = _full_solver(rm, options, time_limit_s=phase_a, seed=options.seed, deadline=budget.deadline)
    observer = _Observer(options, budget, rm.objective_scale, "search")
    status = solver.solve(rm.model, observer)
    work.charge(solver.response_proto.deterministic_time)
    if status == cp_model.UNKNOWN and work.left() > 0.5:
        # nothing found yet: keep searching with the whole remaining time rather than start the LNS
        solver = _full_solver(rm, options, time_limit_s=work.left(), seed=options.seed, deadline=budget.deadline)
        status = solver.solve(rm.model, observer)
        work.charge(solver.response_proto.deterministic_time)
    if status == cp_model.FEASIBLE and work.left() > 1.0:
        return _improve(rm, solver, options, budget, work, first=observer.first if start is None else start_s)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        options.report("finish", budget)
        sol = _solution(rm, solver, status, budget.elapsed(), observer.first if start is None else start_s)
        options.note_safety_net(sol, budget)
        options.report("done", budget, sol.objective, sol.best_bound)
        return sol
    if start is not None:
        # the search found nothing better in time (a loaded machine): the greedy start is a valid roster
        return _read_back(rm, start, options, budget, first=start_s, bound=solver.best_objective_bound)
    if status == cp_model.INFEASIBLE:
        raise InfeasibleError("the hard rules admit no roster (proved by the full model)")
    if status == cp_model.MODEL_INVALID:
        raise WfmError(f"internal error: the CP-SAT model is invalid: {rm.model.validate()}")
    # UNKNOWN: the limit passed with nothing found; this is not a proof of infeasibility
    raise NoSolutionError(f"no roster found within `time_limit_s`={options.time_limit_s} s; the problem may "
                          "still be feasible: raise the time limit or relax rules",
                          field="time_limit_s", value=options.time_limit_s)


class _Spent:
    """What is left of the solve: the clock's ``budget.left()``, or in reproducible mode the limit less the
    work charged so far (CP-SAT deterministic time, nominal shares), so every stage's budget and every
    "is there time for another stage" test is the same on any machine; the clock is then only the
    safety net."""

    def __init__(self, options: SolveOptions, budget: Budget) -> None:
        self.counted, self.budget = options.reproducible, budget
        self.limit, self.spent = options.time_limit_s, 0.0

    def charge(self, work: float) -> None:
        self.spent += float(work)

    def left(self) -> float:
        if self.counted:
            return max(self.limit - self.spent, 0.0)
        return self.budget.left()


def _full_solver(rm: RosterModel, options: SolveOptions, *, time_limit_s: float, seed: int,
                 deadline: float) -> cp_model.CpSolver:
    """The configured solver of the full model (the strongest LP for shift-type cover).

    On rostering models the default LP relaxation is weak; the ``max_lp`` worker proves far better bounds
    and, guided by them, finds better rosters. The whole portfolio works on the full LP too, so that CP-SAT's
    own neighbourhoods (RINS among them) repair shift-type cover with the relaxation that bounds it
    (Curtois instances 6 and 8, 30 s A/B: better or equal on 5 of 6 runs). Call-centre models keep the
    default, cheaper LP.
    """
    workers = options.n_workers
    solver = make_cp_solver(time_limit_s=max(0.1, time_limit_s), workers=workers, seed=seed, log=options.log,
                            deterministic=options.reproducible, deadline=deadline)
    if len(rm.model.proto.variables) <= 60_000 and not rm.problem.requirements:
        solver.parameters.linearization_level = 2
        if workers >= 2:
            solver.parameters.subsolvers.append("max_lp")
    return solver


def _shift_cover(problem: RosterProblem) -> bool:
    """A shift-type demand problem (the Curtois & Qu kind): no interval requirements."""
    return bool(problem.shift_demands) and not problem.requirements


def _complete_hint(rm: RosterModel, *, time_limit_s: float, deadline: float,
                   deterministic: bool = False) -> tuple[list[int] | None, float]:
    """Extend a hint on ``work`` to every variable (counts, breaks, shortfall tiers) by one quick solve, and
    return every variable's value (None if the solve found nothing in time) and the solve's deterministic
    time (``deterministic``: ``time_limit_s`` is deterministic time, ``deadline`` the safety net).

    CP-SAT follows a complete hint at once; a partial one on a large cover model can stall the first
    solution for the whole time limit.
    """
    fixed = rm.model.clone()
    hint = rm.model.proto.solution_hint
    for i, v in zip(list(hint.vars), list(hint.values), strict=True):
        fixed.add(fixed.get_int_var_from_proto_index(i) == v)
    fixed.clear_hints()
    solver = make_cp_solver(time_limit_s=max(0.5, time_limit_s), deadline=deadline, deterministic=deterministic,
                            stop_after_first_solution=True)
    found = solver.solve(fixed) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    spent = float(solver.response_proto.deterministic_time)
    if found:
        values = list(solver.response_proto.solution)
        rm.model.clear_hints()
        for i, v in enumerate(values):
            rm.model.add_hint(rm.model.get_int_var_from_proto_index(i), v)
        return values, spent
    return None, spent


def _improve(rm: RosterModel, solver: cp_model.CpSolver, options: SolveOptions, budget: Budget, work: _Spent,
             first: float | None) -> RosterSolution:
    """Run the LNS from the phase-one roster, then read the final roster back through the model."""
    options.report("improve", budget, solver.objective_value / rm.objective_scale,
                   solver.best_objective_bound / rm.objective_scale)
    bound = solver.best_objective_bound
    values = {k: int(solver.value(x)) for k, x in rm.work.items()}
    incumbent = list(solver.response_proto.solution)
    workers, seed, deadline = options.n_workers, options.seed, budget.deadline
    # LNS while it pays; when it stalls for a third of its time, the full search resumes from its roster
    patience = max(5.0, work.left() / 3)
    work_s = work.left() if options.reproducible else None  # reproducible: the LNS counts work, not seconds
    scale = rm.objective_scale

    def on_improve(objective: int) -> None:
        options.report("improve", budget, objective / scale, bound / scale)

    if _shift_cover(rm.problem):
        _, objective, stats = improve_parallel(rm, incumbent, round(solver.objective_value), deadline=deadline,
                                               workers=workers, seed=seed, patience_s=patience, focus=True,
                                               on_improve=on_improve, work_s=work_s)
    else:
        values, objective, stats = improve(rm, values, round(solver.objective_value), deadline=deadline,
                                           workers=workers, seed=seed, patience_s=patience, on_improve=on_improve,
                                           work_s=work_s)
    work.charge(stats.work)
    best = stats.solution or incumbent
    if work.left() > 1.0:
        rm.model.clear_hints()
        for i, v in enumerate(best):
            rm.model.add_hint(rm.model.get_int_var_from_proto_index(i), v)
        again = _full_solver(rm, options, time_limit_s=work.left(), seed=seed + 1, deadline=deadline)
        if again.solve(rm.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE) and \
                round(again.objective_value) <= objective:
            best = list(again.response_proto.solution)
            bound = max(bound, again.best_objective_bound)
    sol = _read_back(rm, best, options, budget, first=first, bound=bound)
    sol.info.update({"lns_iterations": stats.iterations, "lns_improvements": stats.improvements})
    return sol


def _read_back(rm: RosterModel, values: list[int], options: SolveOptions, budget: Budget, *,
               first: float | None, bound: float) -> RosterSolution:
    """The roster whose every variable takes ``values`` (model order), read back through the model."""
    options.report("finish", budget)
    # every variable is fixed, so this solve only propagates
    final = rm.model.clone()
    final.clear_hints()
    for i, v in enumerate(values):
        final.add(final.get_int_var_from_proto_index(i) == v)
    fixer = make_cp_solver(time_limit_s=_READBACK_S)
    status = fixer.solve(final)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # pragma: no cover - the roster was feasible
        raise WfmError("internal error: a roster could not be read back through the model")
    sol = _solution(rm, fixer, cp_model.FEASIBLE, budget.elapsed(), first, bound=bound)
    if sol.gap <= 1e-9:
        sol.status = SolveStatus.OPTIMAL
    options.note_safety_net(sol, budget)
    options.report("done", budget, sol.objective, sol.best_bound)
    return sol


def _solution(rm: RosterModel, solver: cp_model.CpSolver, status: int, elapsed: float,
              first: float | None, bound: float | None = None) -> RosterSolution:
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
        status=SolveStatus.OPTIMAL if status == cp_model.OPTIMAL else SolveStatus.FEASIBLE,
        assignments=assignments, objective=_clean(objective), best_bound=_clean(bound), gap=max(0.0, gap),
        solve_time_s=elapsed, time_to_first_solution_s=elapsed if first is None else first,
        penalties=penalties, penalty_totals=totals, strategy="monolithic",
        info={"conflicts": solver.num_conflicts, "branches": solver.num_branches,
              "wall_time_s": solver.wall_time, "objective_scale": rm.objective_scale})


def _clean(x: float) -> float:
    r = round(x)
    return float(r) if math.isclose(x, r, abs_tol=1e-6) else float(x)
