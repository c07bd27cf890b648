"""``model="auto"``: pick or combine candidate models by a rolling-origin backtest on the history.

Like the "best pick" of commercial WFM suites, but it also considers an inverse-WAPE weighted ensemble of the
best candidates, which is usually better than any single one (forecast combination). The backtest residuals of
the winner calibrate its negative-binomial interval width.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from wfm.exceptions import InvalidParameterError
from wfm.forecast._base import Forecaster, check_int, fit_dispersion, rolling_origin
from wfm.forecast._days import per_day
from wfm.forecast.baselines import SeasonalNaive, WeekMean
from wfm.forecast.mstl import MSTLModel
from wfm.forecast.svd import SVDProfile
from wfm.forecast.topdown import TopDown

__all__ = ["AutoForecaster", "make_model", "MODELS"]

#: Model names accepted by ``forecast(model=...)`` and their classes.
MODELS: dict[str, type[Forecaster]] = {
    "seasonal_naive": SeasonalNaive,
    "week_mean": WeekMean,
    "topdown": TopDown,
    "mstl": MSTLModel,
    "svd": SVDProfile,
}


def make_model(model: str | Forecaster) -> Forecaster:
    """A fresh (unfitted) forecaster from a name in :data:`MODELS`, ``"auto"``, or a forecaster instance."""
    if isinstance(model, Forecaster):
        return model.clone()
    if isinstance(model, str):
        key = model.lower()
        if key == "auto":
            return AutoForecaster()
        if key in MODELS:
            return MODELS[key]()
    raise InvalidParameterError(f"`model` must be 'auto', one of {sorted(MODELS)} or a Forecaster; got {model!r}",
        field="model")


class AutoForecaster(Forecaster):
    """Chooses the best of ``candidates`` — or their inverse-WAPE weighted ensemble — by rolling-origin WAPE.

    Parameters
    ----------
    candidates : sequence of str or Forecaster
        Candidate models (names from :data:`MODELS` or instances). Candidates needing more history than
        available are skipped.
    n_windows : int
        Weekly rolling origins of the selection backtest (each refits every candidate).
    ensemble_size : int
        Number of best candidates combined in the ensemble (1 disables combining).
    interval_level : float
        Target coverage of the central interval calibrated on the backtest residuals.
    calibration_windows : int
        Unused by the auto model itself (it calibrates on its selection backtest); kept for the common API.
    """

    alias = "Auto"
    min_history_days = 14.0

    def __init__(self, *, candidates: Sequence[str | Forecaster] = ("topdown", "svd", "week_mean"),
                 n_windows: int = 4, ensemble_size: int = 2, calibration_windows: int = 4,
                 interval_level: float = 0.8) -> None:
        super().__init__(calibration_windows=calibration_windows, interval_level=interval_level)
        self.candidates = tuple(candidates)
        self.n_windows = n_windows
        self.ensemble_size = ensemble_size

    def min_history(self, step: pd.Timedelta) -> int:
        models = [make_model(c) for c in self.candidates]
        if not models:
            return super().min_history(step)
        return min(m.min_history(step) for m in models)

    def _fit(self, y: pd.Series) -> None:
        check_int("n_windows", self.n_windows, 0)
        check_int("ensemble_size", self.ensemble_size, 1)
        if not self.candidates:
            raise InvalidParameterError("`candidates` must name at least one model; got ()", field="candidates")
        models = [make_model(c).clone(calibration_windows=0, interval_level=self.interval_level)
                  for c in self.candidates]
        models = [m for m in models if len(y) >= m.min_history(self.step_)]
        week = 7 * per_day(self.step_)
        runs: dict[str, list] = {}
        for m in models:
            r = rolling_origin(m, y, self.holidays_, horizon=week, n_windows=int(self.n_windows), step=week)
            if r:
                runs[m.alias] = r
        # only origins every candidate could use, so scores are comparable
        common = set.intersection(*[{r_[0] for r_ in r} for r in runs.values()]) if runs else set()
        scores: dict[str, float] = {}
        preds: dict[str, np.ndarray] = {}
        extras: dict[str, np.ndarray] = {}
        actual = None
        for name, r in runs.items():
            sel = [(a, mu, ex) for c, a, mu, ex in r if c in common]
            if not sel:
                continue
            actual = np.concatenate([a for a, _, _ in sel])
            preds[name] = np.concatenate([mu for _, mu, _ in sel])
            extras[name] = np.concatenate([ex for _, _, ex in sel])
            den = max(actual.sum(), 1e-9)
            scores[name] = float(np.abs(preds[name] - actual).sum() / den)
        by_alias = {m.alias: m for m in models}
        if not scores:
            # too little history to backtest: the first candidate that fits, with a default width
            chosen = {models[0].alias: 1.0}
        else:
            ranked = sorted(scores, key=scores.get)
            chosen = {ranked[0]: 1.0}
            top = ranked[: int(self.ensemble_size)]
            if len(top) > 1:
                inv = np.array([1.0 / max(scores[n], 1e-6) for n in top])
                w = inv / inv.sum()
                ens = sum(wi * preds[n] for wi, n in zip(w, top, strict=True))
                ens_score = float(np.abs(ens - actual).sum() / max(actual.sum(), 1e-9))
                scores["Ensemble"] = ens_score
                if ens_score <= scores[ranked[0]]:
                    chosen = {n: float(wi) for n, wi in zip(top, w, strict=True)}
        self.backtest_wape_ = dict(scores)
        self.weights_ = chosen
        self.models_ = {n: by_alias[n].clone().fit(y, holidays=self.holidays_) for n in chosen}
        if actual is not None and scores:
            mix = sum(wi * preds[n] for n, wi in chosen.items())
            extra = sum(wi * extras[n] for n, wi in chosen.items())
            self._bt_dispersion = fit_dispersion(actual, mix, level=self.interval_level, extra=extra)
        else:
            self._bt_dispersion = None

    def _calibrate(self, y: pd.Series) -> float:
        if self._bt_dispersion is not None:
            return self._bt_dispersion
        return super()._calibrate(y)

    @property
    def choice_(self) -> str:
        """Name of the picked model, or ``"Ensemble(a=0.6, b=0.4)"``."""
        self._check_fitted()
        if len(self.weights_) == 1:
            return next(iter(self.weights_))
        return "Ensemble(" + ", ".join(f"{n}={w:.2f}" for n, w in self.weights_.items()) + ")"

    def _predict_mean(self, horizon: int) -> np.ndarray:
        return sum(w * self.models_[n]._predict_mean(horizon) for n, w in self.weights_.items())

    def _extra_dispersion(self, horizon: int) -> np.ndarray:
        return sum(w * self.models_[n]._extra_dispersion(horizon) for n, w in self.weights_.items())
