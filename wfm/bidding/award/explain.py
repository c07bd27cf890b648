"""Why a bid was denied: its agent's own labour rules, the coverage cap, or the other bids.

Three tests, cheapest first, each exact when its solve finishes (``proven`` says so):

1. **labour rule** — a one-agent roster model (the agent's contract, leave, locks and shift maxima; no cover)
   with the item forced and one assumption literal per rule group: infeasible means no roster whatever can
   grant it; the assumption core names the rules.
2. **coverage** — the award model with the cost cap and the item forced: infeasible means every roster
   granting it costs more than the cap. The cheapest such roster (cap lifted) says by how much and which
   penalties (intervals short, shifts under-covered) grow against the awarded roster.
3. **outbid / crowded out** — otherwise the item fits under the cap but not beside the winning bids. With
   ``P*`` the optimal points (the award's stage 2; a denied bid's removal leaves it unchanged) and ``O`` the
   best points of the *other* bids with the item forced, granting it displaces ``P* - O`` points
   (its opportunity cost); a compete bid offering ``P* - O + 1`` points wins it outright, and one offering
   exactly ``P* - O`` ties, which the fairness stage and the draw then decide.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from wfm.bidding.award.model import AwardModel, Outcome, SolveOptions
from wfm.bidding.award.results import CoverageChange
from wfm.bidding.award.targets import item_holds
from wfm.bidding.models import BidItem
from wfm.roster.models import Penalty, RosterProblem
from wfm.roster.solvers.monolithic.model import RosterModel

__all__ = ["labour_rules", "Reader", "coverage_changes", "Forced", "forced_others", "forced_cost"]


class Reader:
    """Reads a stored solution vector the way a CP-SAT solver object does (for ``RosterModel.extract``)."""

    def __init__(self, values: Sequence[int]) -> None:
        self.values = values

    def value(self, expr: Any) -> int:
        return AwardModel.value(self.values, expr)

    def boolean_value(self, lit: Any) -> bool:
        return bool(self.value(lit))


def labour_rules(problem: RosterProblem, agent: str, item: BidItem, options: SolveOptions, *,
                 time_limit_s: float) -> tuple[list[str] | None, bool]:
    """The agent's own hard rules that make ``item`` impossible, or None when some roster of the agent alone
    grants it; and whether that verdict is proven (a time limit may cut the search)."""
    me = next(a for a in problem.agents if a.id == agent)
    alone = problem.model_copy(update={"agents": [me], "requirements": [], "shift_demands": []})
    rm = RosterModel(alone, explain=True)
    won = item_holds(rm, 0, item, "forced")
    rm.model.add(won == 1)
    keys = list(rm.guards)
    lits = [rm.guards[k] for k in keys]

    def clash(subset: list[int]) -> tuple[bool | None, list[int]]:
        rm.model.clear_assumptions()
        rm.model.add_assumptions([lits[i] for i in subset])
        solver = options.solver(time_limit_s)
        solver.parameters.num_workers = 1  # a single worker returns the assumption core
        status = solver.solve(rm.model)
        if status == cp_model.INFEASIBLE:
            pos = {lits[i].index: i for i in subset}
            return True, [pos[c] for c in solver.sufficient_assumptions_for_infeasibility() if c in pos]
        return (False if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None), subset

    verdict, core = clash(list(range(len(keys))))
    if verdict is not True:
        return None, verdict is False
    # deletion filter: drop a rule group whenever the others still clash, so only the rules that matter remain
    i = 0
    while i < len(core):
        trial = core[:i] + core[i + 1:]
        res, sub = clash(trial)
        if res is True:
            core = [c for c in trial if c in set(sub)] or trial
        else:
            i += 1
    core = [keys[c] for c in core]
    names = []
    for rule, _agent, d in core:
        label = rule if d is None else f"{rule} on {alone.horizon.date_of(d)}"
        if label not in names:
            names.append(label)
    # no rule group in the core: the item itself cannot hold (a shift that does not run that day)
    return names or ["shift_weekdays"], True


def coverage_changes(before: Sequence[Penalty], after: Sequence[Penalty], limit: int = 20) -> list[CoverageChange]:
    """Penalties larger in ``after`` than in ``before`` (by cost, largest first, at most ``limit``)."""
    old = {p.name: p for p in before}
    out = []
    for p in after:
        q = old.get(p.name)
        amount0, cost0 = (q.amount, q.cost) if q else (0.0, 0.0)
        if p.cost > cost0 + 1e-9:
            out.append(CoverageChange(name=p.name, rule=p.rule, amount_before=amount0, amount_after=p.amount,
                                      cost_change=p.cost - cost0))
    out.sort(key=lambda c: (-c.cost_change, c.name))
    return out[:limit]


@dataclass
class Forced:
    """A solve with one bid forced: the outcome and its value."""

    outcome: Outcome

    @property
    def value(self) -> int | None:
        return None if self.outcome.objective is None else round(self.outcome.objective)


def _hint(m: cp_model.CpModel, hint: Sequence[int] | None) -> None:
    """Start from the award's roster (it breaks only the forced bid, which CP-SAT then repairs)."""
    m.clear_hints()
    n = len(m.proto.variables)  # the later stages' variables (shares, ...) are not in this model
    values = [int(v) for v in (hint or [])[:n]]
    proto = m.proto.solution_hint  # the repeated fields directly: add_hint per variable is 150x slower
    proto.vars.extend(range(len(values)))
    proto.values.extend(values)


def forced_others(capped: cp_model.CpModel, am: AwardModel, i: int, options: SolveOptions, *,
                  time_limit_s: float, hint: Sequence[int] | None = None) -> Forced:
    """Best points of the bids other than ``i`` with bid ``i`` granted, under the cost cap (``capped``)."""
    m = capped.clone()
    _hint(m, hint)
    m.add(m.get_bool_var_from_proto_index(am.won[i].index) == 1)
    m.maximize(sum(p * m.get_bool_var_from_proto_index(w.index)
                   for j, (p, w) in enumerate(zip(am.points, am.won, strict=True)) if j != i))
    return Forced(am.run(options, time_limit_s=time_limit_s, model=m))


def forced_cost(free: cp_model.CpModel, am: AwardModel, i: int, options: SolveOptions, *,
                time_limit_s: float, hint: Sequence[int] | None = None) -> Forced:
    """Least roster cost (model units) with bid ``i`` granted, the cap lifted (``free``)."""
    m = free.clone()
    _hint(m, hint)
    m.add(m.get_bool_var_from_proto_index(am.won[i].index) == 1)
    m.minimize(am.cost)
    t0 = time.perf_counter()
    out = am.run(options, time_limit_s=time_limit_s, model=m)
    out.time_s = time.perf_counter() - t0
    return Forced(out)
