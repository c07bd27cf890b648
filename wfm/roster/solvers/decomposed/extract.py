"""From a stage-2 roster to a :class:`RosterSolution`: place breaks, build assignments, price every penalty.

Breaks are placed by re-solving the covering model with the number of agents on each (day, shift) fixed to
what stage 2 assigned, so only the break variants move. Penalties are priced exactly as
:mod:`wfm.roster.rules.soft` prices them (same names, same rule families), so the objective a decomposed
solution reports is the one the monolithic model and the checker compute.
"""

from __future__ import annotations

import numpy as np

from wfm.exceptions import InvalidParameterError, NoSolutionError
from wfm.roster.models import Assignment, Penalty, Period, RosterSolution
from wfm.roster.rules.soft import shortfall_cost
from wfm.roster.solvers.decomposed.covering import CapacityRow, CoverProblem, interval_cost, solve_cover
from wfm.roster.solvers.decomposed.covering_rows import Stage1Columns
from wfm.roster.solvers.decomposed.data import FlatProblem
from wfm.roster.timeline import Timeline

__all__ = ["place_breaks", "build_assignments", "penalties", "coverage_of"]


def place_breaks(fp: FlatProblem, cover: CoverProblem, cols: Stage1Columns, shift: np.ndarray,
                 start_counts: np.ndarray, *, time_limit_s: float, workers: int | None,
                 seed: int, deterministic: bool = False, deadline: float | None = None) -> np.ndarray:
    """Variant counts per stage-1 column given the agents stage 2 put on each (day, shift).

    Starts from ``start_counts`` (stage 1), trimmed or padded to the assigned totals, then lets CP-SAT move
    breaks with the totals fixed. Returns ``(C,)`` counts.
    """
    assigned = np.zeros((fp.n_days, fp.n_shifts), dtype=np.int64)
    for a, d in zip(*np.nonzero(shift >= 0), strict=True):
        assigned[d, shift[a, d]] += 1
    by_ds = cols.index()
    counts = np.zeros(cover.n_columns, dtype=np.int64)
    for (d, s), cs in by_ds.items():
        want = int(assigned[d, s])
        have = start_counts[cs].copy()
        while have.sum() > want:  # drop from the most used variant
            have[int(np.argmax(have))] -= 1
        i = 0
        while have.sum() < want:
            have[i % len(cs)] += 1
            i += 1
        counts[cs] = have
    rows = [CapacityRow(f"assigned(day={d}, shift={s})", cs, np.ones(len(cs), dtype=np.int64),
                        lo=int(assigned[d, s]), hi=int(assigned[d, s])) for (d, s), cs in by_ds.items()]
    upper = np.zeros(cover.n_columns, dtype=np.int64)
    for (d, s), cs in by_ds.items():
        upper[cs] = assigned[d, s]
    fixed = CoverProblem(required=cover.required, cover=cover.cover, short_weights=cover.short_weights,
                         over_weight=cover.over_weight, lower=np.zeros(cover.n_columns, dtype=np.int64),
                         upper=upper, rows=rows, names=cover.names, unit=cover.unit)
    if time_limit_s < 0.5:
        return counts
    try:
        res = solve_cover(fixed, time_limit_s=time_limit_s, workers=workers, seed=seed, hint=counts,
                          deterministic=deterministic, deadline=deadline)
    except NoSolutionError:  # out of time: the stage-1 placements, trimmed to the roster, are valid too
        return counts
    return res.counts


def coverage_of(fp: FlatProblem, cover: CoverProblem, counts: np.ndarray) -> np.ndarray:
    """Agents on the phones per horizon interval."""
    return cover.coverage(counts)


def build_assignments(fp: FlatProblem, cols: Stage1Columns, shift: np.ndarray,
                      counts: np.ndarray) -> list[Assignment]:
    """One :class:`Assignment` per worked (agent, day), breaks handed out from the variant counts."""
    tl = Timeline(fp.problem)
    by_ds = cols.index()
    queue: dict[tuple[int, int], list[int]] = {}
    for (d, s), cs in by_ds.items():
        queue[d, s] = [int(c) for c in cs for _ in range(int(counts[c]))]
    out: list[Assignment] = []
    hz = fp.problem.horizon
    for a, agent in enumerate(fp.problem.agents):
        for d in range(fp.n_days):
            s = int(shift[a, d])
            if s < 0:
                continue
            t = fp.shifts[s]
            q = queue.get((d, s), [])
            if q:
                offsets = fp.variants[d, s][int(cols.variant[q.pop()])].break_offsets
            else:  # defensive: more agents than variant counts; earliest breaks
                offsets = tuple(b.earliest_offset_minutes for b in t.breaks)
            segs = tl.segments(d, t)
            brks = [tl.break_period(d, t, k, off) for k, off in enumerate(offsets)]
            out.append(Assignment(agent=agent.id, date=hz.date_of(d), shift=t.id, start=segs[0][0],
                                  end=segs[-1][1], paid_minutes=t.paid_minutes or 0, tags=list(t.tags),
                                  segments=[Period(start=x0, end=x1) for x0, x1 in segs],
                                  breaks=[Period(start=x0, end=x1) for x0, x1 in brks]))
    return out


def penalties(fp: FlatProblem, shift: np.ndarray, coverage: np.ndarray) -> list[Penalty]:
    """Every soft-rule penalty of a roster, named and priced as the monolithic model names and prices them."""
    p = fp.problem
    w = p.weights
    tl = Timeline(p)
    out: list[Penalty] = []
    # -- interval cover ----------------------------------------------------------------------------
    for (g, skill), cell in sorted(tl.requirements.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        d, t = tl.day_of_interval(g)
        label = f"day={d}, t={t}" + (f", skill={skill}" if skill else "")
        have = float(coverage[g])
        short, over = max(0.0, cell.agents - have), max(0.0, have - cell.agents)
        if short > 1e-9:
            out.append(Penalty(name=f"short({label})", rule="shortfall", amount=short,
                               cost=shortfall_cost(short, w.shortfall)))
        if over > 1e-9 and w.overstaffing > 0:
            out.append(Penalty(name=f"over({label})", rule="overstaffing", amount=over,
                               cost=over * w.overstaffing))
    # -- preferences -------------------------------------------------------------------------------
    if w.preference > 0:
        for a, agent in enumerate(p.agents):
            for pref in agent.preferences:
                d = p.horizon.day_of(pref.date)
                if not 0 <= d < fp.n_days:
                    continue
                s = int(shift[a, d])
                x = s >= 0 if pref.shift is None else (s >= 0 and fp.shifts[s].id == pref.shift)
                violated = (not x) if pref.kind == "on" else x
                if violated:
                    name = f"pref_{pref.kind}(agent={agent.id}, day={d}" + (
                        f", shift={pref.shift})" if pref.shift else ")")
                    out.append(Penalty(name=name, rule="preference", amount=1, cost=pref.weight * w.preference))
    # -- fairness ----------------------------------------------------------------------------------
    if w.fairness > 0:
        weekend_days = [d for g in fp.weekend_groups for d in g]
        for tag in w.fairness_tags:
            counts = []
            for a, agent in enumerate(p.agents):
                if tag == "weekend":
                    counts.append(int(sum(shift[a, d] >= 0 for d in weekend_days)))
                    continue
                con = fp.contracts[fp.agent_contract[a]]
                eligible = any(tag in t.tags and (con.allowed_shifts is None or t.id in con.allowed_shifts)
                               and agent.max_shifts.get(t.id, 1) > 0 for t in fp.shifts)
                if eligible and any(tag in t.tags for t in fp.shifts):
                    counts.append(int(sum(shift[a, d] >= 0 and tag in fp.tags[shift[a, d]]
                                          for d in range(fp.n_days))))
            if len(counts) >= 2 and max(counts) > min(counts):
                spread = max(counts) - min(counts)
                out.append(Penalty(name=f"unfair({tag})", rule="fairness", amount=spread,
                                   cost=spread * w.fairness))
    # -- start consistency -------------------------------------------------------------------------
    if w.start_consistency > 0 and len({t.start for t in fp.shifts}) >= 2:
        for a, agent in enumerate(p.agents):
            if not fp.contracts[fp.agent_contract[a]].shift_start_consistency:
                continue
            for i, week in enumerate(fp.weeks):
                hs = {fp.shifts[shift[a, d]].start for d in week if shift[a, d] >= 0}
                if len(hs) > 1:
                    out.append(Penalty(name=f"start_mix(agent={agent.id}, week={i})",
                                       rule="start_consistency", amount=len(hs) - 1,
                                       cost=(len(hs) - 1) * w.start_consistency))
    return out


def cover_cost_of(fp: FlatProblem, cover: CoverProblem, counts: np.ndarray) -> float:
    """Cover cost (shortfall plus over-staffing) of variant ``counts``."""
    cov = cover.coverage(counts)
    return float(interval_cost(fp.required, cov, cover.short_weights, cover.over_weight).sum())


def rows_of(fp: FlatProblem, solution: RosterSolution) -> tuple[np.ndarray, np.ndarray]:
    """``(shift, variant)`` arrays ``(A, D)`` of a solution (``-1`` = day off); the inverse of
    :func:`build_assignments`. A break placement no variant holds (thinned out) maps to the first variant.
    """
    hz = fp.problem.horizon
    agent_index = {ag.id: a for a, ag in enumerate(fp.problem.agents)}
    shift = np.full((fp.n_agents, fp.n_days), -1, dtype=np.int64)
    var = np.full((fp.n_agents, fp.n_days), -1, dtype=np.int64)
    for x in solution.assignments:
        if x.agent not in agent_index or x.shift not in fp.shift_index or not 0 <= hz.day_of(x.date) < fp.n_days:
            raise InvalidParameterError(f"the solution does not fit the problem: assignment of agent {x.agent!r} "
                                        f"to shift {x.shift!r} on {x.date}")
        a, d, s = agent_index[x.agent], hz.day_of(x.date), fp.shift_index[x.shift]
        offsets = tuple(int((b.start - x.start).total_seconds() // 60) for b in x.breaks)
        variants = fp.variants[d, s]
        shift[a, d] = s
        var[a, d] = next((v for v, vt in enumerate(variants) if vt.break_offsets == offsets), 0)
    return shift, var
