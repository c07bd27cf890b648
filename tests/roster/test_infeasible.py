"""Infeasible inputs are explained by the rules, agents and days that clash; a time-out is not infeasible."""

from __future__ import annotations

import datetime as dt

import pytest

from wfm.exceptions import InfeasibleError, InvalidParameterError, NoSolutionError
from wfm.roster import Contract, LockedAssignment, solve

from .rosterkit import MONDAY, tiny


def test_leave_and_minimum_minutes_clash() -> None:
    contract = Contract(id="C", min_paid_minutes=5 * 480, max_consecutive_working_days=2)
    p = tiny(agents=2, contract=contract)
    p.agents[0].leave = [MONDAY + dt.timedelta(days=3)]
    with pytest.raises(InfeasibleError) as err:
        solve(p, time_limit_s=5, workers=1)
    rules = {(c["rule"], c["agent"], c["day"]) for c in err.value.conflicts}
    assert rules == {("leave", "a0", "2024-01-04"), ("min_paid_minutes", "a0", None),
                     ("max_consecutive_working_days", "a0", None)}
    msg = str(err.value)
    assert "min_paid_minutes" in msg and "agent a0" in msg and "2024-01-04" in msg


def test_locked_shift_against_rest_rule() -> None:
    from wfm.roster import ShiftTemplate

    shifts = [ShiftTemplate(id="E", start=dt.time(6), length_minutes=480),
              ShiftTemplate(id="L", start=dt.time(14), length_minutes=480)]
    p = tiny(agents=1, shifts=shifts, contract=Contract(id="C", min_rest_hours=11),
             locked=[LockedAssignment(date=MONDAY, shift="L"),
                     LockedAssignment(date=MONDAY + dt.timedelta(days=1), shift="E")])
    with pytest.raises(InfeasibleError) as err:
        solve(p, time_limit_s=5, workers=1)
    names = {c["rule"] for c in err.value.conflicts}
    assert names == {"locked", "min_rest_hours"}
    assert {c["day"] for c in err.value.conflicts if c["rule"] == "locked"} == {"2024-01-01", "2024-01-02"}


def test_infeasible_is_not_a_timeout() -> None:
    assert not issubclass(InfeasibleError, NoSolutionError)
    assert not issubclass(NoSolutionError, InfeasibleError)


def test_bad_arguments() -> None:
    p = tiny()
    with pytest.raises(InvalidParameterError, match="strategy"):
        solve(p, strategy="fast")
    with pytest.raises(InvalidParameterError, match="time_limit_s"):
        solve(p, time_limit_s=0)
