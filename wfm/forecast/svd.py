"""Shen & Huang (2008): SVD of the days x intervals matrix, day-factor scores forecast per weekday.

H. Shen and J. Z. Huang, "Interday forecasting and intraday updating of call center arrivals", Manufacturing
& Service Operations Management 10(3), 2008. The square-root counts of recent days form a matrix ``Z`` (days x
intervals); its leading singular vectors are intraday shapes and the day scores ``b_k`` carry the level of each
day. Each score series is forecast by a varying-coefficient AR(1) with weekday effects,
``b_k(d) = a_k(dow(d)) + c_k(dow(d)) * b_k(d - 1)``, fit by ridge-stabilised least squares, and the forecast
matrix is ``Z_f = B_f V_k^T``, squared back to counts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from wfm.exceptions import DataFormatError, InvalidParameterError
from wfm.forecast._base import Forecaster, check_int, nb_quantiles
from wfm.forecast._days import horizon_days, learn_days, per_day, slice_days, weekday_profiles
from wfm.forecast._frame import quantile_name

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
        check_int("n_components", self.n_components, 1)
        check_int("window_weeks", self.window_weeks, 3, " weeks")
        if not self.ridge >= 0:
            raise InvalidParameterError(f"`ridge` must be >= 0; got {self.ridge!r}", field="ridge")
        self.special_, days, xc = learn_days(y, self.step_, self.holidays_)
        self.profiles_, _ = weekday_profiles(days, xc, weeks=8)
        keep = min(len(days), 7 * int(self.window_weeks))
        self.days_ = days[-keep:]
        z = np.sqrt(xc[-keep:] + 0.25)  # Anscombe-style root: near-constant variance for counts
        u, s, vt = np.linalg.svd(z, full_matrices=False)
        k = int(min(self.n_components, len(s)))
        self.components_ = vt[:k]  # k x intervals
        scores = u[:, :k] * s[:k]  # days x k
        dow = self.days_.day_of_week.to_numpy()
        self.coef_ = []
        resid: list[float] = []
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
            resid.append(float(np.var(cur - design @ coef)) if len(cur) > 1 else float(np.var(b)))
        self.score_var_ = np.maximum(np.array(resid), 1e-6)
        self.last_scores_ = scores[-1].copy()

    def _score_path(self, steps: int) -> np.ndarray:
        last_day = self.days_[-1]
        k = len(self.coef_)
        b = self.last_scores_.copy()
        path = []
        for t in range(1, steps + 1):
            dw = (last_day + pd.Timedelta(days=t)).day_of_week
            b = np.array([self.coef_[j][dw] + self.coef_[j][7 + dw] * b[j] for j in range(k)])
            path.append(b)
        return np.vstack(path)

    def _predict_mean(self, horizon: int) -> np.ndarray:
        future_days, offset = horizon_days(self.last_ts_, self.step_, horizon)
        last_day = self.days_[-1]
        steps = int((future_days[-1] - last_day) / pd.Timedelta("1D"))
        scores = self._score_path(steps)
        offs = [int((d - last_day) / pd.Timedelta("1D")) - 1 for d in future_days]
        zf = scores[offs] @ self.components_
        xf = np.clip(np.clip(zf, 0.0, None) ** 2 - 0.25, 0.0, None)
        xf = self.special_.apply(future_days, xf, self.profiles_)
        return slice_days(xf, offset, horizon)

    def update_intraday(self, observed: pd.Series | np.ndarray, *,
                        quantiles: Sequence[float] | None = (0.1, 0.5, 0.9)) -> pd.DataFrame:
        """Shen–Huang intraday update: re-estimate today's day scores from its first intervals.

        The model must have been fit on whole days up to last midnight. Today's scores ``b`` get the
        interday forecast as a Gaussian prior (variance: the AR residual variance of each score) and the
        observed root counts as data (variance 1/4 per interval, the variance of a root Poisson count); the
        posterior mean ``b = (V'V/0.25 + P)^-1 (V'z/0.25 + P b_prior)`` rebuilds the rest of the day.

        Parameters
        ----------
        observed : Series or array
            Calls in today's first intervals, in order from midnight (length < intervals per day).

        Returns
        -------
        DataFrame
            ``ts``, ``volume`` (mean calls) and quantile columns for the rest of today.
        """
        self._check_fitted()
        p = per_day(self.step_)
        first = self.last_ts_ + self.step_
        if first != first.normalize():
            raise DataFormatError("`update_intraday` needs a model fit on whole days (history ending at midnight)",
                field="update_intraday")
        obs = np.asarray(observed, dtype=float)
        m = obs.size
        if not 0 < m < p or not np.all(np.isfinite(obs)) or np.any(obs < 0):
            raise InvalidParameterError(
                f"`observed` must hold 1 to {p - 1} finite call counts >= 0 from midnight; got {m} values",
                    field="observed")
        prior = self._score_path(1)[0]
        v_o = self.components_[:, :m].T  # m x k
        z_o = np.sqrt(obs + 0.25)
        prec = np.diag(1.0 / self.score_var_)
        b = np.linalg.solve(v_o.T @ v_o / 0.25 + prec, v_o.T @ z_o / 0.25 + prec @ prior)
        z_rest = self.components_[:, m:].T @ b
        mu = np.clip(np.clip(z_rest, 0.0, None) ** 2 - 0.25, 0.0, None)
        ts = pd.date_range(first + m * self.step_, periods=p - m, freq=self.step_)
        out = pd.DataFrame({"ts": ts, "volume": mu})
        for q in sorted(set(float(x) for x in (quantiles or ()))):
            v = nb_quantiles(mu, self.dispersion_, q)
            out[quantile_name(q)] = np.minimum(v, mu) if q < 0.5 else (np.maximum(v, mu) if q > 0.5 else v)
        return out
