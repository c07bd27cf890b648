"""The schema: JSON round-trip, defaults, and validation messages that name the bad field."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from wfm.roster import (
    Agent,
    Break,
    Contract,
    ForbiddenSuccession,
    Horizon,
    LockedAssignment,
    ObjectiveWeights,
    Preference,
    Requirement,
    RosterProblem,
    RosterSolution,
    Segment,
    ShiftDemand,
    ShiftRef,
    ShiftTemplate,
)
from wfm.roster.timeline import Timeline

START = dt.date(2026, 3, 23)


def full_problem() -> RosterProblem:
    return RosterProblem(
        name="both worlds",
        horizon=Horizon(start=START, days=14, interval_minutes=15, timezone="Europe/Paris"),
        shifts=[ShiftTemplate(id="E", start=dt.time(7), length_minutes=510, tags=["early"],
                              breaks=[Break(minutes=30, earliest_offset_minutes=180, latest_offset_minutes=300)]),
                ShiftTemplate(id="S", start=dt.time(8), segments=[Segment(minutes=240),
                                                                  Segment(offset_minutes=480, minutes=240)],
                              tags=["split"], weekdays=[0, 1, 2, 3, 4])],
        contracts=[Contract(id="FT", max_paid_minutes_per_week=2400, min_rest_hours=11,
                            max_tag_per_week={"split": 2}, max_weekends_per_4_weeks=2,
                            forbidden_successions=[ForbiddenSuccession(first=ShiftRef(tag="late"),
                                                                       second=ShiftRef(shift="E"))])],
        agents=[Agent(id="ann", contract="FT", skills=["billing"], hire_date=dt.date(2019, 5, 1),
                      leave=[START + dt.timedelta(days=2)],
                      locked=[LockedAssignment(date=START, shift="E")],
                      preferences=[Preference(date=START + dt.timedelta(days=4), kind="off", weight=3)],
                      max_shifts={"S": 3})],
        requirements=[Requirement(day=0, interval=40, agents=2.5, skill="billing", volume=30, aht_seconds=240),
                      Requirement(ts=dt.datetime(2026, 3, 23, 10, 15, tzinfo=dt.timezone(dt.timedelta(hours=1))),
                                  agents=3)],
        shift_demands=[ShiftDemand(day=1, shift="E", required=2, under_weight=100, over_weight=1)],
        weights=ObjectiveWeights(shortfall=[10, 20, 40], fairness=2))


def test_problem_round_trips_json() -> None:
    p = full_problem()
    q = RosterProblem.model_validate_json(p.model_dump_json())
    assert q == p
    assert q.shifts[0].paid_minutes == 480  # 510 minus an unpaid 30-minute break
    assert q.shifts[1].paid_minutes == 480 and q.shifts[1].is_split


def test_solution_round_trips_json() -> None:
    from .rosterkit import roster, tiny

    p = tiny(agents=2)
    s = roster(p, [("a0", 0, "D"), ("a1", 3, "D")])
    assert RosterSolution.model_validate_json(s.model_dump_json()) == s
    frame = s.to_frame()
    assert list(frame.columns) == ["agent", "date", "shift", "start", "end", "paid_minutes", "tags"]
    assert len(frame) == 2 and frame["start"].iloc[0].tzinfo is not None


@pytest.mark.parametrize("bad, field", [
    (lambda: Horizon(start=START, days=60), "days"),
    (lambda: Horizon(start=START, days=7, interval_minutes=20), "interval_minutes"),
    (lambda: Horizon(start=START, days=7, timezone="Mars/Olympus"), "timezone"),
    (lambda: ShiftTemplate(id="X"), "length_minutes"),
    (lambda: ShiftTemplate(id="X", segments=[Segment(minutes=300), Segment(offset_minutes=200, minutes=60)]),
     "overlap"),
    (lambda: ShiftTemplate(id="X", length_minutes=480, breaks=[Break(minutes=30, earliest_offset_minutes=470,
                                                                      latest_offset_minutes=480)]), "break"),
    (lambda: ObjectiveWeights(shortfall=[100, 50]), "shortfall"),
    (lambda: ShiftRef(), "exactly one"),
    (lambda: Requirement(agents=2), "ts"),
])
def test_validation_names_the_field(bad, field) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError, match=field):
        bad()


def test_problem_checks_references() -> None:
    p = full_problem().model_dump()
    p["agents"][0]["contract"] = "PT"
    p["shift_demands"][0]["shift"] = "Z"
    with pytest.raises(ValidationError, match="unknown contract 'PT'.*unknown shift 'Z'"):
        RosterProblem.model_validate(p)


def test_daylight_saving_day_has_fewer_intervals() -> None:
    p = full_problem()
    tl = Timeline(p)
    assert p.horizon.intervals_in_day(0) == 96
    assert p.horizon.intervals_in_day(6) == 92  # 2026-03-29: clocks go forward in Paris
    assert tl.n_intervals == 14 * 96 - 4
    # a 07:00 shift on the DST day starts 23 - 1 hours after... local 07:00 still
    e = p.shifts[0]
    assert tl.shift_start(6, e).hour == 7
    assert tl.ts_of(tl.index_of(tl.shift_start(6, e))) == tl.shift_start(6, e)
