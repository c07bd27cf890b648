"""Issue 19 in forecasting: bounded horizon, rows and span; AHT 0 in history; time-zone-aware times."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wfm.exceptions import DataFormatError, LimitExceededError, WfmError
from wfm.forecast import forecast, forecast_aht, generate_intervals
from wfm.limits import set_limits
from wfm.times import parse_timestamps

from ..badvalues import NUMBERS, QUICK


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return generate_intervals(pd.Timestamp("2024-01-01"), days=21, freq="1h", seed=0)


@pytest.mark.parametrize("horizon", [1_000_000_000_000, 1_000_000, "100000D"])
def test_horizon_is_limited(history, horizon):
    with pytest.raises(LimitExceededError) as err:
        forecast(history, horizon, model="week_mean")
    assert err.value.field == "horizon"


def test_rows_and_span_are_limited(history):
    previous = set_limits(max_rows=200)
    try:
        with pytest.raises(LimitExceededError) as err:
            forecast(history, 24, model="week_mean")
        assert err.value.field == "history"
    finally:
        set_limits(previous)
    far = pd.DataFrame({"ts": pd.to_datetime(["1900-01-01", "2100-01-01"]), "volume": [1.0, 2.0]})
    with pytest.raises(LimitExceededError) as err:
        forecast(far, 24, model="week_mean", freq="15min")
    assert err.value.field == "ts"


def test_zero_aht_is_not_a_measurement():
    idx = pd.date_range("2024-01-01", periods=4 * 7 * 24, freq="1h")
    volume = pd.Series(5.0, index=idx)
    aht = pd.Series(200.0, index=idx)
    aht[(idx.day_of_week == 0) & (idx.hour == 9)] = 0.0  # never measured on Mondays at 09:00
    future = pd.date_range(idx[-1] + pd.Timedelta("1h"), periods=7 * 24, freq="1h")
    got = forecast_aht(aht, volume, future)
    assert (got > 0).all() and np.allclose(got, 200.0)


def test_mixed_offsets_across_dst_get_one_zone():
    text = pd.Series(["2024-03-31T01:30:00+01:00", "2024-03-31T03:00:00+02:00"])
    got = parse_timestamps(text)
    assert str(got.dt.tz).startswith("Europe/") and (got.diff().iloc[1] == pd.Timedelta("30min"))
    assert str(parse_timestamps(text, tz="Europe/Berlin").dt.tz) == "Europe/Berlin"
    with pytest.raises(DataFormatError) as err:
        parse_timestamps(pd.Series(["2024-01-08 09:00", "2024-01-08T09:30:00+01:00"]))
    assert err.value.field == "ts"
    with pytest.raises(DataFormatError):
        parse_timestamps(pd.Series(["2024-01-08 09:00+01:00", "2024-01-08 09:30+05:17"]))


def test_dst_history_forecasts_across_the_change():
    hist = generate_intervals(pd.Timestamp("2024-02-26"), days=35, freq="1h", seed=0)
    hist["ts"] = pd.date_range("2024-02-26", periods=len(hist), freq="1h", tz="UTC").tz_convert("Europe/Berlin")
    out = forecast(hist, "2D", model="week_mean")
    assert len(out) == 48 and out["ts"].dt.tz is not None


@QUICK
@given(values=st.lists(NUMBERS, min_size=0, max_size=30), horizon=st.sampled_from([1, 0, -1, 10**12, "7D", "x"]),
       shuffle=st.booleans(), dup=st.booleans(), mixed_tz=st.booleans())
def test_forecast_raises_its_own_error_or_answers(values, horizon, shuffle, dup, mixed_tz):
    n = len(values)
    ts = pd.Series(pd.date_range("2024-01-01", periods=n, freq="1h"))
    if mixed_tz and n > 1:
        ts = pd.Series([t.tz_localize("UTC") if i % 2 else t for i, t in enumerate(ts)], dtype=object)
    if dup and n > 1:
        ts.iloc[-1] = ts.iloc[0]
    frame = pd.DataFrame({"ts": ts, "volume": values})
    if shuffle:
        frame = frame.iloc[::-1]
    try:
        out = forecast(frame, horizon, model="week_mean")
    except WfmError:
        return
    assert len(out) == horizon and (out["volume"] >= 0).all()
