"""Leave as a day off with credit: run rules read a leave day as a day off; minimums count its credit."""

from __future__ import annotations

import datetime as dt

import pytest

from wfm.exceptions import InfeasibleError
from wfm.roster import Contract, solve
from wfm.roster.checker import check

from .rosterkit import MONDAY, PATHS, on_intervals, roster, solve_path, tiny, worked

WEEK = [MONDAY + dt.timedelta(days=d) for d in range(7)]


def test_a_leave_day_is_a_day_off_for_the_run_rules() -> None:
    # worked Mon-Tue, leave Wed, worked Thu-Sun: one day off between two runs
    p = tiny(agents=1, contract=Contract(id="C", min_consecutive_days_off=2, max_consecutive_working_days=4),
             leave=[WEEK[2]])
    report = check(p, roster(p, [("a0", d, "D") for d in (0, 1, 3, 4, 5, 6)]))
    assert report.rules() == {"min_consecutive_days_off"}  # the leave day is a run of one day off
    # and it breaks a run of working days: Mon-Tue + Thu-Sun, each within the maximum of 4
    assert "max_consecutive_working_days" not in report.rules()


def test_a_week_of_leave_breaks_a_weekly_minimum_without_credit() -> None:
    p = tiny(days=14, agents=1, contract=Contract(id="C", min_paid_minutes_per_week=36 * 60), leave=WEEK)
    assert check(p, roster(p, [("a0", d, "D") for d in range(7, 12)])).rules() == {"min_paid_minutes_per_week"}
    with pytest.raises(InfeasibleError):
        solve(p, strategy="monolithic", time_limit_s=2, workers=1, explain_time_s=2)


def test_a_week_of_leave_meets_the_weekly_minimum_with_credit() -> None:
    c = Contract(id="C", min_paid_minutes_per_week=36 * 60, leave_credit_minutes=450)
    p = tiny(days=14, agents=1, contract=c, leave=WEEK)
    assert check(p, roster(p, [("a0", d, "D") for d in range(7, 12)])).ok


def _credit_problem(**contract) -> object:  # noqa: ANN003
    # no demand (over-staffing costs), so the agent works exactly what its minimums ask
    return on_intervals(tiny(days=7, agents=1, demand=0, contract=Contract(id="C", **contract), leave=WEEK[:2]))


@pytest.mark.parametrize("path", PATHS)
def test_paid_minutes_credit_on_both_paths(path: str) -> None:
    p = _credit_problem(min_paid_minutes_per_week=5 * 480, leave_credit_minutes=480)
    w = worked(solve_path(p, path), "a0")
    assert len(w) == 3 and not {0, 1} & set(w), w  # 2 leave days credited, 3 worked


@pytest.mark.parametrize("path", PATHS)
def test_horizon_paid_minutes_credit_on_both_paths(path: str) -> None:
    p = _credit_problem(min_paid_minutes=4 * 480, leave_credit_minutes=240)
    assert len(worked(solve_path(p, path), "a0")) == 3  # 2 x 240 credited: 3 shifts of 480 reach 1920


@pytest.mark.parametrize("path", PATHS)
def test_leave_counts_as_working_day_on_both_paths(path: str) -> None:
    p = _credit_problem(min_working_days_per_week=5, leave_counts_as_working_day=True)
    assert len(worked(solve_path(p, path), "a0")) == 3
    p = _credit_problem(min_working_days_per_week=5)  # no credit: all 5 free days
    assert len(worked(solve_path(p, path), "a0")) == 5


def test_the_infeasibility_diagnosis_reads_credited_leave_as_the_solver_does() -> None:
    # the diagnosis once built its own contract graph without the credited leave: a week of credited leave
    # then left "no roster" for every such agent, wrongly named infeasible beyond the CP-SAT re-checks
    from wfm.roster.explain import diagnose

    c = Contract(id="C", min_paid_minutes_per_week=36 * 60, leave_credit_minutes=450)
    p = tiny(days=14, agents=3, contract=c, leave=WEEK)
    assert diagnose(p, max_agents=0).infeasible == ()
    no_credit = tiny(days=14, agents=3, contract=Contract(id="C", min_paid_minutes_per_week=36 * 60), leave=WEEK)
    assert len(diagnose(no_credit, max_agents=0).infeasible) == 3
