"""Days off inside each week: a run of at least N consecutive days off lying wholly inside every full week."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from wfm.roster.models import Contract
from wfm.roster.rules.base import AgentView, CpContext, DPSpec, HardRule, Violation

__all__ = ["DaysOffInWeek"]


class DaysOffInWeek(HardRule):
    """``min_consecutive_days_off_in_week``: every full week (``Horizon.week_start``) holds N consecutive
    days off inside it — two days off straddling two weeks (Sunday, Monday in Monday weeks) do not count.
    A leave day is a day off. Partial weeks at either end of the horizon are free.

    - CP: per full week, one literal per possible run ("days i .. i+N-1 all off"), at least one true.
    - DP: the off-run so far this week (capped at N) and whether a run of N was reached.
    - Rows: through :meth:`day_cap` (at most 7 - N working days in a full week) in the working-days row;
      where the run falls is not linear in the group's counts.
    """

    names = ("min_consecutive_days_off_in_week",)

    def check(self, view: AgentView) -> Iterator[Violation]:
        k = view.contract.min_consecutive_days_off_in_week
        if not k:
            return
        for week in view.weeks:
            if len(week) == 7 and _longest_off(view.worked, week) < k:
                yield Violation("min_consecutive_days_off_in_week", view.agent.id, view.date(week[0]),
                                f"longest run of days off inside the week: {_longest_off(view.worked, week)}")

    def cp(self, ctx: CpContext) -> None:
        for a in ctx.agent_indices:
            k = ctx.contract(a).min_consecutive_days_off_in_week
            if not k:
                continue
            for week in ctx.weeks:
                if len(week) != 7 or not ctx.touch(week):
                    continue
                runs = []
                for i in range(7 - k + 1):
                    lits = [ctx.day_literal(a, d) for d in week[i:i + k]]
                    if any(x is True for x in lits):
                        continue  # a fixed working day: this run cannot be off
                    b = ctx.new_bool(f"off_run(agent={a}, day={week[i]}, days={k})")
                    for x in lits:
                        if x is not False:
                            ctx.add_clause([b.Not(), x.Not()], "min_consecutive_days_off_in_week", a, week[0])
                    runs.append(b)
                ctx.add_clause(runs, "min_consecutive_days_off_in_week", a, week[0])

    def dp(self, spec: DPSpec) -> _OffRun | None:
        k = spec.contract.min_consecutive_days_off_in_week
        return _OffRun(spec, k) if k else None

    def day_cap(self, contract: Contract, days: list[int]) -> int | None:
        k = contract.min_consecutive_days_off_in_week
        return 7 - k if k and len(days) == 7 else None


def _longest_off(worked: list[bool], week: list[int]) -> int:
    best = run = 0
    for d in week:
        run = 0 if worked[d] else run + 1
        best = max(best, run)
    return best


class _OffRun:
    """State ``(off-run this week, capped at N; a run of N reached)``; constant outside full weeks."""

    def __init__(self, spec: DPSpec, k: int) -> None:
        self.k = k
        self.first = {w[0] for w in spec.weeks if len(w) == 7}
        self.last = {w[-1] for w in spec.weeks if len(w) == 7}
        self.inside = {d for w in spec.weeks if len(w) == 7 for d in w}

    def feature(self, d: int, s: int) -> bool:
        return True

    def init(self) -> tuple[int, bool]:
        return (0, False)

    def step(self, state: tuple[int, bool], d: int, f: Any) -> tuple[int, bool] | None:
        if d not in self.inside:
            return (0, False)
        run, done = (0, False) if d in self.first else state
        run = 0 if f is not None else min(run + 1, self.k)
        done = done or run >= self.k
        if d in self.last:
            return (0, False) if done else None
        return (0, True) if done else (run, False)  # once a run is in, its length no longer matters

    def final(self, state: tuple[int, bool]) -> bool:
        return True
