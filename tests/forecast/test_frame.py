"""Input validation (clear errors naming the column/parameter) and call records to intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wfm.exceptions import DataFormatError, InvalidParameterError
from wfm.forecast import calls_to_intervals, cross_validation, forecast, generate_intervals


@pytest.fixture
def small() -> pd.DataFrame:
    return generate_intervals(days=21, freq="1h", seed=0)


def test_unsorted_timestamps(small: pd.DataFrame) -> None:
    bad = small.iloc[[1, 0, *range(2, len(small))]].reset_index(drop=True)
    with pytest.raises(DataFormatError, match=r"`ts`.*sorted.*row 1"):
        forecast(bad, 24, model="week_mean")


def test_duplicated_timestamps(small: pd.DataFrame) -> None:
    bad = pd.concat([small.iloc[:5], small.iloc[4:]], ignore_index=True)
    with pytest.raises(DataFormatError, match=r"`ts`.*duplicated"):
        forecast(bad, 24, model="week_mean")


def test_irregular_intervals(small: pd.DataFrame) -> None:
    bad = small.copy()
    bad.loc[10, "ts"] = bad.loc[10, "ts"] + pd.Timedelta("7min")
    with pytest.raises(DataFormatError, match=r"`ts`.*irregular.*row 10"):
        forecast(bad, 24, model="week_mean")


@pytest.mark.parametrize("value, word", [(-1.0, "negative"), (np.nan, "NaN")])
def test_bad_volumes(small: pd.DataFrame, value: float, word: str) -> None:
    bad = small.copy()
    bad.loc[[3, 8], "volume"] = value
    with pytest.raises(DataFormatError, match=r"`volume`") as info:
        forecast(bad, 24, model="week_mean")
    assert "row 3" in str(info.value) and "row 8" in str(info.value)


def test_freq_finer_than_the_data_is_an_error_not_zeros(small: pd.DataFrame) -> None:
    # hourly rows with freq="30min" would read every half hour in between as closed
    with pytest.raises(DataFormatError, match=r"`freq`.*'30min'.*finest spacing is 0 days 01:00:00"):
        forecast(small, 24, model="seasonal_naive", freq="30min")
    assert len(forecast(small, 24, model="seasonal_naive", freq="1h")) == 24
    # closed hours left out are fine: the open hours are still one interval apart
    open_only = small[small["volume"] > 0]
    assert forecast(open_only, 24, model="seasonal_naive", freq="1h")["volume"].min() == 0.0


def test_horizon_zero_and_bad_duration(small: pd.DataFrame) -> None:
    with pytest.raises(InvalidParameterError, match="`horizon`"):
        forecast(small, 0)
    with pytest.raises(InvalidParameterError, match="`horizon`"):
        forecast(small, "90min")  # not a whole number of hourly intervals
    with pytest.raises(InvalidParameterError, match=r"`horizon`.*24\.5"):
        forecast(small, 24.5, model="week_mean")
    # a count computed in floating point is a count, not nanoseconds
    assert len(forecast(small, 24.0, model="seasonal_naive")) == 24


def test_too_little_history_says_how_much() -> None:
    short = generate_intervals(days=10, freq="1h", seed=0)
    with pytest.raises(DataFormatError, match=r"too short.*needs at least 504 intervals \(21 days\)"):
        forecast(short, 24, model="svd")
    with pytest.raises(DataFormatError, match=r"history of queue='q1' has 240 intervals.*need at least 528"):
        cross_validation(short, "1D", n_windows=1, models=["svd"])


def test_custom_column_names_and_series(small: pd.DataFrame) -> None:
    renamed = small.rename(columns={"queue": "skill", "ts": "start", "volume": "calls"})
    out = forecast(renamed, 24, model="seasonal_naive", id_col="skill", time_col="start", target_col="calls")
    assert {"skill", "start", "calls", "calls_q10", "calls_q90"} <= set(out.columns)
    s = pd.Series(small["volume"].to_numpy(), index=pd.DatetimeIndex(small["ts"]))
    out2 = forecast(s, "1D", model="seasonal_naive")
    assert len(out2) == 24 and "queue" not in out2.columns
    np.testing.assert_allclose(out2["volume"], out["calls"])


def test_bad_model_and_quantiles_named(small: pd.DataFrame) -> None:
    with pytest.raises(InvalidParameterError, match="`model`"):
        forecast(small, 24, model="prophet")
    with pytest.raises(InvalidParameterError, match="`quantiles`"):
        forecast(small, 24, quantiles=(0.1, 1.5))
    with pytest.raises(InvalidParameterError, match="`n_jobs`"):
        forecast(small, 24, n_jobs=0)


def test_missing_column(small: pd.DataFrame) -> None:
    with pytest.raises(DataFormatError, match="`volume`"):
        forecast(small.drop(columns="volume"), 24)
    # a named id column must exist (the default `queue` may be absent: one queue)
    with pytest.raises(DataFormatError, match=r"`id_col`.*\['skill'\]"):
        forecast(small, 24, model="week_mean", id_col="skill")
    assert len(forecast(small.drop(columns="queue"), 24, model="seasonal_naive")) == 24


def test_calls_to_intervals_hand_built() -> None:
    calls = pd.DataFrame({
        "queue": ["A", "A", "A", "B", "A"],
        "arrival": pd.to_datetime(["2024-01-01 08:05:00", "2024-01-01 08:29:59", "2024-01-01 08:30:00",
                                   "2024-01-01 09:10:00", "2024-01-01 08:10:00"]),
        "handle_seconds": [100.0, np.nan, 300.0, 50.0, 200.0],
        "answered": [True, False, True, True, True],
        "abandoned": [False, True, False, False, False],
    })
    out = calls_to_intervals(calls, freq="30min")
    assert list(out.columns) == ["queue", "ts", "volume", "answered", "abandoned", "aht"]
    assert len(out) == 2 * 48  # a full day for each queue
    a = out[out.queue == "A"].set_index("ts")
    t0, t1 = pd.Timestamp("2024-01-01 08:00"), pd.Timestamp("2024-01-01 08:30")
    assert a.loc[t0, "volume"] == 3 and a.loc[t0, "answered"] == 2 and a.loc[t0, "abandoned"] == 1
    assert a.loc[t0, "aht"] == pytest.approx(150.0)
    assert a.loc[t1, "volume"] == 1 and a.loc[t1, "aht"] == pytest.approx(300.0)
    assert np.isnan(a.loc[pd.Timestamp("2024-01-01 10:00"), "aht"])
    assert out["volume"].sum() == 5
    b = out[out.queue == "B"].set_index("ts")
    assert b.loc[pd.Timestamp("2024-01-01 09:00"), "volume"] == 1


def test_calls_to_intervals_errors() -> None:
    with pytest.raises(DataFormatError, match="`arrival`"):
        calls_to_intervals(pd.DataFrame({"when": [1]}))
    with pytest.raises(InvalidParameterError, match="`freq`"):
        calls_to_intervals(pd.DataFrame({"arrival": pd.to_datetime(["2024-01-01"])}), freq="7min")


def test_fourteen_days_of_quarter_hours_without_quantiles() -> None:
    df = generate_intervals(days=28, freq="15min", seed=4)
    out = forecast(df, "14D", model="week_mean", quantiles=())
    assert len(out) == 14 * 96 and list(out.columns) == ["queue", "ts", "volume", "aht"]
    assert out["ts"].iloc[-1] == df["ts"].iloc[-1] + pd.Timedelta(days=14)
    assert list(forecast(df, 4, model="week_mean", quantiles=None).columns) == ["queue", "ts", "volume", "aht"]
