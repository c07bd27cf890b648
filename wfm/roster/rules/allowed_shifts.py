"""Allowed shifts: an agent works only the shifts its contract allows."""

from __future__ import annotations

from collections.abc import Iterator

from wfm.roster.rules.base import AgentView, CpContext, HardRule, Violation

__all__ = ["AllowedShifts"]


class AllowedShifts(HardRule):
    """An agent works only the shifts its contract allows (``Contract.allowed_shifts``; ``None``: all).

    - DP: none — the contract graph is built on the allowed shifts only (plus locked ones, which the lock
      rule then holds and this rule's checker flags).
    - Rows: none — stage 1 has no column for a shift a group may not work (``FlatProblem.allowed``).
    """

    names = ("allowed_shifts",)

    def check(self, view: AgentView) -> Iterator[Violation]:
        allowed = view.contract.allowed_shifts
        if allowed is None:
            return
        for d, x in view.mine.items():
            if x.shift not in allowed:
                yield Violation("allowed_shifts", view.agent.id, view.date(d), f"shift {x.shift} not allowed")

    def cp(self, ctx: CpContext) -> None:
        for a in ctx.agent_indices:
            c = ctx.contract(a)
            if c.allowed_shifts is None:
                continue
            allowed = set(c.allowed_shifts)
            for d in range(ctx.n_days):
                if not ctx.touch((d,)):
                    continue
                for s in ctx.day_shifts(a, d):
                    if ctx.shifts[s].id not in allowed:
                        ctx.add(ctx.shift_var(a, d, s) == 0, "allowed_shifts", a)
