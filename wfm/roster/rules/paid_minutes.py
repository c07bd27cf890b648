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

    ``min_paid_minutes_per_week`` binds on full weeks only; the maximums bind on every week. Each leave day
    counts ``leave_credit_minutes`` toward the minimums (not the maximums): a week of leave with a credit of
    450 meets a 36-hour weekly minimum.

    - DP: the week's and the horizon's minutes so far (each only when a bound uses it).
    - Rows: per week and over the horizon, the group's minutes lie within members × the bounds.
    """

    names = ("min_paid_minutes", "max_paid_minutes", "min_paid_minutes_per_week", "max_paid_minutes_per_week")

    def check(self, view: AgentView) -> Iterator[Violation]:
        c, aid = view.contract, view.agent.id
        credit = c.leave_credit_minutes
        total = view.paid(range(view.n_days))
        credited = total + credit * len(view.leave_days)
        if c.min_paid_minutes is not None and credited < c.min_paid_minutes:
            yield Violation("min_paid_minutes", aid, None, f"{credited} < {c.min_paid_minutes} minutes")
        if c.max_paid_minutes is not None and total > c.max_paid_minutes:
            yield Violation("max_paid_minutes", aid, None, f"{total} > {c.max_paid_minutes} minutes")
        for week in view.weeks:
            first = view.date(week[0])
            m = view.paid(week)
            if c.max_paid_minutes_per_week is not None and m > c.max_paid_minutes_per_week:
                yield Violation("max_paid_minutes_per_week", aid, first, f"{m} minutes")
            m += credit * len(view.leave_days.intersection(week))
            if c.min_paid_minutes_per_week is not None and len(week) == 7 and m < c.min_paid_minutes_per_week:
                yield Violation("min_paid_minutes_per_week", aid, first, f"{m} minutes")

    def cp(self, ctx: CpContext) -> None:
        for a in ctx.agent_indices:
            c = ctx.contract(a)
            total = ctx.minutes(a, range(ctx.n_days))
            if c.min_paid_minutes is not None:
                ctx.add(total >= c.min_paid_minutes - _credit(ctx, a, range(ctx.n_days)), "min_paid_minutes", a)
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
                    ctx.add(total >= c.min_paid_minutes_per_week - _credit(ctx, a, week), "min_paid_minutes_per_week",
                            a, week[0])

    def dp(self, spec: DPSpec) -> _Minutes | None:
        c = spec.contract
        weekly = c.min_paid_minutes_per_week is not None or c.max_paid_minutes_per_week is not None
        total = c.min_paid_minutes is not None or c.max_paid_minutes is not None
        return _Minutes(spec, weekly, total) if weekly or total else None

    def week_rows(self, rc: RowContext, w: int, days: list[int], cols: np.ndarray, shifts: list[int],
                  caps: list[int]) -> None:
        con = rc.contract
        lo = _group_minimum(rc, con.min_paid_minutes_per_week, days) if len(days) == 7 else None
        hi = con.max_paid_minutes_per_week * len(rc.members) if con.max_paid_minutes_per_week is not None else None
        if lo or hi is not None:
            rc.row(f"paid_minutes(group={rc.cname}, week={w})", cols, rc.fp.paid[shifts], lo=lo, hi=hi)

    def horizon_rows(self, rc: RowContext, cols: np.ndarray, shifts: list[int]) -> None:
        con, n = rc.contract, len(rc.members)
        lo = _group_minimum(rc, con.min_paid_minutes, range(rc.fp.n_days))
        hi = con.max_paid_minutes * n if con.max_paid_minutes is not None else None
        if lo or hi is not None:
            rc.row(f"paid_minutes(group={rc.cname})", cols, rc.fp.paid[shifts], lo=lo, hi=hi)


def _credit(ctx: CpContext, a: int, days: range | list[int]) -> int:
    """Paid minutes agent ``a``'s leave on ``days`` counts toward a minimum."""
    credit = ctx.contract(a).leave_credit_minutes
    if not credit:
        return 0
    leave = {ctx.day_of(x) for x in ctx.agent(a).leave}
    return credit * sum(1 for d in days if d in leave)


def _group_minimum(rc: RowContext, minimum: int | None, days: range | list[int]) -> int | None:
    """The group's minimum paid minutes on ``days``: each member's, less its credited leave (not below 0)."""
    if minimum is None:
        return None
    credit = rc.contract.leave_credit_minutes
    if not credit:
        return minimum * len(rc.members)
    days = list(days)
    return int(sum(max(0, minimum - credit * int((~rc.fp.available[a, days]).sum())) for a in rc.members))


class _Minutes:
    """State ``(week minutes, horizon minutes)``; each stays 0 when no bound reads it."""

    def __init__(self, spec: DPSpec, weekly: bool, total: bool) -> None:
        self.c, self.spec, self.weekly, self.total = spec.contract, spec, weekly, total
        self.paid = spec.fp.paid
        # credited leave is fixed per graph: it lowers the minimums, never adds to the state
        credit = spec.contract.leave_credit_minutes
        self.week_credit = {w[-1]: credit * len(spec.leave.intersection(w)) for w in spec.weeks}
        self.total_credit = credit * len(spec.leave)

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
                and wm + self.week_credit[d] < c.min_paid_minutes_per_week):
            return None
        return (wm, hm)

    def final(self, state: tuple[int, int]) -> bool:
        return self.c.min_paid_minutes is None or state[1] + self.total_credit >= self.c.min_paid_minutes
