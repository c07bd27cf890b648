"""Synthetic call-centre instances: deterministic by seed, realistic in shape, valid for the solver."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from wfm.exceptions import InvalidParameterError
from wfm.roster.instances import call_centre_contracts, call_centre_instance, call_centre_shifts, weekly_profile
from wfm.roster.models import RosterProblem


def test_same_seed_same_problem() -> None:
    a = call_centre_instance(20, weeks=1, seed=3, source="synthetic")
    b = call_centre_instance(20, weeks=1, seed=3, source="synthetic")
    assert a.model_dump_json() == b.model_dump_json()


def test_other_seed_other_problem() -> None:
    a = call_centre_instance(20, weeks=1, seed=3, source="synthetic")
    b = call_centre_instance(20, weeks=1, seed=4, source="synthetic")
    assert a.model_dump_json() != b.model_dump_json()


def test_round_trips_json() -> None:
    p = call_centre_instance(12, weeks=1, seed=0, source="synthetic")
    assert RosterProblem.model_validate_json(p.model_dump_json()) == p


def test_shape_of_the_synthetic_centre() -> None:
    p = call_centre_instance(30, weeks=2, seed=0, source="synthetic")
    assert p.horizon.days == 14 and p.horizon.interval_minutes == 30
    assert p.horizon.start.weekday() == 0
    assert len(p.shifts) == 21
    tags = {t for s in p.shifts for t in s.tags}
    assert {"early", "late", "long", "short", "split"} <= tags
    split = [s for s in p.shifts if s.is_split]
    assert split and all(s.paid_minutes == 480 for s in split)
    # lunch is unpaid: an 8.5-hour early shift pays 8 hours
    assert p.shift("E0700").paid_minutes == 480
    assert {a.contract.split("-")[0] for a in p.agents} == {"FT", "PT"}
    assert len(p.agents) == 30
    # closed before 07:00, and the requirement is M-shaped: the midday dip sits below both peaks
    req = np.zeros((14, 48))
    for r in p.requirements:
        req[r.day, r.interval] = r.agents
    assert req[:, :14].sum() == 0
    weekday = req[[0, 1, 2, 3, 6]].mean(axis=0)
    assert weekday[20] > weekday[24] < weekday[29]


def test_requirement_scaled_to_the_workforce() -> None:
    for load in (0.6, 0.9):
        p = call_centre_instance(40, weeks=1, seed=1, source="synthetic", load=load)
        n_ft = sum(a.contract.startswith("FT") for a in p.agents)
        n_pt = len(p.agents) - n_ft
        capacity = n_ft * 5 * 16 + n_pt * 50
        total = sum(r.agents for r in p.requirements)
        assert total == pytest.approx(load * capacity, rel=0.03)


def test_leave_locks_and_preferences_are_consistent() -> None:
    p = call_centre_instance(80, weeks=4, seed=2, source="synthetic")
    assert any(a.leave for a in p.agents)
    assert any(a.locked for a in p.agents)
    assert any(a.preferences for a in p.agents)
    contracts = {c.id: c for c in p.contracts}
    for a in p.agents:
        leave = set(a.leave)
        for la in a.locked:
            assert la.date not in leave
            if la.shift is not None:
                allowed = contracts[a.contract].allowed_shifts
                assert allowed is None or la.shift in allowed
        if any(sum(1 for d in a.leave if d.isocalendar()[1] == w) > 1 for w in {d.isocalendar()[1] for d in leave}):
            assert contracts[a.contract].min_paid_minutes_per_week is None


def test_weekly_profile_synthetic_is_seeded() -> None:
    p1, aht, src = weekly_profile("synthetic", seed=5)
    p2, _, _ = weekly_profile("synthetic", seed=5)
    assert src == "synthetic" and aht == 180.0
    assert p1.shape == (7, 48) and np.array_equal(p1, p2)
    assert p1[5, :36].sum() == 0  # Saturday: evening only


def test_bank_instance() -> None:
    from wfm.datasets import find_data_dir

    try:
        find_data_dir()
    except FileNotFoundError:
        pytest.skip("shared bank data not found (set WFM_DATA)")
    p = call_centre_instance(30, weeks=1, seed=0, source="bank")
    assert p.name.endswith("bank") and p.horizon.start == dt.date(1999, 10, 4)
    profile, aht, src = weekly_profile("bank")
    assert src == "bank" and 150 < aht < 200
    # the bank's Friday closes early and Saturday only opens in the evening
    assert profile[4, 36:].sum() < 0.2 * profile[4, :36].sum()
    assert profile[5, :30].sum() < profile[5, 40:].sum()


def test_contracts_reference_existing_shifts() -> None:
    ids = {s.id for s in call_centre_shifts()}
    for c in call_centre_contracts():
        assert set(c.allowed_shifts or []) <= ids


@pytest.mark.parametrize("kwargs", [{"n_agents": 0}, {"weeks": 0}, {"weeks": 9}, {"load": 0.0},
                                    {"part_time_share": 1.5}, {"source": "file"}])
def test_bad_parameters(kwargs: dict) -> None:
    args = {"n_agents": 10, "weeks": 1, "source": "synthetic"} | kwargs
    with pytest.raises(InvalidParameterError):
        call_centre_instance(**args)


def test_daylight_saving_week() -> None:
    # Israel moves the clocks forward on Friday 2026-03-27: that day has 46 half-hour intervals
    p = call_centre_instance(12, weeks=1, seed=0, source="synthetic", start=dt.date(2026, 3, 23))
    assert p.horizon.intervals_in_day(4) == 46
    per_day = {d: max(r.interval for r in p.requirements if r.day == d) for d in range(7)}
    assert per_day[4] == 45 and per_day[3] == 47
    # the site still opens at 07:00 wall-clock time: 14 intervals before it on a normal day, 12 on that day
    assert min(r.interval for r in p.requirements if r.day == 3) == 14
    assert min(r.interval for r in p.requirements if r.day == 4) == 12
