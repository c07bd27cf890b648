"""The synthetic generator: shapes, closed hours, holidays, determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wfm.exceptions import InvalidParameterError
from wfm.forecast import generate_intervals, m_curve


def test_m_curve_has_two_peaks_and_a_lunch_dip() -> None:
    c = m_curve("15min", daily_volume=2000.0)
    assert c.sum() == pytest.approx(2000.0)
    hours = c.index / pd.Timedelta("1h")
    morning = c[(hours >= 8) & (hours < 12)].idxmax() / pd.Timedelta("1h")
    afternoon = c[(hours >= 13) & (hours < 17)].idxmax() / pd.Timedelta("1h")
    dip = c[(hours >= 11) & (hours < 14)].min()
    assert 9.5 <= morning <= 10.5
    assert 14.0 <= afternoon <= 15.0
    assert dip < 0.8 * min(c[hours == morning].iloc[0], c[hours == afternoon].iloc[0])
    assert (c[(hours < 7) | (hours >= 22)] == 0).all()


def test_generate_is_seeded_and_shaped() -> None:
    a = generate_intervals(days=14, queues=2, seed=3)
    b = generate_intervals(days=14, queues=2, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["queue", "ts", "volume", "aht"]
    assert len(a) == 2 * 14 * 96
    assert (a["volume"] >= 0).all() and (a["volume"] == np.round(a["volume"])).all()
    daily = a[a.queue == "q1"].groupby(a["ts"].dt.day_of_week)["volume"].sum()
    assert daily[5] < 0.6 * daily[0]  # weekend low


def test_closed_absent_and_holidays() -> None:
    z = generate_intervals(days=7, closed="zero", holidays=["2024-01-03"], seed=0)
    a = generate_intervals(days=7, closed="absent", holidays=["2024-01-03"], seed=0)
    assert len(a) < len(z)
    assert a["ts"].dt.hour.min() >= 7
    day = z.groupby(z["ts"].dt.date)["volume"].sum()
    assert day.iloc[2] < 0.15 * day.iloc[1]


def test_overdispersion() -> None:
    g = generate_intervals(days=200, freq="1h", noise="negbin", dispersion=0.1, weekly=[1] * 7, seed=0)
    at10 = g.loc[g["ts"].dt.hour == 10, "volume"].to_numpy()
    assert at10.var() > 2 * at10.mean()  # far from Poisson


@pytest.mark.parametrize("kw", [{"shape": "w"}, {"closed": "open"}, {"weekly": [1, 2]}, {"days": 0},
                                {"freq": "7min"}, {"dispersion": -1.0}])
def test_bad_parameters_are_named(kw: dict) -> None:
    with pytest.raises(InvalidParameterError, match=f"`{next(iter(kw))}`"):
        generate_intervals(**kw)
