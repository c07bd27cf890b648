"""requirements_from_frame: the staffing → roster hand-off."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from wfm.exceptions import DataFormatError
from wfm.roster.frames import requirements_from_frame
from wfm.roster.models import Horizon


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
    with pytest.raises(DataFormatError, match="agents"):
        requirements_from_frame(frame.drop(columns="agents"), horizon)
