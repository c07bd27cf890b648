"""Paid minutes: over the horizon and per week, within the contract's minimum and maximum."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from wfm.roster.rules.base import AgentView, CpContext, DPSpec, HardRule, RowContext, Violation

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["PaidMinutes"]


class PaidMinutes(HardRule):
    """Paid minutes over the horizon, and per week, stay within the contract's bounds.

    ``min_paid_minutes_per_week`` binds on full weeks only; the maximums bind on every week.

    - DP: the week's and the horizon's minutes so far (each only when a bound uses it).
    - Rows: per week and over the horizon, the group's minutes lie within members × the bounds.
    """

    names = ("min_paid_minutes", "max_paid_minutes", "min_paid_minutes_per_week", "max_paid_minutes_per_week")

    def check(self, view: AgentView) -> Iterator[Violation]:
        c, aid = view.contract, view.agent.id
        total = view.paid(range(view.n_days))
        if c.min_paid_minutes is not None and total < c.min_paid_minutes:
            yield Violation("min_paid_minutes", aid, None, f"{total} < {c.min_paid_minutes} minutes")
        if c.max_paid_minutes is not None and total > c.max_paid_minutes:
            yield Violation("max_paid_minutes", aid, None, f"{total} > {c.max_paid_minutes} minutes")
        for week in view.weeks:
            first = view.date(week[0])
            m = view.paid(week)
            if c.max_paid_minutes_per_week is not None and m > c.max_paid_minutes_per_week:
                yield Violation("max_paid_minutes_per_week", aid, first, f"{m} minutes")
            if c.min_paid_minutes_per_week is not None and len(week) == 7 and m < c.min_paid_minutes_per_week:
                yield Violation("min_paid_minutes_per_week", aid, first, f"{m} minutes")

    def cp(self, ctx: CpContext) -> None:
        for a in ctx.agent_indices:
            c = ctx.contract(a)
            total = ctx.minutes(a, range(ctx.n_days))
            if c.min_paid_minutes is not None:
                ctx.add(total >= c.min_paid_minutes, "min_paid_minutes", a)
            if c.max_paid_minutes is not None:
                ctx.add(total <= c.max_paid_minutes, "max_paid_minutes", a)
        for a in ctx.agent_indices:
            c = ctx.contract(a)
            if c.max_paid_minutes_per_week is None and c.min_paid_minutes_per_week is None:
                continue
            for week in ctx.weeks:
                if not ctx.touch(week):
                    continue
                total = ctx.minutes(a, week)
                if c.max_paid_minutes_per_week is not None:
                    ctx.add(total <= c.max_paid_minutes_per_week, "max_paid_minutes_per_week", a, week[0])
                if c.min_paid_minutes_per_week is not None and len(week) == 7:
                    ctx.add(total >= c.min_paid_minutes_per_week, "min_paid_minutes_per_week", a, week[0])

    def dp(self, spec: DPSpec) -> _Minutes | None:
        c = spec.contract
        weekly = c.min_paid_minutes_per_week is not None or c.max_paid_minutes_per_week is not None
        total = c.min_paid_minutes is not None or c.max_paid_minutes is not None
        return _Minutes(spec, weekly, total) if weekly or total else None

    def week_rows(self, rc: RowContext, w: int, days: list[int], cols: np.ndarray, shifts: list[int],
                  caps: list[int]) -> None:
        con, n = rc.contract, len(rc.members)
        lo = con.min_paid_minutes_per_week * n if (
            con.min_paid_minutes_per_week is not None and len(days) == 7) else None
        hi = con.max_paid_minutes_per_week * n if con.max_paid_minutes_per_week is not None else None
        if lo or hi is not None:
            rc.row(f"paid_minutes(group={rc.cname}, week={w})", cols, rc.fp.paid[shifts], lo=lo, hi=hi)

    def horizon_rows(self, rc: RowContext, cols: np.ndarray, shifts: list[int]) -> None:
        con, n = rc.contract, len(rc.members)
        lo = con.min_paid_minutes * n if con.min_paid_minutes is not None else None
        hi = con.max_paid_minutes * n if con.max_paid_minutes is not None else None
        if lo or hi is not None:
            rc.row(f"paid_minutes(group={rc.cname})", cols, rc.fp.paid[shifts], lo=lo, hi=hi)


class _Minutes:
    """State ``(week minutes, horizon minutes)``; each stays 0 when no bound reads it."""

    def __init__(self, spec: DPSpec, weekly: bool, total: bool) -> None:
        self.c, self.spec, self.weekly, self.total = spec.contract, spec, weekly, total
        self.paid = spec.fp.paid

    def feature(self, d: int, s: int) -> int:
        return int(self.paid[s])

    def init(self) -> tuple[int, int]:
        return (0, 0)

    def step(self, state: tuple[int, int], d: int, f: Any) -> tuple[int, int] | None:
        c = self.c
        wm, hm = state
        if d in self.spec.week_first:
            wm = 0
        if f is not None:
            if self.weekly:
                wm += f
                if c.max_paid_minutes_per_week is not None and wm > c.max_paid_minutes_per_week:
                    return None
            if self.total:
                hm += f
                if c.max_paid_minutes is not None and hm > c.max_paid_minutes:
                    return None
        if (c.min_paid_minutes_per_week is not None and d in self.spec.full_week_last
                and wm < c.min_paid_minutes_per_week):
            return None
        return (wm, hm)

    def final(self, state: tuple[int, int]) -> bool:
        return self.c.min_paid_minutes is None or state[1] >= self.c.min_paid_minutes
