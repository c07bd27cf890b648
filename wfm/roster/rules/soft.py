"""Soft rules: each adds weighted terms to the objective and an evaluator that names what was violated.

A soft rule calls ``rm.penalise(expr, weight)`` for every objective term and ``rm.evaluators.append(fn)``
where ``fn(value)`` (``value`` reads a solved expression) returns the :class:`~wfm.roster.models.Penalty`
rows with business names such as ``short(day=3, t=20)`` or ``pref_off(agent=A, day=4, shift=L)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from wfm.roster.models import Penalty
from wfm.roster.rules.calendar import weekend_groups

if TYPE_CHECKING:  # pragma: no cover
    from wfm.roster.solvers.monolithic.model import RosterModel

__all__ = ["SOFT_RULES", "shortfall_cost"]


def shortfall_cost(short: float, marginal: list[float]) -> float:
    """Convex cost of ``short`` missing agents: the k-th agent costs ``marginal[k-1]`` (last one repeats)."""
    cost, k = 0.0, 0
    while short > 1e-9:
        part = min(1.0, short)
        cost += part * marginal[min(k, len(marginal) - 1)]
        short -= part
        k += 1
    return cost


def interval_cover(rm: RosterModel) -> None:
    """Cover the interval requirement: convex shortfall cost per interval, linear over-staffing cost.

    Agents on a shift are counted per (day, shift, skill group) so that an interval's cover is a short sum
    of counts (the aggregated formulation); break placements are counts too, and a break removes the agent
    from the intervals it overlaps.
    """
    cells = rm.timeline.requirements
    if not cells:
        return
    w = rm.problem.weights
    scale = rm.req_scale
    cover = rm.cover_expressions()
    marginal = w.shortfall
    for (g, skill), cell in sorted(cells.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        d, t = rm.timeline.day_of_interval(g)
        label = f"day={d}, t={t}" + (f", skill={skill}" if skill else "")
        expr = cover.get((g, skill), 0)
        need = round(cell.agents * scale)
        # shortfall in 1/scale agents, split into tiers of one agent each with rising marginal cost
        tiers = []
        remaining = need
        for k, m in enumerate(marginal):
            last = k == len(marginal) - 1
            cap = remaining if last else min(scale, remaining)
            if cap <= 0:
                break
            tiers.append(rm.model.new_int_var(0, cap, f"short{k}({label})"))
            rm.penalise(tiers[-1], m / scale)
            remaining -= cap
        if tiers:
            rm.model.add(sum(tiers) + scale * expr >= need)
        if w.overstaffing > 0:
            over = rm.model.new_int_var(0, scale * len(rm.agents), f"over({label})")
            rm.model.add(over >= scale * expr - need)
            rm.penalise(over, w.overstaffing / scale)
        rm.cover_cells.append((g, skill, cell.agents, expr, label))

    def evaluate(value: Callable) -> list[Penalty]:
        out = []
        for _g, _skill, agents, expr, label in rm.cover_cells:
            have = value(expr)
            short, over = max(0.0, agents - have), max(0.0, have - agents)
            if short > 1e-9:
                out.append(Penalty(name=f"short({label})", rule="shortfall", amount=short,
                                   cost=shortfall_cost(short, marginal)))
            if over > 1e-9 and w.overstaffing > 0:
                out.append(Penalty(name=f"over({label})", rule="overstaffing", amount=over,
                                   cost=over * w.overstaffing))
        return out

    rm.evaluators.append(evaluate)


def shift_cover(rm: RosterModel) -> None:
    """Shift-type cover: weighted agents below and above the demand of each (day, shift)."""
    mult = rm.problem.weights.shift_demand
    rows = []
    for sd in rm.problem.shift_demands:
        s = rm.shift_index[sd.shift]
        xs = [rm.work[a, sd.day, s] for a in range(len(rm.agents)) if (a, sd.day, s) in rm.work]
        n = sum(xs)
        label = f"day={sd.day}, shift={sd.shift}"
        if sd.under_weight > 0 and sd.required > 0:
            under = rm.model.new_int_var(0, sd.required, f"under({label})")
            rm.model.add(under >= sd.required - n)
            rm.penalise(under, sd.under_weight * mult)
        if sd.over_weight > 0 and len(xs) > sd.required:
            over = rm.model.new_int_var(0, len(xs) - sd.required, f"over({label})")
            rm.model.add(over >= n - sd.required)
            rm.penalise(over, sd.over_weight * mult)
        rows.append((sd, n, label))

    def evaluate(value: Callable) -> list[Penalty]:
        out = []
        for sd, n, label in rows:
            have = value(n) if not isinstance(n, int) else n
            if have < sd.required and sd.under_weight > 0:
                short = sd.required - have
                out.append(Penalty(name=f"shift_under({label})", rule="shift_under", amount=short,
                                   cost=short * sd.under_weight * mult))
            if have > sd.required and sd.over_weight > 0:
                out.append(Penalty(name=f"shift_over({label})", rule="shift_over", amount=have - sd.required,
                                   cost=(have - sd.required) * sd.over_weight * mult))
        return out

    rm.evaluators.append(evaluate)


def preferences(rm: RosterModel) -> None:
    """Weighted shift-on / shift-off requests: each one not granted costs its weight."""
    mult = rm.problem.weights.preference
    if mult <= 0:
        return
    rows = []
    for a, agent in enumerate(rm.agents):
        for p in agent.preferences:
            d = rm.problem.horizon.day_of(p.date)
            if not 0 <= d < rm.n_days:
                continue
            if p.shift is None:
                x = rm.on[a, d]
            else:
                x = rm.work.get((a, d, rm.shift_index[p.shift]), 0)
            # "on" is violated when x = 0, "off" when x = 1
            violated = (1 - x) if p.kind == "on" else x
            rm.penalise(violated, p.weight * mult)
            name = f"pref_{p.kind}(agent={agent.id}, day={d}" + (f", shift={p.shift})" if p.shift else ")")
            rows.append((violated, p.weight * mult, name))

    def evaluate(value: Callable) -> list[Penalty]:
        out = []
        for violated, weight, name in rows:
            v = violated if isinstance(violated, int) else value(violated)
            if v:
                out.append(Penalty(name=name, rule="preference", amount=1, cost=weight))
        return out

    rm.evaluators.append(evaluate)


def fairness(rm: RosterModel) -> None:
    """Spread unpopular shifts: cost per unit of (max - min) count of each fairness tag across agents.

    'weekend' counts weekend days worked. An agent is eligible for a tag when some shift with the tag is
    open to it (its contract allows it and its personal maximum is not 0).
    """
    w = rm.problem.weights
    if w.fairness <= 0:
        return
    rows = []
    weekend_days = [d for g in weekend_groups(rm) for d in g]
    for tag in w.fairness_tags:
        counts = []
        for a in range(len(rm.agents)):
            if tag == "weekend":
                if not weekend_days:
                    continue
                xs = [rm.on[a, d] for d in weekend_days]
            else:
                if not rm.eligible(a, tag):
                    continue
                xs = rm.tagged(a, tag, range(rm.n_days))
            counts.append(sum(xs))
        if len(counts) < 2:
            continue
        hi = rm.model.new_int_var(0, rm.n_days, f"fair_max({tag})")
        lo = rm.model.new_int_var(0, rm.n_days, f"fair_min({tag})")
        for c in counts:
            rm.model.add(hi >= c)
            rm.model.add(lo <= c)
        rm.penalise(hi - lo, w.fairness)
        rows.append((tag, counts))

    def evaluate(value: Callable) -> list[Penalty]:
        out = []
        for tag, counts in rows:
            vals = [c if isinstance(c, int) else value(c) for c in counts]
            spread = max(vals) - min(vals)
            if spread:
                out.append(Penalty(name=f"unfair({tag})", rule="fairness", amount=spread,
                                   cost=spread * w.fairness))
        return out

    rm.evaluators.append(evaluate)


def start_consistency(rm: RosterModel) -> None:
    """Within a week, each distinct shift start time beyond the first costs ``weights.start_consistency``."""
    weight = rm.problem.weights.start_consistency
    if weight <= 0:
        return
    starts = sorted({t.start for t in rm.shifts})
    if len(starts) < 2:
        return
    rows = []
    for a, c in enumerate(rm.contracts):
        if not c.shift_start_consistency:
            continue
        for i, week in enumerate(rm.weeks):
            used = []
            for h in starts:
                xs = [rm.work[a, d, s] for d in week for s, t in enumerate(rm.shifts)
                      if t.start == h and (a, d, s) in rm.work]
                if not xs:
                    continue
                u = rm.model.new_bool_var(f"starts(agent={rm.agents[a].id}, week={i}, at={h})")
                for x in xs:
                    rm.model.add_implication(x, u)
                used.append(u)
            if len(used) < 2:
                continue
            extra = rm.model.new_int_var(0, len(used) - 1, f"start_mix(agent={rm.agents[a].id}, "
                                                             f"week={i})")
            rm.model.add(extra >= sum(used) - 1)
            rm.penalise(extra, weight)
            rows.append((a, i, week))

    def evaluate(value: Callable) -> list[Penalty]:
        out = []
        for a, i, week in rows:
            hs = {rm.shifts[s].start for d in week for s in range(len(rm.shifts))
                  if (a, d, s) in rm.work and value(rm.work[a, d, s])}
            if len(hs) > 1:
                out.append(Penalty(name=f"start_mix(agent={rm.agents[a].id}, week={i})",
                                   rule="start_consistency", amount=len(hs) - 1, cost=(len(hs) - 1) * weight))
        return out

    rm.evaluators.append(evaluate)


SOFT_RULES: list[Callable[[RosterModel], None]] = [
    interval_cover, shift_cover, preferences, fairness, start_consistency,
]
