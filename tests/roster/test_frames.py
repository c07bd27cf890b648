"""requirements_from_frame: the staffing → roster hand-off."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from wfm.exceptions import DataFormatError, InvalidParameterError
from wfm.roster import (
    Agent,
    Assignment,
    Contract,
    Horizon,
    Period,
    RosterProblem,
    RosterSolution,
    ServiceTarget,
    ShiftTemplate,
    requirements_from_frame,
    staffing_handoff,
)
from wfm.roster.timeline import Timeline


@pytest.fixture
def horizon():
    return Horizon(start=dt.date(2026, 3, 2), days=2, interval_minutes=30, timezone="Europe/Paris")


def test_naive_times_are_site_local_and_rows_outside_the_horizon_are_dropped(horizon):
    frame = pd.DataFrame({"ts": pd.to_datetime(["2026-03-01 23:30", "2026-03-02 09:00", "2026-03-03 23:30",
                                                "2026-03-04 00:00"]),
                          "agents": [3, 5, 2, 9], "volume": [10.0, 40.0, 5.0, 99.0], "aht": 180.0})
    reqs = requirements_from_frame(frame, horizon)
    assert [r.agents for r in reqs] == [5.0, 2.0]
    assert reqs[0].ts.isoformat() == "2026-03-02T09:00:00+01:00"
    assert reqs[0].volume == 40.0 and reqs[0].aht_seconds == 180.0 and reqs[0].skill is None


def test_queues_sum_into_a_head_count_with_call_weighted_handle_time(horizon):
    frame = pd.DataFrame({"queue": ["a", "b"], "ts": pd.to_datetime(["2026-03-02 09:00"] * 2),
                          "agents": [4, 6], "volume": [30.0, 10.0], "aht": [200.0, 400.0]})
    (req,) = requirements_from_frame(frame, horizon)
    assert req.agents == 10.0 and req.volume == 40.0
    assert req.aht_seconds == pytest.approx((30 * 200 + 10 * 400) / 40)
    by_skill = requirements_from_frame(frame, horizon, skill_col="queue")
    assert sorted((r.skill, r.agents) for r in by_skill) == [("a", 4.0), ("b", 6.0)]


def test_aware_times_are_converted(horizon):
    frame = pd.DataFrame({"ts": pd.to_datetime(["2026-03-02 08:00"]).tz_localize("UTC"), "agents": [1]})
    (req,) = requirements_from_frame(frame, horizon)
    assert req.ts.isoformat() == "2026-03-02T09:00:00+01:00" and req.volume is None


def test_bad_agents_and_missing_columns_are_named(horizon):
    frame = pd.DataFrame({"ts": pd.to_datetime(["2026-03-02 09:00"]), "agents": [-1]})
    with pytest.raises(DataFormatError, match=r"`agents`.*-1"):
        requirements_from_frame(frame, horizon)
    with pytest.raises(DataFormatError, match="agents") as err:
        requirements_from_frame(frame.drop(columns="agents"), horizon)
    assert err.value.field == "agents"


# -- the hand-off carries the target, patience and shrinkage (issue 16, section 5) --------------------------

def _staffed(start: str, periods: int, tz: str = "Europe/Paris", **targets) -> pd.DataFrame:
    """A one-queue forecast of tz-aware half-hours through wfm.erlang.requirements."""
    from wfm.erlang import requirements

    ts = pd.date_range(pd.Timestamp(start, tz=tz), periods=periods, freq="30min")
    hours = ts.hour + ts.minute / 60
    volume = np.where((hours >= 7) & (hours < 22), 150.0 + 250.0 * np.exp(-((hours - 11) / 2.5) ** 2), 0.0)
    frame = pd.DataFrame({"queue": "bank", "ts": ts, "volume": volume, "aht": 180.0})
    return requirements(frame, interval_seconds=1800, **targets)


def test_the_handoff_states_the_target_once_and_keeps_the_breaks_out_of_the_shrinkage(horizon):
    from wfm.erlang import apply_shrinkage

    req = _staffed("2026-03-02", 96, service_level=0.8, answer_seconds=20, patience_seconds=120, shrinkage=0.3)
    handoff = staffing_handoff(req, horizon, break_shrinkage=0.1)
    # 30% of paid time lost, 10% of it to breaks the roster places: of the time at work and off break,
    # 1 - 0.7 / 0.9 = 22.2% is still lost to absence and training
    x = 1 - 0.7 / 0.9
    target = handoff.service_target
    assert (target.service_level, target.answer_seconds, target.patience_seconds) == (0.8, 20, 120)
    assert target.shrinkage == pytest.approx(x)
    on_phone = req["agents_on_phone"].to_numpy()
    assert [r.agents for r in handoff.requirements] == list(apply_shrinkage(on_phone, x).astype(float))
    # fewer than the agents to schedule: the breaks are counted once, by the roster
    assert sum(r.agents for r in handoff.requirements) < req["agents"].sum()
    # all of the shrinkage in breaks: the roster covers exactly the agents on the phones
    only_breaks = staffing_handoff(req, horizon, break_shrinkage=0.3)
    assert [r.agents for r in only_breaks.requirements] == list(on_phone.astype(float))
    assert only_breaks.service_target.shrinkage == 0.0
    # none of it in breaks (the default): the figure is the frame's agents to schedule, as before
    assert [r.agents for r in requirements_from_frame(req, horizon)] == list(req["agents"].astype(float))
    problem = handoff.problem(shifts=[ShiftTemplate(id="D", start=dt.time(9), length_minutes=480)],
                              contracts=[Contract(id="C")], agents=[Agent(id="a", contract="C")])
    assert problem.answer_seconds == 20 and problem.service_target.patience_seconds == 120


def test_a_frame_without_a_record_takes_the_target_given_and_a_contradiction_is_named(horizon):
    frame = pd.DataFrame({"ts": pd.to_datetime(["2026-03-02 09:00"]), "agents": [7], "volume": [80.0],
                          "aht": 200.0})
    handoff = staffing_handoff(frame, horizon, service_level=0.9, answer_seconds=15)
    assert handoff.service_target == ServiceTarget(service_level=0.9, answer_seconds=15)
    assert [r.agents for r in handoff.requirements] == [7.0]
    req = _staffed("2026-03-02", 48, service_level=0.8, answer_seconds=20)
    with pytest.raises(InvalidParameterError, match="answer_seconds") as err:
        staffing_handoff(req, horizon, answer_seconds=30)
    assert err.value.field == "answer_seconds" and err.value.value == 30
    with pytest.raises(InvalidParameterError) as err:
        staffing_handoff(_staffed("2026-03-02", 48, shrinkage=0.2), horizon, break_shrinkage=0.25)
    assert err.value.field == "break_shrinkage"
    with pytest.raises(InvalidParameterError) as err:
        staffing_handoff(frame, horizon, service_level=1.5)
    assert err.value.field == "service_level"


def _one_interval_roster(problem: RosterProblem, agents: int, start: dt.time) -> RosterSolution:
    """``agents`` agents on one 30-minute shift (no break) at ``start`` on day 0."""
    tl = Timeline(problem)
    shift = problem.shifts[0]
    (seg,) = tl.segments(0, shift)
    out = [Assignment(agent=f"a{i}", date=problem.horizon.start, shift=shift.id, start=seg[0], end=seg[1],
                      paid_minutes=30, segments=[Period(start=seg[0], end=seg[1])]) for i in range(agents)]
    return RosterSolution(status="FEASIBLE", assignments=out, objective=0, best_bound=0, gap=0, solve_time_s=0)


def test_projected_service_level_uses_erlang_a_and_the_shrinkage_left_in_the_figure():
    from wfm.erlang import service_level

    horizon = Horizon(start=dt.date(2026, 3, 2), days=1, timezone="Europe/Paris")
    req = _staffed("2026-03-02 11:00", 1, service_level=0.8, answer_seconds=20, patience_seconds=120,
                   shrinkage=0.3)
    handoff = staffing_handoff(req, horizon, break_shrinkage=0.1)
    (r,) = handoff.requirements
    n = int(r.agents)
    problem = handoff.problem(shifts=[ShiftTemplate(id="X", start=dt.time(11), length_minutes=30)],
                              contracts=[Contract(id="C")],
                              agents=[Agent(id=f"a{i}", contract="C") for i in range(n + 2)])
    cov = _one_interval_roster(problem, n, dt.time(11)).coverage_frame(problem)
    on_phone = n * (1 - problem.service_target.shrinkage)
    low = np.floor(on_phone)
    sl = [service_level(r.volume, 180.0, k, answer_seconds=20, patience_seconds=120) for k in (low, low + 1)]
    assert cov["service_level"].iloc[0] == pytest.approx(sl[0] + (on_phone - low) * (sl[1] - sl[0]))
    # the roster covers the requirement, so the target is met; Erlang C would say less (no caller hangs up)
    assert cov["service_level"].iloc[0] >= 0.8
    erlang_c = problem.model_copy(update={"service_target": problem.service_target.model_copy(
        update={"patience_seconds": None})})
    assert _one_interval_roster(erlang_c, n, dt.time(11)).coverage_frame(erlang_c)["service_level"].iloc[0] < \
        cov["service_level"].iloc[0]


def test_old_problem_json_still_loads_and_answer_seconds_is_given_once():
    base = dict(horizon=Horizon(start=dt.date(2026, 3, 2), days=1), shifts=[ShiftTemplate(id="X", length_minutes=60)],
                contracts=[Contract(id="C")], agents=[Agent(id="a", contract="C")])
    old = RosterProblem(**base, answer_seconds=15).model_dump(mode="json")
    del old["service_target"]
    loaded = RosterProblem.model_validate(old)
    assert loaded.service_target is None and loaded.answer_seconds == 15
    new = RosterProblem(**base, service_target=ServiceTarget(service_level=0.8, answer_seconds=30))
    assert new.answer_seconds == 30
    assert RosterProblem.model_validate_json(new.model_dump_json()) == new
    with pytest.raises(ValueError, match="answer_seconds"):
        RosterProblem(**base, answer_seconds=20, service_target=ServiceTarget(answer_seconds=30))
    # a target of answering without waiting (0 s), as wfm.erlang allows, round-trips too
    at_once = RosterProblem(**base, service_target=ServiceTarget(service_level=0.5, answer_seconds=0))
    assert RosterProblem.model_validate_json(at_once.model_dump_json()) == at_once


# -- daylight saving (issue 19): a site's day has 46 or 50 half-hours ----------------------------------------

@pytest.mark.parametrize(("day", "n_intervals"), [("2026-03-29", 46), ("2026-10-25", 50)])
def test_a_daylight_saving_day_has_its_own_number_of_half_hours(day, n_intervals):
    start = pd.Timestamp(day) - pd.Timedelta(days=1)
    horizon = Horizon(start=start.date(), days=3, timezone="Europe/Paris")
    end = start + pd.Timedelta(days=3)  # wall-clock midnight three days on
    ts = pd.date_range(start.tz_localize("Europe/Paris"), end.tz_localize("Europe/Paris"), freq="30min",
                       inclusive="left")
    assert len(ts) == 48 + n_intervals + 48
    req = _staffed(str(start.date()), len(ts), service_level=0.8, answer_seconds=20)
    aware = staffing_handoff(req, horizon).requirements
    # the same frame with wall-clock times (a CSV without offsets): on the autumn day 02:00 and 02:30 come
    # twice, summer time first
    naive = requirements_from_frame(req.assign(ts=req["ts"].dt.tz_localize(None)), horizon)
    # and as text with the UTC offsets of summer and winter mixed
    text = requirements_from_frame(req.assign(ts=req["ts"].map(lambda t: t.isoformat())), horizon)
    for reqs in (aware, naive, text):
        assert [r.ts for r in reqs] == list(ts)
        assert [r.agents for r in reqs] == list(req["agents"].astype(float))
    problem = RosterProblem(horizon=horizon, shifts=[ShiftTemplate(id="X", length_minutes=60)],
                            contracts=[Contract(id="C")], agents=[Agent(id="a", contract="C")], requirements=naive)
    cells = Timeline(problem).requirements
    per_day = np.bincount([Timeline(problem).day_of_interval(g)[0] for g, _ in cells], minlength=3)
    assert list(per_day) == [48, n_intervals, 48]


def test_times_the_clock_skips_or_passes_twice_unresolved_are_named():
    spring = Horizon(start=dt.date(2026, 3, 29), days=1, timezone="Europe/Paris")
    grid = pd.date_range("2026-03-29", periods=48, freq="30min")  # naive: 02:00 and 02:30 do not exist
    with pytest.raises(DataFormatError, match=r"2026-03-29 02:00:00.*go forward") as err:
        requirements_from_frame(pd.DataFrame({"ts": grid, "agents": 1}), spring)
    assert err.value.field == "ts" and err.value.value == "2026-03-29 02:00:00"
    assert "2026-03-29 02:30:00" in str(err.value)
    autumn = Horizon(start=dt.date(2026, 10, 25), days=1, timezone="Europe/Paris")
    grid = pd.date_range("2026-10-25", periods=48, freq="30min")  # naive: 02:00 once, but the clock passes it twice
    with pytest.raises(DataFormatError, match=r"2026-10-25 02:00:00.*go back") as err:
        requirements_from_frame(pd.DataFrame({"ts": grid, "agents": 1}), autumn)
    assert err.value.field == "ts"


@pytest.mark.parametrize(("times", "match"), [
    (["2026-03-02 09:00", "not a time"], "not a time"),
    (["2026-03-02 09:00", "2026-03-02 09:17"], "09:17"),
    (["2026-03-02T09:00+01:00", "2026-03-02 09:30"], "UTC offset"),
    ([dt.datetime(2026, 3, 2, 8, tzinfo=dt.UTC), dt.datetime(2026, 3, 2, 9, 30)], "UTC offset"),
    ([1, 2], "numbers"),
    (["2026-03-02 09:00", None], "None"),
])
def test_bad_times_are_named_with_their_column(horizon, times, match):
    with pytest.raises(DataFormatError, match=match) as err:
        requirements_from_frame(pd.DataFrame({"when": times, "agents": 1}), horizon, time_col="when")
    assert err.value.field == "when"


@settings(max_examples=25, deadline=None)
@given(day=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2027, 12, 25)),
       zone=st.sampled_from(["Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Jerusalem", "UTC"]),
       minutes=st.sampled_from([15, 30]))
@example(day=dt.date(2026, 3, 28), zone="Europe/Paris", minutes=30)
@example(day=dt.date(2026, 10, 24), zone="Europe/Paris", minutes=15)
@example(day=dt.date(2026, 11, 1), zone="America/New_York", minutes=30)  # the change is at 02:00 on day 0
@example(day=dt.date(2026, 4, 4), zone="Australia/Sydney", minutes=30)
@example(day=dt.date(2026, 10, 3), zone="Australia/Sydney", minutes=15)
@example(day=dt.date(2026, 3, 26), zone="Asia/Jerusalem", minutes=30)
def test_any_days_in_any_zone_give_one_requirement_per_interval_of_the_horizon(day, zone, minutes):
    horizon = Horizon(start=day, days=3, interval_minutes=minutes, timezone=zone)
    first = pd.Timestamp(day).tz_localize(zone)
    end = pd.Timestamp(day + dt.timedelta(days=3)).tz_localize(zone)
    ts = pd.date_range(first, end, freq=f"{minutes}min", inclusive="left")
    frame = pd.DataFrame({"queue": "q", "ts": ts, "agents": np.arange(len(ts)) % 7})
    expected = [horizon.intervals_in_day(d) for d in range(3)]
    for f in (frame, frame.assign(ts=frame["ts"].dt.tz_localize(None))):
        reqs = requirements_from_frame(f, horizon)
        assert [r.ts for r in reqs] == list(ts)
        assert [r.agents for r in reqs] == list(frame["agents"].astype(float))
    assert sum(expected) == len(ts)
