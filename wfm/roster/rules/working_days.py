"""Working days per week: at most N working days in any week, at least N days off in a full week."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wfm.roster.models import Contract
from wfm.roster.rules.base import AgentView, CpContext, DPSpec, HardRule, Violation

__all__ = ["WorkingDays"]


class WorkingDays(HardRule):
    """At most ``max_working_days_per_week`` working days per week; at least ``min_days_off_per_week``
    days off per full week (a leave day is a day off).

    - DP: the week's working days so far.
    - Rows: the group's working-days-per-week row, through :meth:`day_cap`.
    """

    names = ("max_working_days_per_week", "min_days_off_per_week")

    def check(self, view: AgentView) -> Iterator[Violation]:
        c = view.contract
        for week in view.weeks:
            on = sum(view.worked[d] for d in week)
            if c.max_working_days_per_week is not None and on > c.max_working_days_per_week:
                yield Violation("max_working_days_per_week", view.agent.id, view.date(week[0]), f"{on} days")
            if c.min_days_off_per_week is not None and len(week) == 7 and 7 - on < c.min_days_off_per_week:
                yield Violation("min_days_off_per_week", view.agent.id, view.date(week[0]), f"{7 - on} days off")

    def cp(self, ctx: CpContext) -> None:
        for a in ctx.agent_indices:
            c = ctx.contract(a)
            if c.max_working_days_per_week is None and c.min_days_off_per_week is None:
                continue
            for week in ctx.weeks:
                if not ctx.touch(week):
                    continue
                on = sum(ctx.day_on(a, d) for d in week)
                if c.max_working_days_per_week is not None and len(week) > c.max_working_days_per_week:
                    ctx.add(on <= c.max_working_days_per_week, "max_working_days_per_week", a, week[0])
                if c.min_days_off_per_week is not None and len(week) == 7:
                    ctx.add(on <= 7 - c.min_days_off_per_week, "min_days_off_per_week", a, week[0])

    def dp(self, spec: DPSpec) -> _Days | None:
        c = spec.contract
        if c.max_working_days_per_week is None and c.min_days_off_per_week is None:
            return None
        return _Days(spec)

    def day_cap(self, contract: Contract, days: list[int]) -> int | None:
        caps = []
        if contract.max_working_days_per_week is not None:
            caps.append(contract.max_working_days_per_week)
        if contract.min_days_off_per_week is not None and len(days) == 7:
            caps.append(7 - contract.min_days_off_per_week)
        return min(caps) if caps else None


class _Days:
    """State: working days so far this week."""

    def __init__(self, spec: DPSpec) -> None:
        self.spec = spec
        c = spec.contract
        self.most = c.max_working_days_per_week
        self.off = c.min_days_off_per_week

    def feature(self, d: int, s: int) -> bool:
        return True

    def init(self) -> int:
        return 0

    def step(self, wd: int, d: int, f: Any) -> int | None:
        if d in self.spec.week_first:
            wd = 0
        if f is not None:
            wd += 1
            if self.most is not None and wd > self.most:
                return None
        if self.off is not None and d in self.spec.full_week_last and wd > 7 - self.off:
            return None
        return wd

    def final(self, wd: int) -> bool:
        return True
