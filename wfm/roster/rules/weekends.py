"""Weekends: at most N weekends worked in the horizon, and per window of 4 consecutive weekends."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from wfm.roster.rules.base import AgentView, CpContext, DPSpec, HardRule, RowContext, Violation

__all__ = ["MaxWeekends"]


class MaxWeekends(HardRule):
    """``max_weekends`` in the horizon and ``max_weekends_per_4_weeks`` in every window of 4 weekends.

    A weekend (the problem's ``weekend_days`` of one ISO week) is worked when any of its days has a shift.

    - DP: whether the current weekend is worked, the last three weekends (4-week rule) and the count.
    - Rows: per window of 4 weekends, per weekend weekday and over all its days, at most what each member
      may work.
    """

    names = ("max_weekends", "max_weekends_per_4_weeks")

    def check(self, view: AgentView) -> Iterator[Violation]:
        c, aid = view.contract, view.agent.id
        we = [any(view.worked[d] for d in g) for g in view.weekends]
        if c.max_weekends is not None and sum(we) > c.max_weekends:
            yield Violation("max_weekends", aid, None, f"{sum(we)} weekends > {c.max_weekends}")
        if c.max_weekends_per_4_weeks is not None:
            for i in range(max(1, len(we) - 3)):
                if sum(we[i:i + 4]) > c.max_weekends_per_4_weeks:
                    yield Violation("max_weekends_per_4_weeks", aid, view.date(view.weekends[i][0]),
                                    f"{sum(we[i:i + 4])} weekends in 4")

    def cp(self, ctx: CpContext) -> None:
        groups = ctx.weekends
        for a in ctx.agent_indices:
            c = ctx.contract(a)
            if c.max_weekends is None and c.max_weekends_per_4_weeks is None:
                continue
            we = [ctx.weekend_worked(a, k, g) for k, g in enumerate(groups)]
            if c.max_weekends is not None and len(we) > c.max_weekends:
                ctx.add(sum(we) <= c.max_weekends, "max_weekends", a)
            k4 = c.max_weekends_per_4_weeks
            if k4 is not None:
                for i in range(max(1, len(we) - 3)):
                    window = we[i:i + 4]
                    if len(window) > k4:
                        ctx.add(sum(window) <= k4, "max_weekends_per_4_weeks", a, groups[i][0])

    def dp(self, spec: DPSpec) -> _Weekends | None:
        c = spec.contract
        return _Weekends(spec) if c.max_weekends is not None or c.max_weekends_per_4_weeks is not None else None

    def group_rows(self, rc: RowContext) -> None:
        con, fp = rc.contract, rc.fp
        groups_w = fp.weekend_groups
        if con.max_weekends_per_4_weeks is None and con.max_weekends is None:
            return
        for i in range(max(1, len(groups_w) - 3)):
            window = groups_w[i:i + 4]
            by_wd: dict[int, list[int]] = {}
            for grp in window:
                for d in grp:
                    by_wd.setdefault(fp.problem.horizon.date_of(d).weekday(), []).append(d)
            k = min(x for x in (con.max_weekends_per_4_weeks, con.max_weekends) if x is not None)
            for wd, days in sorted(by_wd.items()):
                cs, _ = rc.cols_of(days)
                if len(cs):
                    cap = sum(min(k, int(rc.works_day[a, days].sum())) for a in rc.members)
                    rc.row(f"weekends(group={rc.cname}, window={i}, weekday={wd})", cs,
                           np.ones(len(cs), dtype=np.int64), hi=int(cap))
            # any weekend day: each weekend worked gives at most its days
            days = [d for grp in window for d in grp]
            cs, _ = rc.cols_of(days)
            if len(cs):
                cap = sum(min(k * max(len(grp) for grp in window), int(rc.works_day[a, days].sum()))
                          for a in rc.members)
                rc.row(f"weekend_days(group={rc.cname}, window={i})", cs, np.ones(len(cs), dtype=np.int64),
                       hi=int(cap))


class _Weekends:
    """State ``(current weekend worked, last weekends, weekends worked)``."""

    def __init__(self, spec: DPSpec) -> None:
        c = spec.contract
        self.weekend_of = {d for g in spec.weekend_groups for d in g}
        self.group_end = {g[-1]: j for j, g in enumerate(spec.weekend_groups) if g}
        self.n_groups = len(spec.weekend_groups)
        self.k4 = c.max_weekends_per_4_weeks
        self.keep_hist = self.k4 is not None and self.k4 < 4
        self.max_we = c.max_weekends

    def feature(self, d: int, s: int) -> bool:
        return True

    def init(self) -> tuple[int, tuple[int, ...], int]:
        return (0, (), 0)

    def step(self, state: Any, d: int, f: Any) -> Any:
        wcur, hist, wcount = state
        if f is not None and d in self.weekend_of:
            wcur = 1
        j = self.group_end.get(d)
        if j is not None:
            if self.keep_hist:
                window = hist + (wcur,)
                if (j >= 3 or j == self.n_groups - 1) and sum(window[-4:]) > self.k4:
                    return None
                hist = window[-3:]
            if self.max_we is not None:
                wcount += wcur
                if wcount > self.max_we:
                    return None
            wcur = 0
        return (wcur, hist, wcount)

    def final(self, state: Any) -> bool:
        return True
