"""Hard rules of the roster, one function each, in the order a reader meets them in a contract.

Every function takes the :class:`~wfm.roster.solvers.monolithic.model.RosterModel` under construction and adds
its constraints
through ``rm.add(constraint, rule, agent, day)``, which attaches the rule's assumption literal when the model
is built to explain an infeasibility. The rule names here are the names an :class:`InfeasibleError` reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from wfm.roster.solvers.monolithic.model import RosterModel

__all__ = ["HARD_RULES", "weeks", "weekend_groups"]


def weeks(days: int) -> list[list[int]]:
    """Days of each week counted from the horizon start (the last one may be partial)."""
    return [list(range(w, min(days, w + 7))) for w in range(0, days, 7)]


def weekend_groups(rm_or_problem) -> list[list[int]]:  # noqa: ANN001 - RosterModel or RosterProblem
    """Day indices of each calendar weekend in the horizon (grouped by ISO week)."""
    p = getattr(rm_or_problem, "problem", rm_or_problem)
    groups: dict[tuple[int, int], list[int]] = {}
    for d in range(p.horizon.days):
        date = p.horizon.date_of(d)
        if date.weekday() in p.weekend_days:
            groups.setdefault(date.isocalendar()[:2], []).append(d)
    return [groups[k] for k in sorted(groups)]


def leave(rm: RosterModel) -> None:
    """An agent does not work on a day of leave, unavailability or a fixed day off."""
    for a, agent in enumerate(rm.agents):
        for date in agent.leave:
            d = rm.problem.horizon.day_of(date)
            if 0 <= d < rm.n_days:
                rm.add(rm.on[a, d] == 0, "leave", a, d)


def allowed_shifts(rm: RosterModel) -> None:
    """An agent works only the shifts its contract allows."""
    for a, c in enumerate(rm.contracts):
        if c.allowed_shifts is None:
            continue
        allowed = set(c.allowed_shifts)
        for (aa, _d, s), x in rm.work.items():
            if aa == a and rm.shifts[s].id not in allowed:
                rm.add(x == 0, "allowed_shifts", a)


def max_shifts(rm: RosterModel) -> None:
    """An agent works each shift at most its personal maximum number of times in the horizon."""
    for a, agent in enumerate(rm.agents):
        for sid, k in agent.max_shifts.items():
            s = rm.shift_index[sid]
            xs = [rm.work[a, d, s] for d in range(rm.n_days) if (a, d, s) in rm.work]
            if len(xs) > k:
                rm.add(sum(xs) <= k, f"max_shifts[{sid}]", a)


def locked(rm: RosterModel) -> None:
    """A locked assignment holds: the given shift that day, or a day off when the shift is empty."""
    for a, agent in enumerate(rm.agents):
        for la in agent.locked:
            d = rm.problem.horizon.day_of(la.date)
            if la.shift is None:
                rm.add(rm.on[a, d] == 0, "locked", a, d)
            else:
                x = rm.work.get((a, d, rm.shift_index[la.shift]))
                # a locked shift the template's weekdays forbid cannot be met
                rm.add(x == 1 if x is not None else rm.model.new_constant(0) == 1, "locked", a, d)


def paid_minutes(rm: RosterModel) -> None:
    """Paid minutes over the horizon stay within the contract's minimum and maximum."""
    for a, c in enumerate(rm.contracts):
        total = rm.minutes(a, range(rm.n_days))
        if c.min_paid_minutes is not None:
            rm.add(total >= c.min_paid_minutes, "min_paid_minutes", a)
        if c.max_paid_minutes is not None:
            rm.add(total <= c.max_paid_minutes, "max_paid_minutes", a)


def paid_minutes_per_week(rm: RosterModel) -> None:
    """Paid minutes per week within the contract's bounds (the minimum binds on full weeks only)."""
    for a, c in enumerate(rm.contracts):
        for week in weeks(rm.n_days):
            total = rm.minutes(a, week)
            if c.max_paid_minutes_per_week is not None:
                rm.add(total <= c.max_paid_minutes_per_week, "max_paid_minutes_per_week", a, week[0])
            if c.min_paid_minutes_per_week is not None and len(week) == 7:
                rm.add(total >= c.min_paid_minutes_per_week, "min_paid_minutes_per_week", a, week[0])


def working_days_per_week(rm: RosterModel) -> None:
    """At most N working days per week; at least N days off per full week."""
    for a, c in enumerate(rm.contracts):
        for week in weeks(rm.n_days):
            on = sum(rm.on[a, d] for d in week)
            if c.max_working_days_per_week is not None and len(week) > c.max_working_days_per_week:
                rm.add(on <= c.max_working_days_per_week, "max_working_days_per_week", a, week[0])
            if c.min_days_off_per_week is not None and len(week) == 7:
                rm.add(on <= 7 - c.min_days_off_per_week, "min_days_off_per_week", a, week[0])


def max_consecutive_working_days(rm: RosterModel) -> None:
    """No run of more than N working days: every N+1 days hold a day off (outside counts as off)."""
    for a, c in enumerate(rm.contracts):
        k = c.max_consecutive_working_days
        if k is None or k >= rm.n_days:
            continue
        for d in range(rm.n_days - k):
            rm.add(sum(rm.on[a, e] for e in range(d, d + k + 1)) <= k, "max_consecutive_working_days", a)


def _min_run(rm: RosterModel, a: int, k: int, exempt: bool, working: bool, rule: str) -> None:
    """Forbid every run (of work if ``working`` else of days off) shorter than ``k`` by one clause each.

    The pattern ``other, same * j, other`` for ``j < k`` is cut directly with a clause, the strongest
    formulation of a minimum run length. Runs touching an end of the horizon are exempt when ``exempt``;
    otherwise the outside counts as the other state.
    """
    n = rm.n_days

    def lit(d: int, state: bool):  # literal "day d is in `state`"
        x = rm.on[a, d] if working else rm.on[a, d].Not()
        return x if state else x.Not()

    for inside, before, after in short_runs(n, k, exempt):
        clause = [lit(d, False) for d in inside] + [lit(d, True) for d in (before, after) if d is not None]
        rm.add_clause(clause, rule, a)


def short_runs(n: int, k: int, exempt: bool) -> Iterator[tuple[range, int | None, int | None]]:
    """Every run shorter than ``k`` days in a horizon of ``n`` days: its days and the days just outside it.

    ``before`` / ``after`` is ``None`` where the run touches an end of the horizon (the outside then counts
    as the other state); with ``exempt`` such runs are not listed at all.
    """
    for j in range(1, k):
        for first in range(-1, n - j):  # the run occupies first+1 .. first+j
            last = first + j + 1
            if exempt and (first < 0 or last >= n):
                continue
            yield range(first + 1, first + j + 1), (first if first >= 0 else None), (last if last < n else None)


def min_consecutive_working_days(rm: RosterModel) -> None:
    """Every run of working days lasts at least N days (runs touching the horizon ends may be exempt)."""
    for a, c in enumerate(rm.contracts):
        if c.min_consecutive_working_days and c.min_consecutive_working_days > 1:
            _min_run(rm, a, c.min_consecutive_working_days, c.exempt_edge_runs, True,
                     "min_consecutive_working_days")


def min_consecutive_days_off(rm: RosterModel) -> None:
    """Every run of days off lasts at least N days (runs touching the horizon ends may be exempt)."""
    for a, c in enumerate(rm.contracts):
        if c.min_consecutive_days_off and c.min_consecutive_days_off > 1:
            _min_run(rm, a, c.min_consecutive_days_off, c.exempt_edge_runs, False, "min_consecutive_days_off")


def min_rest(rm: RosterModel) -> None:
    """At least N hours between the end of a shift and the start of the next day's shift."""
    for a, c in enumerate(rm.contracts):
        if not c.min_rest_hours:
            continue
        rest = dt.timedelta(hours=c.min_rest_hours)
        for d in range(rm.n_days - 1):
            for s1, t1 in enumerate(rm.shifts):
                x1 = rm.work.get((a, d, s1))
                if x1 is None:
                    continue
                end = rm.timeline.shift_end(d, t1)
                for s2, t2 in enumerate(rm.shifts):
                    x2 = rm.work.get((a, d + 1, s2))
                    if x2 is not None and rm.timeline.shift_start(d + 1, t2) - end < rest:
                        rm.add(x1 + x2 <= 1, "min_rest_hours", a, d)


def forbidden_successions(rm: RosterModel) -> None:
    """A shift matching ``first`` is never followed the next day by one matching ``second``."""
    for a, c in enumerate(rm.contracts):
        for fs in c.forbidden_successions:
            firsts = [s for s, t in enumerate(rm.shifts) if fs.first.matches(t)]
            seconds = [s for s, t in enumerate(rm.shifts) if fs.second.matches(t)]
            for d in range(rm.n_days - 1):
                x1 = [rm.work[a, d, s] for s in firsts if (a, d, s) in rm.work]
                x2 = [rm.work[a, d + 1, s] for s in seconds if (a, d + 1, s) in rm.work]
                if x1 and x2:
                    # at most one shift a day, so the sums are 0/1 and this is the pairwise clause set
                    rm.add(sum(x1) + sum(x2) <= 1, "forbidden_successions", a, d)


def max_tag(rm: RosterModel) -> None:
    """At most N shifts with a tag per week, and per horizon."""
    for a, c in enumerate(rm.contracts):
        for tag, k in c.max_tag_per_horizon.items():
            xs = rm.tagged(a, tag, range(rm.n_days))
            if len(xs) > k:
                rm.add(sum(xs) <= k, f"max_tag_per_horizon[{tag}]", a)
        for tag, k in c.max_tag_per_week.items():
            for week in weeks(rm.n_days):
                xs = rm.tagged(a, tag, week)
                if len(xs) > k:
                    rm.add(sum(xs) <= k, f"max_tag_per_week[{tag}]", a, week[0])


def max_weekends(rm: RosterModel) -> None:
    """At most N weekends worked in the horizon, and per window of 4 consecutive weekends.

    A weekend is worked when any of its days has a shift.
    """
    groups = weekend_groups(rm)
    for a, c in enumerate(rm.contracts):
        if c.max_weekends is None and c.max_weekends_per_4_weeks is None:
            continue
        we = [rm.weekend_worked(a, k, g) for k, g in enumerate(groups)]
        if c.max_weekends is not None and len(we) > c.max_weekends:
            rm.add(sum(we) <= c.max_weekends, "max_weekends", a)
        k4 = c.max_weekends_per_4_weeks
        if k4 is not None:
            for i in range(max(1, len(we) - 3)):
                window = we[i:i + 4]
                if len(window) > k4:
                    rm.add(sum(window) <= k4, "max_weekends_per_4_weeks", a, groups[i][0])


HARD_RULES: list[Callable[[RosterModel], None]] = [
    leave, allowed_shifts, max_shifts, locked, paid_minutes, paid_minutes_per_week, working_days_per_week,
    max_consecutive_working_days, min_consecutive_working_days, min_consecutive_days_off, min_rest,
    forbidden_successions, max_tag, max_weekends,
]


# ------------------------------------------------------------------------------------- redundant cuts

def max_worked_in_window(length: int, max_run: int | None, min_run: int, min_off: int) -> int:
    """Most working days in ``length`` consecutive days under the run rules, by dynamic programming.

    Runs touching either end of the window are exempt from the minimum lengths (they may continue outside
    it), so the figure holds for every window of the horizon.
    """
    cap = max_run if max_run is not None else length
    # state: (bit, run length, still the first run) -> most ones so far
    states: dict[tuple[int, int, bool], int] = {(0, 1, True): 0}
    if cap >= 1:
        states[1, 1, True] = 1
    for _ in range(length - 1):
        nxt: dict[tuple[int, int, bool], int] = {}
        for (b, r, first), ones in states.items():
            for nb in (0, 1):
                if nb == b:
                    if nb == 1 and r + 1 > cap:
                        continue
                    key = (b, min(r + 1, length), first)
                elif not first and r < (min_run if b == 1 else min_off):
                    continue
                else:
                    if nb == 1 and cap < 1:
                        continue
                    key = (nb, 1, False)
                nxt[key] = max(nxt.get(key, -1), ones + nb)
        states = nxt
    return max(states.values())


def window_capacity(rm: RosterModel) -> None:
    """Redundant: at most f(L) working days in any L consecutive days, f from the run rules.

    Max consecutive working days, min consecutive working days and min consecutive days off together
    allow, say, at most 5 working days in 7 (5 on, 2 off), which the LP relaxation of the individual rules
    does not see. Only windows not implied by shorter ones are added.
    """
    for a, c in enumerate(rm.contracts):
        k = c.max_consecutive_working_days
        minc = c.min_consecutive_working_days or 1
        minoff = c.min_consecutive_days_off or 1
        if k is None or (minc <= 1 and minoff <= 1):
            continue
        f = [0] + [max_worked_in_window(n, k, minc, minoff) for n in range(1, rm.n_days + 1)]
        for length in range(k + 2, rm.n_days + 1):
            if f[length] >= length or any(f[length] >= f[i] + f[length - i] for i in range(1, length)):
                continue
            for d in range(rm.n_days - length + 1):
                rm.model.add(sum(rm.on[a, e] for e in range(d, d + length)) <= f[length])


REDUNDANT: list[Callable[[RosterModel], None]] = [window_capacity]
