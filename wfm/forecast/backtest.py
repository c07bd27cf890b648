"""Rolling-origin cross-validation: refit at each cutoff, forecast ``h`` ahead, keep the actuals."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from wfm.exceptions import DataFormatError, InvalidParameterError
from wfm.forecast._base import Forecaster
from wfm.forecast._days import per_day
from wfm.forecast._frame import (
    check_quantiles,
    concat_queues,
    parse_horizon,
    prepare_history,
    quantile_name,
    series_name,
    time_zone,
)
from wfm.forecast._threads import check_n_jobs, map_jobs
from wfm.forecast.auto import make_model
from wfm.forecast.holidays import HolidayInput, normalize_holidays

__all__ = ["cross_validation"]


def _cv_one(args: tuple) -> pd.DataFrame:
    y, models, h, n_windows, step, holidays, quantiles, target_col = args
    n = len(y)
    frames = []
    for w in range(n_windows, 0, -1):
        cut = n - h - (w - 1) * step
        train = y.iloc[:cut]
        part = pd.DataFrame({"ts": y.index[cut:cut + h], "cutoff": train.index[-1],
                             target_col: y.to_numpy(dtype=float)[cut:cut + h]})
        for m in models:
            if len(train) < m.min_history(train.index.freq):
                part[m.alias] = np.nan
                for q in quantiles:
                    part[quantile_name(q, m.alias)] = np.nan
                continue
            pred = m.clone().fit(train, holidays=holidays).predict(h, quantiles=quantiles, target_col="_p")
            part[m.alias] = pred["_p"].to_numpy()
            for q in quantiles:
                part[quantile_name(q, m.alias)] = pred[quantile_name(q, "_p")].to_numpy()
        frames.append(part)
    return pd.concat(frames, ignore_index=True)


def cross_validation(history: pd.DataFrame | pd.Series, h: int | str, *, n_windows: int = 4,
                     step: int | str | None = None, models: Sequence[str | Forecaster] = ("auto",),
                     freq: str | None = None, holidays: HolidayInput = None,
                     quantiles: Sequence[float] | None = (0.1, 0.9), id_col: str | Sequence[str] | None = "queue",
                     time_col: str = "ts", target_col: str = "volume", n_jobs: int = 1) -> pd.DataFrame:
    """Rolling-origin backtest of one or more models.

    The last window ends at the end of the history; earlier windows start ``step`` earlier each. At each
    cutoff every model is refit on the history up to and including the cutoff and forecasts ``h`` intervals.

    Parameters
    ----------
    history : DataFrame or Series
        As for :func:`wfm.forecast.forecast`.
    h : int or str
        Forecast horizon per window (intervals, or a duration such as ``"7D"``).
    n_windows : int
        Number of cutoffs (>= 1).
    step : int or str, optional
        Distance between cutoffs (intervals or duration); default ``h``.
    models : sequence of str or Forecaster
        Models to compare (names as in :func:`wfm.forecast.forecast`, or instances).
    freq : str, optional
        Interval length (``"30min"``); inferred by default.
    holidays : list of dates, mapping date -> label, or DataFrame, optional
        Special days, as for :func:`wfm.forecast.forecast`.
    quantiles : sequence of float, optional
        Quantile levels to keep per model (columns ``<alias>_q<100 q>``).
    id_col, time_col, target_col : str
        Column names in ``history`` (and in the result; ``target_col`` holds the actual calls).
    n_jobs : int
        Worker processes, one queue per task (1: run in this process).

    Returns
    -------
    DataFrame
        Id column(s), ``ts``, ``cutoff`` (last interval of the training data), ``target_col`` (actual calls),
        one column per model alias (mean forecast) and its quantile columns. Windows a model has too little
        history for hold NaN.
    """
    if int(n_windows) != n_windows or n_windows < 1:
        raise InvalidParameterError(f"`n_windows` must be an integer >= 1; got {n_windows!r}", field="n_windows")
    workers = check_n_jobs(n_jobs)
    qlevels = check_quantiles(quantiles)
    specs = [make_model(m) for m in models]
    aliases = [m.alias for m in specs]
    if len(set(aliases)) != len(aliases):
        raise InvalidParameterError(f"`models` must have distinct aliases; got {aliases}", field="models")
    hol = normalize_holidays(holidays)
    queues, istep, ids = prepare_history(history, freq=freq, id_col=id_col, time_col=time_col,
                                         target_col=target_col)
    hh = parse_horizon(h, istep)
    ss = hh if step is None else parse_horizon(step, istep)
    jobs = []
    for qs in queues:
        need = hh + (int(n_windows) - 1) * ss + min(m.min_history(istep) for m in specs)
        if len(qs.volume) < need:
            raise DataFormatError(
                f"history of {series_name(ids, qs.key)} has {len(qs.volume)} intervals "
                f"({len(qs.volume) / per_day(istep):.1f} days) in column `{time_col}`; {n_windows} windows of "
                f"{hh} with step {ss} need at least {need}", field=time_col)
        jobs.append((qs.volume, specs, hh, int(n_windows), ss, hol, qlevels, target_col))
    out = concat_queues(queues, ids, map_jobs(_cv_one, jobs, workers), time_col)
    tz = time_zone(history, time_col)
    if tz is not None:
        # Back on the input's time line. The repeated autumn hour is one row (its actuals were merged in the
        # history); a skipped spring hour never happened, so its row (0 actual calls) is dropped, not scored.
        standard = np.zeros(len(out), dtype=bool)
        out[time_col] = out[time_col].dt.tz_localize(tz, ambiguous=standard, nonexistent="NaT")
        out["cutoff"] = out["cutoff"].dt.tz_localize(tz, ambiguous=standard, nonexistent="shift_backward")
        out = out[out[time_col].notna()].reset_index(drop=True)
    out.attrs["models"] = aliases
    return out
