"""Plots for forecasts (``plot`` extra: matplotlib, imported lazily).

- :func:`plot_forecast`: actuals and the forecast with its interval band;
- :func:`plot_profiles`: the average intraday profile of each day type (the M-curves).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from wfm.exceptions import DataFormatError, InvalidParameterError, require_extra
from wfm.forecast._frame import quantile_name

__all__ = ["plot_forecast", "plot_profiles"]

_DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def plot_forecast(forecast_df: pd.DataFrame, actual: pd.DataFrame | None = None, *, queue: Any = None,
                  level: float = 0.8, id_col: str = "queue", time_col: str = "ts", target_col: str = "volume",
                  ax: Any = None) -> Any:
    """Forecast (line) with its central ``level`` interval (band) and, if given, the actuals (dots).

    Parameters
    ----------
    forecast_df : DataFrame
        Output of :func:`wfm.forecast.forecast` (needs the quantile columns of the band, e.g. ``volume_q10`` and
        ``volume_q90`` for ``level=0.8``).
    actual : DataFrame, optional
        Observed calls with ``time_col`` and ``target_col`` (and ``id_col`` for several queues).
    queue : optional
        Which queue to draw when the frame holds several (default: the first).
    level : float
        Coverage of the band (0.8 = 10%–90% quantiles).
    id_col, time_col, target_col : str
        Column names in both frames.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
    """
    plt = require_extra("matplotlib.pyplot", "plot")
    if not 0 < level < 1:
        raise InvalidParameterError(f"`level` must be in (0, 1); got {level!r}", field="level")
    fc = _one_queue(forecast_df, queue, id_col)
    lo, hi = quantile_name(round((1 - level) / 2, 10), target_col), quantile_name(round(1 - (1 - level) / 2, 10),
                                                                                 target_col)
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 3.5))
    if lo in fc.columns and hi in fc.columns:
        ax.fill_between(fc[time_col], fc[lo], fc[hi], step="post", alpha=0.3, label=f"{level:.0%} interval")
    ax.plot(fc[time_col], fc[target_col], drawstyle="steps-post", label="forecast")
    if actual is not None:
        act = _one_queue(actual, queue if queue is not None else _first(forecast_df, id_col), id_col)
        act = act[(act[time_col] >= fc[time_col].min()) & (act[time_col] <= fc[time_col].max())]
        ax.plot(act[time_col], act[target_col], ".", markersize=3, color="black", label="actual")
    ax.set_ylabel("calls per interval")
    ax.legend(loc="upper right")
    return ax


def plot_profiles(history: pd.DataFrame, *, queue: Any = None, id_col: str = "queue", time_col: str = "ts",
                  target_col: str = "volume", ax: Any = None) -> Any:
    """Average intraday profile (share of the day's calls per interval) for each weekday.

    Parameters
    ----------
    history : DataFrame
        Calls per interval: ``time_col`` (interval start), ``target_col`` (calls) and ``id_col`` for several
        queues.
    queue : optional
        Which queue to draw when the frame holds several (default: the first).
    id_col, time_col, target_col : str
        Column names.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.

    Returns
    -------
    matplotlib.axes.Axes
    """
    plt = require_extra("matplotlib.pyplot", "plot")
    df = _one_queue(history, queue, id_col)
    ts = pd.DatetimeIndex(df[time_col])
    frame = pd.DataFrame({"day": ts.normalize(), "tod": (ts - ts.normalize()) / pd.Timedelta("1h"),
                          "dow": ts.day_of_week, "y": df[target_col].to_numpy(dtype=float)})
    tot = frame.groupby("day")["y"].transform("sum")
    frame["share"] = np.where(tot > 0, frame["y"] / tot.where(tot > 0, 1.0), np.nan)
    prof = frame.groupby(["dow", "tod"])["share"].mean().unstack(0)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.5))
    for k in prof.columns:
        ax.plot(prof.index, prof[k], label=_DAY_NAMES[int(k)])
    ax.set_xlabel("hour of day")
    ax.set_ylabel("share of the day's calls")
    ax.legend(ncol=7, fontsize="small")
    return ax


def _first(df: pd.DataFrame, id_col: str) -> Any:
    return df[id_col].iloc[0] if id_col in df.columns and len(df) else None


def _one_queue(df: pd.DataFrame, queue: Any, id_col: str) -> pd.DataFrame:
    if id_col not in df.columns:
        return df
    q = _first(df, id_col) if queue is None else queue
    out = df[df[id_col] == q]
    if out.empty:
        raise DataFormatError(f"column `{id_col}` has no rows for queue {q!r}", field=id_col)
    return out
