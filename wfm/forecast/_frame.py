"""Input handling: long frames in, validated regular per-queue series out; call records to intervals.

The orchestrators (:func:`wfm.forecast.forecast`, :func:`wfm.forecast.cross_validation`) own DataFrames; the
models see one regular ``pandas.Series`` per queue (a complete grid of intervals, closed hours as 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from wfm.exceptions import DataFormatError, InvalidParameterError
from wfm.limits import check_count, check_number, limits

__all__ = ["calls_to_intervals", "quantile_name", "parse_horizon", "QueueSeries", "prepare_history"]

_DAY = pd.Timedelta("1D")


def quantile_name(q: float, target_col: str = "volume") -> str:
    """Column name of quantile ``q``: 0.1 -> ``"volume_q10"``, 0.025 -> ``"volume_q2.5"``."""
    return f"{target_col}_q{float(q) * 100:g}"


def id_list(id_col: str | Sequence[str] | None) -> list[str]:
    """``id_col`` (one name, several, or None) as a list of column names."""
    return [] if id_col is None else ([id_col] if isinstance(id_col, str) else list(id_col))


def series_name(ids: list[str], key: tuple) -> str:
    """A queue's key for messages: ``queue='q1'`` (``"the series"`` without id columns)."""
    return ", ".join(f"{c}={v!r}" for c, v in zip(ids, key, strict=True)) if ids else "the series"


def check_quantiles(quantiles: Sequence[float] | None) -> tuple[float, ...]:
    if quantiles is None:
        return ()
    qs = tuple(float(q) for q in quantiles)
    bad = [q for q in qs if not 0.0 < q < 1.0]
    if bad:
        raise InvalidParameterError(f"`quantiles` must all be in (0, 1); got {list(quantiles)!r}", field="quantiles")
    return tuple(sorted(set(qs)))


def _rows(frame: pd.DataFrame, mask: np.ndarray | pd.Series, cols: Sequence[str]) -> str:
    """Up to five offending rows, as 'row <index>: col=value, ...' for error messages."""
    bad = frame.loc[np.asarray(mask), list(cols)].head(5)
    parts = []
    for idx, row in bad.iterrows():
        parts.append(f"row {idx}: " + ", ".join(f"{c}={row[c]!r}" for c in cols))
    return "; ".join(parts)


def check_freq(freq: str | pd.Timedelta) -> pd.Timedelta:
    try:
        step = pd.Timedelta(pd.tseries.frequencies.to_offset(freq)) if isinstance(freq, str) else pd.Timedelta(freq)
    except (ValueError, TypeError) as exc:
        raise InvalidParameterError(f"`freq` must be an interval such as '15min' or '30min'; got {freq!r}",
            field="freq") from exc
    if step <= pd.Timedelta(0) or _DAY % step != pd.Timedelta(0):
        raise InvalidParameterError(f"`freq` must be a positive interval that divides one day; got {freq!r}",
            field="freq")
    return step


def parse_horizon(horizon: int | str | pd.Timedelta, step: pd.Timedelta) -> int:
    """Number of intervals in ``horizon`` (a count of intervals, or a duration such as ``"14D"``).

    Parameters
    ----------
    horizon : int, float with a whole value, str or Timedelta
        Intervals ahead (>= 1), or a duration that is a whole number of intervals.
    step : Timedelta
        Interval length.
    """
    if isinstance(horizon, bool):
        raise InvalidParameterError(f"`horizon` must be an int >= 1 or a duration like '14D'; got {horizon!r}",
            field="horizon")
    if isinstance(horizon, (int, np.integer)):
        n = int(horizon)
    elif isinstance(horizon, (float, np.floating)):
        # a count computed in floating point (7 * 96 / 1); a fractional count of intervals is an error
        if not np.isfinite(horizon) or horizon != int(horizon):
            raise InvalidParameterError(
                f"`horizon` must be a whole number of intervals or a duration like '14D'; got {horizon!r}",
                    field="horizon")
        n = int(horizon)
    else:
        try:
            dur = pd.Timedelta(horizon)
        except (ValueError, TypeError) as exc:
            raise InvalidParameterError(
                f"`horizon` must be an int >= 1 or a duration like '14D'; got {horizon!r}", field="horizon") from exc
        if dur % step != pd.Timedelta(0):
            raise InvalidParameterError(f"`horizon` must be a whole number of {step} intervals; got {horizon!r}",
                field="horizon")
        n = int(dur / step)
    if n < 1:
        raise InvalidParameterError(f"`horizon` must be at least 1 interval; got {horizon!r}", field="horizon")
    # a horizon of a trillion intervals would try to allocate terabytes before failing
    check_number("horizon", n, high=limits().max_horizon_intervals, limit_name="max_horizon_intervals")
    return n


@dataclass
class QueueSeries:
    """One queue's validated history on a complete regular grid."""

    key: tuple
    volume: pd.Series  # regular DatetimeIndex, closed/absent intervals as 0
    aht: pd.Series | None  # seconds, NaN where no calls
    observed: np.ndarray  # True where the input had a row (False for filled-in absent intervals)


def _to_frame(history: pd.DataFrame | pd.Series, time_col: str, target_col: str) -> pd.DataFrame:
    if isinstance(history, pd.Series):
        if not isinstance(history.index, pd.DatetimeIndex):
            raise DataFormatError(
                f"a Series history needs a DatetimeIndex of interval starts; got {type(history.index).__name__}")
        return pd.DataFrame({time_col: history.index, target_col: history.to_numpy()})
    if not isinstance(history, pd.DataFrame):
        raise DataFormatError(f"`history` must be a DataFrame or a Series; got {type(history).__name__}",
            field="history")
    return history


def infer_step(ts: pd.Series, time_col: str) -> pd.Timedelta:
    """The interval: the most common gap between consecutive timestamps of a queue (gaps may be closed hours)."""
    diffs = ts.diff().dropna()
    diffs = diffs[diffs > pd.Timedelta(0)]
    if diffs.empty:
        raise DataFormatError(f"cannot infer the interval from column `{time_col}`: fewer than 2 distinct times",
            field=time_col)
    return pd.Timedelta(diffs.mode().iloc[0])


def prepare_history(history: pd.DataFrame | pd.Series, *, freq: str | pd.Timedelta | None = None,
                    id_col: str | Sequence[str] | None = "queue", time_col: str = "ts",
                    target_col: str = "volume", aht_col: str = "aht",
                    ) -> tuple[list[QueueSeries], pd.Timedelta, list[str]]:
    """Validate a long history frame and return one regular series per queue, the interval and the id columns.

    Rules (each violation raises :class:`~wfm.exceptions.DataFormatError` naming the column and up to five
    rows): ``time_col`` is datetime-like, sorted within each queue and unique; every timestamp lies on the
    interval grid (gaps of whole intervals are closed hours and become 0); ``target_col`` is finite and >= 0.
    """
    frame = _to_frame(history, time_col, target_col)
    ids = id_list(id_col)
    missing = [c for c in ids if c not in frame.columns]
    if missing and ids != ["queue"] and not isinstance(history, pd.Series):
        # the default id column may be absent (one queue); one the caller named must be there
        raise DataFormatError(f"`id_col` names column(s) {missing} that history lacks; has {list(frame.columns)}",
            field="id_col")
    ids = [c for c in ids if c in frame.columns]
    for col in (time_col, target_col):
        if col not in frame.columns:
            raise DataFormatError(f"history lacks column `{col}`; has {list(frame.columns)}", field=col)
    if frame.empty:
        raise DataFormatError("history is empty", field="history")
    check_count("history", len(frame), "max_rows")
    ts = frame[time_col]
    if not pd.api.types.is_datetime64_any_dtype(ts):
        try:
            ts = pd.to_datetime(ts)
        except (ValueError, TypeError) as exc:
            raise DataFormatError(
                f"column `{time_col}` must hold timestamps; got dtype {frame[time_col].dtype}", field=time_col) from exc
    if ts.isna().any():
        raise DataFormatError(f"column `{time_col}` has missing timestamps: {_rows(frame, ts.isna(), [time_col])}",
            field=time_col)
    aware = getattr(ts.dt, "tz", None) is not None
    instants = ts.dt.tz_convert("UTC").dt.tz_localize(None) if aware else ts
    if aware:
        # Work in local wall-clock time: the day/week patterns of callers follow the clock on the wall.
        ts = ts.dt.tz_localize(None)
    vol = pd.to_numeric(frame[target_col], errors="coerce")
    bad = vol.isna().to_numpy() | ~np.isfinite(vol.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        raise DataFormatError(f"column `{target_col}` must be finite numbers (no NaN); "
                              f"{int(bad.sum())} bad row(s): {_rows(frame, bad, [time_col, target_col])}",
                                  field=target_col)
    neg = (vol < 0).to_numpy()
    if neg.any():
        raise DataFormatError(f"column `{target_col}` must be >= 0 calls; {int(neg.sum())} negative row(s): "
                              f"{_rows(frame, neg, [time_col, target_col])}", field=target_col)
    has_aht = aht_col in frame.columns
    work = pd.DataFrame({"_ts": ts.to_numpy(), "_abs": instants.to_numpy(), "_y": vol.to_numpy(dtype=float)},
                        index=frame.index)
    if has_aht:
        work["_aht"] = pd.to_numeric(frame[aht_col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    for c in ids:
        work[c] = frame[c].to_numpy()
    groups = work.groupby(ids, sort=True, dropna=False) if ids else [((), work)]
    step = check_freq(freq) if freq is not None else None
    out: list[QueueSeries] = []
    common: pd.Timedelta | None = None
    finest: pd.Timedelta | None = None  # smallest gap between rows over all queues
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        dif = g["_abs"].diff()
        unsorted = (dif < pd.Timedelta(0)).to_numpy()
        if unsorted.any():
            raise DataFormatError(f"column `{time_col}` must be sorted within each queue; out of order at "
                                  f"{_rows(frame.loc[g.index], unsorted, [*ids, time_col])}", field=time_col)
        dup = (dif == pd.Timedelta(0)).to_numpy()
        if dup.any():
            raise DataFormatError(f"column `{time_col}` has duplicated timestamps: "
                                  f"{_rows(frame.loc[g.index], dup, [*ids, time_col])}", field=time_col)
        if aware and g["_ts"].duplicated().any():
            # the repeated wall-clock hour of a daylight-saving day: one interval holding both occurrences
            g = _merge_repeated_hour(g, has_aht)
        t = g["_ts"]
        qstep = step if step is not None else infer_step(t, time_col)
        if _DAY % qstep != pd.Timedelta(0):
            raise DataFormatError(f"column `{time_col}`: inferred interval {qstep} does not divide a day; "
                                  f"pass `freq`", field=time_col)
        off = ((t - t.iloc[0].normalize()) % qstep != pd.Timedelta(0)).to_numpy()
        if off.any():
            raise DataFormatError(f"column `{time_col}` has irregular intervals (not on the {qstep} grid): "
                                  f"{_rows(frame.loc[g.index], off, [*ids, time_col])}", field=time_col)
        if common is not None and qstep != common:
            raise DataFormatError(f"column `{time_col}`: queues have different intervals ({qstep} vs "
                                  f"{common}); pass `freq` or forecast them separately", field=time_col)
        common = qstep
        gaps = t.diff().iloc[1:]
        if len(gaps):
            finest = min(finest, gaps.min()) if finest is not None else gaps.min()
        # the grid fills closed hours with zeros: two rows a century apart must not become millions of rows
        check_count(time_col, (t.iloc[-1] - t.iloc[0]) / qstep + 1, "max_rows", unit="intervals from first to last")
        grid = pd.date_range(t.iloc[0], t.iloc[-1], freq=qstep)
        y = pd.Series(g["_y"].to_numpy(), index=pd.DatetimeIndex(t.to_numpy()))
        observed = grid.isin(y.index)
        # Absent intervals are closed hours: reindex to the complete grid with 0 calls.
        yv = y.reindex(grid, fill_value=0.0)
        yv.index.freq = qstep
        aht = None
        if has_aht:
            aht = pd.Series(g["_aht"].to_numpy(), index=y.index).reindex(grid)
            if aht.notna().sum() == 0:
                aht = None
        out.append(QueueSeries(key=key, volume=yv, aht=aht, observed=observed))
    assert common is not None
    if step is not None and finest is not None and finest > step:
        # Absent intervals read as closed: a `freq` finer than the data would zero every other interval.
        raise DataFormatError(
            f"`freq` is {freq!r} but no two rows of `{time_col}` are {step} apart (the finest spacing is "
            f"{finest}): every interval in between would be read as closed (0 calls); pass the data's own "
            f"interval as `freq`, or give the intervals without calls as rows with volume 0", field="freq")
    return out, common, ids


def time_zone(history: pd.DataFrame | pd.Series, time_col: str) -> Any:
    """The time zone of the history's timestamps (None when naive): results go back to it."""
    if isinstance(history, pd.Series):
        return getattr(history.index, "tz", None)
    if isinstance(history, pd.DataFrame) and time_col in history.columns:
        col = history[time_col]
        return col.dt.tz if pd.api.types.is_datetime64_any_dtype(col) else None
    return None


def concat_queues(queues: Sequence[QueueSeries], ids: list[str], parts: Sequence[pd.DataFrame],
                  time_col: str) -> pd.DataFrame:
    """One long frame from per-queue results: id columns first (each queue's key), ``ts`` renamed back."""
    frames = []
    for qs, part in zip(queues, parts, strict=True):
        for i, (c, v) in enumerate(zip(ids, qs.key, strict=True)):
            part.insert(i, c, v)
        frames.append(part)
    return pd.concat(frames, ignore_index=True).rename(columns={"ts": time_col})


def _merge_repeated_hour(g: pd.DataFrame, has_aht: bool) -> pd.DataFrame:
    agg = g.assign(_ay=(g["_aht"] * g["_y"]) if has_aht else 0.0).groupby("_ts", sort=True)
    merged = agg[["_y", "_ay"]].sum()
    merged["_abs"] = agg["_abs"].first()
    if has_aht:
        merged["_aht"] = np.where(merged["_y"] > 0, merged["_ay"] / merged["_y"].where(merged["_y"] > 0, 1.0),
                                  agg["_aht"].mean())
    return merged.drop(columns="_ay").reset_index()


def calls_to_intervals(records: pd.DataFrame, freq: str = "30min", *, arrival_col: str = "arrival",
                       handle_col: str = "handle_seconds", answered_col: str = "answered",
                       abandoned_col: str = "abandoned", id_col: str | None = "queue",
                       start: str | pd.Timestamp | None = None, end: str | pd.Timestamp | None = None,
                       ) -> pd.DataFrame:
    """Aggregate per-call records into an interval frame ready for :func:`wfm.forecast.forecast`.

    Parameters
    ----------
    records : DataFrame
        One row per call, e.g. :func:`wfm.datasets.load_bank_calls`.
    freq : str
        Interval length (``"15min"``, ``"30min"``...). A call belongs to the interval its arrival falls in.
    arrival_col : str
        Arrival timestamp column (time the caller joined the queue).
    handle_col : str
        Handle time column in seconds (NaN for calls not answered).
    answered_col, abandoned_col : str
        Boolean outcome columns; missing columns count as all False.
    id_col : str or None
        Queue column; ``None`` (or a missing column) aggregates all calls into one series.
    start, end : timestamp, optional
        Grid bounds (``end`` exclusive); by default midnight before the first call to midnight after the last.

    Returns
    -------
    DataFrame
        ``[id_col,] ts, volume, answered, abandoned, aht`` — every interval of the grid for every queue (0 calls
        where none arrived); ``volume`` counts all arrivals (answered, abandoned and others); ``aht`` is the
        mean handle time (seconds) of answered calls arriving in the interval, NaN where none.
    """
    step = check_freq(freq)
    if arrival_col not in records.columns:
        raise DataFormatError(f"records lack column `{arrival_col}`; have {list(records.columns)}", field=arrival_col)
    arr = pd.to_datetime(records[arrival_col])
    if arr.isna().any():
        raise DataFormatError(f"column `{arrival_col}` has missing times: "
                              f"{_rows(records, arr.isna(), [arrival_col])}", field=arrival_col)
    n = len(records)
    work = pd.DataFrame({
        "ts": arr.dt.floor(step).to_numpy(),
        "volume": np.ones(n),
        "answered": (records[answered_col].astype(bool).to_numpy() if answered_col in records.columns
                     else np.zeros(n, bool)).astype(float),
        "abandoned": (records[abandoned_col].astype(bool).to_numpy() if abandoned_col in records.columns
                      else np.zeros(n, bool)).astype(float),
    })
    hs = (pd.to_numeric(records[handle_col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
          if handle_col in records.columns else np.full(n, np.nan))
    if np.any(hs < 0):
        raise DataFormatError(f"column `{handle_col}` must be >= 0 seconds: "
                              f"{_rows(records, hs < 0, [arrival_col, handle_col])}", field=handle_col)
    work["_hsum"] = np.where(np.isfinite(hs), hs, 0.0)
    work["_hn"] = np.isfinite(hs).astype(float)
    use_id = id_col is not None and id_col in records.columns
    keys = ["ts"]
    if use_id:
        work[id_col] = records[id_col].astype(str).to_numpy()
        keys = [id_col, "ts"]
    lo = pd.Timestamp(start) if start is not None else (arr.min().floor("D") if n else None)
    hi = pd.Timestamp(end) if end is not None else (arr.max().floor("D") + _DAY if n else None)
    if lo is None or hi is None:
        raise DataFormatError("records are empty; pass `start` and `end` to build an all-zero grid", field="start")
    work = work[(work["ts"] >= lo) & (work["ts"] < hi)]
    agg = work.groupby(keys, sort=True)[["volume", "answered", "abandoned", "_hsum", "_hn"]].sum()
    grid = pd.date_range(lo, hi, freq=step, inclusive="left")
    if use_id:
        queues = sorted(work[id_col].unique()) if len(work) else sorted(records[id_col].astype(str).unique())
        full = pd.MultiIndex.from_product([queues, grid], names=[id_col, "ts"])
    else:
        full = pd.Index(grid, name="ts")
    agg = agg.reindex(full, fill_value=0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        aht = np.where(agg["_hn"] > 0, agg["_hsum"] / agg["_hn"].where(agg["_hn"] > 0, 1.0), np.nan)
    out = agg[["volume", "answered", "abandoned"]].copy()
    out["aht"] = aht
    return out.reset_index()
