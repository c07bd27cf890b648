"""Top-down forecasting, as most WFM suites do it: daily totals first, then spread over the day.

1. Days are cut into a days x intervals matrix; holidays (user-labelled) and anomalous days are set aside and
   replaced by a normal day for their weekday (:class:`~wfm.forecast._days.SpecialDays`).
2. Daily totals are forecast with statsmodels exponential smoothing with a weekly season (multiplicative when
   every day has calls, additive otherwise), or with the median of recent same-weekday totals.
3. Each forecast day is spread by the robust intraday profile of its day type (the M-curve): a trimmed mean
   of the shares of recent normal days, pooled over weekdays whose profiles agree.
4. Special days in the horizon get their learned level and profile.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from wfm.exceptions import InvalidParameterError
from wfm.forecast._base import Forecaster, check_int
from wfm.forecast._days import horizon_days, learn_days, slice_days, weekday_profiles

__all__ = ["TopDown"]


def ets_daily(totals: np.ndarray, *, trend: bool = False) -> Any:
    """Fit Holt-Winters exponential smoothing with a weekly season (statsmodels) to daily totals."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    seasonal = "mul" if np.all(totals > 0) else "add"
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        # statsmodels warns when the optimiser stops at its iteration cap; the fit is still usable.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", message=".*[Oo]ptimization failed.*")
        model = ExponentialSmoothing(totals, trend="add" if trend else None, damped_trend=trend,
                                     seasonal=seasonal, seasonal_periods=7, initialization_method="estimated")
        return model.fit(optimized=True, use_brute=False)


class TopDown(Forecaster):
    """Daily totals by ETS with a weekly season and holiday effects, spread by per-day-type M-curves.

    Parameters
    ----------
    level : {"ets", "median"}
        How daily totals are forecast: statsmodels exponential smoothing with a weekly season, or the median
        of the last ``level_weeks`` same-weekday totals.
    level_weeks : int
        Weeks of daily totals the level model sees (ETS uses up to this many; median uses these).
    profile_weeks : int
        Weeks of recent normal days the intraday profiles are estimated from.
    day_types : {"auto", "dow"}
        ``"auto"`` pools weekdays with similar profiles into one day type; ``"dow"`` keeps seven.
    trend : bool
        Damped additive trend in the ETS level.
    calibration_windows, interval_level
        Weekly rolling-origin windows used to calibrate the NB interval width, and its target coverage.
    """

    alias = "TopDown"
    min_history_days = 14.0

    def __init__(self, *, level: str = "ets", level_weeks: int = 16, profile_weeks: int = 8,
                 day_types: str = "auto", trend: bool = False, calibration_windows: int = 4,
                 interval_level: float = 0.8) -> None:
        super().__init__(calibration_windows=calibration_windows, interval_level=interval_level)
        self.level = level
        self.level_weeks = level_weeks
        self.profile_weeks = profile_weeks
        self.day_types = day_types
        self.trend = trend

    def _fit(self, y: pd.Series) -> None:
        if self.level not in ("ets", "median"):
            raise InvalidParameterError(f"`level` must be 'ets' or 'median'; got {self.level!r}", field="level")
        if self.day_types not in ("auto", "dow"):
            raise InvalidParameterError(f"`day_types` must be 'auto' or 'dow'; got {self.day_types!r}",
                field="day_types")
        for name in ("level_weeks", "profile_weeks"):
            check_int(name, getattr(self, name), 1, " weeks")
        self.special_, days, xc = learn_days(y, self.step_, self.holidays_)
        self.profiles_, self.day_groups_ = weekday_profiles(days, xc, weeks=int(self.profile_weeks),
                                                            day_types=self.day_types)
        totals = xc.sum(axis=1)
        keep = min(len(totals), 7 * int(self.level_weeks))
        self.days_ = days[-keep:]
        self.totals_ = totals[-keep:]
        self.ets_ = None
        if self.level == "ets" and keep >= 21 and np.ptp(self.totals_) > 0:
            try:
                self.ets_ = ets_daily(self.totals_, trend=self.trend)
            except (ValueError, np.linalg.LinAlgError):
                self.ets_ = None  # degenerate series (e.g. constant): the weekday median is used

    def _daily_forecast(self, future_days: pd.DatetimeIndex) -> np.ndarray:
        last_day = self.days_[-1]
        steps = int((future_days[-1] - last_day) / pd.Timedelta("1D"))
        fc = None
        if self.ets_ is not None:
            fc = np.clip(np.asarray(self.ets_.forecast(steps), dtype=float), 0.0, None)
            if not np.all(np.isfinite(fc)):
                fc = None
        if fc is None:
            dow = self.days_.day_of_week.to_numpy()
            med = np.array([np.median(self.totals_[dow == k][-int(self.level_weeks):]) if np.any(dow == k)
                            else 0.0 for k in range(7)])
            fc = np.array([med[(last_day + pd.Timedelta(days=s)).day_of_week] for s in range(1, steps + 1)])
        offs = [int((d - last_day) / pd.Timedelta("1D")) for d in future_days]
        return np.array([fc[o - 1] for o in offs])

    def _predict_mean(self, horizon: int) -> np.ndarray:
        future_days, offset = horizon_days(self.last_ts_, self.step_, horizon)
        totals = self._daily_forecast(future_days)
        xf = totals[:, None] * self.profiles_[future_days.day_of_week.to_numpy()]
        xf = self.special_.apply(future_days, xf, self.profiles_)
        return slice_days(xf, offset, horizon)
