"""Shen & Huang (2008): SVD of the days x intervals matrix, day-factor scores forecast per weekday.

H. Shen and J. Z. Huang, "Interday forecasting and intraday updating of call center arrivals", Manufacturing
& Service Operations Management 10(3), 2008. The square-root counts of recent days form a matrix ``Z`` (days x
intervals); its leading singular vectors are intraday shapes and the day scores ``b_k`` carry the level of each
day. Each score series is forecast by a varying-coefficient AR(1) with weekday effects,
``b_k(d) = a_k(dow(d)) + c_k(dow(d)) * b_k(d - 1)``, fit by ridge-stabilised least squares, and the forecast
matrix is ``Z_f = B_f V_k^T``, squared back to counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.exceptions import InvalidParameterError
from wfm.forecast._base import Forecaster
from wfm.forecast._days import SpecialDays, day_matrix, horizon_days, slice_days, weekday_profiles

__all__ = ["SVDProfile"]


class SVDProfile(Forecaster):
    """SVD day-factor model of Shen & Huang (2008) with per-weekday AR(1) score forecasts.

    Parameters
    ----------
    n_components : int
        Number of singular components kept (1–5; the first carries ~95% of the signal).
    window_weeks : int
        Weeks of recent normal days in the matrix.
    ridge : float
        Ridge penalty of the score regressions, relative to the score variance (stabilises short histories).
    calibration_windows, interval_level
        Weekly rolling-origin windows used to calibrate the NB interval width, and its target coverage.
    """

    alias = "SVD"
    min_history_days = 21.0

    def __init__(self, *, n_components: int = 3, window_weeks: int = 12, ridge: float = 0.1,
                 calibration_windows: int = 4, interval_level: float = 0.8) -> None:
        super().__init__(calibration_windows=calibration_windows, interval_level=interval_level)
        self.n_components = n_components
        self.window_weeks = window_weeks
        self.ridge = ridge

    def _fit(self, y: pd.Series) -> None:
        if int(self.n_components) != self.n_components or self.n_components < 1:
            raise InvalidParameterError(f"`n_components` must be an integer >= 1; got {self.n_components!r}")
        if int(self.window_weeks) != self.window_weeks or self.window_weeks < 3:
            raise InvalidParameterError(f"`window_weeks` must be an integer >= 3 weeks; got {self.window_weeks!r}")
        if not self.ridge >= 0:
            raise InvalidParameterError(f"`ridge` must be >= 0; got {self.ridge!r}")
        days, x = day_matrix(y, self.step_)
        self.special_ = SpecialDays(self.holidays_).fit(days, x)
        xc = self.special_.clean(x)
        self.profiles_, _ = weekday_profiles(days, xc, weeks=8)
        keep = min(len(days), 7 * int(self.window_weeks))
        self.days_ = days[-keep:]
        z = np.sqrt(xc[-keep:] + 0.25)  # Anscombe-style root: near-constant variance for counts
        u, s, vt = np.linalg.svd(z, full_matrices=False)
        k = int(min(self.n_components, len(s)))
        self.components_ = vt[:k]  # k x intervals
        scores = u[:, :k] * s[:k]  # days x k
        dow = self.days_.dayofweek.to_numpy()
        self.coef_ = []
        for j in range(k):
            b = scores[:, j]
            prev, cur, dw = b[:-1], b[1:], dow[1:]
            onehot = np.eye(7)[dw]
            design = np.hstack([onehot, onehot * prev[:, None]])
            lam = float(self.ridge) * max(np.var(b), 1e-9) * len(cur) / 100.0
            # ridge only on the AR slopes: weekday means stay unbiased
            pen = np.diag(np.r_[np.zeros(7), np.full(7, lam)])
            coef = np.linalg.solve(design.T @ design + pen + 1e-9 * np.eye(14), design.T @ cur)
            self.coef_.append(coef)
        self.last_scores_ = scores[-1].copy()

    def _predict_mean(self, horizon: int) -> np.ndarray:
        future_days, offset = horizon_days(self.last_ts_, self.step_, horizon)
        last_day = self.days_[-1]
        steps = int((future_days[-1] - last_day) / pd.Timedelta("1D"))
        k = len(self.coef_)
        b = self.last_scores_.copy()
        path = []
        for t in range(1, steps + 1):
            dw = (last_day + pd.Timedelta(days=t)).dayofweek
            b = np.array([self.coef_[j][dw] + self.coef_[j][7 + dw] * b[j] for j in range(k)])
            path.append(b)
        scores = np.vstack(path)
        offs = [int((d - last_day) / pd.Timedelta("1D")) - 1 for d in future_days]
        zf = scores[offs] @ self.components_
        xf = np.clip(np.clip(zf, 0.0, None) ** 2 - 0.25, 0.0, None)
        xf = self.special_.apply(future_days, xf, self.profiles_)
        return slice_days(xf, offset, horizon)
