"""The baselines schedulers use: seasonal naive (same interval last week) and the k-week mean."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.exceptions import InvalidParameterError
from wfm.forecast._base import Forecaster, check_int
from wfm.forecast._days import per_day

__all__ = ["SeasonalNaive", "WeekMean"]


class SeasonalNaive(Forecaster):
    """Repeat the last season: each interval gets the value of the same interval one season earlier.

    Parameters
    ----------
    season : {"week", "day"}
        Season length: one week (the usual choice for call centres) or one day.
    calibration_windows : int
        Weekly rolling-origin windows used to calibrate the interval width (0: a weekly-difference estimate).
    interval_level : float
        Target coverage of the central interval used for calibration (0.8 = the 10%–90% band).
    """

    alias = "SeasonalNaive"

    def __init__(self, *, season: str = "week", calibration_windows: int = 4, interval_level: float = 0.8) -> None:
        super().__init__(calibration_windows=calibration_windows, interval_level=interval_level)
        self.season = season

    @property
    def min_history_days(self) -> float:  # type: ignore[override]
        return 1.0 if self.season == "day" else 7.0

    def _fit(self, y: pd.Series) -> None:
        if self.season not in ("week", "day"):
            raise InvalidParameterError(f"`season` must be 'week' or 'day'; got {self.season!r}", field="season")
        m = per_day(self.step_) * (7 if self.season == "week" else 1)
        self.last_season_ = y.to_numpy(dtype=float)[-m:].copy()

    def _predict_mean(self, horizon: int) -> np.ndarray:
        reps = int(np.ceil(horizon / self.last_season_.size))
        return np.tile(self.last_season_, reps)[:horizon]


class WeekMean(Forecaster):
    """Mean of the same interval-of-week over the last ``weeks`` weeks (the "k-week average").

    Parameters
    ----------
    weeks : int
        Number of past weeks averaged (>= 1), e.g. 4.
    calibration_windows, interval_level
        See :class:`SeasonalNaive`.
    """

    alias = "WeekMean"

    def __init__(self, *, weeks: int = 4, calibration_windows: int = 4, interval_level: float = 0.8) -> None:
        super().__init__(calibration_windows=calibration_windows, interval_level=interval_level)
        self.weeks = weeks

    @property
    def min_history_days(self) -> float:  # type: ignore[override]
        return 7.0 * check_int("weeks", self.weeks, 1)

    def _fit(self, y: pd.Series) -> None:
        check_int("weeks", self.weeks, 1)
        m = 7 * per_day(self.step_)
        v = y.to_numpy(dtype=float)[-m * int(self.weeks):]
        self.week_profile_ = v.reshape(int(self.weeks), m).mean(axis=0)

    def _predict_mean(self, horizon: int) -> np.ndarray:
        reps = int(np.ceil(horizon / self.week_profile_.size))
        return np.tile(self.week_profile_, reps)[:horizon]
