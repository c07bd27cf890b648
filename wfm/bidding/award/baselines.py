"""Named baselines for the award: serial dictatorship, the way commercial suites award bids.

Agents take turns in a fixed order (seniority: earlier ``hire_date`` first; or a seeded random order); each
in turn is granted its bids, highest points first, as long as the roster can still honour them together
with everything granted before — checked by the award model itself (every hard rule, the same coverage cap,
all earlier grants forced). A check that finds no roster within its time share counts as "cannot honour".

With ``slots`` (the default) the roster is the bid-free roster's posted slots exchanged among agents
(:mod:`wfm.bidding.award.slots`): how the commercial suites award, and like for like with the award's
``points_slots`` stage. Without it any roster under the cap may honour a pick.

On slots, when every cost term is a sum over agents (no fairness spread), a pick is checked the way the award's
exchange search moves (:class:`wfm.bidding.award.exchange.SlotExchange`): the picking agent and a few partners
who hold what it asks for re-solve their own slots with the pick and every earlier grant of theirs forced — up to
three groups per pick. At 60 agents x 4 weeks a check of the whole model in its share of the time (0.7
work-seconds) is mostly presolve and granted nothing beyond the bid-free roster; the group check is the
stronger baseline, and the one a scheduler trading shifts by hand would recognise.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections.abc import Sequence

from wfm.bidding.award.engine import roster_from_values, what_item
from wfm.bidding.award.exchange import SlotExchange, separable
from wfm.bidding.award.model import AwardModel, SolveOptions
from wfm.bidding.award.results import Award, BidResult, StageReport
from wfm.bidding.award.slots import keep_slots
from wfm.bidding.models import HeldBid
from wfm.exceptions import InvalidParameterError, NoSolutionError
from wfm.roster.checker import check
from wfm.roster.models import RosterProblem, RosterSolution

__all__ = ["serial_dictatorship", "seniority_order", "random_order"]


def seniority_order(problem: RosterProblem) -> list[str]:
    """Agent ids, most senior (earliest ``hire_date``) first; agents without one last, then by id."""
    return [a.id for a in sorted(problem.agents, key=lambda a: (a.hire_date or dt.date.max, a.id))]


def random_order(problem: RosterProblem, seed: int) -> list[str]:
    """Agent ids in a seeded random order."""
    ids = [a.id for a in problem.agents]
    random.Random(seed).shuffle(ids)
    return ids


def serial_dictatorship(problem: RosterProblem, bids: Sequence[HeldBid], order: Sequence[str], *,
                        baseline: RosterSolution, coverage_tolerance: float = 0.0, time_limit_s: float = 60.0,
                        seed: int = 0, name: str = "serial dictatorship", slots: bool = True) -> Award:
    """Award ``bids`` by serial dictatorship in ``order`` (see the module docstring), keeping ``baseline``'s cost
    (times ``1 + coverage_tolerance``) as the cap; with ``slots``, picks are exchanges of ``baseline``'s slots.
    Denied bids are marked ``outbid`` / ``crowded_out`` without figures (``proven`` False): the baseline does
    not explain."""
    if set(order) != {a.id for a in problem.agents}:
        raise InvalidParameterError("`order` must list every agent of the problem once", field="order",
                                    value=len(order))
    t0 = time.perf_counter()
    options = SolveOptions(seed=seed)
    am = AwardModel(problem, bids)
    done = am.complete(baseline, options, time_limit_s=0.1 * time_limit_s)
    if not done.found:
        raise NoSolutionError("the bid-free roster could not be read into the award model", field="time_limit_s",
                              value=time_limit_s)
    cap = math.floor(round(done.objective or 0) * (1 + coverage_tolerance) + 1e-6)
    am.cap_cost(cap)
    if slots:
        keep_slots(am, done.values)
    am.model.clear_objective()
    values = done.values
    rank = {a: r for r, a in enumerate(order)}
    turns = sorted(range(len(bids)), key=lambda i: (rank[bids[i].agent], -bids[i].item.points, i))
    per_check = max(0.1, 0.9 * time_limit_s / max(1, len(turns)))
    granted: list[int] = []
    ex = SlotExchange(am, values) if slots and separable(problem) else None
    if ex is not None:
        slack = (cap - am.value(values, am.cost)) / am.scale
        granted = _by_exchange(am, ex, turns, slack, options, per_check, seed)
        values = _complete(am, ex, options, time_limit_s, fallback=values)
        turns = []  # decided
    for i in turns:
        if am.value(values, am.won[i]):  # the current roster already honours it
            granted.append(i)
            am.model.add(am.won[i] == 1)
            continue
        trial = am.model.clone()
        trial.add(trial.get_bool_var_from_proto_index(am.won[i].index) == 1)
        trial.clear_hints()
        for k, v in enumerate(values):
            trial.add_hint(trial.get_int_var_from_proto_index(k), v)
        out = am.run(options, time_limit_s=per_check, model=trial)
        if out.found:
            granted.append(i)
            am.model.add(am.won[i] == 1)
            values = out.values
    won = {i for i in granted if am.value(values, am.won[i])}
    roster = roster_from_values(am, values, baseline, time.perf_counter() - t0)
    results = []
    for i, b in enumerate(bids):
        if i in won:
            results.append(BidResult(bid=b.id, agent=b.agent, item=b.item, awarded=True, reason="awarded",
                                     detail=f"awarded: {what_item(b.item)}", charge=b.item.points))
        else:
            results.append(BidResult(bid=b.id, agent=b.agent, item=b.item, awarded=False, proven=False,
                                     reason="outbid" if b.item.mode == "compete" else "crowded_out",
                                     detail=f"denied: {what_item(b.item)} could not be honoured after earlier "
                                            "agents' picks"))
    points = sum(bids[i].item.points for i in won)
    shares = []
    by_agent: dict[str, list[int]] = {}
    for i, b in enumerate(bids):
        by_agent.setdefault(b.agent, []).append(i)
    for idx in by_agent.values():
        total = sum(bids[i].item.points for i in idx)
        shares.append(sum(bids[i].item.points for i in idx if i in won) / total)
    return Award(round=name, seed=seed, coverage_tolerance=coverage_tolerance,
                 baseline_cost=check(problem, baseline).objective, cap=cap / am.scale,
                 cost=check(problem, roster).objective, points=points, points_bound=points,
                 min_share=min(shares) if shares else 1.0,
                 stages=[StageReport(stage=name, status="FEASIBLE", objective=points, bound=points,
                                     time_s=round(time.perf_counter() - t0, 3))],
                 results=results, charges={bids[i].id: bids[i].item.points for i in sorted(won)}, roster=roster)


def _by_exchange(am: AwardModel, ex: SlotExchange, turns: list[int], slack: float, options: SolveOptions,
                 per_check: float, seed: int) -> list[int]:
    """Serial dictatorship on slots by group exchanges (module docstring): the bids granted, in turn order.
    ``slack``: how much the roster's cost may grow, cost units."""
    rng = random.Random(seed)
    granted: list[int] = []
    change = 0.0
    for i in turns:
        if ex.holds(i):
            granted.append(i)
            continue
        for _ in range(3):
            agents = ex.group(i, rng, 6)
            forced = [j for j in (*granted, i) if ex.index[am.bids[j].agent] in agents]
            got = ex.solve(agents, slack=slack - change, options=options, budget=per_check / 3, forced=forced,
                           points=False)
            if got is not None:
                ex.apply(agents, got[0])
                change += got[2]
                granted.append(i)
                break
    return granted


def _complete(am: AwardModel, ex: SlotExchange, options: SolveOptions, time_limit_s: float,
              fallback: list[int]) -> list[int]:
    """The exchange's rows as a solution of ``am.model`` (breaks placed), or ``fallback`` if it has none."""
    rm = am.rm
    rows = {rm.agents[a].id: [(d, rm.shifts[s].id) for d, s in enumerate(r) if s >= 0] for a, r in enumerate(ex.rows)}
    out = am.complete_cells(am.relabel(rows), options, time_limit_s=0.1 * time_limit_s)
    return out.values if out.found else fallback
