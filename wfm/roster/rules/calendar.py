"""The roster calendar: weeks, weekends and short runs, read the same way by every rule and encoding.

A *week* is a block of seven days counted from the horizon's first day (today's reading, and the default),
or from the first ``Horizon.week_start`` weekday when a problem sets one; the blocks at either end may be
partial. Weekly minimums bind on full weeks only, weekly maximums on every block. A *weekend* is the
problem's ``weekend_days`` of one ISO week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from wfm.roster.models import RosterProblem

__all__ = ["first_week_day", "week_blocks", "week_of", "weeks", "weekend_groups", "short_runs"]


def week_blocks(n_days: int, first: int = 0) -> list[list[int]]:
    """Days of each week of an ``n_days`` horizon whose first full week starts on day ``first`` (0-6).

    ``first > 0`` puts the days before it in a partial first week.
    """
    cuts = sorted({0, *range(first % 7, n_days, 7), n_days})
    return [list(range(lo, hi)) for lo, hi in zip(cuts, cuts[1:], strict=False) if hi > lo]


def first_week_day(start: dt.date, week_start: int | None) -> int:
    """Day index (0-6) on which the first full week of a horizon starting on ``start`` begins: 0 when
    ``week_start`` is None (weeks from the first day), else the first day whose weekday is ``week_start``."""
    return 0 if week_start is None else (week_start - start.weekday()) % 7


def week_of(d: int, first: int = 0) -> int:
    """Index of the week of :func:`week_blocks` (same ``first``) that holds day index ``d`` (``d >= 0``)."""
    if first == 0:
        return d // 7
    return 0 if d < first else 1 + (d - first) // 7


def weeks(problem_or_days: RosterProblem | int) -> list[list[int]]:
    """Days of each week of the horizon (see the module docstring); an int is a horizon of that many days
    with weeks from its first day."""
    if isinstance(problem_or_days, int):
        return week_blocks(problem_or_days)
    h = problem_or_days.horizon
    return week_blocks(h.days, first_week_day(h.date_of(0), h.week_start))


def weekend_groups(rm_or_problem) -> list[list[int]]:  # noqa: ANN001 - RosterModel or RosterProblem
    """Day indices of each calendar weekend in the horizon (grouped by ISO week)."""
    p = getattr(rm_or_problem, "problem", rm_or_problem)
    groups: dict[tuple[int, int], list[int]] = {}
    for d in range(p.horizon.days):
        date = p.horizon.date_of(d)
        if date.weekday() in p.weekend_days:
            groups.setdefault(date.isocalendar()[:2], []).append(d)
    return [groups[k] for k in sorted(groups)]


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
