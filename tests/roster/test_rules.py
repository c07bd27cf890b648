"""Each hard rule alone, then together: the checker catches a violating roster; the solver respects the rule."""

from __future__ import annotations

import datetime as dt

import pytest

from wfm.roster import (
    Break,
    Contract,
    ForbiddenSuccession,
    LockedAssignment,
    Segment,
    ShiftDemand,
    ShiftRef,
    ShiftTemplate,
)
from wfm.roster.checker import check

from .rosterkit import MONDAY, PATHS, on_intervals, roster, solve_checked, solve_path, tiny, worked

D = [ShiftTemplate(id="D", start=dt.time(9), length_minutes=480)]
EL = [ShiftTemplate(id="E", start=dt.time(6), length_minutes=480, tags=["early"]),
      ShiftTemplate(id="L", start=dt.time(14), length_minutes=480, tags=["late"])]
SPLIT = [ShiftTemplate(id="D", start=dt.time(9), length_minutes=480),
         ShiftTemplate(id="S", start=dt.time(8), segments=[Segment(minutes=240), Segment(offset_minutes=480,
                                                                                          minutes=240)],
                       tags=["split"])]


def _day(d: int) -> dt.date:
    return MONDAY + dt.timedelta(days=d)


def _demand_only(problem, days_with_demand):  # noqa: ANN001, ANN202
    """Replace the demand: 1 agent on the listed days, 0 elsewhere (over-staffing costs 1)."""
    sid = problem.shifts[0].id
    problem.shift_demands = [ShiftDemand(day=d, shift=sid, required=int(d in days_with_demand), under_weight=10,
                                         over_weight=1) for d in range(problem.horizon.days)]
    return problem


# (rule, problem factory, violating cells, property of the solved roster of agent a0)
CASES = {
    "leave": (lambda: tiny(agents=1, leave=[_day(2)]), [("a0", 2, "D")],
              lambda w: 2 not in w),
    "allowed_shifts": (lambda: tiny(agents=1, shifts=EL, contract=Contract(id="C", allowed_shifts=["E"])),
                       [("a0", 0, "L")], lambda w: set(w.values()) <= {"E"}),
    "max_shifts[D]": (lambda: tiny(agents=1, max_shifts={"D": 2}), [("a0", d, "D") for d in range(3)],
                      lambda w: len(w) == 2),
    "locked": (lambda: tiny(agents=1, locked=[LockedAssignment(date=_day(0)),
                                              LockedAssignment(date=_day(1), shift="D")]),
               [("a0", 0, "D"), ("a0", 1, "D")], lambda w: 0 not in w and w.get(1) == "D"),
    "min_paid_minutes": (lambda: _demand_only(tiny(agents=1, contract=Contract(id="C", min_paid_minutes=5 * 480)),
                                              []), [("a0", 0, "D")], lambda w: len(w) == 5),
    "max_paid_minutes": (lambda: tiny(agents=1, contract=Contract(id="C", max_paid_minutes=3 * 480)),
                         [("a0", d, "D") for d in range(4)], lambda w: len(w) == 3),
    "max_paid_minutes_per_week": (
        lambda: tiny(days=14, agents=1, contract=Contract(id="C", max_paid_minutes_per_week=2 * 480)),
        [("a0", d, "D") for d in range(3)], lambda w: sum(d < 7 for d in w) == 2 and sum(d >= 7 for d in w) == 2),
    "min_paid_minutes_per_week": (
        lambda: _demand_only(tiny(days=14, agents=1, contract=Contract(id="C", min_paid_minutes_per_week=3 * 480)),
                             []), [("a0", 0, "D")], lambda w: sum(d < 7 for d in w) == 3),
    "max_working_days_per_week": (
        lambda: tiny(agents=1, contract=Contract(id="C", max_working_days_per_week=3)),
        [("a0", d, "D") for d in range(4)], lambda w: len(w) == 3),
    "min_days_off_per_week": (
        lambda: tiny(agents=1, contract=Contract(id="C", min_days_off_per_week=3)),
        [("a0", d, "D") for d in range(5)], lambda w: len(w) == 4),
    "min_working_days_per_week": (
        lambda: _demand_only(tiny(days=10, agents=1, contract=Contract(id="C", min_working_days_per_week=4)),
                             [0, 1]), [("a0", 0, "D"), ("a0", 1, "D")],
        lambda w: sum(d < 7 for d in w) == 4 and sum(d >= 7 for d in w) == 0),  # the partial week is free
    "min_consecutive_days_off_in_week": (
        lambda: tiny(days=14, agents=1, contract=Contract(id="C", min_consecutive_days_off_in_week=2)),
        [("a0", d, "D") for d in range(14) if d not in (6, 7)],  # Sunday + Monday straddle two weeks
        lambda w: all(any(d not in w and d + 1 not in w for d in range(k, k + 6)) for k in (0, 7))),
    "max_consecutive_working_days": (
        lambda: tiny(agents=1, contract=Contract(id="C", max_consecutive_working_days=2)),
        [("a0", d, "D") for d in range(3)], lambda w: not any(d in w and d + 1 in w and d + 2 in w for d in range(7))),
    "min_consecutive_working_days": (
        lambda: _demand_only(tiny(agents=1, contract=Contract(id="C", min_consecutive_working_days=3)), [3]),
        [("a0", 3, "D")], lambda w: {2, 3, 4} <= set(w) or {1, 2, 3} <= set(w) or {3, 4, 5} <= set(w)),
    "min_consecutive_days_off": (
        lambda: tiny(agents=1, contract=Contract(id="C", min_consecutive_days_off=2, max_consecutive_working_days=2)),
        [("a0", 0, "D"), ("a0", 1, "D"), ("a0", 3, "D"), ("a0", 4, "D")],
        lambda w: not any(d - 1 in w and d not in w and d + 1 in w for d in range(1, 6))),
    "min_rest_hours": (lambda: tiny(agents=1, shifts=EL, contract=Contract(id="C", min_rest_hours=11)),
                       [("a0", 0, "L"), ("a0", 1, "E")],
                       lambda w: not any(w.get(d) == "L" and w.get(d + 1) == "E" for d in range(6))),
    "forbidden_successions": (
        lambda: tiny(agents=1, shifts=EL, contract=Contract(id="C", forbidden_successions=[
            ForbiddenSuccession(first=ShiftRef(tag="late"), second=ShiftRef(shift="E"))])),
        [("a0", 0, "L"), ("a0", 1, "E")], lambda w: not any(w.get(d) == "L" and w.get(d + 1) == "E" for d in range(6))),
    "max_tag_per_week[split]": (
        lambda: tiny(agents=1, shifts=SPLIT, demand=0, contract=Contract(id="C", max_tag_per_week={"split": 1},
                                                                         min_paid_minutes=3 * 480)),
        [("a0", 0, "S"), ("a0", 1, "S")], lambda w: list(w.values()).count("S") <= 1),
    "max_tag_per_horizon[late]": (
        lambda: tiny(agents=1, shifts=EL, contract=Contract(id="C", max_tag_per_horizon={"late": 2})),
        [("a0", d, "L") for d in range(3)], lambda w: list(w.values()).count("L") <= 2),
    "max_weekends": (lambda: tiny(days=14, agents=1, contract=Contract(id="C", max_weekends=1)),
                     [("a0", 5, "D"), ("a0", 13, "D")],
                     lambda w: (5 in w or 6 in w) + (12 in w or 13 in w) <= 1),
    "max_weekends_per_4_weeks": (
        lambda: tiny(days=28, agents=1, contract=Contract(id="C", max_weekends_per_4_weeks=2)),
        [("a0", d, "D") for d in (5, 12, 19)],
        lambda w: sum(any(d in w for d in (k, k + 1)) for k in (5, 12, 19, 26)) <= 2),
    "shift_weekdays": (lambda: tiny(agents=1, shifts=[ShiftTemplate(id="D", length_minutes=480,
                                                                     weekdays=[0, 1, 2, 3, 4])], demand=0)
                       .model_copy(update={"shift_demands": [ShiftDemand(day=d, shift="D", required=1,
                                                                         under_weight=10) for d in range(5)]}),
                       [("a0", 5, "D")], lambda w: all(d < 5 for d in w)),
    "one_shift_per_day": (lambda: tiny(agents=1, shifts=EL), [("a0", 0, "E"), ("a0", 0, "L")],
                          lambda w: True),
}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_checker_catches_violation(rule: str) -> None:
    make, cells, _ = CASES[rule]
    report = check(make(), roster(make(), cells))
    assert rule in report.rules(), str(report)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_solver_respects_rule(rule: str) -> None:
    make, _, holds = CASES[rule]
    sol = solve_checked(make())
    assert holds(worked(sol, "a0")), worked(sol, "a0")


# the registry's rules (one_shift_per_day and shift_weekdays are the checker's well-formedness, not rules)
REGISTRY_CASES = sorted(r for r in CASES if r not in ("one_shift_per_day", "shift_weekdays"))


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("rule", REGISTRY_CASES)
def test_both_paths_respect_rule(rule: str, path: str) -> None:
    """The rule binds (the unconstrained optimum breaks it) and both solve paths' rosters keep it."""
    make, _, holds = CASES[rule]
    sol = solve_path(on_intervals(make()), path)
    assert holds(worked(sol, "a0")), (path, worked(sol, "a0"))


def test_breaks_outside_window_are_caught() -> None:
    shifts = [ShiftTemplate(id="D", start=dt.time(9), length_minutes=480,
                            breaks=[Break(minutes=30, earliest_offset_minutes=180, latest_offset_minutes=240)])]
    p = tiny(agents=1, shifts=shifts)
    assert "breaks" in check(p, roster(p, [("a0", 0, "D")], {("a0", 0): [60]})).rules()
    assert check(p, roster(p, [("a0", 0, "D")], {("a0", 0): [210]})).ok


def test_all_rules_together() -> None:
    contract = Contract(
        id="C", min_paid_minutes=6 * 480, max_paid_minutes=10 * 480, max_paid_minutes_per_week=5 * 480,
        max_working_days_per_week=5, min_days_off_per_week=2, max_consecutive_working_days=4,
        min_consecutive_working_days=2, min_consecutive_days_off=2, min_rest_hours=11,
        max_tag_per_week={"late": 3}, forbidden_successions=[
            ForbiddenSuccession(first=ShiftRef(tag="late"), second=ShiftRef(tag="early"))],
        max_weekends=1, shift_start_consistency=True)
    p = tiny(days=14, agents=3, shifts=EL, contract=contract)
    p.agents[0].leave = [_day(3)]
    p.agents[1].locked = [LockedAssignment(date=_day(0), shift="L")]
    p.agents[2].max_shifts = {"E": 4}
    sol = solve_checked(p, time_limit_s=20)
    assert sol.assignments
