"""Tagged shifts: at most N shifts with a tag (``split``, ``late``...) per week and per horizon."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from wfm.roster.rules.base import AgentView, CpContext, DPSpec, HardRule, RowContext, Violation

__all__ = ["MaxTag"]


class MaxTag(HardRule):
    """``max_tag_per_week[tag]`` (every week, partial ones too) and ``max_tag_per_horizon[tag]``.

    Reported as ``max_tag_per_week[split]`` and so on.

    - DP: the week's and the horizon's count of each capped tag.
    - Rows: per week, the group's tagged shifts are at most Σ min(N, the member's working-day cap); over
      the horizon at most N × members.
    """

    names = ("max_tag_per_week", "max_tag_per_horizon")

    def check(self, view: AgentView) -> Iterator[Violation]:
        c, aid = view.contract, view.agent.id
        for week in view.weeks:
            for tag, k in c.max_tag_per_week.items():
                got = view.count(lambda t, tag=tag: tag in t.tags, week)
                if got > k:
                    yield Violation(f"max_tag_per_week[{tag}]", aid, view.date(week[0]), f"{got} > {k}")
        for tag, k in c.max_tag_per_horizon.items():
            got = view.count(lambda t, tag=tag: tag in t.tags, range(view.n_days))
            if got > k:
                yield Violation(f"max_tag_per_horizon[{tag}]", aid, None, f"{got} > {k}")

    def cp(self, ctx: CpContext) -> None:
        for a in ctx.agent_indices:
            c = ctx.contract(a)
            for tag, k in c.max_tag_per_horizon.items():
                xs = ctx.tagged(a, tag, range(ctx.n_days))
                if len(xs) > k:
                    ctx.add(sum(xs) <= k, f"max_tag_per_horizon[{tag}]", a)
            for tag, k in c.max_tag_per_week.items():
                for week in ctx.weeks:
                    if not ctx.touch(week):
                        continue
                    xs = ctx.tagged(a, tag, week)
                    if len(xs) > k:
                        ctx.add(sum(xs) <= k, f"max_tag_per_week[{tag}]", a, week[0])

    def dp(self, spec: DPSpec) -> _Tags | None:
        c = spec.contract
        return _Tags(spec) if c.max_tag_per_week or c.max_tag_per_horizon else None

    def week_rows(self, rc: RowContext, w: int, days: list[int], cols: np.ndarray, shifts: list[int],
                  caps: list[int]) -> None:
        for tag, k in rc.contract.max_tag_per_week.items():
            tcs, _ = rc.cols_of(days, lambda s, tag=tag: tag in rc.fp.tags[s])
            if len(tcs):
                rc.row(f"max_tag_per_week(group={rc.cname}, week={w}, tag={tag})", tcs,
                       np.ones(len(tcs), dtype=np.int64), hi=int(sum(min(k, c) for c in caps)))

    def horizon_rows(self, rc: RowContext, cols: np.ndarray, shifts: list[int]) -> None:
        for tag, k in rc.contract.max_tag_per_horizon.items():
            tcs, _ = rc.cols_of(range(rc.fp.n_days), lambda s, tag=tag: tag in rc.fp.tags[s])
            if len(tcs):
                rc.row(f"max_tag_per_horizon(group={rc.cname}, tag={tag})", tcs, np.ones(len(tcs), dtype=np.int64),
                       hi=int(k * len(rc.members)))


class _Tags:
    """State ``(week counts, horizon counts)`` of the capped tags."""

    def __init__(self, spec: DPSpec) -> None:
        c = spec.contract
        self.spec, self.fp = spec, spec.fp
        self.week_tags = sorted(c.max_tag_per_week)
        self.horizon_tags = sorted(c.max_tag_per_horizon)
        self.wk_cap = [c.max_tag_per_week[t] for t in self.week_tags]
        self.hz_cap = [c.max_tag_per_horizon[t] for t in self.horizon_tags]

    def feature(self, d: int, s: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        tags = self.fp.tags[s]
        return tuple(int(t in tags) for t in self.week_tags), tuple(int(t in tags) for t in self.horizon_tags)

    def init(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        return (0,) * len(self.week_tags), (0,) * len(self.horizon_tags)

    def step(self, state: Any, d: int, f: Any) -> Any:
        wt, ht = state
        if d in self.spec.week_first:
            wt = (0,) * len(wt)
        if f is None:
            return wt, ht
        if wt:
            wt = tuple(x + y for x, y in zip(wt, f[0], strict=True))
            if any(x > k for x, k in zip(wt, self.wk_cap, strict=True)):
                return None
        if ht:
            ht = tuple(x + y for x, y in zip(ht, f[1], strict=True))
            if any(x > k for x, k in zip(ht, self.hz_cap, strict=True)):
                return None
        return wt, ht

    def final(self, state: Any) -> bool:
        return True
