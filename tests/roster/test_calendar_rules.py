"""Weeks that start on any weekday (``Horizon.week_start``): every weekly rule and both solve paths read them."""

from __future__ import annotations

import pytest

from wfm.roster import Contract, Horizon
from wfm.roster.checker import check
from wfm.roster.rules.calendar import week_blocks, weeks

from .rosterkit import MONDAY, PATHS, on_intervals, roster, solve_path, tiny, worked


def test_week_blocks_start_on_the_given_day() -> None:
    assert week_blocks(9) == [list(range(7)), [7, 8]]
    assert week_blocks(15, 6) == [list(range(6)), list(range(6, 13)), [13, 14]]
    assert week_blocks(3, 5) == [[0, 1, 2]]


def test_horizon_week_start_sunday() -> None:
    p = tiny(days=15, agents=1)
    assert weeks(p) == week_blocks(15)  # default: 7-day blocks from the first day (a Monday)
    p.horizon = Horizon(start=MONDAY, days=15, week_start=6)
    assert weeks(p) == [list(range(6)), list(range(6, 13)), [13, 14]]
    p.horizon = Horizon(start=MONDAY, days=15, week_start=0)
    assert weeks(p) == week_blocks(15)


def _sunday_weeks() -> object:
    p = tiny(days=15, agents=1, contract=Contract(id="C", min_days_off_per_week=2, max_working_days_per_week=5))
    p.horizon = Horizon(start=MONDAY, days=15, week_start=6)
    return p


def test_checker_reads_sunday_weeks() -> None:
    # Mon-Sat worked (a partial week: 6 days breaks max 5), then Sun off .. Sat
    p = _sunday_weeks()
    cells = [("a0", d, "D") for d in range(6)]
    assert "max_working_days_per_week" in check(p, roster(p, cells)).rules()
    cells = [("a0", d, "D") for d in (0, 1, 2, 3, 4, 7, 8, 9, 10, 11, 13, 14)]
    report = check(p, roster(p, cells))
    assert report.ok, str(report)
    p.horizon = Horizon(start=MONDAY, days=15)  # Monday weeks: six working days in days 0-6 break both
    assert check(p, roster(p, [("a0", d, "D") for d in (0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12)])).rules() \
        == {"max_working_days_per_week", "min_days_off_per_week"}


@pytest.mark.parametrize("path", PATHS)
def test_both_paths_roster_sunday_weeks(path: str) -> None:
    sol = solve_path(on_intervals(_sunday_weeks()), path)
    w = worked(sol, "a0")
    assert sum(d < 6 for d in w) == 5  # Mon-Sat: at most 5 (the partial week binds only the maximum)
    assert sum(6 <= d <= 12 for d in w) == 5  # Sun-Sat: 2 days off
    assert sum(d >= 13 for d in w) == 2
