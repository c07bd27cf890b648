"""Intraday re-forecast, quantile calibration, backtest and metrics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wfm.exceptions import DataFormatError, InvalidParameterError
from wfm.forecast import (
    TopDown,
    bias,
    coverage,
    cross_validation,
    evaluate,
    forecast,
    generate_intervals,
    mase,
    pinball,
    reforecast_intraday,
    wape,
)
from wfm.forecast._base import fit_dispersion, nb_quantiles


def test_reforecast_moves_toward_observed() -> None:
    df = generate_intervals(days=28, freq="30min", seed=11, aht=None)
    fc = forecast(df, "1D", model="topdown")
    morning = fc[fc["ts"].dt.hour < 11].copy()
    for factor in (1.5, 0.6):
        observed = morning[["queue", "ts"]].assign(volume=np.round(morning["volume"] * factor))
        upd = reforecast_intraday(fc, observed, level_cv=0.15)
        rest = upd["ts"].dt.hour >= 11
        ratio = upd.loc[rest, "volume"].sum() / fc.loc[rest, "volume"].sum()
        # moves toward the observed ratio, but shrunk toward 1 by the credibility weight
        assert (1.0 < ratio < factor) if factor > 1 else (factor < ratio < 1.0)
        assert (upd.loc[~rest, "volume"] == fc.loc[~rest, "volume"]).all()
        assert (upd.loc[rest, "volume_q90"] >= upd.loc[rest, "volume"] - 1e-9).all()
    # more trust in the observed calls with a vaguer prior
    observed = morning[["queue", "ts"]].assign(volume=np.round(morning["volume"] * 1.5))
    loose = reforecast_intraday(fc, observed, level_cv=1.0)["intraday_factor"].max()
    tight = reforecast_intraday(fc, observed, level_cv=0.05)["intraday_factor"].max()
    assert tight < loose <= 1.52
    with pytest.raises(InvalidParameterError, match="`level_cv`"):
        reforecast_intraday(fc, observed, level_cv=0)


def test_reforecast_keeps_queues_apart() -> None:
    df = generate_intervals(days=28, freq="1h", queues=2, seed=15, aht=None)
    fc = forecast(df, "1D", model="week_mean")
    morning = fc[(fc["queue"] == "q1") & (fc["ts"].dt.hour < 11)]
    observed = morning[["queue", "ts"]].assign(volume=np.round(morning["volume"] * 1.5))
    upd = reforecast_intraday(fc, observed)
    assert (upd.loc[upd["queue"] == "q2", "intraday_factor"] == 1.0).all()
    assert (upd.loc[(upd["queue"] == "q1") & (upd["ts"].dt.hour >= 11), "intraday_factor"] > 1.0).all()
    # without the queue column the calls of q1 would rescale q2 as well: an error, not a silent mix
    with pytest.raises(DataFormatError, match=r"`observed_today`.*\['queue'\]"):
        reforecast_intraday(fc, observed.drop(columns="queue"))


def test_nb_quantiles_reduce_to_poisson_and_grow_with_dispersion() -> None:
    mu = np.array([0.0, 5.0, 50.0])
    pois = nb_quantiles(mu, 0.0, 0.9)
    assert pois[0] == 0 and pois[2] == pytest.approx(59.0, abs=1)
    assert (nb_quantiles(mu, 0.2, 0.9) >= pois).all()
    assert nb_quantiles(mu, 0.2, 0.9)[2] > pois[2] + 5


def test_fit_dispersion_recovers_the_truth() -> None:
    rng = np.random.default_rng(0)
    mu = rng.uniform(5, 80, 20000)
    alpha = 0.05
    y = rng.poisson(rng.gamma(1 / alpha, mu * alpha))
    est = fit_dispersion(y, mu, level=0.8)
    assert 0.035 < est < 0.07


def test_quantile_coverage_on_negbin_data() -> None:
    """80% bands from a rolling-origin calibration cover about 80% of new NB actuals."""
    df = generate_intervals(days=84, freq="1h", dispersion=0.03, seed=12, aht=None)
    cv = cross_validation(df, "7D", n_windows=4, models=[TopDown()], quantiles=(0.1, 0.9))
    cov = coverage(cv[cv["volume"] > 0], level=0.8)["TopDown"]
    assert 0.7 <= cov <= 0.9


def test_cross_validation_and_metrics() -> None:
    df = generate_intervals(days=42, freq="1h", queues=2, seed=13, aht=None)
    cv = cross_validation(df, "2D", n_windows=3, step="1D", models=["seasonal_naive", "topdown"])
    assert {"queue", "ts", "cutoff", "volume", "SeasonalNaive", "TopDown", "TopDown_q10", "TopDown_q90"} <= set(cv)
    assert cv["cutoff"].nunique() == 3 and len(cv) == 2 * 3 * 48
    assert (cv["ts"] > cv["cutoff"]).all()
    w = wape(cv)
    assert set(w.index) == {"SeasonalNaive", "TopDown"}
    # hand check of wape and bias on one model
    y, f = cv["volume"].to_numpy(), cv["TopDown"].to_numpy()
    assert w["TopDown"] == pytest.approx(np.abs(y - f).sum() / y.sum())
    assert bias(cv)["TopDown"] == pytest.approx((f - y).sum() / y.sum())
    assert pinball(cv)["TopDown"] > 0
    train = df.loc[df.queue == "q1", "volume"]
    assert mase(cv, train=train, season_length=168)["TopDown"] > 0
    table = evaluate(cv)
    assert list(table["metric"]) == ["wape", "bias", "coverage_80", "pinball"]
    by_lead = evaluate(cv, metrics=["wape"], by="lead_day")
    assert sorted(by_lead["lead_day"]) == [1, 2]
    with pytest.raises(InvalidParameterError, match="`metrics`"):
        evaluate(cv, metrics=["rmse"])
    parallel = cross_validation(df, "2D", n_windows=3, step="1D", models=["seasonal_naive", "topdown"], n_jobs=2)
    pd.testing.assert_frame_equal(cv, parallel)
    per_queue = evaluate(cv, metrics=["wape"], by="queue")
    assert per_queue["queue"].tolist() == ["q1", "q2"]


def test_metrics_hand_built() -> None:
    df = pd.DataFrame({"ts": pd.date_range("2024-01-01", periods=4, freq="h"),
                       "volume": [10.0, 0.0, 5.0, 5.0], "M": [8.0, 1.0, 5.0, 7.0],
                       "M_q10": [5.0, 0.0, 6.0, 4.0], "M_q90": [12.0, 2.0, 9.0, 9.0]})
    assert wape(df)["M"] == pytest.approx(5 / 20)
    assert bias(df)["M"] == pytest.approx(1 / 20)
    assert coverage(df)["M"] == pytest.approx(0.75)
    # pinball at 0.1 and 0.9 by hand
    q10 = np.mean([0.1 * 5, 0.0, 0.9 * 1, 0.1 * 1])
    q90 = np.mean([0.1 * 2, 0.1 * 2, 0.1 * 4, 0.1 * 4])
    assert pinball(df)["M"] == pytest.approx((q10 + q90) / 2)
    # per group, also for a categorical column with a category no row has
    df["queue"] = pd.Categorical(["a", "a", "b", "b"], categories=["a", "b", "c"])
    per = evaluate(df, metrics=["wape"], by="queue")
    assert per["queue"].tolist() == ["a", "b"] and per["M"].tolist() == pytest.approx([3 / 10, 2 / 10])


def test_svd_intraday_update_follows_the_morning() -> None:
    from wfm.forecast import SVDProfile

    df = generate_intervals(days=43, freq="30min", seed=14, aht=None)
    y = pd.Series(df["volume"].to_numpy(), index=pd.DatetimeIndex(df["ts"]))
    y.index.freq = "30min"
    train, today = y.iloc[:-48], y.iloc[-48:].to_numpy()
    model = SVDProfile().fit(train)
    base = model.predict(48)["volume"].to_numpy()
    m = 22  # observed until 11:00
    hot = model.update_intraday(np.round(today[:m] * 1.5))
    cold = model.update_intraday(np.round(today[:m] * 0.6))
    assert len(hot) == 48 - m and hot["ts"].iloc[0] == train.index[-1] + pd.Timedelta(minutes=30 * (m + 1))
    rest = base[m:].sum()
    assert hot["volume"].sum() > 1.2 * rest and cold["volume"].sum() < 0.85 * rest
    assert (hot["volume_q10"] <= hot["volume"]).all() and (hot["volume"] <= hot["volume_q90"]).all()
    with pytest.raises(InvalidParameterError, match="`observed`"):
        model.update_intraday(np.ones(48))


def test_cross_validation_keeps_the_time_zone_and_skips_the_missing_hour() -> None:
    df = generate_intervals("2024-02-26", days=35, freq="1h", seed=16, aht=None)
    df["ts"] = pd.date_range("2024-02-26", periods=len(df), freq="1h", tz="Europe/Berlin")
    cv = cross_validation(df, "7D", n_windows=1, models=["week_mean"])  # the window holds 2024-03-31
    assert str(cv["ts"].dt.tz) == "Europe/Berlin" and str(cv["cutoff"].dt.tz) == "Europe/Berlin"
    assert len(cv) == 7 * 24 - 1 and cv["ts"].is_unique and (cv["ts"] > cv["cutoff"]).all()
    joined = cv.merge(df, on=["queue", "ts"], suffixes=("", "_input"))
    assert len(joined) == len(cv) and (joined["volume"] == joined["volume_input"]).all()
    assert list(wape(cv).index) == ["WeekMean"]
