"""Leave: an agent does not work on a day of leave, unavailability or a fixed day off."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from wfm.roster.models import Agent, Contract
from wfm.roster.rules.base import AgentView, CpContext, HardRule, Violation

__all__ = ["Leave", "credited_leave", "leave_days"]


def leave_days(agent: Agent, start: dt.date, n_days: int) -> set[int]:
    """Day indices of ``agent``'s leave inside a horizon of ``n_days`` from ``start``."""
    return {d for d in ((x - start).days for x in agent.leave) if 0 <= d < n_days}


def credited_leave(contract: Contract) -> bool:
    """Whether leave days count toward the contract's minimums (paid minutes or working days)."""
    return contract.leave_credit_minutes > 0 or contract.leave_counts_as_working_day


class Leave(HardRule):
    """An agent does not work on a day of leave (``Agent.leave``).

    A leave day is a day off for every run rule (``on == 0``): it ends a run of working days and counts in a
    run of days off (:mod:`.consecutive`), and a day off of the week (:mod:`.working_days`). Toward the
    *minimums* it counts only as the contract says: ``leave_credit_minutes`` paid minutes
    (:mod:`.paid_minutes`) and, with ``leave_counts_as_working_day``, one working day
    (:mod:`.min_working_days`).

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
