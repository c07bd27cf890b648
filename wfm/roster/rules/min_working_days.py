"""Minimum working days per week: at least N days with a shift in every full week."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from wfm.roster.rules.base import AgentView, CpContext, DPSpec, HardRule, RowContext, Violation

__all__ = ["MinWorkingDays"]


class MinWorkingDays(HardRule):
    """At least ``min_working_days_per_week`` working days in every full week (partial weeks at either end
    of the horizon are free, like the other weekly minimums).

    - CP: per full week, the sum of the agent's days on is at least N.
    - DP: the week's working days so far, checked when a full week ends.
    - Rows: per full week, the group works at least Σ min(N, the member's free days) shifts.
    """

    names = ("min_working_days_per_week",)

    def check(self, view: AgentView) -> Iterator[Violation]:
        k = view.contract.min_working_days_per_week
        if k is None:
            return
        for week in view.weeks:
            on = sum(view.worked[d] for d in week)
            if len(week) == 7 and on < k:
                yield Violation("min_working_days_per_week", view.agent.id, view.date(week[0]), f"{on} days")

    def cp(self, ctx: CpContext) -> None:
        for a in ctx.agent_indices:
            k = ctx.contract(a).min_working_days_per_week
            if not k:
                continue
            for week in ctx.weeks:
                if len(week) == 7 and ctx.touch(week):
                    ctx.add(sum(ctx.day_on(a, d) for d in week) >= k, "min_working_days_per_week", a, week[0])

    def dp(self, spec: DPSpec) -> _Count | None:
        k = spec.contract.min_working_days_per_week
        return _Count(spec, k) if k else None

    def week_rows(self, rc: RowContext, w: int, days: list[int], cols: np.ndarray, shifts: list[int],
                  caps: list[int]) -> None:
        k = rc.contract.min_working_days_per_week
        if k and len(days) == 7:
            lo = sum(min(k, int(rc.works_day[a, days].sum())) for a in rc.members)
            rc.row(f"min_working_days(group={rc.cname}, week={w})", cols, np.ones(len(cols), dtype=np.int64),
                   lo=int(lo))


class _Count:
    """State: working days so far this week."""

    def __init__(self, spec: DPSpec, k: int) -> None:
        self.spec, self.k = spec, k

    def feature(self, d: int, s: int) -> bool:
        return True

    def init(self) -> int:
        return 0

    def step(self, on: int, d: int, f: Any) -> int | None:
        if d in self.spec.week_first:
            on = 0
        on += f is not None
        if d in self.spec.full_week_last and on < self.k:
            return None
        return min(on, self.k)  # beyond the minimum, more days change nothing

    def final(self, on: int) -> bool:
        return True
