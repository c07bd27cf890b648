"""Minimum working days per week: at least N days with a shift in every full week."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from wfm.roster.rules.base import AgentView, CpContext, DPSpec, HardRule, RowContext, Violation

__all__ = ["MinWorkingDays"]


class MinWorkingDays(HardRule):
    """At least ``min_working_days_per_week`` working days in every full week (partial weeks at either end
    of the horizon are free, like the other weekly minimums); with ``leave_counts_as_working_day`` each
    leave day counts as one.

    - CP: per full week, the sum of the agent's days on is at least N.
    - DP: the week's working days so far, checked when a full week ends.
    - Rows: per full week, the group works at least Σ min(N, the member's free days) shifts.
    """

    names = ("min_working_days_per_week",)

    def check(self, view: AgentView) -> Iterator[Violation]:
        k = view.contract.min_working_days_per_week
        if k is None:
            return
        credit = view.contract.leave_counts_as_working_day
        for week in view.weeks:
            on = sum(view.worked[d] for d in week) + (len(view.leave_days.intersection(week)) if credit else 0)
            if len(week) == 7 and on < k:
                yield Violation("min_working_days_per_week", view.agent.id, view.date(week[0]), f"{on} days")

    def cp(self, ctx: CpContext) -> None:
        for a in ctx.agent_indices:
            c = ctx.contract(a)
            k = c.min_working_days_per_week
            if not k:
                continue
            leave = {ctx.day_of(x) for x in ctx.agent(a).leave} if c.leave_counts_as_working_day else set()
            for week in ctx.weeks:
                if len(week) == 7 and ctx.touch(week):
                    need = k - len(leave.intersection(week))
                    if need > 0:
                        ctx.add(sum(ctx.day_on(a, d) for d in week) >= need, "min_working_days_per_week", a,
                                week[0])

    def dp(self, spec: DPSpec) -> _Count | None:
        k = spec.contract.min_working_days_per_week
        return _Count(spec, k) if k else None

    def week_rows(self, rc: RowContext, w: int, days: list[int], cols: np.ndarray, shifts: list[int],
                  caps: list[int]) -> None:
        k = rc.contract.min_working_days_per_week
        if k and len(days) == 7:
            credit = rc.contract.leave_counts_as_working_day
            lo = sum(max(0, min(k - (int((~rc.fp.available[a, days]).sum()) if credit else 0),
                                int(rc.works_day[a, days].sum()))) for a in rc.members)
            rc.row(f"min_working_days(group={rc.cname}, week={w})", cols, np.ones(len(cols), dtype=np.int64),
                   lo=int(lo))


class _Count:
    """State: working days so far this week."""

    def __init__(self, spec: DPSpec, k: int) -> None:
        self.spec, self.k = spec, k
        credit = spec.contract.leave_counts_as_working_day
        self.credit = {w[-1]: len(spec.leave.intersection(w)) if credit else 0 for w in spec.weeks}

    def feature(self, d: int, s: int) -> bool:
        return True

    def init(self) -> int:
        return 0

    def step(self, on: int, d: int, f: Any) -> int | None:
        if d in self.spec.week_first:
            on = 0
        on += f is not None
        if d in self.spec.full_week_last and on + self.credit[d] < self.k:
            return None
        return min(on, self.k)  # beyond the minimum, more days change nothing

    def final(self, on: int) -> bool:
        return True
