"""Hypothesis: any small generated problem is either solved with a roster the checker accepts (and whose
objective it reproduces), or proved infeasible with named conflicts."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfm.exceptions import InfeasibleError
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
    Segment,
    ShiftDemand,
    ShiftRef,
    ShiftTemplate,
    solve,
)

from .rosterkit import MONDAY, solve_checked

SHIFTS = [ShiftTemplate(id="E", start=dt.time(6), length_minutes=480, tags=["early"]),
          ShiftTemplate(id="L", start=dt.time(14), length_minutes=480, tags=["late"]),
          ShiftTemplate(id="N", start=dt.time(22), length_minutes=600, tags=["night"], weekdays=[0, 1, 2, 3, 4])]



@st.composite
def problems(draw) -> RosterProblem:  # noqa: ANN001
    days = draw(st.integers(5, 10))
    n_agents = draw(st.integers(1, 3))
    shifts = SHIFTS[: draw(st.integers(1, 3))]
    sids = [s.id for s in shifts]
    contract = Contract(
        id="C",
        max_paid_minutes=draw(st.none() | st.integers(4, 8).map(lambda k: k * 480)),
        min_paid_minutes=draw(st.none() | st.integers(1, 4).map(lambda k: k * 480)),
        max_consecutive_working_days=draw(st.none() | st.integers(2, 5)),
        min_consecutive_working_days=draw(st.none() | st.integers(1, 3)),
        min_consecutive_days_off=draw(st.none() | st.integers(1, 2)),
        max_working_days_per_week=draw(st.none() | st.integers(3, 6)),
        min_rest_hours=draw(st.none() | st.sampled_from([8.0, 11.0])),
        max_weekends=draw(st.none() | st.integers(0, 1)),
        max_tag_per_horizon=draw(st.sampled_from([{}, {"late": 2}])),
        forbidden_successions=draw(st.sampled_from(
            [[], [ForbiddenSuccession(first=ShiftRef(tag="late"), second=ShiftRef(tag="early"))]])),
        shift_start_consistency=draw(st.booleans()),
        exempt_edge_runs=draw(st.booleans()))
    agents = []
    for i in range(n_agents):
        leave = sorted(set(draw(st.lists(st.integers(0, days - 1), max_size=2))))
        locked = []
        if draw(st.booleans()):
            d = draw(st.integers(0, days - 1))
            sid = draw(st.none() | st.sampled_from(sids))
            locked = [LockedAssignment(date=MONDAY + dt.timedelta(days=d), shift=sid)]
        prefs = [Preference(date=MONDAY + dt.timedelta(days=draw(st.integers(0, days - 1))),
                            shift=draw(st.none() | st.sampled_from(sids)), kind=draw(st.sampled_from(["on", "off"])),
                            weight=draw(st.integers(1, 3)))
                 for _ in range(draw(st.integers(0, 2)))]
        agents.append(Agent(id=f"a{i}", contract="C", leave=[MONDAY + dt.timedelta(days=d) for d in leave],
                            locked=locked, preferences=prefs))
    demands = [ShiftDemand(day=d, shift=s, required=draw(st.integers(0, 2)), under_weight=draw(st.integers(1, 10)),
                           over_weight=draw(st.integers(0, 2))) for d in range(days) for s in sids]
    return RosterProblem(horizon=Horizon(start=MONDAY, days=days), shifts=shifts, contracts=[contract],
                         agents=agents, shift_demands=demands,
                         weights=ObjectiveWeights(fairness=draw(st.sampled_from([0.0, 1.5])), start_consistency=2))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_generated_problems_pass_the_checker(problem: RosterProblem) -> None:
    try:
        solve_checked(problem, time_limit_s=5)
    except InfeasibleError as err:
        assert err.conflicts, str(err)
        assert all(c["rule"] and c["agent"] for c in err.conflicts)


@settings(max_examples=5, deadline=None)
@given(problems())
def test_same_seed_same_roster(problem: RosterProblem) -> None:
    try:
        a = solve(problem, time_limit_s=5, workers=1, seed=3)
    except InfeasibleError:
        return
    b = solve(problem, time_limit_s=5, workers=1, seed=3)
    assert a.assignments == b.assignments and a.objective == b.objective


CC_SHIFTS = [
    ShiftTemplate(id="E", start=dt.time(7), length_minutes=300, tags=["early"],
                  breaks=[Break(minutes=30, earliest_offset_minutes=120, latest_offset_minutes=180)]),
    ShiftTemplate(id="L", start=dt.time(13), length_minutes=300, tags=["late"],
                  breaks=[Break(minutes=15, earliest_offset_minutes=90, latest_offset_minutes=150)]),
    ShiftTemplate(id="S", start=dt.time(8), segments=[Segment(minutes=180), Segment(offset_minutes=420, minutes=180)],
                  tags=["split"]),
]


@st.composite
def call_centre(draw) -> RosterProblem:  # noqa: ANN001
    start = draw(st.sampled_from([dt.date(2026, 3, 27), dt.date(2026, 10, 23), dt.date(2026, 6, 1)]))
    days = draw(st.integers(1, 4))
    step = draw(st.sampled_from([15, 30]))
    h = Horizon(start=start, days=days, interval_minutes=step, timezone="Europe/Paris")
    reqs = []
    for d in range(days):
        for t in range(h.intervals_in_day(d)):
            if draw(st.integers(0, 5)) == 0:
                reqs.append(Requirement(day=d, interval=t, agents=draw(st.sampled_from([0.5, 1, 1.7, 2, 3])),
                                        skill=draw(st.sampled_from([None, None, "fr"])),
                                        volume=draw(st.sampled_from([None, 10.0])), aht_seconds=200))
    contract = Contract(id="C", max_tag_per_horizon=draw(st.sampled_from([{}, {"split": 1}])),
                        min_rest_hours=draw(st.none() | st.just(12.0)), shift_start_consistency=draw(st.booleans()))
    agents = [Agent(id=f"a{i}", contract="C", skills=draw(st.sampled_from([[], ["fr"]])))
              for i in range(draw(st.integers(1, 3)))]
    weights = ObjectiveWeights(shortfall=draw(st.sampled_from([[100.0], [10.0, 25.0, 60.0]])),
                               overstaffing=draw(st.sampled_from([0.0, 2.5])), fairness=draw(st.sampled_from([0, 1])))
    return RosterProblem(horizon=h, shifts=CC_SHIFTS[: draw(st.integers(1, 3))], contracts=[contract], agents=agents,
                         requirements=reqs, weights=weights)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(call_centre())
def test_generated_call_centre_problems_pass_the_checker(problem: RosterProblem) -> None:
    sol = solve_checked(problem, time_limit_s=5)
    cf = sol.coverage_frame(problem)
    assert len(cf) == len({(r.day, r.interval, r.skill) for r in problem.requirements})
    assert (cf["shortfall"] - cf["over"] == cf["required"] - cf["scheduled"]).all()
