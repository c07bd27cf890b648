"""Staffing: the smallest number of agents meeting every target, per interval, and the requirements frame.

Search strategy (vectorised over all intervals at once, no Python loop over intervals):

* **Erlang C.** Every target needs ``n > a`` (service level is 0 and ASA infinite otherwise), so the search
  starts at the stability bound ``floor(a) + 1`` (or the occupancy bound ``ceil(a / max_occupancy)`` when
  that is higher). One incomplete-gamma evaluation gives ``R = 1/B - 1`` there; each further agent costs a
  few multiplications through the forward recurrence ``R(n+1) = (n+1)(1 + R(n)) / a`` (stable upwards), and
  an interval leaves the active set as soon as it meets every target — so the result is the smallest such
  ``n`` by construction, with work proportional to the safety staffing ``n - a`` (about ``beta sqrt(a)``).
* **Erlang A.** Start at the Erlang C answer, gallop (1, 2, 4, … agents) down or up to bracket the boundary,
  then bisect; every step evaluates the exact formulas for all unresolved intervals at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from wfm.erlang import _validate as v
from wfm.erlang._special import log_r
from wfm.erlang.formulas import _a_asa_core, _a_core, _measures
from wfm.exceptions import DataFormatError, InvalidParameterError

__all__ = ["required_agents", "requirements", "apply_shrinkage"]

ArrayLike = Any


def apply_shrinkage(agents: ArrayLike, shrinkage: ArrayLike) -> np.ndarray:
    """Agents to schedule so ``agents`` remain after shrinkage: the smallest ``m`` with ``m (1 - s) >= n``.

    Parameters
    ----------
    agents : int or array
        Agents needed on the phones.
    shrinkage : float or array
        Fraction of scheduled time lost to breaks, training, absence…, in [0, 1).

    Returns
    -------
    numpy.ndarray
        Integer agents to schedule, ``ceil(n / (1 - s))`` computed without floating-point overshoot
        (``9 / 0.9`` is 10, not 11).
    """
    n = v.agents("agents", agents)
    s = v.shrinkage(shrinkage)
    keep = 1.0 - s
    m = np.ceil(n / keep)
    # n / (1 - s) can land a hair above a whole number; step back when m - 1 already suffices.
    m = np.where((m - 1) * keep >= n * (1 - 1e-12), m - 1, m)
    return m.astype(np.int64)


def _erlang_c_search(a: np.ndarray, h: np.ndarray, answer: np.ndarray, sl_t: np.ndarray | None,
                     asa_t: np.ndarray | None, occ_t: np.ndarray | None) -> np.ndarray:
    """Smallest ``n`` meeting the Erlang C targets, for ``a > 0`` (flat arrays)."""
    n = np.floor(a) + 1.0
    if occ_t is not None:
        # One below the closed form, so rounding in a / occ can never skip the answer; the loop checks it.
        n = np.maximum(n, np.ceil(a / occ_t) - 1.0)
    out = np.empty(a.size)
    with np.errstate(over="ignore"):
        r = np.exp(log_r(n, a))
        k = answer / h
        decay = np.exp(-(n - a) * k)
        q = np.exp(-k)
        idx = np.arange(a.size)
        while idx.size:
            ai, ni, ri = a[idx], n[idx], r[idx]
            c = 1.0 / (1.0 + ri * (1.0 - ai / ni))
            ok = np.ones(idx.size, dtype=bool)
            if sl_t is not None:
                ok &= 1.0 - c * decay[idx] >= sl_t[idx]
            if asa_t is not None:
                ok &= c * h[idx] / (ni - ai) <= asa_t[idx]
            if occ_t is not None:
                ok &= ai / ni <= occ_t[idx]
            out[idx[ok]] = ni[ok]
            idx = idx[~ok]
            # One more agent for the rest: forward recurrence on R, and exp(-(n-a)k) by one factor.
            nn = n[idx] + 1.0
            r[idx] = nn * (1.0 + r[idx]) / a[idx]
            n[idx] = nn
            decay[idx] *= q[idx]
    return out


def _gallop_search(feasible: Callable[[np.ndarray, np.ndarray], np.ndarray], guess: np.ndarray) -> np.ndarray:
    """Smallest ``n >= 1`` with ``feasible`` true, for monotone targets; ``n = 0`` counts as infeasible.

    ``feasible(idx, n)`` evaluates the elements ``idx`` at agents ``n``.
    """
    size = guess.size
    lo = np.zeros(size)  # known infeasible
    hi = np.full(size, np.nan)  # known feasible
    g = np.maximum(guess, 1.0)
    ok = feasible(np.arange(size), g)
    hi[ok] = g[ok]
    lo[~ok] = g[~ok]
    # Gallop upwards from infeasible guesses, downwards from feasible ones.
    up = np.flatnonzero(~ok)
    step = np.ones(up.size)
    while up.size:
        cand = lo[up] + step
        f = feasible(up, cand)
        hi[up[f]] = cand[f]
        lo[up[~f]] = cand[~f]
        step = step[~f] * 2.0
        up = up[~f]
    down = np.flatnonzero(ok)
    step = np.ones(down.size)
    while down.size:
        cand = hi[down] - step
        pos = cand >= 1.0
        # Below 1 agent: 0 is infeasible by definition, so the bracket is (0, hi].
        lo[down[~pos]] = 0.0
        down, step, cand = down[pos], step[pos], cand[pos]
        if not down.size:
            break
        f = feasible(down, cand)
        lo[down[~f]] = cand[~f]
        hi[down[f]] = cand[f]
        step = step[f] * 2.0
        down = down[f]
    # Bisection inside (lo, hi].
    idx = np.flatnonzero(hi - lo > 1)
    while idx.size:
        mid = np.floor((lo[idx] + hi[idx]) / 2.0)
        f = feasible(idx, mid)
        hi[idx[f]] = mid[f]
        lo[idx[~f]] = mid[~f]
        idx = idx[hi[idx] - lo[idx] > 1]
    return hi


def _target(name: str, value: Any, *, closed_right: bool = False) -> np.ndarray | None:
    if value is None:
        return None
    arr = v.as_float(name, value)
    upper_ok = (arr <= 1) if closed_right else (arr < 1)
    bad = ~(arr > 0) | ~upper_ok
    if bad.any():
        interval = "(0, 1]" if closed_right else "(0, 1)"
        raise InvalidParameterError(f"`{name}` must be in {interval}; got {arr[bad].ravel()[0].item()!r}")
    return arr


def required_agents(calls: ArrayLike, aht: ArrayLike, *, service_level: ArrayLike | None = 0.8,
                    answer_seconds: ArrayLike = 20, interval_seconds: ArrayLike = 1800,
                    max_occupancy: ArrayLike | None = None, asa_seconds: ArrayLike | None = None,
                    patience_seconds: ArrayLike | None = None, max_abandon: ArrayLike | None = None,
                    shrinkage: ArrayLike = 0.0) -> int | np.ndarray:
    """Smallest whole number of agents meeting every given target, per interval.

    Parameters
    ----------
    calls : float or array
        Calls offered per interval (>= 0). Zero calls need 0 agents.
    aht : float or array
        Average handle time in seconds (> 0 wherever calls > 0).
    service_level : float or array or None, default 0.8
        Target fraction answered within ``answer_seconds``, in (0, 1); ``None`` drops the target.
    answer_seconds : float or array, default 20
        Service-level threshold in seconds.
    interval_seconds : float or array, default 1800
        Interval length in seconds.
    max_occupancy : float or array, optional
        Upper bound on occupancy, in (0, 1].
    asa_seconds : float or array, optional
        Upper bound on the average speed of answer, seconds (> 0).
    patience_seconds : float or array, optional
        Mean caller patience in seconds; when given every measure is Erlang A (M/M/n+M).
    max_abandon : float or array, optional
        Upper bound on the abandonment rate, in (0, 1); needs ``patience_seconds``.
    shrinkage : float or array, default 0
        Fraction of scheduled time unavailable for calls, in [0, 1); the result is then the number to
        schedule, ``ceil(n / (1 - shrinkage))``.

    Returns
    -------
    int or numpy.ndarray
        Agents (int64). Under Erlang C the result always exceeds the offered load.

    Raises
    ------
    InvalidParameterError
        Negative or NaN inputs, zero ``aht`` with calls, targets outside their range, no target at all.
    """
    scalar = all(np.ndim(x) == 0 for x in (calls, aht, service_level, answer_seconds, interval_seconds,
                                           max_occupancy, asa_seconds, patience_seconds, max_abandon,
                                           shrinkage))
    c, h, a = v.traffic(calls, aht, interval_seconds)
    sl_t = _target("service_level", service_level)
    occ_t = _target("max_occupancy", max_occupancy, closed_right=True)
    ab_t = _target("max_abandon", max_abandon)
    asa_t = None if asa_seconds is None else v.positive("asa_seconds", asa_seconds)
    answer = v.nonnegative("answer_seconds", answer_seconds)
    pat = None if patience_seconds is None else v.positive("patience_seconds", patience_seconds)
    shr = v.shrinkage(shrinkage)
    if ab_t is not None and pat is None:
        raise InvalidParameterError(
            "`max_abandon` needs `patience_seconds` (Erlang A); got patience_seconds=None"
        )
    if sl_t is None and occ_t is None and asa_t is None and ab_t is None:
        raise InvalidParameterError(
            "at least one target is needed (`service_level`, `max_occupancy`, `asa_seconds`, `max_abandon`); "
            "got none"
        )
    parts = {"a": a, "h": h, "answer": answer, "shr": shr}
    for name, val in (("sl", sl_t), ("occ", occ_t), ("ab", ab_t), ("asa", asa_t), ("pat", pat)):
        if val is not None:
            parts[name] = val
    shape = np.broadcast_shapes(*(np.shape(x) for x in parts.values()))
    f = {k: np.broadcast_to(x, shape).ravel() for k, x in parts.items()}
    n = np.zeros(f["a"].size)
    busy = np.flatnonzero(f["a"] > 0)
    if busy.size:
        sub = {k: x[busy] for k, x in f.items()}
        guess = _erlang_c_search(sub["a"], sub["h"], sub["answer"], sub.get("sl"), sub.get("asa"),
                                 sub.get("occ"))
        if pat is None:
            n[busy] = guess
        else:
            n[busy] = _erlang_a_staff(sub, guess)
    out = apply_shrinkage(n.reshape(shape), f["shr"].reshape(shape))
    return int(out) if scalar else out


def _erlang_a_staff(f: dict[str, np.ndarray], guess: np.ndarray) -> np.ndarray:
    a, h, pat, answer = f["a"], f["h"], f["pat"], f["answer"]

    def feasible(idx: np.ndarray, n: np.ndarray) -> np.ndarray:
        ratio = pat[idx] / h[idx]
        p_wait, p_ab, sl = _a_core(a[idx], n, ratio, answer[idx] / pat[idx])
        ok = np.ones(idx.size, dtype=bool)
        if "sl" in f:
            ok &= sl >= f["sl"][idx]
        if "ab" in f:
            ok &= p_ab <= f["ab"][idx]
        if "occ" in f:
            ok &= a[idx] * (1.0 - p_ab) / n <= f["occ"][idx]
        if "asa" in f:
            w = _a_asa_core(a[idx], n, ratio, p_wait, p_ab, pat[idx])
            ok &= w <= f["asa"][idx]
        return ok

    return _gallop_search(feasible, guess)


# ----------------------------------------------------------------------------------------------------
# Frame helper
# ----------------------------------------------------------------------------------------------------


def _bad_rows(frame: pd.DataFrame, mask: np.ndarray) -> list[Any]:
    return list(frame.index[mask][:5])


def _infer_interval_seconds(frame: pd.DataFrame, time_col: str, group_cols: Sequence[str]) -> np.ndarray:
    """Interval length per row: the smallest positive spacing of ``time_col`` within each group."""
    ts = pd.to_datetime(frame[time_col])
    secs = np.full(len(frame), np.nan)
    keys = [frame[c] for c in group_cols] if group_cols else [np.zeros(len(frame))]
    positions = pd.Series(np.arange(len(frame)), index=frame.index)
    for _, pos in positions.groupby(keys, sort=False):
        t = np.sort(ts.iloc[pos.to_numpy()].unique())
        diffs = np.diff(t).astype("timedelta64[ns]").astype(np.int64) / 1e9
        diffs = diffs[diffs > 0]
        if diffs.size:
            secs[pos.to_numpy()] = diffs.min()
    if np.isnan(secs).all():
        raise InvalidParameterError(
            f"`interval_seconds` cannot be inferred from `{time_col}` (fewer than two distinct times per "
            "series); pass interval_seconds"
        )
    # A series with a single row takes the spacing seen elsewhere.
    secs[np.isnan(secs)] = np.nanmin(secs)
    return secs


def requirements(intervals: pd.DataFrame, *, volume_col: str = "volume", aht_col: str = "aht",
                 aht: float | None = None, time_col: str = "ts", id_cols: Sequence[str] | None = None,
                 interval_seconds: float | None = None, service_level: float | None = 0.8,
                 answer_seconds: float = 20, max_occupancy: float | None = None,
                 asa_seconds: float | None = None, patience_seconds: float | None = None,
                 max_abandon: float | None = None, shrinkage: float = 0.0) -> pd.DataFrame:
    """Staffing requirements for a long interval frame (one row per series and interval).

    Parameters
    ----------
    intervals : pandas.DataFrame
        Rows of ``time_col`` (interval start), ``volume_col`` (calls offered in the interval) and, unless
        ``aht`` is given, ``aht_col`` (seconds). Other columns (``queue``, …) are kept as they are.
    volume_col, aht_col, time_col : str
        Column names.
    aht : float, optional
        One handle time in seconds for every row, instead of ``aht_col``.
    id_cols : sequence of str, optional
        Columns identifying a series, used to infer the interval length per series; default: the
        non-numeric columns other than ``time_col`` (e.g. ``queue``).
    interval_seconds : float, optional
        Interval length in seconds; inferred from the spacing of ``time_col`` within each series if omitted.
    service_level, answer_seconds, max_occupancy, asa_seconds, patience_seconds, max_abandon, shrinkage
        As in :func:`required_agents` (seconds for every time).

    Returns
    -------
    pandas.DataFrame
        The input rows (same index and order) plus ``agents`` (int, to schedule), ``agents_on_phone``
        when shrinkage > 0, and the projected ``service_level``, ``occupancy``, ``asa`` (seconds) with that
        many agents on the phones; with ``patience_seconds`` also ``abandon_rate`` (Erlang A throughout).
    """
    if not isinstance(intervals, pd.DataFrame):
        raise InvalidParameterError(f"`intervals` must be a pandas DataFrame; got {type(intervals).__name__}")
    needed = [volume_col] + ([] if aht is not None else [aht_col])
    if interval_seconds is None:
        needed.append(time_col)
    missing = [c for c in needed if c not in intervals.columns]
    if missing:
        raise DataFormatError(f"`intervals` lacks column(s) {missing}; it has {list(intervals.columns)}")
    vol = pd.to_numeric(intervals[volume_col], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(vol) | (vol < 0)
    if bad.any():
        raise DataFormatError(
            f"column `{volume_col}` must be finite and >= 0; bad rows {_bad_rows(intervals, bad)} "
            f"with values {list(vol[bad][:5])}"
        )
    if aht is None:
        h = pd.to_numeric(intervals[aht_col], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(h) | (h < 0) | ((h == 0) & (vol > 0))
        if bad.any():
            raise DataFormatError(
                f"column `{aht_col}` must be finite, >= 0, and > 0 where calls > 0; bad rows "
                f"{_bad_rows(intervals, bad)} with values {list(h[bad][:5])}"
            )
    else:
        h = np.broadcast_to(v.positive("aht", aht), vol.shape).astype(float)
    if interval_seconds is None:
        if id_cols is None:
            id_cols = [c for c in intervals.columns if c not in (time_col, volume_col, aht_col)
                       and not pd.api.types.is_numeric_dtype(intervals[c])
                       and not pd.api.types.is_datetime64_any_dtype(intervals[c])]
        secs = _infer_interval_seconds(intervals, time_col, list(id_cols))
    else:
        secs = np.broadcast_to(v.positive("interval_seconds", interval_seconds), vol.shape).astype(float)
    n_phone = required_agents(vol, h, service_level=service_level, answer_seconds=answer_seconds,
                              interval_seconds=secs, max_occupancy=max_occupancy, asa_seconds=asa_seconds,
                              patience_seconds=patience_seconds, max_abandon=max_abandon)
    n_phone = np.asarray(n_phone, dtype=np.int64)
    out = intervals.copy()
    out["agents"] = apply_shrinkage(n_phone, shrinkage)
    if float(shrinkage) > 0:
        out["agents_on_phone"] = n_phone
    _, _, m = _measures(vol, h, n_phone, answer_seconds, secs, patience_seconds, ("asa", "occ"))
    out["service_level"] = m["sl"]
    out["occupancy"] = m["occ"]
    out["asa"] = m["asa"]
    if patience_seconds is not None:
        out["abandon_rate"] = m["ab"]
    return out
