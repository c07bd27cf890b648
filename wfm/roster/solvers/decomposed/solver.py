"""The decomposed path for call-centre rosters: plan, construct, improve, finish.

A monolithic CP-SAT model of 150 agents × 28 days × 21 shift templates has ~90,000 assignment literals plus
break-placement counts; on two cores it finds no roster in a minute. The classic decomposition (Dantzig's
set covering for shift scheduling, then tour assignment) splits it into four stages, each a module with one
entry point taking the typed state (:mod:`~wfm.roster.solvers.decomposed.state`), the options and the
budget, and returning the next state. This module alone knows their order and their time:

1. **plan** (:mod:`~wfm.roster.solvers.decomposed.plan`) — agents of each contract group per (day, shift,
   break placement) and the LP bound on any roster's cover cost;
2. **construct** (:mod:`~wfm.roster.solvers.decomposed.construct`) — a first roster by column generation,
   each agent class priced through its contract graph;
3. **improve** (:mod:`~wfm.roster.solvers.decomposed.improve`) — exact best-response sweeps and day windows;
4. **finish** (:mod:`~wfm.roster.solvers.decomposed.finish`) — breaks, penalties and the stage report.

A stage out of time falls back (the greedy plan, the greedy roster) and the solve goes on; only a proof
that no roster exists ends it early. What the decomposition loses is reported:
``solution.decomposition`` (:class:`~wfm.roster.models.DecompositionReport`) holds the plan's bound, the
final cover cost and shortfall, the shortfall lower bound, and the gaps between them.

>>> from wfm.roster.instances import call_centre_instance
>>> sol = solve_decomposed(call_centre_instance(12, weeks=1, source="synthetic"), time_limit_s=5, workers=1)
>>> sol.strategy, sol.best_bound <= sol.objective
('decomposed', True)
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from wfm.exceptions import InfeasibleError, InvalidParameterError, NoSolutionError
from wfm.roster.explain import failure_error
from wfm.roster.models import RosterProblem, RosterSolution
from wfm.roster.solvers.budget import Budget
from wfm.roster.solvers.decomposed.construct import construct
from wfm.roster.solvers.decomposed.data import flatten
from wfm.roster.solvers.decomposed.finish import finish
from wfm.roster.solvers.decomposed.improve import improve
from wfm.roster.solvers.decomposed.plan import plan
from wfm.roster.solvers.decomposed.state import StageState
from wfm.roster.solvers.decomposed.windows import roster_cost
from wfm.roster.solvers.options import SolveOptions

__all__ = ["decomposable", "run_decomposed", "solve_decomposed"]

CONSTRUCTIONS = ("auto", "plan", "replan", "columns")  # "plan" is the older name of "replan"


def decomposable(problem: RosterProblem) -> bool:
    """Whether the decomposition covers ``problem``: head-count interval requirements, no skills, no
    shift-type demands."""
    return (bool(problem.requirements) and not problem.shift_demands
            and all(r.skill is None for r in problem.requirements))


def solve_decomposed(problem: RosterProblem, *, time_limit_s: float = 60, workers: int | None = None,
                     seed: int = 0, construction: Literal["auto", "plan", "replan", "columns"] = "auto",
                     options: SolveOptions | None = None) -> RosterSolution:
    """Solve a large call-centre roster in stages (see the module docstring).

    Parameters
    ----------
    problem:
        The roster problem; interval requirements on head-count (no skills, no shift demands).
    time_limit_s:
        Wall-clock budget for the whole solve, seconds.
    workers:
        CP-SAT search workers per stage (default: all cores).
    seed:
        Random seed of every stage.
    construction:
        How the first roster is built: ``"columns"`` rounds a column-generation master (every class of
        agents priced under its full contract rules), ``"replan"`` (or its older name ``"plan"``) places
        agents on the plan, re-planning between rounds; ``"auto"`` picks ``"columns"``, the better
        start at every budget measured (150 agents, 60 s, fairness 20: 36,618 against 60,369 with CP-SAT
        pricing and the plan start).
    options:
        All the settings in one object (instead of ``time_limit_s``, ``workers``, ``seed``).

    Returns
    -------
    RosterSolution
        ``strategy="decomposed"``; ``best_bound`` is the better of the plan's cover bound and the column
        construction's bound; ``decomposition`` reports each stage.

    Raises
    ------
    InvalidParameterError
        Bad arguments, or a problem the decomposition does not cover (skills, shift demands).
    InfeasibleError
        Some agent has no roster under its own rules, leave and locks; the error names the agents and their
        clashing rules (:func:`wfm.roster.explain.failure_error`, as ``wfm.roster.solve`` does).
    NoSolutionError
        No roster within the time limit (or a stage's wrong claim of infeasibility, ``code="solver_fault"``).
    """
    if construction not in CONSTRUCTIONS:
        raise InvalidParameterError(f"`construction` must be one of {CONSTRUCTIONS}; got {construction!r}",
                                    field="construction", value=construction)
    if options is None:
        options = SolveOptions(time_limit_s=time_limit_s, workers=workers, seed=seed)
    method = {"auto": "columns", "plan": "replan"}.get(construction, construction)
    try:
        return run_decomposed(problem, options, construction=method)
    except (InfeasibleError, NoSolutionError) as err:  # decided and explained as by ``wfm.roster.solve``
        verdict = failure_error(problem, err, seed=options.seed)
        if verdict is err:
            raise
        raise verdict from err


def run_decomposed(problem: RosterProblem, options: SolveOptions, *, construction: str = "columns",
                   pricing: str = "auto", search: bool = True) -> RosterSolution:
    """The stages in order, each given its share of ``options.time_limit_s``.

    ``search=False`` stops after the construction and ``pricing="cp-sat"`` prices agents by one-agent
    CP-SAT models (the benchmark's baselines, :mod:`~wfm.roster.solvers.decomposed.baselines`).
    """
    if not decomposable(problem):
        raise InvalidParameterError("the decomposed solve needs head-count interval requirements (no skills, no "
                                    "shift demands); use strategy='monolithic'", field="strategy",
                                    value="decomposed")
    budget = options.budget()
    nominal = options.reproducible  # budgets from the limit, not the clock: one seed, one roster
    options.report("plan", budget)
    state = StageState(problem=problem, fp=flatten(problem))
    # the column construction needs only the plan's LP duals and columns, not a good integer plan
    if construction == "columns":
        plan_s = budget.seconds("plan_for_columns", cap="plan_for_columns_cap_s", nominal=nominal)
    else:
        plan_s = budget.seconds("plan", cap="plan_cap_s", nominal=nominal)
    # the LPs (the bound, the duals) may take what the finish does not need: without them there is no bound
    finish_s = budget.seconds("finish", floor=budget.share("finish_min_s"), cap="finish_cap_s", nominal=True)
    # (reproducible: the LPs run to the safety net, so that one it cuts is reported as cut)
    state = _timed(state, "stage1", budget, plan(state, options, budget, seconds=plan_s,
                                                 lp_deadline=budget.deadline - (0.0 if nominal else finish_s)))
    assert state.plan is not None
    options.report("construct", budget, bound=state.plan.result.bound)
    reserve = finish_s  # kept back for breaks and extraction (1.3-3.4 s measured at 150 agents)
    if construction == "columns":
        construct_s = (options.time_limit_s - plan_s - reserve) if nominal else budget.left() - reserve
    else:
        construct_s = budget.seconds("replan", floor=1.0, nominal=nominal)
    state = _timed(state, "stage2", budget, construct(state, options, budget, seconds=max(construct_s, 0.0),
                                                      method="hint" if options.hint is not None else construction,
                                                      pricing=pricing))
    if state.first_roster_s is None:
        state = replace(state, first_roster_s=budget.elapsed())
    assert state.roster is not None
    options.report("improve", budget, objective=roster_cost(state.fp, state.roster.shift, state.roster.var),
                   bound=state.plan.result.bound)
    if search:
        improve_s = budget.share("improve_nominal") * options.time_limit_s - reserve if nominal \
            else budget.left() - reserve
        improve_s = max(improve_s, budget.share("improve_min_s"))
        state = _timed(state, "stage3", budget, improve(state, options, budget, seconds=improve_s,
                                                        pricing=pricing))
    options.report("finish", budget, objective=roster_cost(state.fp, state.roster.shift, state.roster.var),
                   bound=state.plan.result.bound)
    breaks_s = budget.seconds("breaks", cap="breaks_cap_s", nominal=True) \
        if nominal or budget.left() > budget.share("breaks_min_left_s") else 0.0
    t = budget.elapsed()
    sol = finish(state, options, budget, seconds=breaks_s,
                 strategy="decomposed" if search else "decomposed-greedy")
    report = sol.decomposition
    assert report is not None
    report.seconds["breaks_and_extract"] = budget.elapsed() - t
    sol.solve_time_s = budget.elapsed()
    options.note_safety_net(sol, budget)
    options.report("done", budget, objective=sol.objective, bound=sol.best_bound)
    return sol


def _timed(before: StageState, name: str, budget: Budget, after: StageState) -> StageState:
    """``after`` with the wall time of stage ``name`` recorded (since the last recorded stage)."""
    spent = budget.elapsed() - sum(v for k, v in before.seconds.items() if k.startswith("stage"))
    return replace(after, seconds={**before.seconds, **{k: v for k, v in after.seconds.items()
                                                      if k not in before.seconds}, name: spent})
