"""Locks: a locked assignment holds — the given shift that day, or a day off."""

from __future__ import annotations

from collections.abc import Iterator

from wfm.roster.rules.base import AgentView, CpContext, HardRule, Violation

__all__ = ["Locked"]


class Locked(HardRule):
    """A locked assignment (``Agent.locked``) holds: the given shift that day, or a day off when empty.

    - DP: none — locks are personal; each agent's pricer keeps only the locked edge of the day.
    - Rows: stage 1 keeps the locked head-count of a (group, day, shift) as the lower bound of its
      ``shift_count`` row (built with the columns, as it bounds them).
    """

    names = ("locked",)

    def check(self, view: AgentView) -> Iterator[Violation]:
        for la in view.agent.locked:
            x = view.mine.get(view.problem.horizon.day_of(la.date))
            if (x.shift if x else None) != la.shift:
                yield Violation("locked", view.agent.id, la.date, f"locked to {la.shift or 'a day off'}, got "
                                                                  f"{x.shift if x else 'a day off'}")

    def cp(self, ctx: CpContext) -> None:
        for a in ctx.agent_indices:
            for la in ctx.agent(a).locked:
                d = ctx.day_of(la.date)
                if la.shift is None:
                    ctx.add(ctx.day_on(a, d) == 0, "locked", a, d)
                else:
                    x = ctx.shift_var(a, d, ctx.shift_index[la.shift])
                    # a locked shift the template's weekdays (or the agent's leave) forbid cannot be met
                    ctx.add(x == 1 if x is not None else ctx.false(), "locked", a, d)
