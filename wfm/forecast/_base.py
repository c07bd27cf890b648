"""The forecaster base class: parameters, fit/predict contract, count-aware calibrated quantiles.

Every model predicts a mean number of calls per interval. Quantiles come from a negative-binomial
distribution around that mean, ``Var = mu + dispersion * mu**2`` (Poisson noise plus a multiplicative level
error, the shape of call-count forecast errors). ``dispersion_`` is calibrated on a rolling-origin backtest
of the model on its own history so that the central ``interval_level`` interval holds that share of actuals.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from wfm.exceptions import DataFormatError, InvalidParameterError, NotFittedError
from wfm.forecast._days import horizon_days, per_day
from wfm.forecast._frame import quantile_name
from wfm.forecast._threads import single_blas_thread
from wfm.forecast.holidays import HolidayInput, normalize_holidays

__all__ = ["Forecaster", "nb_quantiles", "fit_dispersion", "rolling_origin", "check_int"]

_WEEK = pd.Timedelta("7D")


def check_int(name: str, value: Any, minimum: int, unit: str = "") -> int:
    """``value`` as an ``int`` >= ``minimum`` (whole-valued floats pass); otherwise an error naming ``name``."""
    ok = (not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating))
          and bool(np.isfinite(value)) and int(value) == value and value >= minimum)
    if not ok:
        raise InvalidParameterError(f"`{name}` must be an integer >= {minimum}{unit}; got {value!r}", field=name)
    return int(value)


def _nb_call(fn: str, x: np.ndarray, mu: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """``ppf``/``cdf`` of NegBin(mean mu, dispersion alpha), Poisson where alpha is ~0 (vectorised)."""
    out = np.empty(np.broadcast(x, mu, alpha).shape)
    x, mu, alpha = np.broadcast_arrays(x, mu, alpha)
    pois = alpha <= 1e-9
    if pois.any():
        out[pois] = getattr(stats.poisson, fn)(x[pois], mu[pois])
    nb = ~pois
    if nb.any():
        n = 1.0 / alpha[nb]
        out[nb] = getattr(stats.nbinom, fn)(x[nb], n, n / (n + mu[nb]))
    return out


def nb_quantiles(mu: np.ndarray, dispersion: float | np.ndarray, q: float) -> np.ndarray:
    """Quantile ``q`` of NegBin(mean ``mu``, variance ``mu + dispersion mu^2``); Poisson when dispersion is 0.

    ``dispersion`` may be one number or one per interval.
    """
    mu = np.clip(np.asarray(mu, dtype=float), 0.0, None)
    alpha = np.broadcast_to(np.asarray(dispersion, dtype=float), mu.shape)
    out = np.zeros_like(mu)
    pos = mu > 0
    if pos.any():
        out[pos] = _nb_call("ppf", np.full(int(pos.sum()), q), mu[pos], alpha[pos])
    return out


def _coverage(y: np.ndarray, mu: np.ndarray, alpha: np.ndarray, level: float) -> float:
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    f_y = _nb_call("cdf", y, mu, alpha)
    f_ym1 = _nb_call("cdf", y - 1, mu, alpha)
    # y >= ppf(lo)  <=>  F(y) >= lo ;  y <= ppf(hi)  <=>  F(y-1) < hi
    return float(np.mean((f_y >= lo_q) & (f_ym1 < hi_q)))


def fit_dispersion(y: np.ndarray, mu: np.ndarray, *, level: float = 0.8,
                   extra: np.ndarray | None = None) -> float:
    """Smallest NB dispersion whose central ``level`` interval covers ``level`` of the actuals ``y``.

    ``extra`` (per point, optional) is added to the dispersion being fitted (the special-day level
    uncertainty). Structural zeros (``mu == 0`` and ``y == 0``) are left out: they are covered by any
    interval and would make the bands too narrow during open hours.
    """
    y = np.rint(np.asarray(y, dtype=float))
    mu = np.clip(np.asarray(mu, dtype=float), 1e-6, None)
    ex = np.zeros_like(mu) if extra is None else np.asarray(extra, dtype=float)
    keep = (y > 0) | (mu > 1e-3)
    y, mu, ex = y[keep], mu[keep], ex[keep]
    if y.size == 0:
        return 0.0
    if _coverage(y, mu, ex, level) >= level:
        return 0.0
    lo, hi = np.log(1e-4), np.log(20.0)
    if _coverage(y, mu, ex + float(np.exp(hi)), level) < level:
        return float(np.exp(hi))
    for _ in range(25):
        mid = (lo + hi) / 2
        if _coverage(y, mu, ex + float(np.exp(mid)), level) >= level:
            hi = mid
        else:
            lo = mid
    return float(np.exp(hi))


def rolling_origin(model: Forecaster, y: pd.Series, holidays: dict, *, horizon: int, n_windows: int,
                   step: int) -> list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
    """Refit ``model`` (a clone, without calibration) at ``n_windows`` cutoffs and predict ``horizon`` ahead.

    Returns ``(cutoff position, actual, predicted mean, extra dispersion)`` per window, oldest first; cutoffs
    are placed so the last window ends at the end of ``y``; windows whose training part is too short are skipped.
    """
    out = []
    n = len(y)
    for w in range(n_windows, 0, -1):
        cut = n - horizon - (w - 1) * step
        if cut <= 0:
            continue
        train = y.iloc[:cut]
        m = model.clone(calibration_windows=0)
        if len(train) < m.min_history(train.index.freq):
            continue
        m.fit(train, holidays=holidays)
        mu = m._predict_mean(horizon)
        out.append((cut, y.to_numpy(dtype=float)[cut:cut + horizon], mu, m._extra_dispersion(horizon)))
    return out


CLOSED_WEEKS = 8


def _closed_slots(y: pd.Series, step: pd.Timedelta) -> np.ndarray | None:
    """(weekday, slot of day) cells with no call in any of the last ``CLOSED_WEEKS`` weeks (seen twice or more).

    Those are closed hours; every model forecasts exactly 0 there. ``None`` when the grid does not divide
    a day.
    """
    p = per_day(step)
    if p * step != pd.Timedelta("1D"):
        return None
    recent = y[y.index > y.index[-1] - pd.Timedelta(weeks=CLOSED_WEEKS)]
    idx = recent.index
    slot = ((idx - idx.normalize()) // step).to_numpy()
    cell = idx.day_of_week.to_numpy() * p + np.clip(slot, 0, p - 1)
    seen = np.bincount(cell, minlength=7 * p)
    calls = np.bincount(cell, weights=recent.to_numpy(dtype=float), minlength=7 * p)
    return ((seen >= 2) & (calls == 0)).reshape(7, p)


class Forecaster:
    """Base class: stores parameters, checks history, calibrates intervals, builds the prediction frame.

    Subclasses implement ``_fit(y)`` and ``_predict_mean(horizon) -> ndarray`` and set ``alias``.

    Parameters
    ----------
    calibration_windows : int, default 4
        Weekly rolling-origin windows whose errors calibrate the interval width (0: a weekly-difference
        estimate, no refits).
    interval_level : float, default 0.8
        Target coverage of the central interval, in (0, 1) (0.8 = the 10%-90% band).
    """

    alias = "Forecaster"
    min_history_days = 7.0

    def __init__(self, *, calibration_windows: int = 4, interval_level: float = 0.8) -> None:
        self.calibration_windows = calibration_windows
        self.interval_level = interval_level

    # -- scikit-learn-like parameter handling -------------------------------------------------------------
    def get_params(self) -> dict[str, Any]:
        """The constructor parameters and their current values."""
        names = [p for c in type(self).__mro__ if "__init__" in c.__dict__
                 for p in inspect.signature(c.__init__).parameters if p != "self"]
        names = [n for n in names if n not in ("args", "kwargs")]
        return {n: getattr(self, n) for n in dict.fromkeys(names)}

    def clone(self, **overrides: Any) -> Forecaster:
        """An unfitted copy with the same parameters (``overrides`` replace some)."""
        params = self.get_params()
        params.update(overrides)
        return type(self)(**params)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    def min_history(self, step: pd.Timedelta | Any) -> int:
        """Fewest intervals of history ``fit`` accepts with intervals of length ``step`` (a Timedelta)."""
        return int(np.ceil(self.min_history_days * per_day(pd.Timedelta(step))))

    # -- fit / predict --------------------------------------------------------------------------------
    def fit(self, y: pd.Series, *, holidays: HolidayInput = None) -> Forecaster:
        """Learn from ``y``, a regular series of calls per interval (DatetimeIndex of interval starts).

        Parameters
        ----------
        y : pandas.Series
            Calls per interval on a complete regular grid (closed intervals as 0).
        holidays : list of dates, mapping date -> label, or DataFrame, optional
            Special days in the history and the horizon (see :mod:`wfm.forecast.holidays`).
        """
        if not 0 < self.interval_level < 1:
            raise InvalidParameterError(f"`interval_level` must be in (0, 1); got {self.interval_level!r}",
                field="interval_level")
        check_int("calibration_windows", self.calibration_windows, 0)
        if not isinstance(y, pd.Series) or not isinstance(y.index, pd.DatetimeIndex):
            raise DataFormatError("`y` must be a pandas Series with a DatetimeIndex of interval starts", field="y")
        step = y.index.freq if y.index.freq is not None else pd.infer_freq(y.index)
        if step is None:
            raise DataFormatError("`y` index must be a regular grid; use wfm.forecast.forecast for raw frames",
                field="y")
        step = pd.Timedelta(pd.tseries.frequencies.to_offset(step))
        vals = y.to_numpy(dtype=float)
        if not np.all(np.isfinite(vals)) or np.any(vals < 0):
            raise DataFormatError("`y` must be finite calls >= 0 per interval", field="y")
        need = self.min_history(step)
        if len(y) < need:
            raise DataFormatError(
                f"history too short for {self.alias}: {len(y)} intervals ({len(y) / per_day(step):.1f} days); "
                f"needs at least {need} intervals ({need / per_day(step):.0f} days)")
        self.step_ = step
        self.last_ts_ = y.index[-1]
        self.holidays_ = normalize_holidays(holidays)
        self.closed_ = _closed_slots(y, step)
        with single_blas_thread():
            self._fit(y)
            self.dispersion_ = self._calibrate(y)
        return self

    def _calibrate(self, y: pd.Series) -> float:
        p = per_day(self.step_)
        week = 7 * p
        if self.calibration_windows > 0 and len(y) >= self.min_history(self.step_) + week:
            runs = rolling_origin(self, y, self.holidays_, horizon=week, n_windows=int(self.calibration_windows),
                                  step=week)
            if runs:
                act = np.concatenate([r[1] for r in runs])
                mu = np.concatenate([r[2] for r in runs])
                ex = np.concatenate([r[3] for r in runs])
                return fit_dispersion(act, mu, level=self.interval_level, extra=ex)
        # Too little history to backtest: a weekly-difference estimate (Var(y_t - y_{t-w}) = 2 Var).
        vals = y.to_numpy(dtype=float)
        lag = week if len(vals) > week + p else p
        if len(vals) <= lag:
            return 0.05
        d = vals[lag:] - vals[:-lag]
        m = (vals[lag:] + vals[:-lag]) / 2
        den = float(np.mean(m ** 2))
        return float(max((np.mean(d ** 2) / 2 - np.mean(m)) / den, 0.0)) if den > 0 else 0.0

    def _check_fitted(self) -> None:
        if not hasattr(self, "dispersion_"):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call `fit` first")

    def predict(self, horizon: int, *, quantiles: Sequence[float] | None = (0.1, 0.5, 0.9),
                target_col: str = "volume") -> pd.DataFrame:
        """Forecast ``horizon`` intervals after the end of the history.

        Parameters
        ----------
        horizon : int
            Number of intervals (>= 1).
        quantiles : sequence of float, optional
            Quantile levels in (0, 1); each adds a column ``volume_q<100*q>`` (calls).
        target_col : str, default "volume"
            Name of the point-forecast column (calls per interval) and prefix of the quantile columns.

        Returns
        -------
        DataFrame
            ``ts`` (interval start), ``volume`` (mean calls, >= 0) and one column per quantile. The band
            always contains the point forecast (widened where integer quantiles of tiny means fall short).
        """
        self._check_fitted()
        if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
            raise InvalidParameterError(f"`horizon` must be an integer >= 1 intervals; got {horizon!r}",
                field="horizon")
        mu = np.clip(np.asarray(self._predict_mean(int(horizon)), dtype=float), 0.0, None)
        ts = pd.date_range(self.last_ts_ + self.step_, periods=int(horizon), freq=self.step_)
        closed = getattr(self, "closed_", None)
        if closed is not None:
            # smoothing models (SVD, MSTL) leak a trickle into hours that never had a call; staffing would
            # then put an agent on the phones all night
            slot = ((ts - ts.normalize()) // self.step_).to_numpy()
            mu = np.where(closed[ts.day_of_week.to_numpy(), slot], 0.0, mu)
        out = pd.DataFrame({"ts": ts, target_col: mu})
        alpha = self.dispersion_ + np.asarray(self._extra_dispersion(int(horizon)), dtype=float)
        for q in sorted(set(float(x) for x in (quantiles or ()))):
            if not 0 < q < 1:
                raise InvalidParameterError(f"`quantiles` must all be in (0, 1); got {list(quantiles or ())!r}",
                    field="quantiles")
            v = nb_quantiles(mu, alpha, q)
            if q < 0.5:
                v = np.minimum(v, mu)
            elif q > 0.5:
                v = np.maximum(v, mu)
            out[quantile_name(q, target_col)] = v
        return out

    # -- to implement -------------------------------------------------------------------------------------
    def _fit(self, y: pd.Series) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _predict_mean(self, horizon: int) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _extra_dispersion(self, horizon: int) -> np.ndarray:
        """Per-interval dispersion added to ``dispersion_`` (special days); none by default."""
        special = getattr(self, "special_", None)
        if special is None:
            return np.zeros(horizon)
        future_days, offset = horizon_days(self.last_ts_, self.step_, horizon)
        per = np.repeat(special.extra_dispersion(future_days), per_day(self.step_))
        return per[offset:offset + horizon]
