"""required_agents and the requirements frame on concrete cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wfm.erlang import asa, occupancy, required_agents, requirements, service_level


def test_textbook_value() -> None:
    # 100 calls per half hour, 3-minute calls, 80/20: 10 Erlangs need 14 agents (SL 0.888; 13 give 0.796).
    assert required_agents(100, 180) == 14
    assert service_level(100, 180, 13) < 0.8 <= service_level(100, 180, 14)
    assert round(float(service_level(100, 180, 14)), 4) == 0.8884


def test_targets_combine_to_the_strictest() -> None:
    calls = np.array([50, 200, 400, 800.0])
    base = required_agents(calls, 240, service_level=0.8)
    occ = required_agents(calls, 240, service_level=0.8, max_occupancy=0.85)
    both = required_agents(calls, 240, service_level=0.8, max_occupancy=0.85, asa_seconds=5)
    only_occ = required_agents(calls, 240, service_level=None, max_occupancy=0.85)
    assert np.all(occ >= base) and np.all(both >= occ)
    assert np.array_equal(occ, np.maximum(base, only_occ))
    assert np.all(occupancy(calls, 240, occ) <= 0.85)
    assert np.all(asa(calls, 240, both) <= 5)


def test_erlang_a_needs_fewer_agents_but_abandon_cap_can_raise_it() -> None:
    calls = np.array([100.0, 300.0, 600.0])
    c = required_agents(calls, 300, service_level=0.8)
    a = required_agents(calls, 300, service_level=0.8, patience_seconds=120)
    capped = required_agents(calls, 300, service_level=0.8, patience_seconds=120, max_abandon=0.01)
    assert np.all(a <= c)
    assert np.all(capped >= a)


def test_broadcasting_and_return_types() -> None:
    out = required_agents(np.array([[10.0], [100.0]]), np.array([120.0, 300.0]))
    assert out.shape == (2, 2) and out.dtype == np.int64
    assert isinstance(required_agents(10, 120), int)
    assert isinstance(service_level(10, 120, 3), float)
    s = service_level(pd.Series([10.0, 20.0]), 120, 3)
    assert isinstance(s, np.ndarray) and s.shape == (2,)


def _frame() -> pd.DataFrame:
    ts = pd.date_range("2024-03-04 07:00", periods=8, freq="15min", tz="Europe/London")
    rows = []
    for q, scale in (("sales", 1.0), ("support", 2.5)):
        vol = scale * np.array([0, 12, 40, 55, 61, 30, 8, 0.0])
        rows.append(pd.DataFrame({"queue": q, "ts": ts, "volume": vol, "aht": 240.0}))
    return pd.concat(rows, ignore_index=True)


def test_requirements_frame_infers_interval_and_keeps_rows() -> None:
    df = _frame()
    out = requirements(df)
    assert list(out.columns[: len(df.columns)]) == list(df.columns)
    assert out.index.equals(df.index)
    assert (out.loc[df.volume == 0, "agents"] == 0).all()
    expect = required_agents(df.volume.to_numpy(), 240, interval_seconds=900)
    assert np.array_equal(out.agents.to_numpy(), expect)
    assert (out.loc[df.volume > 0, "service_level"] >= 0.8).all()
    assert {"occupancy", "asa"} <= set(out.columns) and "abandon_rate" not in out.columns


def test_requirements_with_patience_shrinkage_and_scalar_aht() -> None:
    df = _frame().drop(columns="aht")
    out = requirements(df, aht=240, patience_seconds=180, max_abandon=0.05, shrinkage=0.3)
    assert {"abandon_rate", "agents_on_phone"} <= set(out.columns)
    busy = df.volume > 0
    assert (out.loc[busy, "abandon_rate"] <= 0.05).all()
    assert (out.agents >= out.agents_on_phone).all()
    assert (np.ceil(out.agents_on_phone / 0.7 - 1e-9) == out.agents).all()


def test_requirements_bad_frames() -> None:
    from wfm.exceptions import DataFormatError, InvalidParameterError

    df = _frame()
    bad = df.assign(volume=df.volume.where(df.index != 3, -1.0))
    with pytest.raises(DataFormatError, match=r"`volume`.*\[3\]"):
        requirements(bad)
    with pytest.raises(DataFormatError, match="aht"):
        requirements(df.drop(columns="aht"))
    with pytest.raises(InvalidParameterError, match="interval_seconds"):
        requirements(df.iloc[[1]])
    assert requirements(df.iloc[[1]], interval_seconds=900).agents.iloc[0] >= 1


def test_requirements_categorical_queue_column() -> None:
    plain = requirements(_frame())
    cat = _frame()
    cat["queue"] = cat["queue"].astype(pd.CategoricalDtype(["sales", "support", "unused"]))
    assert np.array_equal(requirements(cat)["agents"].to_numpy(), plain["agents"].to_numpy())


def test_requirements_dst_day_and_mixed_interval_lengths() -> None:
    # 31 March 2024 in London has 23 hours: 92 quarter-hours. Queue "b" reports half-hours.
    qa = pd.date_range("2024-03-31 00:00", "2024-03-31 23:45", freq="15min", tz="Europe/London")
    qb = pd.date_range("2024-03-31 00:00", "2024-03-31 23:30", freq="30min", tz="Europe/London")
    assert len(qa) == 92
    df = pd.concat([pd.DataFrame({"queue": "a", "ts": qa, "volume": 20.0}),
                    pd.DataFrame({"queue": "b", "ts": qb, "volume": 20.0})], ignore_index=True)
    df["queue"] = df["queue"].astype("string")
    out = requirements(df, aht=300)
    assert set(out.loc[out.queue == "a", "agents"]) == {required_agents(20, 300, interval_seconds=900)}
    assert set(out.loc[out.queue == "b", "agents"]) == {required_agents(20, 300, interval_seconds=1800)}


def test_forecast_output_feeds_requirements_directly() -> None:
    """forecast -> requirements without renaming: column names line up, empty queues and NaN AHT are fine."""
    from wfm.exceptions import DataFormatError
    from wfm.forecast import forecast, generate_intervals

    hist = generate_intervals(days=28, freq="1h", queues=2, daily_volume=[1500.0, 800.0], seed=3)
    quiet = hist["queue"] == "q2"
    hist.loc[quiet, "volume"] = 0.0  # a queue with only zeros: no handle time is ever observed
    hist.loc[quiet, "aht"] = np.nan
    # the history itself (NaN AHT wherever an interval had no calls) is a valid requirements frame too
    assert (requirements(hist).loc[quiet, "agents"] == 0).all()
    fc = forecast(hist, "2D", model="week_mean")
    req = requirements(fc, service_level=0.8, answer_seconds=20)
    assert list(req.columns[: len(fc.columns)]) == list(fc.columns)
    q1, q2 = (req["queue"] == "q1").to_numpy(), (req["queue"] == "q2").to_numpy()
    assert fc.loc[q2, "aht"].isna().all() and (req.loc[q2, "agents"] == 0).all()
    expect = required_agents(fc.loc[q1, "volume"].to_numpy(), fc.loc[q1, "aht"].to_numpy(), interval_seconds=3600)
    assert np.array_equal(req.loc[q1, "agents"].to_numpy(), expect) and expect.max() > 5
    # staffing to a quantile of the forecast is one argument away
    upper = requirements(fc, volume_col="volume_q90")
    assert (upper["agents"] >= req["agents"]).all() and (upper["agents"] > req["agents"]).any()
    # a missing handle time where calls are expected stays an error naming the column and the row
    broken = fc.copy()
    first_busy = int(np.flatnonzero(q1 & (fc["volume"] > 1).to_numpy())[0])
    broken.loc[first_busy, "aht"] = np.nan
    with pytest.raises(DataFormatError, match=rf"`aht`.*\[{first_busy}\]"):
        requirements(broken)
