"""Leave: an agent does not work on a day of leave, unavailability or a fixed day off."""

from __future__ import annotations

from collections.abc import Iterator

from wfm.roster.rules.base import AgentView, CpContext, HardRule, Violation

__all__ = ["Leave"]


class Leave(HardRule):
    """An agent does not work on a day of leave (``Agent.leave``).

    A leave day is a day off for every run rule (``on == 0``): it ends a run of working days and counts in a
    run of days off (:mod:`.consecutive`).

    - DP: none — leave is personal, the contract graph is shared by the contract's agents; each agent's
      pricer masks the work edges of its leave days.
    - Rows: none — stage 1 counts only the agents free on a day (column bounds and ``agents_on_day``).
    """

    names = ("leave",)

    def check(self, view: AgentView) -> Iterator[Violation]:
        for date in view.agent.leave:
            if view.problem.horizon.day_of(date) in view.mine:
                yield Violation("leave", view.agent.id, date, "works on a day of leave")

    def cp(self, ctx: CpContext) -> None:
        for a in ctx.agent_indices:
            for date in ctx.agent(a).leave:
                d = ctx.day_of(date)
                if 0 <= d < ctx.n_days and ctx.touch((d,)):
                    ctx.add(ctx.day_on(a, d) == 0, "leave", a, d)
