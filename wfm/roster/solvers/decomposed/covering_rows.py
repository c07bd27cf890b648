"""Stage 1 built from a roster problem: columns are (contract group, day, shift, break variant) counts.

Each capacity row is the sum over agents of a per-agent rule the checker enforces, so any feasible roster
satisfies it and stage 1 is a relaxation: its optimum is a lower bound on the cover cost (shortfall plus
over-staffing) of every roster, hence on the roster objective, whose other terms are non-negative.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wfm.roster.solvers.decomposed.covering import CapacityRow, CoverProblem, interval_cost
from wfm.roster.solvers.decomposed.data import FlatProblem

__all__ = ["GroupColumns", "Stage1Columns", "build_stage1", "slot_values"]


@dataclass
class Stage1Columns:
    """Which (day, shift, break variant, contract group) each stage-1 column is."""

    day: np.ndarray
    shift: np.ndarray
    variant: np.ndarray
    group: np.ndarray | None = None

    def index(self) -> dict[tuple[int, int], np.ndarray]:
        """Columns of each (day, shift)."""
        out: dict[tuple[int, int], list[int]] = {}
        for c, (d, s) in enumerate(zip(self.day, self.shift, strict=True)):
            out.setdefault((int(d), int(s)), []).append(c)
        return {k: np.array(v, dtype=np.int64) for k, v in out.items()}


def _agent_day_cap(fp: FlatProblem, a: int, days: list[int]) -> int:
    """Most shifts agent ``a`` can work on ``days`` (one week) under its day-count rules and leave."""
    c = fp.contracts[fp.agent_contract[a]]
    free = [d for d in days if fp.available[a, d] and fp.locked[a].get(d, -1) is not None]
    cap = len(free)
    if c.max_working_days_per_week is not None:
        cap = min(cap, c.max_working_days_per_week)
    if c.min_days_off_per_week is not None and len(days) == 7:
        cap = min(cap, 7 - c.min_days_off_per_week)
    k = c.max_consecutive_working_days
    if k is not None and len(days) > k:
        cap = min(cap, len(days) - len(days) // (k + 1))
    return cap


@dataclass
class GroupColumns:
    """Contract groups of the stage-1 columns: ``index[g, d, s]`` lists the columns of group ``g``."""

    groups: list[list[int]]          # agent indices of each group
    index: dict[tuple[int, int, int], list[int]]


def build_stage1(fp: FlatProblem, *, short_weights: tuple[float, ...],
                 over_weight: float) -> tuple[CoverProblem, Stage1Columns, GroupColumns]:
    """The covering model of ``fp`` (see module docstring).

    A column ``x[g, d, s, v]`` counts agents of contract group ``g`` on shift ``s`` on day ``d`` with break
    variant ``v``. Every capacity row is written per group, summing the per-agent rules of the group's
    contract over its agents (so each is implied by any feasible roster). Columns carry the group so a
    local search move (one more agent of a group on a shift) is a change of one variable.

    Parameters
    ----------
    fp:
        Flattened roster problem.
    short_weights, over_weight:
        Cover cost per missing agent (convex tiers) and per surplus agent, per interval.
    """
    n_a, n_d = fp.n_agents, fp.n_days
    works_day = fp.available & np.array([[fp.locked[a].get(d, -1) is not None for d in range(n_d)]
                                         for a in range(n_a)]).reshape(n_a, n_d)
    groups_by_contract: dict[int, list[int]] = {}
    for a in range(n_a):
        groups_by_contract.setdefault(int(fp.agent_contract[a]), []).append(a)
    groups = [groups_by_contract[k] for k in sorted(groups_by_contract)]

    cols_g: list[int] = []
    cols_d: list[int] = []
    cols_s: list[int] = []
    cols_v: list[int] = []
    cover: list[np.ndarray] = []
    names: list[str] = []
    upper_list: list[int] = []
    g_index: dict[tuple[int, int, int], list[int]] = {}
    rows: list[CapacityRow] = []
    for (d, s), vs in sorted(fp.variants.items()):
        for g, members in enumerate(groups):
            able = int(np.sum(works_day[members, d] & fp.allowed[members, s]))
            if able == 0:
                continue
            cname = fp.contracts[fp.agent_contract[members[0]]].id
            first = len(cover)
            for v, var in enumerate(vs):
                cols_g.append(g)
                cols_d.append(d)
                cols_s.append(s)
                cols_v.append(v)
                cover.append(var.intervals)
                names.append(f"group={cname}, day={d}, shift={fp.shifts[s].id}, breaks={var.break_offsets}")
                upper_list.append(able)
            cs = list(range(first, len(cover)))
            g_index[g, d, s] = cs
            locked = sum(1 for a in members if fp.locked[a].get(d, -1) == s and fp.available[a, d])
            if locked or len(cs) > 1:
                rows.append(CapacityRow(f"shift_count(group={cname}, day={d}, shift={fp.shifts[s].id})",
                                        np.array(cs, dtype=np.int64), np.ones(len(cs), dtype=np.int64),
                                        lo=locked or None, hi=able))
    cols = Stage1Columns(np.array(cols_d, dtype=np.int64), np.array(cols_s, dtype=np.int64),
                         np.array(cols_v, dtype=np.int64), np.array(cols_g, dtype=np.int64))
    n_c = len(cover)
    lower = np.zeros(n_c, dtype=np.int64)
    upper = np.array(upper_list, dtype=np.int64)
    for g, members in enumerate(groups):
        rows += _group_rows(fp, g, members, g_index, works_day)

    # whole agents when every requirement is whole, else hundredths (as the monolithic model does)
    unit = 1 if np.all(np.isclose(fp.required, np.round(fp.required))) else 100
    required = np.round(fp.required * unit).astype(np.int64)
    problem = CoverProblem(required=required, cover=cover, short_weights=short_weights,
                           over_weight=over_weight, lower=lower, upper=upper, rows=rows, names=names,
                           unit=unit)
    return problem, cols, GroupColumns(groups=groups, index=g_index)


def _group_rows(fp: FlatProblem, g: int, members: list[int], g_index: dict[tuple[int, int, int], list[int]],
                works_day: np.ndarray) -> list[CapacityRow]:
    """Capacity rows of one contract group: each sums a per-agent rule over the group's agents."""
    con = fp.contracts[fp.agent_contract[members[0]]]
    cname = con.id
    n_d = fp.n_days
    rows: list[CapacityRow] = []
    by_day: dict[int, list[tuple[int, int]]] = {}
    for (gg, d, s), cs in g_index.items():
        if gg == g:
            by_day.setdefault(d, []).extend((s, c) for c in cs)

    def cols_of(days: list[int], pred=lambda s: True) -> tuple[np.ndarray, list[int]]:  # noqa: ANN001
        pairs = [(s, c) for d in days for s, c in by_day.get(d, []) if pred(s)]
        return np.array([c for _, c in pairs], dtype=np.int64), [s for s, _ in pairs]

    def ones(cs: np.ndarray) -> np.ndarray:
        return np.ones(len(cs), dtype=np.int64)

    # one shift a day per agent
    for d in range(n_d):
        cs, _ = cols_of([d])
        if len(cs):
            rows.append(CapacityRow(f"agents_on_day(group={cname}, day={d})", cs, ones(cs),
                                    hi=int(works_day[members, d].sum())))
    # per week: working days, paid minutes, tagged shifts
    for w in range(fp.n_weeks):
        days = list(fp.week_days(w))
        cs, ss = cols_of(days)
        if not len(cs):
            continue
        caps = [_agent_day_cap(fp, a, days) for a in members]
        rows.append(CapacityRow(f"working_days(group={cname}, week={w})", cs, ones(cs), hi=int(sum(caps))))
        paid = fp.paid[ss]
        lo = con.min_paid_minutes_per_week * len(members) if (
            con.min_paid_minutes_per_week is not None and len(days) == 7) else None
        hi = con.max_paid_minutes_per_week * len(members) if con.max_paid_minutes_per_week is not None else None
        if lo or hi is not None:
            rows.append(CapacityRow(f"paid_minutes(group={cname}, week={w})", cs, paid, lo=lo, hi=hi))
        for tag, k in con.max_tag_per_week.items():
            tcs, _ = cols_of(days, lambda s, tag=tag: tag in fp.tags[s])
            if len(tcs):
                cap = sum(min(k, c) for c in caps)
                rows.append(CapacityRow(f"max_tag_per_week(group={cname}, week={w}, tag={tag})", tcs,
                                        ones(tcs), hi=int(cap)))
    all_days = list(range(n_d))
    cs, ss = cols_of(all_days)
    if len(cs):
        lo = con.min_paid_minutes * len(members) if con.min_paid_minutes is not None else None
        hi = con.max_paid_minutes * len(members) if con.max_paid_minutes is not None else None
        if lo or hi is not None:
            rows.append(CapacityRow(f"paid_minutes(group={cname})", cs, fp.paid[ss], lo=lo, hi=hi))
        for tag, k in con.max_tag_per_horizon.items():
            tcs, _ = cols_of(all_days, lambda s, tag=tag: tag in fp.tags[s])
            if len(tcs):
                rows.append(CapacityRow(f"max_tag_per_horizon(group={cname}, tag={tag})", tcs, ones(tcs),
                                        hi=int(k * len(members))))
    # minimum runs: an interior day off (on) has a neighbour off (on), per agent and so per group
    n_g = len(members)
    for rule, k in (("off", con.min_consecutive_days_off), ("on", con.min_consecutive_working_days)):
        if not k or k < 2:
            continue
        for d in range(1, n_d - 1):
            prev, _ = cols_of([d - 1])
            mid, _ = cols_of([d])
            nxt, _ = cols_of([d + 1])
            if rule == "off":  # w[d-1] + w[d+1] - w[d] <= 1
                cs = np.concatenate([prev, nxt, mid])
                coefs = np.concatenate([ones(prev), ones(nxt), -ones(mid)])
                rows.append(CapacityRow(f"min_consecutive_days_off(group={cname}, day={d})", cs, coefs,
                                        hi=n_g))
            else:  # w[d] - w[d-1] - w[d+1] <= 0
                cs = np.concatenate([mid, prev, nxt])
                coefs = np.concatenate([ones(mid), -ones(prev), -ones(nxt)])
                rows.append(CapacityRow(f"min_consecutive_working_days(group={cname}, day={d})", cs, coefs,
                                        hi=0))
    # max consecutive working days: every window of k+1 days has a day off
    kmax = con.max_consecutive_working_days
    if kmax is not None and kmax < n_d:
        for d in range(n_d - kmax):
            cs, _ = cols_of(list(range(d, d + kmax + 1)))
            if len(cs):
                rows.append(CapacityRow(f"max_consecutive_working_days(group={cname}, day={d})", cs, ones(cs),
                                        hi=kmax * n_g))
    # rest and forbidden successions: a late end on d and an early start on d+1 are never one agent's
    rest = int(con.min_rest_hours * 60) if con.min_rest_hours else None
    pairs = [(fs.first, fs.second) for fs in con.forbidden_successions]
    for d in range(n_d - 1):
        today = sorted({s for s, _ in by_day.get(d, [])})
        tomorrow = sorted({s for s, _ in by_day.get(d + 1, [])})
        if not today or not tomorrow:
            continue
        able = int(np.sum(works_day[members, d] | works_day[members, d + 1]))

        def clash(s1: int, s2: int, d: int = d) -> bool:
            if rest is not None and fp.start_min[d + 1, s2] - fp.end_min[d, s1] < rest:
                return True
            return any(f.matches(fp.shifts[s1]) and h.matches(fp.shifts[s2]) for f, h in pairs)

        seen: set[tuple[tuple[int, ...], tuple[int, ...]]] = set()
        for s1 in today:
            # the shifts of today that clash with everything s1 clashes with, and those shifts
            later = [s2 for s2 in tomorrow if clash(s1, s2)]
            if not later:
                continue
            firsts = [t for t in today if all(clash(t, s2) for s2 in later)]
            key = (tuple(firsts), tuple(later))
            if key in seen:
                continue
            seen.add(key)
            c1, _ = cols_of([d], lambda s, f=set(firsts): s in f)
            c2, _ = cols_of([d + 1], lambda s, ll=set(later): s in ll)
            cs = np.concatenate([c1, c2])
            rows.append(CapacityRow(f"rest(group={cname}, day={d}, first={fp.shifts[s1].id})", cs, ones(cs),
                                    hi=able))
    # weekends: per window of 4 weekends and weekend weekday, at most the weekends each agent may work
    groups_w = fp.weekend_groups
    if con.max_weekends_per_4_weeks is not None or con.max_weekends is not None:
        for i in range(max(1, len(groups_w) - 3)):
            window = groups_w[i:i + 4]
            by_wd: dict[int, list[int]] = {}
            for grp in window:
                for d in grp:
                    by_wd.setdefault(fp.problem.horizon.date_of(d).weekday(), []).append(d)
            k = min(x for x in (con.max_weekends_per_4_weeks, con.max_weekends) if x is not None)
            for wd, days in sorted(by_wd.items()):
                cs, _ = cols_of(days)
                if len(cs):
                    cap = sum(min(k, int(works_day[a, days].sum())) for a in members)
                    rows.append(CapacityRow(f"weekends(group={cname}, window={i}, weekday={wd})", cs, ones(cs),
                                            hi=int(cap)))
            # any weekend day: each weekend worked gives at most its days
            days = [d for grp in window for d in grp]
            cs, _ = cols_of(days)
            if len(cs):
                cap = sum(min(k * max(len(grp) for grp in window), int(works_day[a, days].sum()))
                          for a in members)
                rows.append(CapacityRow(f"weekend_days(group={cname}, window={i})", cs, ones(cs), hi=int(cap)))
    return rows


def slot_values(fp: FlatProblem, cover: CoverProblem, cols: Stage1Columns,
                     counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cover cost of removing one agent from each (day, shift) slot, and of adding one."""
    cov = cover.coverage(counts).astype(float)
    req = fp.required
    sw, ow = cover.short_weights, cover.over_weight
    base = interval_cost(req, cov, sw, ow)
    under = np.zeros((fp.n_days, fp.n_shifts))
    over = np.zeros((fp.n_days, fp.n_shifts))
    for (d, s), cs in cols.index().items():
        best_minus, best_plus = np.inf, np.inf
        for c in cs:
            idx = cover.cover[c]
            if not len(idx):
                best_plus = min(best_plus, 0.0)
                if counts[c] > 0:
                    best_minus = min(best_minus, 0.0)
                continue
            now = base[idx].sum()
            plus = interval_cost(req[idx], cov[idx] + 1, sw, ow).sum() - now
            best_plus = min(best_plus, plus)
            if counts[c] > 0:
                minus = interval_cost(req[idx], cov[idx] - 1, sw, ow).sum() - now
                best_minus = min(best_minus, minus)
        under[d, s] = 0.0 if not np.isfinite(best_minus) else best_minus
        over[d, s] = best_plus
    # the values are linear around the stage-1 counts: a negative price for an extra shift would reward
    # every further copy alike (the real gain vanishes after one or two), so extras always cost something
    # and an open slot never pays
    return np.maximum(under, 0.0), np.maximum(over, 1.0)
