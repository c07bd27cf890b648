"""Shapes that must work untuned: single-peak days, closed nights and weekends, holidays (declared or not)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wfm.erlang import required_agents, requirements
from wfm.forecast import forecast, generate_intervals, reforecast_intraday

CLOSED_WEEKEND = [1.0, 1.0, 1.0, 1.0, 0.9, 0.0, 0.0]


def _wape(pred: pd.DataFrame, truth: pd.DataFrame) -> float:
    m = pred.merge(truth, on=["queue", "ts"], how="right", suffixes=("", "_true")).fillna({"volume": 0.0})
    return float(np.abs(m["volume"] - m["volume_true"]).sum() / m["volume_true"].sum())


def _split(df: pd.DataFrame, test_days: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    cut = df["ts"].max().normalize() - pd.Timedelta(days=test_days - 1)
    return df[df["ts"] < cut].reset_index(drop=True), df[df["ts"] >= cut].reset_index(drop=True)


@pytest.mark.parametrize("closed", ["zero", "absent"])
def test_closed_nights_and_weekends(closed: str) -> None:
    df = generate_intervals(days=49, freq="30min", weekly=CLOSED_WEEKEND, closed=closed, aht=None,
                            daily_volume=1200.0, seed=4)
    train, test = _split(df)
    out = forecast(train, "7D", quantiles=(0.1, 0.9))
    # the output is the full grid: closed intervals are rows with ~0 calls
    assert len(out) == 7 * 48
    night = out["ts"].dt.hour < 6
    weekend = out["ts"].dt.day_of_week >= 5
    assert out.loc[night | weekend, "volume"].max() < 0.5
    assert _wape(out, test) < 0.2


@pytest.mark.parametrize("model", ["auto", "svd", "mstl", "topdown", "week_mean"])
def test_hours_that_never_had_a_call_are_forecast_exactly_zero(model: str) -> None:
    # a trickle at closed hours would make staffing put an agent on the phones all night
    df = generate_intervals(days=42, freq="30min", weekly=CLOSED_WEEKEND, daily_volume=1500.0, seed=2)
    out = forecast(df, "7D", model=model)
    hour = out["ts"].dt.hour
    never = (hour < 7) | (hour >= 22) | (out["ts"].dt.day_of_week >= 5)
    assert (out.loc[never, ["volume", "volume_q10", "volume_q90"]] == 0).all().all()
    assert (requirements(out, aht=180.0).loc[never, "agents"] == 0).all()
    assert out.loc[~never, "volume"].min() > 0


def test_single_peak_days() -> None:
    df = generate_intervals(days=42, freq="30min", shape="single", open_time="08:00", close_time="18:00",
                            seed=5, aht=None)
    train, test = _split(df)
    out = forecast(train, "7D")
    peak_hour = out.loc[out["ts"].dt.day_of_week == 1].set_index("ts")["volume"].idxmax().hour
    assert 11 <= peak_hour <= 14
    assert _wape(out, test) < 0.2


def test_undeclared_holidays_in_history_do_not_break_the_forecast() -> None:
    holidays = ["2024-01-23", "2024-02-06", "2024-02-07"]
    df = generate_intervals(days=56, freq="30min", holidays=holidays, seed=6, aht=None)
    train, test = _split(df)
    out = forecast(train, "7D")  # holidays not passed: anomalous days must be set aside
    assert _wape(out, test) < 0.2


def test_declared_holiday_in_the_horizon_is_forecast_low() -> None:
    # holidays of the past teach the level; one in the horizon must be forecast near-empty
    holidays = ["2024-01-16", "2024-02-01", "2024-02-14", "2024-02-28"]
    df = generate_intervals(days=63, freq="30min", holidays=holidays, seed=7, aht=None)
    train, test = _split(df)
    with_h = forecast(train, "7D", holidays=holidays)
    without = forecast(train, "7D")
    day = with_h["ts"].dt.normalize() == pd.Timestamp("2024-02-28")
    normal = without.loc[day, "volume"].sum()
    assert with_h.loc[day, "volume"].sum() < 0.25 * normal
    assert _wape(with_h, test) < 0.8 * _wape(without, test)


def test_many_queues_in_parallel_match_serial() -> None:
    df = generate_intervals(days=28, freq="1h", queues=3, daily_volume=[500.0, 1500.0, 3000.0], seed=8)
    serial = forecast(df, "2D", model="topdown")
    parallel = forecast(df, "2D", model="topdown", n_jobs=2)
    pd.testing.assert_frame_equal(serial, parallel)
    assert serial["queue"].unique().tolist() == ["q1", "q2", "q3"]
    totals = serial.groupby("queue")["volume"].sum()
    assert totals["q1"] < totals["q2"] < totals["q3"]


def test_aht_forecast_follows_history() -> None:
    df = generate_intervals(days=28, freq="1h", aht=240.0, seed=9)
    out = forecast(df, "1D", model="week_mean")
    open_ = out["volume"] > 1
    assert out.loc[open_, "aht"].between(200, 280).all()


def test_time_zone_aware_input_round_trips() -> None:
    df = generate_intervals(days=28, freq="1h", seed=10, aht=None)
    df["ts"] = df["ts"].dt.tz_localize("Asia/Jerusalem")
    out = forecast(df, "1D", model="topdown")
    assert str(out["ts"].dt.tz) == "Asia/Jerusalem"
    assert len(out) == 24


def test_daylight_saving_history_and_horizon() -> None:
    """A history crossing the autumn change (a repeated hour) and a horizon crossing the spring one."""
    df = generate_intervals("2024-03-03", days=35, freq="1h", seed=11, aht=180.0)
    instants = pd.date_range("2024-03-03", periods=len(df), freq="1h", tz="Europe/Berlin")
    df["ts"] = instants  # 2024-03-31 02:00 does not exist in Berlin: the wall clock skips it
    out = forecast(df, "1D", model="topdown")
    assert str(out["ts"].dt.tz) == "Europe/Berlin"
    assert out["ts"].is_monotonic_increasing and out["volume"].ge(0).all()
    autumn = generate_intervals("2024-10-06", days=29, freq="1h", seed=12, aht=180.0)
    autumn["ts"] = pd.date_range("2024-10-06", periods=len(autumn), freq="1h", tz="Europe/Berlin")
    res = forecast(autumn, "1D", model="week_mean")  # history has 2024-10-27 02:00 twice
    assert len(res) == 24 and res["aht"].notna().all()


def test_horizon_over_the_autumn_change_has_both_repeated_hours() -> None:
    """A 25-hour day in the horizon: rows for both occurrences of the repeated hour, no gap in real time."""
    df = generate_intervals("2024-09-22", days=35, freq="1h", open_time="00:00", close_time="24:00", seed=13,
                            aht=180.0)  # open around the clock: the repeated hour has calls
    df["ts"] = pd.date_range("2024-09-22", periods=len(df), freq="1h", tz="Europe/Berlin")
    out = forecast(df, "7D", model="week_mean")  # 2024-10-27 (25 hours) lies in the horizon
    assert len(out) == 7 * 24 + 1 and out["ts"].is_unique and out["ts"].is_monotonic_increasing
    assert (out["ts"].diff().dropna() == pd.Timedelta("1h")).all()
    day = out[out["ts"].dt.strftime("%Y-%m-%d") == "2024-10-27"].set_index("ts")
    assert len(day) == 25
    twice = day[day.index.strftime("%H") == "02"]
    assert len(twice) == 2 and twice["volume"].nunique() == 1 and (twice["volume"] > 0).all()
    # staffing downstream sees hourly intervals on the real time line, both repeated hours staffed alike
    req = requirements(out).set_index("ts")
    assert req.loc[twice.index, "agents"].nunique() == 1 and (req.loc[twice.index, "agents"] > 0).all()
    assert (req["agents"].to_numpy() == required_agents(req["volume"].to_numpy(), req["aht"].to_numpy(),
                                                        interval_seconds=3600)).all()
    # the re-forecast of that day reaches its real end (midnight after 25 hours)
    seen = out[out["ts"] < pd.Timestamp("2024-10-27 01:00", tz="Europe/Berlin")][["ts", "volume"]]
    upd = reforecast_intraday(out.drop(columns="queue"), seen.assign(volume=seen["volume"] + 5), id_col=None)
    moved = upd.loc[upd["intraday_factor"] != 1.0, "ts"]
    assert moved.max() == pd.Timestamp("2024-10-27 23:00", tz="Europe/Berlin") and len(moved) == 24
