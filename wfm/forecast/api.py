"""The one-call API: :func:`forecast` for many queues, :func:`reforecast_intraday` during the day.

Output conventions (both functions):

- one row per (queue, interval) of the horizon on the complete interval grid: closed hours appear with a
  forecast of (about) 0 calls, whether the history had them as zero rows or left them out;
- ``volume`` is the mean forecast (calls, >= 0); ``volume_q10``, ``volume_q50``, ``volume_q90`` (one column per
  requested quantile, named ``<target>_q<100 q>``) are negative-binomial quantiles calibrated on a rolling-origin
  backtest; ``aht`` (seconds) when the history had an ``aht`` column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from wfm.exceptions import DataFormatError, InvalidParameterError
from wfm.forecast._base import Forecaster
from wfm.forecast._days import per_day
from wfm.forecast._frame import (
    check_quantiles,
    concat_queues,
    id_list,
    parse_horizon,
    prepare_history,
    series_name,
    time_zone,
)
from wfm.forecast._threads import check_n_jobs, map_jobs
from wfm.forecast.auto import make_model
from wfm.forecast.holidays import HolidayInput, normalize_holidays

__all__ = ["forecast", "forecast_aht", "reforecast_intraday"]


def forecast_aht(aht: pd.Series, volume: pd.Series, future: pd.DatetimeIndex, *, weeks: int = 8) -> np.ndarray:
    """Average handle time per future interval (seconds) from a volume-weighted weekday x time-of-day profile.

    Handle times move slowly and follow the clock (short calls at peak, complex ones early and late), so each
    future interval gets the call-weighted mean AHT of the same weekday and time of day over the last
    ``weeks`` weeks, falling back to the same time of day on any weekday, then to the overall mean.

    Parameters
    ----------
    aht : pandas.Series
        Average handle time per past interval, seconds (NaN where no calls), on the index of ``volume``;
        intervals with an AHT of 0 (or NaN) are not measurements and are left out.
    volume : pandas.Series
        Calls per past interval (the weights), with a DatetimeIndex of interval starts.
    future : pandas.DatetimeIndex
        Starts of the intervals to forecast.
    weeks : int, default 8
        Weeks of recent history averaged.

    Returns
    -------
    numpy.ndarray
        AHT in seconds per future interval; NaN only when the history has no handle time at all.
    """
    a = aht.to_numpy(dtype=float)
    v = volume.to_numpy(dtype=float)
    idx = volume.index
    recent = idx >= idx[-1] - pd.Timedelta(weeks=int(weeks))
    # A handle time of 0 with calls is a recording gap (all abandoned, a logging fault), not a measurement:
    # averaged in, it could give a future interval with calls an AHT of 0, which staffing rightly refuses.
    measured = np.isfinite(a) & (a > 0) & (v > 0)
    ok = recent & measured
    if not ok.any():
        ok = measured
    if not ok.any():
        return np.full(len(future), np.nan)
    tod = (idx - idx.normalize()).to_numpy()
    frame = pd.DataFrame({"dow": idx.day_of_week, "tod": tod, "w": v, "wa": np.where(ok, a * v, 0.0),
                          "ok": ok})
    frame = frame[frame["ok"]]
    by_dt = frame.groupby(["dow", "tod"])[["wa", "w"]].sum()
    by_t = frame.groupby("tod")[["wa", "w"]].sum()
    overall = float(frame["wa"].sum() / frame["w"].sum())
    f_dow = future.day_of_week
    f_tod = (future - future.normalize()).to_numpy()
    key = pd.MultiIndex.from_arrays([f_dow, f_tod])
    m1 = by_dt.reindex(key)
    est = (m1["wa"] / m1["w"]).to_numpy()
    m2 = by_t.reindex(pd.Index(f_tod))
    est2 = (m2["wa"] / m2["w"]).to_numpy()
    est = np.where(np.isfinite(est), est, est2)
    return np.where(np.isfinite(est), est, overall)


def _forecast_one(args: tuple) -> pd.DataFrame:
    qs, model, horizon, holidays, quantiles, target_col = args
    m = model.clone().fit(qs.volume, holidays=holidays)
    out = m.predict(horizon, quantiles=quantiles, target_col=target_col)
    if qs.aht is not None:
        out["aht"] = forecast_aht(qs.aht, qs.volume, pd.DatetimeIndex(out["ts"]))
    return out


def forecast(history: pd.DataFrame | pd.Series, horizon: int | str, *, freq: str | None = None,
             model: str | Forecaster = "auto", holidays: HolidayInput = None,
             quantiles: Sequence[float] | None = (0.1, 0.5, 0.9), id_col: str | Sequence[str] | None = "queue",
             time_col: str = "ts", target_col: str = "volume", aht_col: str = "aht", n_jobs: int = 1,
             seed: int | None = 0) -> pd.DataFrame:
    """Forecast calls (and handle time) per interval for one or many queues.

    Parameters
    ----------
    history : DataFrame or Series
        Long frame with ``time_col`` (interval start), ``target_col`` (calls per interval), optional
        ``aht_col`` (seconds) and optional id column(s) — or a Series of calls with a DatetimeIndex.
        Closed hours may be absent rows or zeros. Time-zone-aware times are used as local wall-clock time;
        on a daylight-saving day in the horizon the skipped hour has no rows and the repeated hour has two.
    horizon : int or str
        Number of intervals, or a duration such as ``"14D"`` or ``"6h"`` (wall-clock days of intervals).
    freq : str, optional
        Interval length (``"15min"``, ``"30min"``); inferred from the most common time step by default.
    model : str or Forecaster
        ``"auto"`` (backtest-picked model or ensemble), one of ``"topdown"``, ``"svd"``, ``"mstl"``,
        ``"week_mean"``, ``"seasonal_naive"``, or a forecaster instance (cloned per queue).
    holidays : list of dates, mapping date -> label, or DataFrame, optional
        Special days in both the history and the horizon (see :mod:`wfm.forecast.holidays`).
    quantiles : sequence of float, optional
        Quantile levels in (0, 1); each adds a column ``volume_q<100 q>`` (e.g. ``volume_q10``).
    id_col, time_col, target_col, aht_col : str
        Column names in ``history`` (and in the result).
    n_jobs : int
        Worker processes for many queues (1: run in this process).
    seed : int or None
        Seed for stochastic parts; the shipped models are deterministic, so it only fixes future ones.

    Returns
    -------
    DataFrame
        Id column(s), ``ts``, ``volume`` (mean calls, >= 0), quantile columns, and ``aht`` (seconds) if the
        history had it; sorted by id and time.
    """
    workers = check_n_jobs(n_jobs)
    qlevels = check_quantiles(quantiles)
    spec = make_model(model)
    hol = normalize_holidays(holidays)
    tz = time_zone(history, time_col)
    queues, step, ids = prepare_history(history, freq=freq, id_col=id_col, time_col=time_col,
                                        target_col=target_col, aht_col=aht_col)
    h = parse_horizon(horizon, step)
    need = spec.min_history(step)
    for qs in queues:
        if len(qs.volume) < need:
            raise DataFormatError(
                f"history of {series_name(ids, qs.key)} is too short for model {spec.alias!r}: {len(qs.volume)} "
                f"intervals ({len(qs.volume) / per_day(step):.1f} days); needs at least {need} intervals "
                f"({need / per_day(step):.0f} days) in column `{time_col}`", field=time_col)
    parts = map_jobs(_forecast_one, [(qs, spec, h, hol, qlevels, target_col) for qs in queues], workers)
    out = concat_queues(queues, ids, parts, time_col)
    if tz is not None:
        out = _localize(out, time_col, tz, block=h)
    return out


def _localize(out: pd.DataFrame, time_col: str, tz: Any, *, block: int) -> pd.DataFrame:
    """Wall-clock forecast rows (``block`` per queue, in order) as times in ``tz``, on the real time line.

    A skipped hour (spring) has no rows. A repeated hour (autumn) gets rows for both occurrences, each with
    the wall-clock forecast of that interval: calls arrive in both real hours, and staffing downstream needs
    every real interval (a 25-hour day has 25 hours of intervals).
    """
    wall = out[time_col]
    first = wall.dt.tz_localize(tz, ambiguous=np.ones(len(out), dtype=bool), nonexistent="NaT")
    second = wall.dt.tz_localize(tz, ambiguous=np.zeros(len(out), dtype=bool), nonexistent="NaT")
    repeated = (first != second).to_numpy() & first.notna().to_numpy()
    queue_pos = np.arange(len(out)) // block
    parts = [out.assign(**{time_col: first}).assign(_q=queue_pos)]
    if repeated.any():
        parts.append(out[repeated].assign(**{time_col: second[repeated]}).assign(_q=queue_pos[repeated]))
    res = pd.concat(parts, ignore_index=True)
    res = res[res[time_col].notna()].sort_values(["_q", time_col], kind="stable")
    return res.drop(columns="_q").reset_index(drop=True)


def reforecast_intraday(forecast_df: pd.DataFrame, observed_today: pd.DataFrame, *, level_cv: float = 0.15,
                        id_col: str | Sequence[str] | None = "queue", time_col: str = "ts",
                        target_col: str = "volume") -> pd.DataFrame:
    """Update the rest of today's forecast from the calls observed so far today.

    The day's level is treated as a multiplier ``theta`` of the forecast with a Gamma prior (mean 1,
    coefficient of variation ``level_cv``); calls observed so far are Poisson given ``theta``. The posterior
    mean, ``theta = (k + observed) / (k + forecast so far)`` with ``k = 1 / level_cv**2``, scales the remaining
    intervals of the day: a credibility weight that trusts the observed ratio more as calls accumulate.

    Parameters
    ----------
    forecast_df : DataFrame
        Output of :func:`forecast` covering today.
    observed_today : DataFrame
        Calls observed so far today: id column(s), ``time_col``, ``target_col``; intervals not listed count as
        not yet observed.
    level_cv : float
        Prior coefficient of variation of the day's level around the forecast (e.g. 0.15 = 15%); smaller
        trusts the forecast more.
    id_col, time_col, target_col : str
        Column names, as in :func:`forecast`.

    Returns
    -------
    DataFrame
        ``forecast_df`` with ``target_col`` and its quantile columns scaled for the intervals of today after
        the last observed one; column ``intraday_factor`` holds the applied multiplier (1 elsewhere).
    """
    if not np.isfinite(level_cv) or level_cv <= 0:
        raise InvalidParameterError(f"`level_cv` must be > 0; got {level_cv!r}", field="level_cv")
    for col in (time_col, target_col):
        for name, frame in (("forecast_df", forecast_df), ("observed_today", observed_today)):
            if col not in frame.columns:
                raise DataFormatError(f"`{name}` lacks column `{col}`; has {list(frame.columns)}", field=name)
    ids = [c for c in id_list(id_col) if c in forecast_df.columns]
    lost = [c for c in ids if c not in observed_today.columns and forecast_df[c].nunique(dropna=False) > 1]
    if lost:
        # without the id, one queue's calls would rescale every queue's forecast
        raise DataFormatError(f"`observed_today` lacks id column(s) {lost} that tell the queues of `forecast_df` "
                              f"apart; has {list(observed_today.columns)}", field="observed_today")
    ids = [c for c in ids if c in observed_today.columns]
    obs_vol = pd.to_numeric(observed_today[target_col], errors="coerce")
    bad = obs_vol.isna() | (obs_vol < 0)
    if bad.any():
        rows = observed_today.loc[bad, [time_col, target_col]].head(5).to_dict("records")
        raise DataFormatError(f"column `{target_col}` of `observed_today` must be >= 0 calls; got {rows}",
            field=target_col)
    k = 1.0 / level_cv ** 2
    out = forecast_df.copy()
    out["intraday_factor"] = 1.0
    scale_cols = [target_col] + [c for c in out.columns if c.startswith(f"{target_col}_q")]
    groups = observed_today.groupby(ids, sort=False, observed=True) if ids else [((), observed_today)]
    for key, obs in groups:
        key = key if isinstance(key, tuple) else (key,)
        mask = np.ones(len(out), bool)
        for c, v in zip(ids, key, strict=True):
            mask &= (out[c] == v).to_numpy()
        if len(obs) == 0:
            continue
        last = pd.Timestamp(obs[time_col].max())
        fc = out.loc[mask, [time_col, target_col]]
        matched = fc[fc[time_col].isin(pd.DatetimeIndex(obs[time_col]))]
        if matched.empty:
            raise DataFormatError(f"`observed_today` times of {series_name(ids, key)} are not in `forecast_df`; "
                                  f"first: {obs[time_col].iloc[0]!r}", field="observed_today")
        f_sofar = float(matched[target_col].sum())
        o_sofar = float(pd.to_numeric(obs[target_col]).sum())
        theta = (k + o_sofar) / (k + f_sofar)
        day_end = last.normalize() + pd.DateOffset(days=1)  # calendar day: 23 or 25 hours on DST days
        ts = out[time_col]
        rest = mask & (ts > last).to_numpy() & (ts < day_end).to_numpy()
        for c in scale_cols:
            out.loc[rest, c] = out.loc[rest, c].to_numpy(dtype=float) * theta
        out.loc[rest, "intraday_factor"] = theta
    return out
