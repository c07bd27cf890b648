"""One contract over every forecaster (statsforecast/scikit-learn habits)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wfm.exceptions import InvalidParameterError, NotFittedError
from wfm.forecast import (
    AutoForecaster,
    Forecaster,
    MSTLModel,
    SeasonalNaive,
    SVDProfile,
    TopDown,
    WeekMean,
    forecast,
)

FORECASTERS = [
    lambda: SeasonalNaive(),
    lambda: SeasonalNaive(season="day"),
    lambda: WeekMean(weeks=4),
    lambda: TopDown(),
    lambda: TopDown(level="median", day_types="dow"),
    lambda: MSTLModel(window_weeks=4),
    lambda: SVDProfile(n_components=2),
    lambda: AutoForecaster(n_windows=2),
]
IDS = ["snaive_week", "snaive_day", "weekmean", "topdown", "topdown_median", "mstl", "svd", "auto"]
QS = (0.1, 0.5, 0.9)


@pytest.mark.parametrize("make", FORECASTERS, ids=IDS)
def test_forecaster_contract(make, history: pd.DataFrame, series: pd.Series) -> None:
    h = 30  # not a whole number of days: exercises the day slicing
    model: Forecaster = make()
    with pytest.raises(NotFittedError, match="fit"):
        model.predict(h)
    assert model.fit(series) is model
    pred = model.predict(h, quantiles=QS)
    # length == horizon, future timestamps right after the history
    assert len(pred) == h
    assert pred["ts"].iloc[0] == series.index[-1] + pd.Timedelta("1h")
    assert np.all(np.diff(pred["ts"].to_numpy()) == np.timedelta64(1, "h"))
    # lower <= point <= upper, all >= 0 and finite
    lo, mid, hi = pred["volume_q10"], pred["volume"], pred["volume_q90"]
    assert (lo >= 0).all() and np.isfinite(pred[["volume", "volume_q10", "volume_q50", "volume_q90"]]).all().all()
    assert (lo <= mid + 1e-9).all() and (mid <= hi + 1e-9).all()
    assert (pred["volume_q50"] <= hi).all() and (lo <= pred["volume_q50"]).all()
    # fit + predict == one-shot forecast
    one_shot = forecast(history, h, model=make(), quantiles=QS)
    np.testing.assert_allclose(one_shot["volume"].to_numpy(), pred["volume"].to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(one_shot["volume_q90"].to_numpy(), pred["volume_q90"].to_numpy(), rtol=1e-9)
    # refit is idempotent, also after fitting other data in between
    model.fit(series.iloc[: len(series) - 24 * 3])
    model.fit(series)
    again = model.predict(h, quantiles=QS)
    pd.testing.assert_frame_equal(pred, again)
    # same seed, same output
    pd.testing.assert_frame_equal(one_shot, forecast(history, h, model=make(), quantiles=QS, seed=0))


WEEKLY = [(f, i) for f, i in zip(FORECASTERS, IDS, strict=True) if i != "snaive_day"]


@pytest.mark.parametrize("make", [f for f, _ in WEEKLY], ids=[i for _, i in WEEKLY])
def test_forecaster_tracks_the_weekly_shape(make, series: pd.Series) -> None:
    """A forecast of the last week, fitted on the weeks before, is far better than a flat mean."""
    train, test = series.iloc[:-168], series.iloc[-168:].to_numpy()
    pred = make().fit(train).predict(168)["volume"].to_numpy()
    wape = np.abs(pred - test).sum() / test.sum()
    flat = np.abs(train.mean() - test).sum() / test.sum()
    assert wape < 0.5 * flat


def test_params_and_clone() -> None:
    m = TopDown(profile_weeks=5)
    assert m.get_params()["profile_weeks"] == 5
    c = m.clone(profile_weeks=3)
    assert c.profile_weeks == 3 and m.profile_weeks == 5
    assert "TopDown(" in repr(m)


@pytest.mark.parametrize(("model", "name"), [
    (WeekMean(weeks=0), "weeks"), (WeekMean(weeks="4"), "weeks"), (SeasonalNaive(season="month"), "season"),
    (TopDown(level_weeks=2.5), "level_weeks"), (TopDown(level="arima"), "level"),
    (SVDProfile(n_components=0), "n_components"), (SVDProfile(window_weeks=2), "window_weeks"),
    (SVDProfile(ridge=-1.0), "ridge"), (MSTLModel(window_weeks=True), "window_weeks"),
    (AutoForecaster(ensemble_size=0), "ensemble_size"), (TopDown(calibration_windows=-1), "calibration_windows"),
    (TopDown(interval_level=1.0), "interval_level"),
])
def test_bad_model_parameters_are_named_at_fit(model: Forecaster, name: str, series: pd.Series) -> None:
    with pytest.raises(InvalidParameterError, match=f"`{name}`"):
        model.fit(series)
