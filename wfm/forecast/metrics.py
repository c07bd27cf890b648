"""Forecast accuracy metrics as plain functions over cross-validation frames, and :func:`evaluate`.

Each metric takes the frame of :func:`wfm.forecast.cross_validation` (or any frame with an actual column and
one column per model) and returns a ``pandas.Series`` indexed by model alias. Shared parameters:

- ``df``: the frame; actual calls per interval in ``target_col``, forecasts (calls) in one column per model;
- ``models``: the model columns to score (default: the frame's ``attrs["models"]``, else every numeric column
  that is not an id, time, cutoff, actual or quantile column);
- ``target_col``: the actuals column (default ``"volume"``).

Rows where the actual or a model's forecast is missing are left out of that model's score.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from wfm.exceptions import DataFormatError, InvalidParameterError
from wfm.forecast._frame import id_list, quantile_name

__all__ = ["wape", "bias", "mase", "pinball", "coverage", "evaluate", "model_columns"]

_QCOL = re.compile(r"_q\d+(\.\d+)?$")
_RESERVED = {"cutoff", "lead", "lead_day", "unique_id", "ds", "y"}


def model_columns(df: pd.DataFrame, target_col: str = "volume", time_col: str = "ts",
                  id_col: str | Sequence[str] | None = "queue") -> list[str]:
    """Model columns of a cross-validation frame: numeric, not id/time/cutoff/actual, not quantiles."""
    ids = id_list(id_col)
    skip = set(ids) | {time_col, target_col} | _RESERVED
    return [c for c in df.columns
            if c not in skip and not _QCOL.search(str(c)) and pd.api.types.is_numeric_dtype(df[c])]


def _models(df: pd.DataFrame, models: Sequence[str] | None, target_col: str) -> list[str]:
    if target_col not in df.columns:
        raise DataFormatError(f"frame lacks the actuals column `{target_col}`; has {list(df.columns)}",
            field=target_col)
    ms = list(models) if models is not None else df.attrs.get("models") or model_columns(df, target_col)
    missing = [m for m in ms if m not in df.columns]
    if missing:
        raise InvalidParameterError(f"`models` not in the frame: {missing}; columns are {list(df.columns)}",
            field="models")
    return ms


def _pair(df: pd.DataFrame, col: str, target_col: str) -> tuple[np.ndarray, np.ndarray]:
    """Actuals and forecasts of the rows where both are known (a model may lack early windows)."""
    y = df[target_col].to_numpy(dtype=float)
    f = df[col].to_numpy(dtype=float)
    ok = np.isfinite(y) & np.isfinite(f)
    return y[ok], f[ok]


def _ratio(num: float, den: float, n: int) -> float:
    return num / max(den, 1e-12) if n else float("nan")


def wape(df: pd.DataFrame, models: Sequence[str] | None = None, *, target_col: str = "volume") -> pd.Series:
    """Weighted absolute percentage error: sum |actual - forecast| / sum actual (0.1 = 10%; no unit).

    Parameters are described in the module docstring (``df``, ``models``, ``target_col``).
    """
    out = {}
    for m in _models(df, models, target_col):
        y, f = _pair(df, m, target_col)
        out[m] = _ratio(float(np.abs(y - f).sum()), float(y.sum()), y.size)
    return pd.Series(out, name="wape", dtype=float)


def bias(df: pd.DataFrame, models: Sequence[str] | None = None, *, target_col: str = "volume") -> pd.Series:
    """Relative bias: sum (forecast - actual) / sum actual; positive means over-forecasting (no unit).

    Parameters are described in the module docstring (``df``, ``models``, ``target_col``).
    """
    out = {}
    for m in _models(df, models, target_col):
        y, f = _pair(df, m, target_col)
        out[m] = _ratio(float((f - y).sum()), float(y.sum()), y.size)
    return pd.Series(out, name="bias", dtype=float)


def mase(df: pd.DataFrame, models: Sequence[str] | None = None, *, train: pd.Series | np.ndarray,
         season_length: int, target_col: str = "volume") -> pd.Series:
    """Mean absolute scaled error: MAE over the in-sample MAE of the seasonal naive forecast of ``train``.

    Parameters
    ----------
    train : Series or array
        The history (calls per interval) that scales the errors.
    season_length : int
        Season of the naive scale in intervals (e.g. 336 for a week of 30-minute intervals).
    """
    ms = _models(df, models, target_col)
    t = np.asarray(train, dtype=float)
    if season_length < 1 or len(t) <= season_length:
        raise InvalidParameterError(
            f"`season_length` must be >= 1 and shorter than `train` ({len(t)}); got {season_length!r}",
                field="season_length")
    scale = float(np.mean(np.abs(t[season_length:] - t[:-season_length])))
    out = {}
    for m in ms:
        y, f = _pair(df, m, target_col)
        out[m] = float(np.abs(y - f).mean()) / max(scale, 1e-12) if y.size else float("nan")
    return pd.Series(out, name="mase", dtype=float)


def pinball(df: pd.DataFrame, models: Sequence[str] | None = None, *, quantiles: Sequence[float] | None = None,
            target_col: str = "volume") -> pd.Series:
    """Mean pinball (quantile) loss in calls, averaged over the quantile columns ``<model>_q<100 q>``.

    ``quantiles`` (levels in (0, 1)) restricts the levels scored; by default every quantile column of the model.
    Other parameters are described in the module docstring.
    """
    ms = _models(df, models, target_col)
    out = {}
    for m in ms:
        qs = quantiles
        if qs is None:
            qs = [float(c[len(m) + 2:]) / 100 for c in df.columns
                  if str(c).startswith(f"{m}_q") and _QCOL.search(str(c))]
        losses = []
        for q in qs:
            col = quantile_name(q, m)
            if col not in df.columns:
                continue
            y, f = _pair(df, col, target_col)
            if y.size:
                d = y - f
                losses.append(float(np.mean(np.maximum(q * d, (q - 1) * d))))
        out[m] = float(np.mean(losses)) if losses else np.nan
    return pd.Series(out, name="pinball")


def coverage(df: pd.DataFrame, models: Sequence[str] | None = None, *, level: float = 0.8,
             target_col: str = "volume") -> pd.Series:
    """Share of actuals inside the central ``level`` interval (columns ``<model>_q10``/``_q90`` for 0.8).

    ``level`` is in (0, 1); a model without both quantile columns scores NaN. Other parameters are described
    in the module docstring.
    """
    if not 0 < level < 1:
        raise InvalidParameterError(f"`level` must be in (0, 1); got {level!r}", field="level")
    ms = _models(df, models, target_col)
    y = df[target_col].to_numpy(dtype=float)
    lo_q, hi_q = round((1 - level) / 2, 10), round(1 - (1 - level) / 2, 10)
    out = {}
    for m in ms:
        lo, hi = quantile_name(lo_q, m), quantile_name(hi_q, m)
        if lo not in df.columns or hi not in df.columns:
            out[m] = np.nan
            continue
        a, b = df[lo].to_numpy(dtype=float), df[hi].to_numpy(dtype=float)
        ok = np.isfinite(a) & np.isfinite(b)
        out[m] = float(np.mean((y[ok] >= a[ok]) & (y[ok] <= b[ok]))) if ok.any() else np.nan
    return pd.Series(out, name=f"coverage_{int(round(level * 100))}")


_METRICS: dict[str, Callable[..., pd.Series]] = {"wape": wape, "bias": bias, "pinball": pinball,
                                                  "coverage": coverage}


def evaluate(cv_df: pd.DataFrame, metrics: Sequence[str | Callable[..., pd.Series]] = ("wape", "bias",
             "coverage", "pinball"), *, models: Sequence[str] | None = None, by: str | None = None,
             target_col: str = "volume", time_col: str = "ts") -> pd.DataFrame:
    """Several metrics at once, overall or per group.

    Parameters
    ----------
    cv_df : DataFrame
        Output of :func:`wfm.forecast.cross_validation`.
    metrics : sequence of str or callable
        Names (``"wape"``, ``"bias"``, ``"coverage"``, ``"pinball"``) or functions ``f(df, models) -> Series``.
    by : str, optional
        ``"lead_day"`` (1 = first day after the cutoff), ``"lead"`` (intervals after the cutoff), ``"cutoff"``,
        or any column such as the queue id.

    Returns
    -------
    DataFrame
        One row per (group,) metric, one column per model.
    """
    ms = _models(cv_df, models, target_col)
    fns = []
    for m in metrics:
        if isinstance(m, str):
            if m not in _METRICS:
                raise InvalidParameterError(f"`metrics` names must be in {sorted(_METRICS)}; got {m!r}",
                    field="metrics")
            fns.append(_METRICS[m])
        elif callable(m):
            fns.append(m)
        else:
            raise InvalidParameterError(f"`metrics` entries must be names or functions; got {m!r}", field="metrics")
    df = cv_df
    if by in ("lead", "lead_day"):
        if "cutoff" not in df.columns:
            raise DataFormatError("per-lead evaluation needs a `cutoff` column (from cross_validation)", field="cutoff")
        delta = pd.to_datetime(df[time_col]) - pd.to_datetime(df["cutoff"])
        df = df.copy()
        if by == "lead_day":
            df["lead_day"] = ((delta - pd.Timedelta(1, "ns")) // pd.Timedelta("1D")).astype(int) + 1
        else:
            steps = df.groupby("cutoff")[time_col].transform(lambda s: s.rank(method="first"))
            df["lead"] = steps.astype(int)
    elif by is not None and by not in df.columns:
        raise InvalidParameterError(f"`by` must be 'lead', 'lead_day' or a column; got {by!r}", field="by")
    rows = []
    groups = df.groupby(by, sort=True, observed=True) if by is not None else [(None, df)]
    for key, g in groups:
        for fn in fns:
            s = fn(g, ms, target_col=target_col)
            row = {"metric": s.name or getattr(fn, "__name__", "metric"), **s.to_dict()}
            if by is not None:
                row = {by: key, **row}
            rows.append(row)
    return pd.DataFrame(rows)
