"""Invariants for any generated centre: non-negative, finite, full-grid output of the requested length."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from wfm.erlang import requirements
from wfm.forecast import forecast, generate_intervals


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(freq=st.sampled_from(["30min", "1h"]), shape=st.sampled_from(["m", "single", "flat"]),
       closed=st.sampled_from(["zero", "absent"]), volume=st.floats(20.0, 5000.0),
       horizon_h=st.integers(1, 60), seed=st.integers(0, 10_000))
@example(freq="1h", shape="m", closed="absent", volume=20.0, horizon_h=1, seed=2085)  # weeks without a working day
def test_forecast_invariants(freq: str, shape: str, closed: str, volume: float, horizon_h: int, seed: int) -> None:
    df = generate_intervals(days=22, freq=freq, shape=shape, closed=closed, daily_volume=volume, seed=seed)
    h = horizon_h * (2 if freq == "30min" else 1)
    out = forecast(df, h, model="topdown")
    assert len(out) == h
    step = pd.Timedelta(freq)
    assert out["ts"].iloc[0] == df["ts"].max() + step
    assert np.all(np.diff(out["ts"].to_numpy()) == step.to_timedelta64())
    cols = ["volume", "volume_q10", "volume_q50", "volume_q90"]
    assert np.isfinite(out[cols]).all().all() and (out[cols] >= 0).all().all()
    assert (out["volume_q10"] <= out["volume"] + 1e-9).all() and (out["volume"] <= out["volume_q90"] + 1e-9).all()
    assert out["aht"].notna().all()
    # the forecast feeds staffing as it is
    req = requirements(out, interval_seconds=None if h > 1 else step.total_seconds())
    assert (req["agents"] >= 0).all() and (req.loc[req["volume"] == 0, "agents"] == 0).all()
    assert (req.loc[req["volume"] > 0, "agents"] >= 1).all()


def test_all_zero_and_constant_queues() -> None:
    df = generate_intervals(days=35, freq="1h", queues=2, aht=None, seed=1)
    df.loc[df["queue"] == "q2", "volume"] = 0.0
    out = forecast(df, "1D")
    assert (out.loc[out["queue"] == "q2", ["volume", "volume_q90"]] == 0).all().all()
    df.loc[df["queue"] == "q2", "volume"] = 5.0
    out = forecast(df, "1D")
    assert np.allclose(out.loc[out["queue"] == "q2", "volume"], 5.0)
