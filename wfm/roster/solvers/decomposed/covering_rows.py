"""Stage 1 built from a roster problem: columns are (contract group, day, shift, break variant) counts.

Each capacity row is the sum over agents of a per-agent rule the checker enforces, so any feasible roster
satisfies it and stage 1 is a relaxation: its optimum is a lower bound on the cover cost (shortfall plus
over-staffing) of every roster, hence on the roster objective, whose other terms are non-negative.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from wfm.roster.models import Contract
from wfm.roster.rules import HARD_RULES
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
    """Most shifts agent ``a`` can work on ``days`` (one week) under its contract's rules and leave."""
    c = fp.contracts[fp.agent_contract[a]]
    free = [d for d in days if fp.available[a, d] and fp.locked[a].get(d, -1) is not None]
    caps = [len(free)] + [x for x in (rule.day_cap(c, days) for rule in HARD_RULES) if x is not None]
    return min(caps)


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


@dataclass
class _Group:
    """One contract group, as a rule's :meth:`~wfm.roster.rules.base.HardRule.week_rows` (and friends) read
    it (:class:`wfm.roster.rules.base.RowContext`)."""

    fp: FlatProblem
    contract: Contract
    cname: str
    members: list[int]
    weeks: list[list[int]]
    works_day: np.ndarray
    by_day: dict[int, list[tuple[int, int]]]
    rows: list[CapacityRow]

    def cols_of(self, days: Iterable[int], pred: Callable[[int], bool] = lambda s: True
                ) -> tuple[np.ndarray, list[int]]:
        """The group's columns on ``days`` whose shift satisfies ``pred``, and their shifts."""
        pairs = [(s, c) for d in days for s, c in self.by_day.get(d, []) if pred(s)]
        return np.array([c for _, c in pairs], dtype=np.int64), [s for s, _ in pairs]

    def row(self, name: str, columns: np.ndarray, coefs: np.ndarray, *, lo: int | None = None,
            hi: int | None = None) -> None:
        self.rows.append(CapacityRow(name, columns, coefs, lo=lo, hi=hi))


def _group_rows(fp: FlatProblem, g: int, members: list[int], g_index: dict[tuple[int, int, int], list[int]],
                works_day: np.ndarray) -> list[CapacityRow]:
    """Capacity rows of one contract group: each sums a per-agent rule over the group's agents (the rules'
    own rows, :data:`wfm.roster.rules.HARD_RULES`, plus one shift a day and the working days a week)."""
    con = fp.contracts[fp.agent_contract[members[0]]]
    by_day: dict[int, list[tuple[int, int]]] = {}
    for (gg, d, s), cs in g_index.items():
        if gg == g:
            by_day.setdefault(d, []).extend((s, c) for c in cs)
    rc = _Group(fp, con, con.id, members, fp.weeks, works_day, by_day, [])

    # one shift a day per agent
    for d in range(fp.n_days):
        cs, _ = rc.cols_of([d])
        if len(cs):
            rc.row(f"agents_on_day(group={rc.cname}, day={d})", cs, np.ones(len(cs), dtype=np.int64),
                   hi=int(works_day[members, d].sum()))
    # per week: working days (each member's cap under every rule), then each rule's weekly rows
    for w in range(fp.n_weeks):
        days = list(fp.week_days(w))
        cs, ss = rc.cols_of(days)
        if not len(cs):
            continue
        caps = [_agent_day_cap(fp, a, days) for a in members]
        rc.row(f"working_days(group={rc.cname}, week={w})", cs, np.ones(len(cs), dtype=np.int64),
               hi=int(sum(caps)))
        for rule in HARD_RULES:
            rule.week_rows(rc, w, days, cs, ss, caps)
    cs, ss = rc.cols_of(range(fp.n_days))
    if len(cs):
        for rule in HARD_RULES:
            rule.horizon_rows(rc, cs, ss)
    for rule in HARD_RULES:
        rule.group_rows(rc)
    return rc.rows


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
