"""``solve``: validate the call, pick the path, explain infeasibility (once, for both paths)."""

from __future__ import annotations

from wfm.exceptions import InfeasibleError, InvalidParameterError, NoSolutionError
from wfm.limits import check_number
from wfm.progress import ProgressCallback
from wfm.roster.explain import failure_error
from wfm.roster.models import RosterProblem, RosterSolution
from wfm.roster.solvers.decomposed.solver import decomposable, run_decomposed
from wfm.roster.solvers.monolithic.solver import solve_monolithic
from wfm.roster.solvers.options import SolveOptions

__all__ = ["STRATEGIES", "solve"]

STRATEGIES = ("auto", "monolithic", "decomposed")


def solve(problem: RosterProblem, *, time_limit_s: float = 60.0, workers: int | None = None, seed: int = 0,
          log: bool = False, strategy: str = "auto", hint: RosterSolution | None = None,
          explain_time_s: float = 10.0, progress: ProgressCallback | None = None,
          options: SolveOptions | None = None) -> RosterSolution:
    """Build the roster of ``problem``.

    Parameters
    ----------
    problem : RosterProblem
        Agents, shifts, contracts, requirements and weights.
    time_limit_s : float, default 60
        Wall-clock limit of the solve, seconds (finite, > 0, at most ``limits().max_time_limit_s``). The
        roster is returned within it plus a small margin (``BudgetShares.margin_s``, a quarter second, plus
        reading the roster out); proving and explaining infeasibility takes up to ``explain_time_s`` more.
    workers : int, optional
        CP-SAT search workers, 1 to ``limits().max_workers``; default all cores. For one roster per seed on
        any machine, pass ``options=SolveOptions(reproducible=True, ...)``.
    seed : int, default 0
        Random seed of every stage (whole, >= 0).
    log : bool, default False
        Print the CP-SAT search log of the main searches (both paths).
    strategy : {"auto", "monolithic", "decomposed"}
        "decomposed" solves large call-centre problems in stages (plan, construct, improve, finish:
        :mod:`wfm.roster.solvers.decomposed.solver`); "auto" picks it for head-count interval requirements
        from 10 agents × 7 days up (29 335 vs 44 945 on the 30-agent, 4-week bank instance in 30 s; equal or
        better on 12-30 agents over one week), the monolithic model otherwise (skills, shift-type cover).
    hint : RosterSolution, optional
        A roster to start from (both paths).
    explain_time_s : float, default 10
        Time budget, seconds, of :func:`wfm.roster.explain.diagnose` when no roster was found: which agents
        have none under their own rules (by the contract graph, about 3 s at 600 agents whatever the budget)
        and a minimal set of clashing rules for each.
    progress : callable, optional
        Called with a :class:`wfm.progress.Progress` (``task="roster"``) at each stage boundary and on each
        improvement the solver sees.
    options : SolveOptions, optional
        All of the above in one object (``reproducible`` and the budget shares only there); when given, the
        keyword arguments ``time_limit_s``, ``workers``, ``seed``, ``log``, ``hint`` and ``progress`` must
        be left at their defaults.

    Returns
    -------
    RosterSolution
        Status OPTIMAL, or FEASIBLE with the gap to the best bound when the time limit cut the search.

    Raises
    ------
    InvalidParameterError, LimitExceededError
        A bad argument, named in ``field`` with its ``value``.
    InfeasibleError
        Some agent has no roster under its own rules, leave and locks (no hard rule ties two agents, so that
        is the only way a problem is infeasible); ``value`` lists those agents and ``conflicts`` a minimal
        set of clashing rule groups (``rule``, ``agent``, ``day``, ``detail``) for up to 20 of them.
    NoSolutionError
        No roster was found and no agent is infeasible alone: the time limit passed (not a proof of
        infeasibility), or (``code="solver_fault"``) a stage wrongly reported infeasibility.
    """
    if strategy not in STRATEGIES:
        raise InvalidParameterError(f"`strategy` must be one of {STRATEGIES}; got {strategy!r}",
                                    field="strategy", value=strategy)
    check_number("explain_time_s", explain_time_s, low=0, low_open=True, high=3600.0)
    if options is None:
        options = SolveOptions(time_limit_s=time_limit_s, workers=workers, seed=seed, log=log, hint=hint,
                               progress=progress)
    else:
        given = {"time_limit_s": (time_limit_s, 60.0), "workers": (workers, None), "seed": (seed, 0),
                 "log": (log, False), "hint": (hint, None), "progress": (progress, None)}
        clash = [k for k, (v, default) in given.items() if v is not default and v != default]
        if clash:
            raise InvalidParameterError(f"pass `{clash[0]}` inside `options`, not beside it",
                                        field=clash[0], value=repr(given[clash[0]][0]))
    use_stages = strategy == "decomposed" or (strategy == "auto" and decomposable(problem)
                                              and len(problem.agents) * problem.horizon.days >= 10 * 7)
    try:
        if use_stages:
            return run_decomposed(problem, options)
        return solve_monolithic(problem, options)
    except (InfeasibleError, NoSolutionError) as err:
        # The stages speak of aggregate shift counts and the full model of "proved"; no hard rule ties two
        # agents, so a claim of infeasibility stands only if some agent has no roster alone, and the error
        # then names those agents and their clashing rules (a time-out, too, when such an agent explains it).
        verdict = failure_error(problem, err, time_limit_s=explain_time_s, seed=options.seed)
        if verdict is err:
            raise
        raise verdict from err
