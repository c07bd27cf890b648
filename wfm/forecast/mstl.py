"""Multi-seasonal decomposition (statsmodels MSTL) with daily and weekly seasons.

The recent history (holidays and anomalous days replaced by normal days) is decomposed into trend + daily
season + weekly season + remainder. The forecast repeats the last cycle of each season on top of the trend,
extrapolated by simple exponential smoothing of the trend; special days in the horizon get their learned
effects like in :class:`~wfm.forecast.TopDown`.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from wfm.forecast._base import Forecaster, check_int
from wfm.forecast._days import horizon_days, learn_days, per_day, slice_days, weekday_profiles

__all__ = ["MSTLModel"]


class MSTLModel(Forecaster):
    """statsmodels MSTL with a daily and a weekly period, fit on the last ``window_weeks`` weeks.

    Parameters
    ----------
    window_weeks : int
        Weeks of recent history decomposed (>= 3; longer is slower and adapts less to level shifts).
    sqrt : bool
        Decompose the square root of the counts (stabilises the variance of counts; back-transformed).
    calibration_windows, interval_level
        Weekly rolling-origin windows used to calibrate the NB interval width, and its target coverage.
    """

    alias = "MSTL"
    min_history_days = 21.0

    def __init__(self, *, window_weeks: int = 8, sqrt: bool = True, calibration_windows: int = 4,
                 interval_level: float = 0.8) -> None:
        super().__init__(calibration_windows=calibration_windows, interval_level=interval_level)
        self.window_weeks = window_weeks
        self.sqrt = sqrt

    def _fit(self, y: pd.Series) -> None:
        from statsmodels.tsa.seasonal import MSTL

        check_int("window_weeks", self.window_weeks, 3, " weeks")
        self.special_, days, xc = learn_days(y, self.step_, self.holidays_)
        self.profiles_, _ = weekday_profiles(days, xc, weeks=8)
        keep = min(len(days), 7 * int(self.window_weeks))
        self.days_ = days[-keep:]
        series = xc[-keep:].reshape(-1)
        z = np.sqrt(series) if self.sqrt else series
        p = per_day(self.step_)
        periods = (p, 7 * p) if p > 1 else (7,)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            # the input is already cleaned of holidays and anomalies, so the (5x slower) robust loop is off
            stl = {"robust": False, "inner_iter": 2, "outer_iter": 0}
            res = MSTL(z, periods=periods, iterate=2, stl_kwargs=stl).fit()
        seas = np.asarray(res.seasonal, dtype=float)
        seas = seas.reshape(len(z), -1)
        self.season_total_ = seas.sum(axis=1)[-7 * p:]  # the last week of daily + weekly season
        trend = np.asarray(res.trend, dtype=float)
        # simple exponential smoothing of the trend's daily means (alpha 0.3): a level, not a slope
        daily_trend = trend.reshape(keep, p).mean(axis=1)
        lvl = daily_trend[0]
        for v in daily_trend[1:]:
            lvl = 0.3 * v + 0.7 * lvl
        self.level_ = float(lvl)
        self.resid_var_ = float(np.var(np.asarray(res.resid, dtype=float))) if self.sqrt else 0.0

    def _predict_mean(self, horizon: int) -> np.ndarray:
        p = per_day(self.step_)
        future_days, offset = horizon_days(self.last_ts_, self.step_, horizon)
        last_day = self.days_[-1]
        rows = []
        for d in future_days:
            k = int((d - last_day) / pd.Timedelta("1D"))  # 1 = the day after the last full day
            pos = ((k - 1) % 7) * p
            z = self.level_ + self.season_total_[pos:pos + p]
            if self.sqrt:
                z = np.clip(z, 0.0, None)
                # back-transform of a square root with additive noise: E[z^2] = mean^2 + var
                v = z ** 2 + np.where(z > 0, self.resid_var_, 0.0)
            else:
                v = np.clip(z, 0.0, None)
            rows.append(v)
        xf = np.vstack(rows)
        xf = self.special_.apply(future_days, xf, self.profiles_)
        return slice_days(xf, offset, horizon)
