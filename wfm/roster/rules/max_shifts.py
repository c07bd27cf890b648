"""Personal shift caps: an agent works each shift at most ``Agent.max_shifts[shift]`` times."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wfm.roster.rules.base import AgentView, CpContext, DPSpec, HardRule, Violation

__all__ = ["MaxShifts"]


class MaxShifts(HardRule):
    """An agent works each shift at most its personal maximum number of times in the horizon.

    - DP: a count per capped shift (graphs are keyed by contract *and* caps).
    - Rows: none — a cap of 0 removes the shift from the agent's columns (``FlatProblem.allowed``); other
      caps are personal and left to stage 2.
    """

    names = ("max_shifts",)

    def check(self, view: AgentView) -> Iterator[Violation]:
        for sid, k in view.agent.max_shifts.items():
            got = sum(1 for x in view.mine.values() if x.shift == sid)
            if got > k:
                yield Violation(f"max_shifts[{sid}]", view.agent.id, None, f"{got} shifts {sid} > {k}")

    def cp(self, ctx: CpContext) -> None:
        for a in ctx.agent_indices:
            for sid, k in ctx.agent(a).max_shifts.items():
                s = ctx.shift_index[sid]
                xs = [x for x in (ctx.shift_var(a, d, s) for d in range(ctx.n_days)) if x is not None]
                if len(xs) > k:
                    ctx.add(sum(xs) <= k, f"max_shifts[{sid}]", a)

    def dp(self, spec: DPSpec) -> _Caps | None:
        return _Caps(spec) if spec.caps else None


class _Caps:
    def __init__(self, spec: DPSpec) -> None:
        self.ids = sorted(spec.caps)
        self.cap = [spec.caps[k] for k in self.ids]

    def feature(self, d: int, s: int) -> tuple[int, ...]:
        return tuple(int(s == k) for k in self.ids)

    def init(self) -> tuple[int, ...]:
        return (0,) * len(self.ids)

    def step(self, ms: tuple[int, ...], d: int, f: Any) -> tuple[int, ...] | None:
        if f is None:
            return ms
        ms = tuple(x + y for x, y in zip(ms, f, strict=True))
        return None if any(x > k for x, k in zip(ms, self.cap, strict=True)) else ms

    def final(self, ms: tuple[int, ...]) -> bool:
        return True
