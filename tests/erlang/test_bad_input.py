"""Issue 19 in staffing: any finite input ends (a limit, not a hang); irregular or duplicate times are refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wfm.erlang import required_agents, requirements
from wfm.exceptions import DataFormatError, LimitExceededError, WfmError

from ..badvalues import NUMBERS, QUICK, finite_ints


@pytest.mark.parametrize(("calls", "aht", "field"), [(100, 1e15, "aht"), (100, 1e300, "aht"), (1e300, 180, "calls"),
                                                     (1e9, 1e9, "calls")])
def test_huge_inputs_are_a_named_limit_not_a_hang(calls, aht, field):
    with pytest.raises(LimitExceededError) as err:
        required_agents(calls, aht)
    assert err.value.field == field and err.value.code == "limit_exceeded"


def test_largest_accepted_load_still_ends():
    # 5.6e5 Erlangs: the search starts near the answer and steps a few agents
    n = required_agents(1e9, 1.0, interval_seconds=1800)
    assert 555_556 <= n < 560_000


def _frame(times: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"ts": pd.to_datetime(times), "volume": 10.0, "aht": 180.0})


@pytest.mark.parametrize("times", [["2024-01-08 09:00", "2024-01-08 09:17", "2024-01-08 10:00"],
                                   ["2024-01-08 09:00", "2024-01-08 09:30", "2024-01-08 09:30"],
                                   ["2024-01-08 09:00", "2024-01-08 09:17"]])
def test_irregular_or_duplicate_times_are_refused(times):
    with pytest.raises(DataFormatError) as err:
        requirements(_frame(times))
    assert err.value.field == "ts"


def test_given_interval_must_fit_the_times():
    with pytest.raises(DataFormatError):
        requirements(_frame(["2024-01-08 09:00", "2024-01-08 09:15"]), interval_seconds=1800)
    out = requirements(_frame(["2024-01-08 09:00", "2024-01-08 10:00"]), interval_seconds=1800)
    assert list(out["agents"]) == [required_agents(10, 180)] * 2


def test_dst_day_from_a_forecast_is_a_regular_grid():
    ts = pd.date_range("2024-03-31", periods=46, freq="30min", tz="Europe/Berlin")  # 23-hour day
    out = requirements(pd.DataFrame({"ts": ts, "volume": 10.0, "aht": 180.0}))
    assert len(out) == 46 and (out["agents"] > 0).all()


@QUICK
@given(calls=st.lists(NUMBERS, min_size=1, max_size=4), aht=NUMBERS, answer=NUMBERS, patience=st.none() | NUMBERS,
       interval=NUMBERS)
def test_required_agents_raises_its_own_error_or_answers(calls, aht, answer, patience, interval):
    try:
        n = required_agents(np.array(calls), aht, answer_seconds=answer, patience_seconds=patience,
                            interval_seconds=interval)
    except WfmError:
        return
    assert finite_ints(n)


@QUICK
@given(volume=st.lists(NUMBERS, min_size=0, max_size=4), aht=st.lists(NUMBERS, min_size=4, max_size=4),
       order=st.permutations(range(4)), dup=st.booleans())
def test_requirements_raises_its_own_error_or_answers(volume, aht, order, dup):
    n = len(volume)
    ts = pd.date_range("2024-01-08 09:00", periods=4, freq="30min")[list(order)][:n]
    if dup and n > 1:
        ts = ts[[0] + list(range(n - 1))]
    frame = pd.DataFrame({"ts": ts, "volume": volume, "aht": aht[:n]})
    try:
        out = requirements(frame, interval_seconds=1800 if n < 2 else None)
    except WfmError:
        return
    assert len(out) == n and finite_ints(out["agents"])
