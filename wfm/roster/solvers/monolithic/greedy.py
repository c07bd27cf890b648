"""A constructive first roster: agent by agent, each taking the shifts that cover what is still missing.

Every hard rule concerns one agent, so a roster built one agent at a time is feasible as soon as each agent's
own small model is. Agent ``a`` is rostered by the same
:class:`~wfm.roster.solvers.monolithic.model.RosterModel` on a copy of the
problem that holds only ``a`` and the *residual* requirement (the requirement minus the cover of the agents
already placed), so its objective is exactly the marginal value of ``a``'s shifts. The result hints the full
model, which on call-centre problems otherwise spends its time looking for any feasible roster at all.
"""

from __future__ import annotations

import time

import numpy as np
from ortools.sat.python import cp_model

from wfm.roster._coverage import scheduled_counts
from wfm.roster.models import RosterProblem, RosterSolution
from wfm.roster.solvers.cpsat import make_cp_solver
from wfm.roster.solvers.decomposed.contract_graph import PricerPool
from wfm.roster.solvers.decomposed.data import flatten
from wfm.roster.solvers.decomposed.local_search import best_response_sweeps
from wfm.roster.solvers.decomposed.pricing import VariantTable
from wfm.roster.solvers.monolithic.model import RosterModel
from wfm.roster.timeline import Timeline

__all__ = ["graph_start", "greedy_roster"]


def greedy_roster(problem: RosterProblem, *, time_limit_s: float, seed: int = 0,
                  deadline: float | None = None, deterministic: bool = False) -> set[tuple[str, int, str]] | None:
    """Cells ``(agent, day, shift)`` of a feasible roster built agent by agent, or None.

    Parameters
    ----------
    problem : RosterProblem
        The full problem.
    time_limit_s : float
        Total budget, seconds, shared evenly by the agents still to place.
    seed : int, default 0
        Seed of the per-agent solves.
    deadline : float, optional
        ``time.perf_counter()`` time at which to give up; until then the construction goes on past
        ``time_limit_s`` (a loaded machine), each agent then getting the smallest slice, since a start is
        worth more to the search than the time it takes. Default: give up at ``time_limit_s``.
    deterministic : bool, default False
        Reproducible mode: each agent gets an equal share of ``time_limit_s`` in CP-SAT deterministic time,
        not of what the clock leaves, so one seed gives one start on any machine (``deadline`` is then only
        the safety net).

    Returns
    -------
    set or None
        None when the time ran out or an agent has no feasible roster of its own (the full solve then
        proves and explains the infeasibility).
    """
    t_end = time.perf_counter() + time_limit_s
    give_up = t_end if deadline is None else max(deadline, t_end)
    tl = Timeline(problem)
    cells = tl.requirements
    have: dict[tuple[int, str | None], int] = {}
    placed: dict[tuple[int, str], int] = {}
    chosen: set[tuple[str, int, str]] = set()
    weights = problem.weights.model_copy(update={"fairness": 0.0})
    # seniority first: the longest-serving agents get the first pick of the shifts
    order = sorted(problem.agents, key=lambda a: (a.hire_date is None, a.hire_date or 0, a.id))
    m1, over_w = problem.weights.shortfall[0], problem.weights.overstaffing
    for i, agent in enumerate(order):
        left = t_end - time.perf_counter()
        if time.perf_counter() >= give_up:
            return None
        demands = [sd.model_copy(update={"required": max(0, sd.required - placed.get((sd.day, sd.shift), 0))})
                   for sd in problem.shift_demands]
        # the agent's own model without interval cover; cover enters as a linear value per (day, shift)
        sub = problem.model_copy(update={"agents": [agent], "requirements": [], "shift_demands": demands,
                                         "weights": weights})
        rm = RosterModel(sub, symmetry=False)
        value = []
        for (_, d, s), x in rm.work.items():
            gain = 0.0
            for g in tl.shift_cover(d, rm.shifts[s]):
                for skill in [None, *agent.skills]:
                    cell = cells.get((g, skill))
                    if cell is None:
                        continue
                    missing = cell.agents - have.get((g, skill), 0)
                    gain += m1 * min(1.0, max(0.0, missing)) - over_w * (1.0 - min(1.0, max(0.0, missing)))
            if gain:
                value.append((x, gain))
        scale = rm.objective_scale
        rm.model.minimize(sum(round(w * scale) * e for e, w in rm.objective_terms if round(w * scale))
                          - sum(round(g * scale) * x for x, g in value))
        limit = max(0.05, time_limit_s / len(order) if deterministic else left / (len(order) - i))
        while True:
            solver = make_cp_solver(time_limit_s=limit, seed=seed, deadline=give_up, deterministic=deterministic)
            status = solver.solve(rm.model)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                break
            if status == cp_model.INFEASIBLE or time.perf_counter() >= give_up - 0.01:
                return None  # an agent no roster fits (the full solve explains it), or out of time
            limit *= 4  # out of its slice on a loaded machine: a larger one, while the deadline allows
        assignments, _ = rm.extract(solver)
        mine = RosterSolution(status="FEASIBLE", assignments=assignments, objective=0, best_bound=0, gap=0,
                              solve_time_s=0)
        for key, n in scheduled_counts(problem, mine).items():
            have[key] = have.get(key, 0) + n
        for x in assignments:
            d = problem.horizon.day_of(x.date)
            placed[d, x.shift] = placed.get((d, x.shift), 0) + 1
            chosen.add((x.agent, d, x.shift))
    return chosen


def graph_start(problem: RosterProblem, *, seed: int = 0) -> set[tuple[str, int, str]]:
    """Cells ``(agent, day, shift)`` of a roster built in one best-response sweep by the contract-graph
    shortest path (milliseconds per agent) — the fallback when :func:`greedy_roster` runs out of time.

    That construction solves one CP-SAT model per agent and, on a loaded machine, can reach its deadline
    before the last agent, which left the full search without a start (a 30-agent, 2-week, 5-s solve at load
    8 raised ``NoSolutionError``). The graph is exact for every hard rule, and costs no solver time; the cells
    are only a hint, so an agent the sweep could not place leaves the search to decide. Deterministic for a
    given ``seed``.
    """
    fp = flatten(problem)
    table = VariantTable(fp)
    empty = np.full((fp.n_agents, fp.n_days), -1, dtype=np.int64)
    # one sweep from nothing: every agent placed once against the cover of those placed before
    shift, _var, _ = best_response_sweeps(fp, empty, empty.copy(), PricerPool(fp, table), table,
                                          deadline=float("inf"), seed=seed, max_sweeps=1,
                                          unplaced=set(range(fp.n_agents)))
    return {(problem.agents[a].id, d, fp.shifts[s].id) for a in range(fp.n_agents) for d in range(fp.n_days)
            if (s := int(shift[a, d])) >= 0}
