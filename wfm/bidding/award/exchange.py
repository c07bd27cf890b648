"""Slot exchanges among a few agents at a time: the points stage's search when the whole model is too big.

The slot stage (:mod:`wfm.bidding.award.slots`) keeps the bid-free roster's staffing plan — per (day, shift,
skill group) the head-count — and lets agents trade its slots. On 60 agents × 4 weeks one CP-SAT solve of the
whole roster model with that constraint reaches 89–103 points in its share of a 60-s award, and the neighbourhood
search of :mod:`wfm.bidding.award.lns` spends most of its wall time cloning and presolving the whole model for
each 4-agent step. Yet the exchange decomposes: agents outside a group keep their lines, so the group may only
trade the slots it holds among itself, and the roster's cost moves only by the group's own terms (wishes,
start-time consistency; cover is the staffing plan's by construction). :func:`exchange_search` therefore solves
*small* models, each one group of agents alone:

* the group's own roster problem (its agents, contracts, leave, locks and wishes; no cover rows), so every
  contract rule is the roster engine's own encoding (:class:`wfm.bidding.award.model.AwardModel`);
* per (day, shift) the group's head-count kept;
* the group's cost at most its current cost plus the slack the whole roster has left under the cap;
* maximise ``points * M - cost``: the most points, then the cheapest way to them (which leaves slack for the
  next groups).

A group is one agent with a denied bid (drawn) and partners who could give it what it asked for (agents off on the day
it wants off, on the shift or tag it wants that day, or free of the tag in the week it wants free of it), the
rest drawn at random from its skill group. Steps are counted in CP-SAT's deterministic work, and the draw is
seeded, so the search is reproducible.

Measured on the benchmark's round (60 agents × 4 weeks of the synthetic centre, 78 seeded bids, R1 from the
reproducible roster solve): the whole-model slot solve reaches 89 points in 9 work-seconds; from there groups of
6 reach 164 points after 35 steps (14 s of wall time), 185 after 139 steps, and nothing more in the next 1,200;
the roster's cost fell by 39 on the way (wishes and start times met better). In the award (60 s) the search has
0.8 of the points share (21.6 work-seconds) and reaches 167 (436 at 150 agents); docs/bidding.md "Limits at
scale" has the benchmark table, with serial dictatorship checking its picks by the same group solves.

The search needs every cost term to be a sum over agents; with ``weights.fairness`` (a spread over all agents) a
group's cost does not say how the roster's moves, so :func:`exchange_search` is not run (the caller checks
:func:`separable`).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from wfm.bidding.award.model import AwardModel, Outcome, SolveOptions
from wfm.bidding.award.slots import skill_groups
from wfm.bidding.award.targets import item_day_range
from wfm.bidding.models import HeldBid
from wfm.roster.models import RosterProblem

__all__ = ["ExchangeResult", "GroupGoal", "SearchResult", "SlotExchange", "exchange_search", "exchange_outcome",
           "group_search", "rows_of", "separable", "STEP_UNITS", "OBJECTIVE_LIMIT"]

#: Work charged per step besides its solves' own (deterministic, so the search is reproducible): about the wall
#: seconds a step spends outside CP-SAT's counted work on a quiet core. Measured per step of the 60 x 4 search:
#: building the group's model 0.11 s, loading and presolving its two solves 0.11 s beyond their 0.05 s of work,
#: the rest 0.03 s. Charging 0.25 instead gave 179 / 236 / 189 points at 60 agents (bid seeds 0-2, against
#: 185 / 236 / 189) and 447 / 439 / 438 at 150 (436 / 439 / 441): no better, so 0.3 stays.
STEP_UNITS = 0.3

#: What a group's re-solve maximises besides points: ``goal(sub, bids, start)`` gets the group's model (an
#: :class:`AwardModel` of the group alone, bids listed as :meth:`SlotExchange.bids_of`), the global index of
#: each of its bids and a solution vector of it at the group's current lines; it may add constraints and
#: returns ``(expression, upper bound of it)``. The least cost comes second when the bound allows exact
#: integer weights.
GroupGoal = Callable[[AwardModel, list[int], list[int]], tuple[Any, int]]

#: CP-SAT's objective coefficients times values must stay well inside 64-bit integers.
OBJECTIVE_LIMIT = 2**60


@dataclass(frozen=True)
class ExchangeResult:
    """What :func:`exchange_search` reached: per agent index its shift index per day (-1 off), points, the cost
    change against the start (cost units; <= the slack it was given), steps and work (deterministic seconds)."""

    rows: list[list[int]]
    points: int
    cost_change: float
    steps: int
    improved: int
    work_s: float
    time_s: float


def separable(problem: RosterProblem) -> bool:
    """Whether every cost term the exchange moves is a sum over agents (no fairness spread)."""
    return problem.weights.fairness == 0


def rows_of(am: AwardModel, values: Sequence[int]) -> list[list[int]]:
    """Per agent index, the shift index worked each day (-1: off) in solution ``values`` of ``am.model``."""
    rm = am.rm
    rows = [[-1] * rm.n_days for _ in rm.agents]
    for (a, d, s), x in rm.work.items():
        if values[x.index]:
            rows[a][d] = s
    return rows


class SlotExchange:
    """The slot exchange of an award model as per-agent rows, re-solved a few agents at a time.

    ``rows[a][d]`` is the shift index agent ``a`` works on day ``d`` (-1 off). :meth:`solve` re-solves a group
    alone on the slots it holds (see the module docstring); :meth:`apply` takes its answer. Used by
    :func:`exchange_search` and by the serial-dictatorship baseline (:mod:`wfm.bidding.award.baselines`).
    """

    def __init__(self, am: AwardModel, values: Sequence[int]) -> None:
        self.am = am
        self.rows = rows_of(am, values)
        self.index = {a.id: i for i, a in enumerate(am.problem.agents)}
        self.by_agent: dict[int, list[int]] = {}
        for i, b in enumerate(am.bids):
            self.by_agent.setdefault(self.index[b.agent], []).append(i)
        self.members = skill_groups(am)
        self.group_of = {a: g for g, members in enumerate(self.members) for a in members}
        self.weights = am.problem.weights.model_copy(update={"fairness": 0.0})
        self.gaps: dict[tuple[int, int, int], float] = {}  # one rest-gap cache for every group's model

    def holds(self, i: int) -> bool:
        """Whether bid ``i``'s item holds in the current rows."""
        b = self.am.bids[i]
        a = self.index[b.agent]
        return _holds(self.am, a, b, self.rows[a])

    def group(self, i: int, rng: random.Random, size: int) -> list[int]:
        """Agent indices to re-solve for bid ``i``: its agent, up to half partners who hold what it asks for
        (off that day, on that shift or tag, free of that tag all week), the rest drawn from its skill group."""
        bid = self.am.bids[i]
        a = self.index[bid.agent]
        pool = [x for x in self.members[self.group_of[a]] if x != a]
        helpful = [x for x in pool if _could_give(self.am, bid, x, self.rows[x])]
        chosen = {a}
        chosen.update(rng.sample(helpful, min(len(helpful), max(1, (size - 1) // 2))))
        rest = [x for x in pool if x not in chosen]
        chosen.update(rng.sample(rest, min(len(rest), size - len(chosen))))
        return sorted(chosen)

    def solve(self, agents: list[int], *, slack: float, options: SolveOptions, budget: float,
              forced: Sequence[int] = (), points: bool = True, goal: GroupGoal | None = None
              ) -> tuple[list[list[int]], int, float, float] | None:
        """Re-solve ``agents`` on the slots they hold: ``(rows, points gained, cost change, work)``, or None when
        the group has no such roster (``forced`` bids granted, the cost at most ``slack`` cost units up).

        The objective is the most points, then the least cost (``points``), or the least cost alone; or, with
        ``goal``, the most of what it returns, then the least cost (the fairness and tie-break stages,
        :mod:`wfm.bidding.award.share_search`).
        """
        return _solve_group(self.am, agents, self.rows, self.by_agent, self.weights, slack, options, budget,
                            self.gaps, forced, points, goal)

    def bids_of(self, agents: Sequence[int]) -> list[int]:
        """Bid indices of ``agents``, in the order a group's model lists them."""
        return [j for a in agents for j in self.by_agent.get(a, [])]

    def apply(self, agents: list[int], rows: list[list[int]]) -> None:
        """Take a group's new rows."""
        for x, r in zip(agents, rows, strict=True):
            self.rows[x] = r


def exchange_search(am: AwardModel, values: Sequence[int], options: SolveOptions, *, time_limit_s: float,
                    slack: float, group_size: int = 6, step_s: float = 0.5) -> ExchangeResult:
    """Improve the points of the slot exchange ``values`` (a solution of ``am``'s model) group by group.

    Parameters
    ----------
    am : AwardModel
        The award model (its agents, bids and cost terms); not changed.
    values : sequence of int
        A solution of ``am.model`` that keeps the bid-free roster's slots (the slot stage's).
    options : SolveOptions
        Seed, and whether budgets are deterministic work (the default) or wall seconds.
    time_limit_s : float
        Budget, deterministic seconds (or wall seconds when not ``options.deterministic``): each step costs
        its solves' work plus :data:`STEP_UNITS` for building its model. The wall clock is also capped at ten
        times it, and by ``options.net`` (the award's wall-clock net) when set.
    slack : float
        How much the roster's cost may still grow, cost units (the cap minus the cost of ``values``).
    group_size : int, default 6
        Agents re-solved together per step.
    step_s : float, default 0.5
        Budget of one step's solve (same units as ``time_limit_s``).

    Returns
    -------
    ExchangeResult
        The best rows found (never fewer points than ``values``).
    """
    ex = SlotExchange(am, values)

    def pick(rng: random.Random, won: list[bool]) -> int | None:
        denied = [i for i, w in enumerate(won) if not w]
        return rng.choice(denied) if denied else None

    def points(won: Sequence[bool]) -> int:
        return sum(am.points[i] for i, w in enumerate(won) if w)

    out = group_search(ex, points, pick, options, time_limit_s=time_limit_s, slack=slack, group_size=group_size,
                       step_s=step_s)
    return ExchangeResult(rows=out.rows, points=out.objective, cost_change=out.cost_change, steps=out.steps,
                          improved=out.improved, work_s=out.work_s, time_s=out.time_s)


@dataclass(frozen=True)
class SearchResult:
    """What :func:`group_search` reached: per agent index its shift index per day (-1 off), the objective before
    and after, the cost change (cost units, within the slack), steps taken and improving, work and wall seconds."""

    rows: list[list[int]]
    start: int
    objective: int
    cost_change: float
    steps: int
    improved: int
    work_s: float
    time_s: float


def group_search(ex: SlotExchange, objective: Callable[[Sequence[bool]], int],
                 pick: Callable[[random.Random, list[bool]], int | None], options: SolveOptions, *,
                 time_limit_s: float, slack: float, group_size: int = 6, step_s: float = 0.5,
                 step_goal: Callable[[list[bool], list[int]], GroupGoal] | None = None) -> SearchResult:
    """The loop of every exchange search: draw a bid (``pick``, seeded), re-solve its group
    (:meth:`SlotExchange.group`, :meth:`SlotExchange.solve` with ``step_goal(won, agents)``, or for points when
    None), and keep the step when ``objective`` (over every bid's ``won``) rises, or stays and the cost falls.

    Budgets as :func:`exchange_search`; ``ex.rows`` end at the best rows found.
    """
    rng = random.Random(options.seed)
    won = [ex.holds(i) for i in range(len(ex.am.bids))]
    start = value = objective(won)
    spent, steps, improved, change = 0.0, 0, 0, 0.0
    t0 = time.perf_counter()
    wall_cap = 10 * time_limit_s if options.deterministic else time_limit_s
    net = options.net
    while spent + STEP_UNITS < time_limit_s and time.perf_counter() - t0 < wall_cap:
        if net is not None and net.left() <= 0:
            net.cuts += 1  # the award's wall-clock net: stop here, with what the search has
            break
        i = pick(rng, won)
        if i is None:
            break
        agents = ex.group(i, rng, group_size)
        if len(agents) < 2:
            spent += STEP_UNITS  # nobody to trade with: counted, so the loop always ends
            continue
        got = ex.solve(agents, slack=slack - change, options=options, budget=min(step_s, time_limit_s - spent),
                       goal=step_goal(won, agents) if step_goal is not None else None)
        steps += 1
        spent += STEP_UNITS
        if got is None:
            continue
        new_rows, _gain, delta, work = got
        spent += work
        old = [list(ex.rows[x]) for x in agents]
        ex.apply(agents, new_rows)
        trial = list(won)
        for j in ex.bids_of(agents):
            trial[j] = ex.holds(j)
        new = objective(trial)
        if new > value or (new == value and delta < -1e-9):
            improved += new > value
            won, value, change = trial, new, change + delta
        else:
            ex.apply(agents, old)
    return SearchResult(rows=ex.rows, start=start, objective=value, cost_change=change, steps=steps,
                        improved=improved, work_s=spent, time_s=time.perf_counter() - t0)


def exchange_outcome(am: AwardModel, result: ExchangeResult, start: Outcome, options: SolveOptions, *,
                     time_limit_s: float) -> Outcome:
    """``result`` as a solution of ``am.model`` (breaks placed, every literal set), or ``start`` when it has no
    more points or the model (its cost cap included) does not accept it.

    The bound stays ``start``'s: the exchanges are slot exchanges, which that bound covers.
    """
    if result.points <= round(start.objective or 0):
        return start
    rm = am.rm
    rows = {rm.agents[a].id: [(d, rm.shifts[s].id) for d, s in enumerate(r) if s >= 0]
            for a, r in enumerate(result.rows)}
    out = am.complete_cells(am.relabel(rows), options, time_limit_s=time_limit_s)
    if not out.found:
        return start
    points = am.value(out.values, am.points_expr())
    if points <= round(start.objective or 0):  # pragma: no cover - the rows' points are the model's
        return start
    return Outcome(status="FEASIBLE", values=out.values, objective=float(points), bound=start.bound,
                   time_s=start.time_s + result.time_s + out.time_s, work_s=start.work_s + result.work_s + out.work_s)


def _solve_group(am: AwardModel, agents: list[int], rows: list[list[int]], by_agent: dict[int, list[int]],
                 weights: object, slack: float, options: SolveOptions, budget: float,
                 gaps: dict[tuple[int, int, int], float], forced: Sequence[int] = (), points: bool = True,
                 goal: GroupGoal | None = None) -> tuple[list[list[int]], int, float, float] | None:
    """:meth:`SlotExchange.solve`; ``gaps`` is the rest-gap cache the groups' models share."""
    problem = am.problem
    sub_problem = problem.model_copy(update={"agents": [problem.agents[a] for a in agents], "requirements": [],
                                             "shift_demands": [], "weights": weights})
    sub_bids: list[HeldBid] = [am.bids[j] for a in agents for j in by_agent.get(a, [])]
    sub = AwardModel(sub_problem, sub_bids, gaps=gaps)
    srm = sub.rm
    # the group's head-count per (day, shift): what it trades among itself
    counts: dict[tuple[int, int], int] = {}
    for a in agents:
        for d, s in enumerate(rows[a]):
            if s >= 0:
                counts[d, s] = counts.get((d, s), 0) + 1
    cells: dict[tuple[int, int], list] = {}
    for (_k, d, s), x in srm.work.items():
        cells.setdefault((d, s), []).append(x)
    for (d, s), xs in cells.items():
        sub.model.add(sum(xs) == counts.get((d, s), 0))
    if any(key not in cells for key in counts):
        return None  # pragma: no cover - the group's own shifts always have literals
    # the current lines: their cost and points (a hint, and the reference for the cap)
    current = {}
    for (k, d, s), x in srm.work.items():
        current[x.index] = int(rows[agents[k]][d] == s)
    fixed = sub.model.clone()
    for x in srm.work.values():
        fixed.add(fixed.get_bool_var_from_proto_index(x.index) == current[x.index])
    fixed.minimize(sub.cost)
    base = sub.run(options, time_limit_s=budget, model=fixed)
    if not base.found:
        return None
    base_cost = round(base.objective or 0)
    base_points = sub.value(base.values, sub.points_expr())
    cap = base_cost + int(max(0.0, slack) * sub.scale + 1e-6)
    sub.cap_cost(cap)
    local = {j: k for k, j in enumerate(j for a in agents for j in by_agent.get(a, []))}
    for j in forced:
        sub.model.add(sub.won[local[j]] == 1)
    big = cap + 1
    sub.hint(base.values)
    if goal is not None:
        expr, top = goal(sub, [j for a in agents for j in by_agent.get(a, [])], base.values)
        # the goal first, then the least cost; the goal alone when the weights would not fit in 64 bits
        sub.model.maximize(big * expr - sub.cost if big * (top + 1) < OBJECTIVE_LIMIT else expr)
    elif points:
        sub.model.maximize(big * sub.points_expr() - sub.cost)
    else:
        sub.model.minimize(sub.cost)
    out = sub.run(options, time_limit_s=budget, model=sub.model)
    work = base.work_s + out.work_s if options.deterministic else base.time_s + out.time_s
    if not out.found:
        return None if forced else ([list(rows[a]) for a in agents], 0, 0.0, work)
    new_rows = [[-1] * srm.n_days for _ in agents]
    for (k, d, s), x in srm.work.items():
        if out.values[x.index]:
            new_rows[k][d] = s
    gain = sub.value(out.values, sub.points_expr()) - base_points
    delta = (sub.value(out.values, sub.cost) - base_cost) / sub.scale
    return new_rows, gain, delta, work


def _holds(am: AwardModel, a: int, bid: HeldBid, row: list[int]) -> bool:
    """Whether ``bid``'s item holds for agent index ``a`` working ``row`` (shift index per day, -1 off)."""
    item, shifts = bid.item, am.rm.shifts
    days = item_day_range(am.rm, item)
    if item.kind == "avoid_tag":
        return all(row[d] < 0 or item.tag not in shifts[row[d]].tags for d in days)
    s = row[days[0]]
    if item.kind == "day_off":
        return s < 0
    if item.kind == "shift":
        return s >= 0 and shifts[s].id == item.shift
    return s >= 0 and item.tag in shifts[s].tags


def _could_give(am: AwardModel, bid: HeldBid, x: int, row: list[int]) -> bool:
    """Whether agent index ``x`` working ``row`` holds what ``bid`` asks for, so that trading with it could
    grant the bid: off (and not on leave) on the day wanted off, on the wanted shift or tag that day, or free
    of the avoided tag all week."""
    item = bid.item
    days = item_day_range(am.rm, item)
    if item.kind == "day_off":
        d = days[0]
        return row[d] < 0 and am.rm.problem.horizon.date_of(d) not in set(am.problem.agents[x].leave)
    return _holds(am, x, bid, row)
