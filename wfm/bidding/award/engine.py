"""The award pipeline: coverage, then points, then fairness, then tie-breaks; then a reason for every bid.

    award = award_bids(problem, bids, time_limit_s=60, seed=0)

1. **coverage** — the bid-free roster ``R1 = wfm.roster.solve(problem)``; the award model's cost of R1 (its
   breaks placed at best) times ``1 + coverage_tolerance`` is the cap no later stage may exceed. The checker's
   score of R1 is the baseline the award is compared with.
2. **points** — the roster model plus one literal per bid (:mod:`wfm.bidding.award.model`), cost capped,
   maximise the points of the awarded bids (exchange items at their posted price), in three steps:
   ``points_slots`` — agents exchange R1's slots (its per-(day, shift, skill group) head-counts and break
   placements kept, so cover is R1's exactly; :mod:`wfm.bidding.award.slots`), the way the commercial suites
   award the lines of a posted schedule: one CP-SAT solve of the whole model started from R1, then, when it
   is unproven, exchanges among a few agents at a time, each group re-solved alone on the slots it holds
   (:mod:`wfm.bidding.award.exchange`; 60 agents x 4 weeks: 89 points from the whole-model solve, 167 after
   the exchanges, at a lower roster cost); then ``points`` — the full model (any roster under the cap)
   started from that exchange, then, when it is unproven and no exchanges ran, a neighbourhood search
   (:mod:`wfm.bidding.award.lns`; after the exchanges it found nothing at 60 or 150 agents). Its bound is the
   bound of the award; the slot stage's bound only covers exchanges of R1's slots.
3. **fairness** — keep stage 2's points, maximise the least share of its bid points any bidding agent wins
   (over agents with at least one item their own rules allow), then the sum of the shares (so that an agent
   who can win nothing does not leave the others' shares to chance). The stage's objective is
   ``(agents x 10000 + 1) x least share + sum of shares``, shares in units of 1/10000.
4. **tie-break** — keep that value, prefer senior agents' points (earlier ``hire_date``; optional), then a
   seeded draw over the bids: the same input and seed give the same award.

When the previous stage is unproven and the roster's cost is a sum over agents, stages 3 and 4 exchange slots
among a few agents at a time (:mod:`wfm.bidding.award.share_search`: at 150 agents x 4 weeks one solve of the
whole model finds nothing in their shares), then, when ``Budget.share_groups`` leaves some of the share, run
one CP-SAT solve of the whole model from the best so far; otherwise (small rounds, proven exactly) that one
solve has the whole share. Every stage starts from the previous stage's solution, so it can only keep or
improve what came before; its status and bound are reported (a time-out is "FEASIBLE" with a gap, never
"optimal"; without a bound of its own, the objective's largest value over its variables' domains).
:mod:`wfm.bidding.award.explain` then gives every denied bid its reason.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial

from ortools.sat.python.cp_model_helper import FlatIntExpr

from wfm.bidding.award.exchange import SearchResult, exchange_outcome, exchange_search, separable
from wfm.bidding.award.explain import Reader, coverage_changes, forced_cost, forced_others
from wfm.bidding.award.lns import improve_points
from wfm.bidding.award.model import AwardModel, Outcome, SolveOptions, WallNet
from wfm.bidding.award.results import Award, BidResult, StageReport
from wfm.bidding.award.screen import labour_screen
from wfm.bidding.award.share_search import SHARE_SCALE, ShareBook, fairness_search, tie_break_search
from wfm.bidding.award.slots import keep_slots
from wfm.bidding.models import BidItem, HeldBid
from wfm.exceptions import InvalidParameterError, NoSolutionError
from wfm.limits import check_number
from wfm.roster import SolveOptions as RosterSolveOptions
from wfm.roster import solve
from wfm.roster.checker import check
from wfm.roster.models import RosterProblem, RosterSolution

__all__ = ["award_bids", "Budget", "SHARE_SCALE", "roster_from_values", "what_item"]

@dataclass(frozen=True)
class Budget:
    """How ``time_limit_s`` is split between the stages (shares of the total); explanations have their own.

    ``wall_net`` is the one wall-clock safety net of the stages after coverage (points, fairness, tie-break),
    in multiples of ``time_limit_s``: together they may not run longer (:class:`WallNet`); a solve the net
    cuts keeps what it had (its start, at worst). Their work budgets add up to 0.6 x ``time_limit_s``; on a
    quiet machine the whole award (R1 given) took 0.94 x ``time_limit_s`` of wall time at 60 and at 150 agents
    x 4 weeks (60 s), so 3 leaves about three times that before the net cuts; the award says when it did
    (``Award.safety_net_hit``). The points share goes mostly (``points_exchange``) to slot exchanges among a
    few agents at a time. At 60 agents x 4 weeks, ``points`` 0.3 with 0.6 of it on exchanges gave 158 points;
    0.45 with 0.8 gives 167, and the fairness stage, cut from 0.125 to 0.05, still reached a better objective
    (121,308 -> 134,036: it now starts from its complete incumbent). Of the fairness and tie-break shares,
    ``share_groups`` goes to group exchanges (:mod:`wfm.bidding.award.share_search`) and the rest to one
    whole-model solve from their best: with 0.3 of the shares that solve found nothing at 150 agents and
    nothing better than the exchanges at 60 (and cost 5 s of wall time at 150), so by default the exchanges
    have it all.
    """

    coverage: float = 0.4
    complete: float = 0.05
    points: float = 0.45
    points_slots: float = 0.1  # of the points share: exchanges of the bid-free roster's slots first (CP-SAT)
    points_exchange: float = 0.85  # of the points share: then slot exchanges among a few agents at a time
    points_full: float = 0.5  # of the rest, without exchanges: the full model; the rest, the neighbourhood search
    fairness: float = 0.05
    tie_break: float = 0.05
    share_groups: float = 1.0  # of the fairness and tie-break shares: group exchanges first (separable costs)
    wall_net: float = 3.0  # wall-clock net of the stages after coverage, multiples of time_limit_s


def _validate(problem: RosterProblem, bids: Sequence[HeldBid], coverage_tolerance: float) -> None:
    if not isinstance(problem, RosterProblem):
        raise InvalidParameterError(f"`problem` must be a RosterProblem; got {type(problem).__name__}",
                                    field="problem", value=type(problem).__name__)
    check_number("coverage_tolerance", coverage_tolerance, low=0.0, high=10.0)
    agents = {a.id for a in problem.agents}
    seen: set[str] = set()
    for i, b in enumerate(bids):
        if b.agent not in agents:
            raise InvalidParameterError(f"`bids[{i}].agent` {b.agent!r} is not in the problem",
                                        field=f"bids[{i}].agent", value=b.agent)
        if b.id in seen:
            raise InvalidParameterError(f"`bids[{i}].id` repeats bid {b.id!r}", field=f"bids[{i}].id", value=b.id)
        seen.add(b.id)


def _stage(name: str, out: Outcome, *, sense: float = 1.0) -> StageReport:
    obj = (out.objective or 0.0) * sense
    bound = (out.bound if out.bound is not None else out.objective or 0.0) * sense
    return StageReport(stage=name, status=out.status, objective=obj, bound=bound, time_s=round(out.time_s, 3),
                       net_hit=out.cut)


def award_bids(problem: RosterProblem, bids: Sequence[HeldBid], *, coverage_tolerance: float = 0.0,
               time_limit_s: float = 60.0, seed: int = 0, seniority: bool = True, explain: bool = True,
               explain_time_s: float | None = None, resolve_ties: bool = True,
               baseline: RosterSolution | None = None, workers: int = 1, deterministic: bool = True,
               budget: Budget | None = None, round_name: str | None = None, weighted: bool = False) -> Award:
    """Award ``bids`` inside the roster solve of ``problem`` (see the module docstring).

    Parameters
    ----------
    problem : RosterProblem
        The roster problem the bids are on.
    bids : sequence of HeldBid
        The round's open bids (:meth:`wfm.bidding.Rounds.open_bids`); ``item.points`` is what a compete bid
        offers and an exchange item's posted price.
    coverage_tolerance : float, default 0
        Relative worsening of the roster's cost allowed for bids (0.02 = 2 %); 0 never gives up any.
    time_limit_s : float, default 60
        Budget of the stages, seconds (split by ``budget``); deterministic work units when ``deterministic``.
    seed : int, default 0
        Seed of every solve and of the tie-breaking draw.
    seniority : bool, default True
        Break ties in favour of senior agents (earlier ``hire_date``) before the draw.
    explain : bool, default True
        Give every denied bid its reason with figures (labour rule, coverage, points to win).
    explain_time_s : float, optional
        Budget of the explanations, seconds, shared by the denied bids (default: ``time_limit_s``).
    resolve_ties : bool, default True
        Decide by a re-award whether offering exactly the opportunity cost wins (ties go through the
        fairness stage and the draw), so ``points_to_win`` is the least winning offer, not only a sufficient one.
    baseline : RosterSolution, optional
        The bid-free roster (stage 1) when already solved; re-awards pass it so they share the cap.
    workers : int, default 1
        CP-SAT workers when ``deterministic`` is False.
    deterministic : bool, default True
        One worker and deterministic time limits: the same input gives the same award.
    budget : Budget, optional
        Shares of ``time_limit_s`` per stage.
    round_name : str, optional
        Recorded in the result.
    weighted : bool, default False
        Instead of the lexicographic stages 1-2, make the bids one more objective term: minimise the roster's
        cost plus the points of the bids *not* awarded (no cap). Weighted shift-on/off requests given as bids
        then reproduce the plain roster objective (the Curtois check); fairness and tie-breaks follow as usual.

    Returns
    -------
    Award
        The roster, a :class:`BidResult` per bid, the charges and a :class:`StageReport` per stage.

    Raises
    ------
    InfeasibleError, NoSolutionError
        From the coverage stage (the roster itself), or when no capped roster is found.
    """
    _validate(problem, bids, coverage_tolerance)
    check_number("time_limit_s", time_limit_s, low=0.01, limit_name="max_time_limit_s")
    budget = budget or Budget()
    options = SolveOptions(seed=seed, workers=workers, deterministic=deterministic)
    t0 = time.perf_counter()
    stages: list[StageReport] = []
    # -- stage 1: coverage, the bid-free roster ---------------------------------------------------------
    if baseline is None:
        if deterministic:
            # the roster engine's reproducible mode: budgets counted in work, so one seed gives one bid-free
            # roster (and so one award) on any machine, whatever its load
            baseline = solve(problem, options=RosterSolveOptions(time_limit_s=budget.coverage * time_limit_s,
                                                                 workers=1, seed=seed, reproducible=True))
        else:
            baseline = solve(problem, time_limit_s=budget.coverage * time_limit_s, seed=seed, workers=workers)
        stages.append(StageReport(stage="coverage", status=baseline.status, objective=baseline.objective,
                                  bound=baseline.best_bound, time_s=round(baseline.solve_time_s, 3),
                                  net_hit=bool(baseline.info.get("safety_net_hit", False))))
    baseline_cost = check(problem, baseline).objective
    am = AwardModel(problem, bids)
    done = am.complete(baseline, options, time_limit_s=budget.complete * time_limit_s)
    if not done.found:
        raise NoSolutionError("the bid-free roster could not be read into the award model within the time limit",
                              field="time_limit_s", value=time_limit_s)
    base_units = round(done.objective or 0)
    # one wall-clock net over every solve from here to the tie-break (the screen and explanations keep their own)
    unnetted, options = options, replace(options, net=WallNet(budget.wall_net * time_limit_s))
    cap = math.floor(base_units * (1 + coverage_tolerance) + 1e-6)
    free = am.model.clone()
    if weighted:
        out2, cap = _weighted_stage(am, done.values, options, budget.points * time_limit_s)
        stages.append(_stage("weighted", out2))
    else:
        am.cap_cost(cap)
    capped = am.model.clone()
    # -- stage 2: points ----------------------------------------------------------------------------------
    if not weighted:
        share = budget.points * time_limit_s
        # 2a: agents exchange the bid-free roster's slots (its staffing plan and breaks kept, so cover is R1's)
        slot_out = _slot_stage(am, done.values, options, budget.points_slots * share)
        used = budget.points_slots
        if not slot_out.found:
            # nothing in the slot solve's share (150 agents with a smaller share): R1 is a slot exchange too
            slot_out = Outcome(status="FEASIBLE", values=done.values, bound=float(sum(am.points)),
                               objective=float(am.value(done.values, am.points_expr())), time_s=slot_out.time_s,
                               work_s=slot_out.work_s, cut=slot_out.cut)
        exchanged = not slot_out.optimal and separable(problem)
        if exchanged:
            # unproven: improve it group by group, each group trading only the slots it holds
            result = exchange_search(am, slot_out.values, options, time_limit_s=budget.points_exchange * share,
                                     slack=(cap - am.value(slot_out.values, am.cost)) / am.scale)
            slot_out = exchange_outcome(am, result, slot_out, options, time_limit_s=budget.complete * time_limit_s)
            used += budget.points_exchange
        stages.append(_stage("points_slots", slot_out))
        share *= 1 - used  # a proven slot stage leaves the exchanges' share to the full model
        # 2b: the full model (any roster under the cap), started from the best slot exchange
        am.hint(slot_out.values if slot_out.found else done.values)
        am.model.maximize(am.points_expr())
        out2 = am.run(options, time_limit_s=(1.0 if exchanged else budget.points_full) * share)
        if slot_out.found and (not out2.found or (out2.objective or 0) < (slot_out.objective or 0)):
            # the full model found nothing better (or nothing at all, then no bound either: every bid's points
            # is the only safe one — the slot stage's bound covers slot exchanges, not every roster)
            bound = out2.bound if out2.found and out2.bound is not None else float(sum(am.points))
            out2 = Outcome(status="FEASIBLE", values=slot_out.values, objective=slot_out.objective,
                           bound=bound, time_s=out2.time_s, work_s=out2.work_s)
        if not out2.found:  # pragma: no cover - the hint is a feasible solution
            raise NoSolutionError("no capped roster found for the points stage", field="time_limit_s",
                                  value=time_limit_s)
        if not out2.optimal and not exchanged:
            # unproven: large-neighbourhood search on the incumbent for the rest of the stage's share (after slot
            # exchanges it found nothing at 60 or 150 agents x 4 weeks, for 8 s of wall time at 150: their part
            # went to the exchanges)
            values, found, steps = improve_points(am, out2.values, options,
                                                  time_limit_s=(1 - budget.points_full) * share)
            if found > round(out2.objective or 0):
                out2 = Outcome(status="FEASIBLE", values=values, objective=float(found), bound=out2.bound,
                               time_s=out2.time_s, work_s=out2.work_s)
            if out2.bound is not None and found >= math.floor(out2.bound + 1e-6):
                out2.status = "OPTIMAL"  # the neighbourhood search met the full model's bound
        stages.append(_stage("points", out2))
    best = out2
    p2 = am.value(out2.values, am.points_expr()) if weighted else round(out2.objective or 0)
    p2_bound = p2 if weighted else math.floor((out2.bound if out2.bound is not None else p2) + 1e-6)
    # -- stage 3: fairness (least share of bid points won) -------------------------------------------------
    labour = _labour_screen(problem, bids, unnetted, time_limit_s=max(0.5, 0.02 * time_limit_s)) if bids else {}
    if bids:
        am.model.add(am.points_expr() >= p2)
        book = ShareBook(am, labour)
        z = am.model.new_int_var(0, SHARE_SCALE, "least_share")
        share_vars = book.share_vars(am, range(len(problem.agents)), range(len(bids)))
        for s_a in share_vars.values():
            am.model.add(z <= s_a)
        # the least share first; then the sum of shares, so that when some agent can win nothing at all
        # (least share 0) the stage still spreads the points over as many agents as it can
        fair = (len(share_vars) * SHARE_SCALE + 1) * z + sum(share_vars.values())

        def complete(values: list[int]) -> list[int]:
            # the shares and the least share at a solution too, so a stage starts from a complete one (without
            # them the fairness stage returned less than its start at 60 agents x 4 weeks: 21,333 vs 78,004)
            won = [bool(am.value(values, w)) for w in am.won]  # a literal may be negated
            out = list(values) + [0] * (len(am.model.proto.variables) - len(values))
            shares = book.shares(won)
            for a, s_a in share_vars.items():
                out[s_a.index] = shares[a]
            out[z.index] = min(shares.values(), default=SHARE_SCALE)
            return out

        slack = (cap - am.value(best.values, am.cost)) / am.scale
        # group exchanges when the points stage was not proven (a model too big to prove its points will not
        # prove fairness either); a proven one keeps the exact whole-model solve
        search = fairness_search if separable(problem) and not out2.optimal else None
        best, out3 = _share_stage(am, complete(best.values), fair, search, labour, options,
                                  budget.fairness * time_limit_s, budget, slack, budget.complete * time_limit_s,
                                  complete=complete)
        stages.append(_stage("fairness", out3))
        # -- stage 4: seniority, then the seeded draw ------------------------------------------------------
        am.model.add(fair >= am.value(best.values, fair))
        weights = _tie_weights(problem, bids, seed=seed, seniority=seniority)
        slack = (cap - am.value(best.values, am.cost)) / am.scale
        tie = sum(w * x for w, x in zip(weights, am.won, strict=True))
        tie_search = partial(tie_break_search, weights=weights) if separable(problem) and not out3.optimal else None
        best, out4 = _share_stage(am, best.values, tie, tie_search, labour, options,
                                  budget.tie_break * time_limit_s, budget, slack, budget.complete * time_limit_s,
                                  complete=complete)
        stages.append(_stage("tie_break", out4))
    # -- extract --------------------------------------------------------------------------------------------
    roster = roster_from_values(am, best.values, baseline, time.perf_counter() - t0)
    report = check(problem, roster)
    won = [bool(am.value(best.values, w)) for w in am.won]
    points = sum(p for p, w in zip(am.points, won, strict=True) if w)
    results: list[BidResult] = []
    pending: list[int] = []
    for i, b in enumerate(bids):
        if won[i]:
            results.append(BidResult(bid=b.id, agent=b.agent, item=b.item, awarded=True, reason="awarded",
                                     detail=f"awarded: {what_item(b.item)}; {b.item.points} points spent",
                                     charge=b.item.points))
        else:
            results.append(_denied_stub(b, labour.get(i)))
            if labour.get(i) is None:
                pending.append(i)
    if explain and pending:
        ex_budget = explain_time_s if explain_time_s is not None else time_limit_s
        per_bid = max(0.2, ex_budget / len(pending))
        for i in pending:
            # against the award's own points: the later stages keep at least stage 2's and may find more when it
            # is unproven (60 agents x 4 weeks: 167 -> 185); when it is proven the two are equal
            results[i] = _explain(problem, bids, i, am, capped, free, cap, roster, points, out2.optimal, unnetted,
                                  per_bid, baseline, coverage_tolerance, time_limit_s, seed, seniority, budget,
                                  resolve_ties, deterministic, workers, best.values)
    return Award(round=round_name, seed=seed, coverage_tolerance=coverage_tolerance, baseline_cost=baseline_cost,
                 cap=cap / am.scale, cost=report.objective, points=points, points_bound=max(points, p2_bound),
                 min_share=ShareBook(am, labour).least_fraction(won), stages=stages, results=results,
                 charges={r.bid: r.charge for r in results if r.awarded}, roster=roster,
                 safety_net_hit=bool(options.net and options.net.hit) or any(s.net_hit for s in stages))


def _slot_stage(am: AwardModel, values: list[int], options: SolveOptions, time_limit_s: float) -> Outcome:
    """Most points over exchanges of the slots of solution ``values`` (R1), cost capped (:mod:`.slots`).

    Solved on a copy of the model: the later stages keep the full model, where any capped roster is allowed.
    """
    full = am.model
    am.model = full.clone()
    try:
        keep_slots(am, values)
        am.hint(values)
        am.model.maximize(am.points_expr())
        return am.run(options, time_limit_s=time_limit_s)
    finally:
        am.model = full


def _weighted_stage(am: AwardModel, hint: list[int], options: SolveOptions, time_limit_s: float) -> tuple[Outcome, int]:
    """Minimise cost + points of the bids not awarded (model units); keep the roster cost it reaches as the cap."""
    total = sum(am.points)
    am.hint(hint)
    am.model.minimize(am.cost + am.scale * (total - am.points_expr()))
    out = am.run(options, time_limit_s=time_limit_s)
    if not out.found:  # pragma: no cover - the hint is a feasible solution
        raise NoSolutionError("no roster found for the weighted stage", field="time_limit_s", value=time_limit_s)
    # the later stages keep the weighted objective (not only the roster cost) at its optimum
    am.model.add(am.cost + am.scale * (total - am.points_expr()) <= round(out.objective or 0))
    return out, am.value(out.values, am.cost)


def _labour_screen(problem: RosterProblem, bids: Sequence[HeldBid], options: SolveOptions, *,
                   time_limit_s: float) -> dict[int, list[str] | None]:
    """Bids the agent's own rules forbid (index -> rule names); proven-feasible or unknown ones map to None.

    The contract graph proves "allowed" in milliseconds; one-agent CP-SAT decides the rest and names the rules
    (:mod:`wfm.bidding.award.screen`).
    """
    return labour_screen(problem, bids, options, time_limit_s=time_limit_s)


def _tie_weights(problem: RosterProblem, bids: Sequence[HeldBid], *, seed: int, seniority: bool) -> list[int]:
    """Per bid its tie-break weight: senior agents' points first (rank weight N - rank; all 1 without
    seniority), then a seeded draw.

    The draw's weights are a seeded permutation of 1..n; any set of them sums to less than ``k``, so the
    draw only decides between awards the seniority term values equally.
    """
    order = sorted(problem.agents, key=lambda a: (a.hire_date or dt.date.max, a.id))
    n = len(order)
    weight = {a.id: (n - r if seniority else 1) for r, a in enumerate(order)}
    draw = list(range(1, len(bids) + 1))
    random.Random(seed).shuffle(draw)
    k = len(bids) * (len(bids) + 1) // 2 + 1
    return [b.item.points * weight[b.agent] * k + draw[i] for i, b in enumerate(bids)]


def _share_stage(am: AwardModel, start: list[int], objective: object,
                 search: Callable[..., SearchResult] | None, labour: dict[int, list[str] | None],
                 options: SolveOptions, share: float, budget: Budget, slack: float, complete_s: float,
                 complete: Callable[[list[int]], list[int]] | None = None) -> tuple[Outcome, Outcome]:
    """One of the stages after points (fairness or tie-break): maximise ``objective`` from solution ``start``.

    With ``search`` (the roster's cost a sum over agents), group exchanges first
    (:mod:`wfm.bidding.award.share_search`, ``budget.share_groups`` of the stage's ``share`` seconds), then
    one solve of the whole model for the rest, started from the best so far. Returns the stage's best
    solution and its report; the best is never worse than ``start`` (a whole-model solve that finds less, or
    nothing, leaves the start, with the solve's bound when it has one). ``complete`` fills in the variables a
    completed group exchange leaves free (the shares).
    """
    complete = complete or (lambda values: values)
    best = Outcome(status="FEASIBLE", values=start, objective=float(am.value(start, objective)))
    rest = share
    if search is not None:
        result = search(am, start, labour, options, time_limit_s=budget.share_groups * share, slack=slack)
        rest *= 1 - budget.share_groups
        best.time_s, best.work_s = result.time_s, result.work_s
        if result.objective > result.start:
            rm = am.rm
            rows = {rm.agents[a].id: [(d, rm.shifts[s].id) for d, s in enumerate(r) if s >= 0]
                    for a, r in enumerate(result.rows)}
            out = am.complete_cells(am.relabel(rows), options, time_limit_s=complete_s)
            if out.found:
                values = complete(out.values)
                best = Outcome(status="FEASIBLE", values=values, objective=float(am.value(values, objective)),
                               time_s=result.time_s + out.time_s, work_s=result.work_s + out.work_s)
    if search is not None and rest < 0.01 * share:
        # the exchanges had the whole share: no bound of its own, the objective's largest value
        return best, replace(best, bound=_upper(am, objective))
    am.hint(best.values)
    am.model.maximize(objective)
    out = am.run(options, time_limit_s=rest)
    if out.found and (out.objective or 0) >= (best.objective or 0):
        out.time_s += best.time_s
        out.work_s += best.work_s
        return out, out
    # no whole-model bound: the objective's largest value over its variables' domains (valid, however loose)
    report = Outcome(status="FEASIBLE", values=best.values, objective=best.objective,
                     bound=out.bound if out.found else _upper(am, objective), time_s=best.time_s + out.time_s,
                     work_s=best.work_s + out.work_s, cut=out.cut)
    return best, report


def _upper(am: AwardModel, expr: object) -> float:
    """The largest value of linear expression ``expr`` of ``am.model`` over its variables' domains."""
    flat = FlatIntExpr(expr)
    variables = am.model.proto.variables
    top = flat.offset
    for v, c in zip(flat.vars, flat.coeffs, strict=True):
        dom = variables[v.index].domain
        top += max(c * dom[0], c * dom[len(dom) - 1])
    return float(top)


def roster_from_values(am: AwardModel, values: list[int], baseline: RosterSolution, elapsed: float) -> RosterSolution:
    """The roster of a solution vector of the award model, scored by its penalties (bound: the baseline's)."""
    assignments, penalties = am.rm.extract(Reader(values))
    objective = sum(p.cost for p in penalties)
    totals: dict[str, float] = {}
    for p in penalties:
        totals[p.rule] = totals.get(p.rule, 0.0) + p.cost
    bound = min(baseline.best_bound, objective)
    gap = max(0.0, (objective - bound) / max(1.0, abs(objective)))
    return RosterSolution(status="OPTIMAL" if gap <= 1e-9 else "FEASIBLE", assignments=assignments,
                          objective=objective, best_bound=bound, gap=gap, solve_time_s=elapsed, penalties=penalties,
                          penalty_totals=totals, strategy="award", info={"objective_scale": am.scale})


def what_item(item: BidItem) -> str:
    """A bid item in words, for the reasons."""
    return {"shift": f"shift {item.shift} on {item.date}", "tag": f"a {item.tag} shift on {item.date}",
            "day_off": f"day off on {item.date}", "avoid_tag": f"no {item.tag} shift in week {item.week}"}[item.kind]


def _denied_stub(b: HeldBid, rules: list[str] | None) -> BidResult:
    if rules is not None:
        return BidResult(bid=b.id, agent=b.agent, item=b.item, awarded=False, reason="labour_rule", rules=rules,
                         detail=f"denied: {what_item(b.item)} breaks your own rules ({', '.join(rules)}), "
                                "whatever the others bid")
    kind = "outbid" if b.item.mode == "compete" else "crowded_out"
    return BidResult(bid=b.id, agent=b.agent, item=b.item, awarded=False, reason=kind, proven=False,
                     detail=f"denied: {what_item(b.item)} did not fit beside the winning bids (not explained)")


def _explain(problem: RosterProblem, bids: Sequence[HeldBid], i: int, am: AwardModel, capped: object,
             free: object, cap: int, roster: RosterSolution, p2: int, p2_optimal: bool, options: SolveOptions,
             per_bid: float, baseline: RosterSolution, tol: float, time_limit_s: float, seed: int,
             seniority: bool, budget: Budget, resolve_ties: bool, deterministic: bool, workers: int,
             hint: list[int]) -> BidResult:
    b = bids[i]
    others = forced_others(capped, am, i, options, time_limit_s=per_bid, hint=hint)  # type: ignore[arg-type]
    base = {"bid": b.id, "agent": b.agent, "item": b.item, "awarded": False}
    if others.outcome.status == "INFEASIBLE":
        cheapest = forced_cost(free, am, i, options, time_limit_s=per_bid, hint=hint)  # type: ignore[arg-type]
        if not cheapest.outcome.found:
            return BidResult(**base, reason="coverage", proven=True,
                             detail=f"denied: every roster granting {what_item(b.item)} costs more than the coverage "
                                    "cap (the cheapest one was not found within the time limit)")
        _, penalties = am.rm.extract(Reader(cheapest.outcome.values))
        extra = ((cheapest.outcome.objective or 0) - cap) / am.scale
        changes = coverage_changes(roster.penalties, penalties)
        names = ", ".join(f"{c.name} {c.amount_before:g}->{c.amount_after:g}" for c in changes[:5])
        return BidResult(**base, reason="coverage", extra_cost=extra, coverage=changes,
                         proven=cheapest.outcome.optimal,
                         detail=f"denied: granting {what_item(b.item)} would raise the roster's cost by "
                                f"{'' if cheapest.outcome.optimal else 'about '}{extra:g} over the cap: {names}")
    if not others.outcome.found:
        kind = "outbid" if b.item.mode == "compete" else "crowded_out"
        return BidResult(**base, reason=kind, proven=False,
                         detail=f"denied: {what_item(b.item)} did not fit beside the winning bids; no roster granting "
                                f"it under the coverage cap was found within {per_bid:.1f} s (not proven)")
    o = others.value or 0
    opp = p2 - o
    proven = p2_optimal and others.outcome.optimal
    if b.item.mode == "exchange":
        return BidResult(**base, reason="crowded_out", opportunity_cost=opp, proven=proven,
                         detail=f"denied: {what_item(b.item)} fits the coverage cap alone, but granting it displaces "
                                f"{opp} points of other agents' bids")
    win = opp + 1
    if resolve_ties and proven and opp >= 1:
        again = award_bids(problem, _with_points(bids, i, opp), coverage_tolerance=tol, time_limit_s=time_limit_s,
                           seed=seed, seniority=seniority, explain=False, resolve_ties=False, baseline=baseline,
                           workers=workers, deterministic=deterministic, budget=budget)
        if again.result(b.id).awarded:
            win = opp
    return BidResult(**base, reason="outbid", opportunity_cost=opp, points_to_win=win, proven=proven,
                     detail=f"outbid: {what_item(b.item)} would have been yours with {win} points (you bid "
                            f"{b.item.points}); granting it costs the other bids {opp} points")


def _with_points(bids: Sequence[HeldBid], i: int, points: int) -> list[HeldBid]:
    """The same bids with bid ``i`` offering ``points`` instead."""
    out = list(bids)
    b = out[i]
    out[i] = b.model_copy(update={"item": b.item.model_copy(update={"points": points}), "held": points})
    return out
