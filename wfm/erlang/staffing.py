"""Staffing: the smallest number of agents meeting every target, per interval, and the requirements frame.

Search strategy (vectorised over all intervals at once, no Python loop over intervals). Every target
improves with more agents, so the answer is the first feasible ``n``:

* **Erlang C.** Every target needs ``n > a`` (service level is 0 and ASA infinite otherwise), so
  ``floor(a) + 1`` (or the occupancy bound ``ceil(a / max_occupancy)``) is a safe start. With a service-level
  target the search starts at the Halfin–Whitt estimate ``a + beta sqrt(a)`` instead; one incomplete-gamma
  evaluation gives ``R = 1/B - 1`` there, and each further agent costs a few multiplications through the
  forward recurrence ``R(n+1) = (n+1)(1 + R(n)) / a`` (stable upwards). An interval leaves the working set as
  soon as it meets every target; one feasible right at the estimate is checked one agent lower and, if that
  is feasible too, searched again from the safe start — the estimate never decides the answer.
* **Many intervals sharing one AHT and one set of targets.** The answer is then a step function of the load:
  the load thresholds are found once by bisection and every interval is a binary search.
* **Erlang A.** Start at the Erlang C answer, gallop (1, 2, 4, … agents) down or up to bracket the boundary,
  then bisect; every step evaluates the exact formulas for all unresolved intervals at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from wfm.erlang import _validate as v
from wfm.erlang._special import log_r
from wfm.erlang.formulas import erlang_a_asa_core, erlang_a_core, queue_measures
from wfm.exceptions import DataFormatError, InvalidParameterError
from wfm.limits import check_count

__all__ = ["required_agents", "requirements", "apply_shrinkage", "STAFFING_ATTRS"]

# Key of ``DataFrame.attrs`` under which :func:`requirements` records its targets, patience and shrinkage.
STAFFING_ATTRS = "wfm.staffing"

ArrayLike = Any

# Below this many busy intervals the stepping search is already faster than building a lookup table.
_LOOKUP_MIN = 4096
# Evaluations per lookup-table entry (bisection to adjacent floats), against about one per interval stepping.
_LOOKUP_COST = 60.0


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


def _halfin_whitt_beta(s: np.ndarray, eps: np.ndarray) -> np.ndarray:
    """Safety factor ``beta`` with ``C e^{-beta s} = eps`` under the Halfin–Whitt approximation of Erlang C.

    ``C ~ 1 / (1 + beta Phi(beta) / phi(beta))`` and ``s = sqrt(a) * answer / aht``. It is only the start of
    the exact search, which needs it within a few agents: one Newton step from ``beta = 1`` does that.
    """
    u = special.ndtr(1.0) * np.sqrt(2.0 * np.pi) * np.exp(0.5)  # Phi(1) / phi(1)
    g = np.log1p(u) + s + np.log(eps)
    dg = (2.0 * u + 1.0) / (1.0 + u) + s
    return np.clip(1.0 - g / dg, 0.0, 8.0)


def _erlang_c_search(a: np.ndarray, h: np.ndarray, answer: np.ndarray, sl_t: np.ndarray | None,
                     asa_t: np.ndarray | None, occ_t: np.ndarray | None) -> np.ndarray:
    """Smallest ``n`` meeting the Erlang C targets, for ``a > 0`` (flat arrays).

    Every target needs ``n > a``, so ``floor(a) + 1`` is a safe start; with a service-level target the
    search starts at the Halfin–Whitt estimate instead, which saves most of the steps. An interval feasible
    right at a start above the safe one is checked one agent lower; if that is feasible too, the estimate
    overshot and the interval is searched again from the safe start — the estimate never decides the answer.
    """
    floor_n = np.floor(a) + 1.0
    if occ_t is not None:
        # One below the closed form, so rounding in a / occ can never skip the answer; the loop checks it.
        floor_n = np.maximum(floor_n, np.ceil(a / occ_t) - 1.0)
    if sl_t is None:
        return _step_search(floor_n, floor_n, a, h, answer, sl_t, asa_t, occ_t)[0]
    with np.errstate(over="ignore"):
        beta = _halfin_whitt_beta(np.sqrt(a) * answer / h, 1.0 - sl_t)
    start = np.maximum(floor_n, np.floor(a + beta * np.sqrt(a)))
    out, redo = _step_search(start, floor_n, a, h, answer, sl_t, asa_t, occ_t)
    if redo.any():
        sub = (None if x is None else x[redo] for x in (h, answer, sl_t, asa_t, occ_t))
        out[redo] = _step_search(floor_n[redo], floor_n[redo], a[redo], *sub)[0]
    return out


def _step_search(n: np.ndarray, floor_n: np.ndarray, a: np.ndarray, h: np.ndarray, answer: np.ndarray,
                 sl_t: np.ndarray | None, asa_t: np.ndarray | None,
                 occ_t: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """First feasible ``n`` at or above the start ``n``; flags intervals whose start may have overshot.

    ``floor_n`` is the safe lower bound (infeasible below it). An interval feasible at a start above it is
    checked at ``start - 1`` through the backward recurrence ``R(n-1) = a R(n)/n - 1`` (one step, harmless:
    near the answer ``R >> 1`` so the error grows by at most ``1 + 1/R``); feasible there too means overshoot.
    """
    out = np.empty(a.size)
    redo = np.zeros(a.size, dtype=bool)
    with np.errstate(over="ignore"):
        k = answer / h
        # The working set is one stacked array, so dropping finished intervals is a single copy.
        rows = [a, n, np.exp(log_r(n, a)), np.exp(-(n - a) * k), np.exp(-k), np.arange(a.size, dtype=float)]
        extra = [x for x in (None if sl_t is None else 1.0 - sl_t, None if asa_t is None else asa_t / h, occ_t)
                 if x is not None]
        w = np.stack(rows + extra)
        sl_row = 6 if sl_t is not None else None
        asa_row = 6 + (sl_t is not None) if asa_t is not None else None
        occ_row = 6 + (sl_t is not None) + (asa_t is not None) if occ_t is not None else None

        def feasible(ai: np.ndarray, ni: np.ndarray, ri: np.ndarray, di: np.ndarray, sub: np.ndarray) -> np.ndarray:
            c = 1.0 / (1.0 + ri * (1.0 - ai / ni))
            ok = c * di <= sub[sl_row] if sl_row is not None else np.ones(ai.size, dtype=bool)
            if asa_row is not None:
                ok &= c <= sub[asa_row] * (ni - ai)
            if occ_row is not None:
                ok &= ai <= sub[occ_row] * ni
            return ok

        check = 0
        while w.shape[1]:
            ok = feasible(w[0], w[1], w[2], w[3], w)
            if ok.any():
                hit = w[5, ok].astype(np.int64)
                out[hit] = w[1, ok]
                if check == 0:
                    above = w[1, ok] > floor_n[hit]
                    if above.any():
                        top = w[:, ok][:, above]
                        below = feasible(top[0], top[1] - 1.0, top[0] * top[2] / top[1] - 1.0, top[3] / top[4], top)
                        redo[hit[above][below]] = True
                w = w[:, ~ok]
            # One more agent for the rest: forward recurrence on R, and exp(-(n-a)k) by one factor.
            w[1] += 1.0
            w[2] = w[1] * (1.0 + w[2]) / w[0]
            w[3] *= w[4]
            check += 1
    return out, redo


def _erlang_c_ok(n: np.ndarray, a: np.ndarray, k: float, sl_t: float | None, asa_ratio: float | None,
                 occ_t: float | None) -> np.ndarray:
    """Erlang C targets met at ``n > a > 0`` (direct evaluation); ``asa_ratio`` is ``asa_seconds / aht``."""
    c = special.expit(-(log_r(n, a) + np.log1p(-a / n)))
    ok = np.ones(n.shape, dtype=bool)
    if sl_t is not None:
        ok &= 1.0 - c * np.exp(-(n - a) * k) >= sl_t
    if asa_ratio is not None:
        ok &= c <= asa_ratio * (n - a)
    if occ_t is not None:
        ok &= a <= occ_t * n
    return ok


def _erlang_c_lookup(a: np.ndarray, h: float, answer: float, sl_t: float | None, asa_t: float | None,
                     occ_t: float | None) -> tuple[np.ndarray, np.ndarray] | None:
    """Smallest ``n`` for many loads sharing one handle time and one set of targets.

    With everything but the load fixed, the answer is a step function of the load: ``n`` agents suffice
    exactly up to a threshold load ``a*(n)`` (every target worsens as load grows). The thresholds for
    ``n = 1 .. N`` are found once by vectorised bisection to adjacent floats, and each interval's answer is a
    binary search among them — exact, and independent of how many intervals share the targets.
    Returns ``None`` when the table would cost more than stepping (very large centres, few intervals), else
    the answers and a mask of loads beyond the table (searched by stepping instead).
    """
    top = _erlang_c_search(np.array([a.max()]), np.array([h]), np.array([answer]),
                           None if sl_t is None else np.array([sl_t]),
                           None if asa_t is None else np.array([asa_t]),
                           None if occ_t is None else np.array([occ_t]))
    # Bisection costs ~60 evaluations per table entry, stepping about one per interval.
    if _LOOKUP_COST * (top[0] + 3.0) > a.size:
        return None
    ns = np.arange(1.0, top[0] + 3.0)
    lo = np.zeros(ns.size)  # feasible load (a -> 0 meets every target)
    hi = ns.copy()  # infeasible load (a = n is unstable)
    k = answer / h
    asa_ratio = None if asa_t is None else asa_t / h
    while True:
        mid = 0.5 * (lo + hi)
        act = np.flatnonzero((mid > lo) & (mid < hi))
        if not act.size:
            break
        f = _erlang_c_ok(ns[act], mid[act], k, sl_t, asa_ratio, occ_t)
        lo[act[f]] = mid[act][f]
        hi[act[~f]] = mid[act][~f]
    # Thresholds are non-decreasing in n; the first n whose feasible threshold reaches a is the answer.
    pos = np.searchsorted(lo, a, side="left")
    return ns[np.minimum(pos, ns.size - 1)], pos >= ns.size


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
    if type(value) is float and 0 < value < 1:  # the common case, without array operations
        return np.asarray(value)
    arr = v.as_float(name, value)
    upper_ok = (arr <= 1) if closed_right else (arr < 1)
    bad = ~(arr > 0) | ~upper_ok
    if bad.any():
        interval = "(0, 1]" if closed_right else "(0, 1)"
        first = arr[bad].ravel()[0].item()
        raise InvalidParameterError(f"`{name}` must be in {interval}; got {first!r}", field=name, value=first)
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
    asa_t = None if asa_seconds is None else v.positive("asa_seconds", asa_seconds, bounded=False)
    answer = v.nonnegative("answer_seconds", answer_seconds, bounded=False)
    pat = None if patience_seconds is None else v.positive("patience_seconds", patience_seconds)
    shr = v.shrinkage(shrinkage)
    if ab_t is not None and pat is None:
        raise InvalidParameterError(
            "`max_abandon` needs `patience_seconds` (Erlang A); got patience_seconds=None", field="patience_seconds"
        )
    if sl_t is None and occ_t is None and asa_t is None and ab_t is None:
        raise InvalidParameterError(
            "at least one target is needed (`service_level`, `max_occupancy`, `asa_seconds`, `max_abandon`); "
            "got none", field="service_level"
        )
    parts = {"a": a, "h": h, "answer": answer, "shr": shr}
    for name, val in (("sl", sl_t), ("occ", occ_t), ("ab", ab_t), ("asa", asa_t), ("pat", pat)):
        if val is not None:
            parts[name] = val
    shape = np.broadcast_shapes(*(np.shape(x) for x in parts.values()))
    a_flat = np.broadcast_to(a, shape).ravel()
    n = np.zeros(a_flat.size)
    busy = np.flatnonzero(a_flat > 0)
    if busy.size:
        # Parameters shared by every interval stay scalars (no copies); the rest are taken at busy intervals.
        sub: dict[str, Any] = {
            k: float(x.ravel()[0]) if np.size(x) == 1 else np.broadcast_to(x, shape).ravel()[busy]
            for k, x in parts.items() if k != "shr"
        }
        sub["a"] = a_flat[busy]
        guess = _erlang_c_staff(sub)
        if pat is None:
            n[busy] = guess
        else:
            n[busy] = _erlang_a_staff(_materialise(sub), guess)
    if shr.ndim and np.any(shr > 0) or not shr.ndim and shr > 0:
        out = apply_shrinkage(n.reshape(shape), np.broadcast_to(shr, shape))
    else:
        out = n.reshape(shape).astype(np.int64)
    return int(out) if scalar else out


def _materialise(f: dict[str, Any]) -> dict[str, np.ndarray]:
    size = f["a"].size
    return {k: np.full(size, x) if isinstance(x, float) else x for k, x in f.items()}


def _erlang_c_staff(f: dict[str, Any]) -> np.ndarray:
    """Erlang C staffing for ``a > 0``: table lookup when targets are shared by many intervals, else steps."""
    keys = [key for key in ("h", "answer", "sl", "asa", "occ") if key in f]
    if f["a"].size >= _LOOKUP_MIN and all(isinstance(f[k], float) or (f[k] == f[k][0]).all() for k in keys):
        first = {k: f[k] if isinstance(f[k], float) else float(f[k][0]) for k in keys}
        found = _erlang_c_lookup(f["a"], first["h"], first["answer"], first.get("sl"), first.get("asa"),
                                 first.get("occ"))
        if found is not None and not found[1].any():
            return found[0]
    if set(keys) == {"h", "answer", "sl"} and all(isinstance(f[k], float) for k in keys):
        return _erlang_c_service_level_only(f["a"], f["h"], f["answer"], f["sl"])
    g = _materialise(f)
    return _erlang_c_search(g["a"], g["h"], g["answer"], g.get("sl"), g.get("asa"), g.get("occ"))


def _erlang_c_service_level_only(a: np.ndarray, h: float, answer: float, sl_t: float) -> np.ndarray:
    """The commonest case — one AHT, one service-level target — with as few array operations as possible.

    The same search as :func:`_erlang_c_search` (Halfin–Whitt start, forward recurrence, a backward check
    of intervals feasible at the start), written for scalar parameters and small arrays, where the cost is
    the number of numpy calls rather than their size.
    """
    k = answer / h
    eps = 1.0 - sl_t
    q = float(np.exp(-k))
    sqrt_a = np.sqrt(a)
    floor_n = np.floor(a) + 1.0
    beta = _halfin_whitt_beta(sqrt_a * k, eps)
    n = np.maximum(floor_n, np.floor(a + beta * sqrt_a))
    with np.errstate(over="ignore"):
        r = np.exp(log_r(n, a))
        decay = np.exp((a - n) * k)
        out = np.zeros(a.size)
        done = np.zeros(a.size, dtype=bool)
        first = True
        while True:
            ok = decay <= eps * (1.0 + r * (1.0 - a / n))  # C e^{-(n-a)k} <= eps, C = 1/(1 + R(1 - a/n))
            new = ok & ~done
            out = np.where(new, n, out)
            if first:
                first = False
                # Feasible right at the estimate: is one agent fewer feasible too (overshoot)?
                above = np.flatnonzero(ok & (n > floor_n))
                if above.size:
                    aa, na, ra = a[above], n[above], r[above]
                    r1 = aa * ra / na - 1.0
                    over = decay[above] / q <= eps * (1.0 + r1 * (1.0 - aa / (na - 1.0)))
                    if over.any():
                        idx = above[over]
                        out[idx] = _step_search(floor_n[idx], floor_n[idx], a[idx], np.full(idx.size, h),
                                                np.full(idx.size, answer), np.full(idx.size, sl_t), None,
                                                None)[0]
            done |= ok
            if done.all():
                return out
            n = n + 1.0
            r = n * (1.0 + r) / a
            decay = decay * q


def _erlang_a_staff(f: dict[str, np.ndarray], guess: np.ndarray) -> np.ndarray:
    a, h, pat, answer = f["a"], f["h"], f["pat"], f["answer"]

    def feasible(idx: np.ndarray, n: np.ndarray) -> np.ndarray:
        ratio = pat[idx] / h[idx]
        p_wait, p_ab, sl = erlang_a_core(a[idx], n, ratio, answer[idx] / pat[idx])
        ok = np.ones(idx.size, dtype=bool)
        if "sl" in f:
            ok &= sl >= f["sl"][idx]
        if "ab" in f:
            ok &= p_ab <= f["ab"][idx]
        if "occ" in f:
            ok &= a[idx] * (1.0 - p_ab) / n <= f["occ"][idx]
        if "asa" in f:
            w = erlang_a_asa_core(a[idx], n, ratio, p_wait, p_ab, pat[idx])
            ok &= w <= f["asa"][idx]
        return ok

    return _gallop_search(feasible, guess)


# ----------------------------------------------------------------------------------------------------
# Frame helper
# ----------------------------------------------------------------------------------------------------


def _scalar(value: Any) -> float | None:
    """A target as recorded in the frame's attrs: the number, or None when absent or given per row."""
    return float(value) if value is not None and np.ndim(value) == 0 else None


def _bad_rows(frame: pd.DataFrame, mask: np.ndarray) -> list[Any]:
    return list(frame.index[mask][:5])


def _infer_interval_seconds(frame: pd.DataFrame, time_col: str, group_cols: Sequence[str],
                            given: float | None = None) -> np.ndarray:
    """Interval length per row: ``given``, or the smallest positive spacing of ``time_col`` within each group.

    The smallest spacing, not the most common one, so that gaps (closed nights, missing rows) do not count;
    computed on UTC nanoseconds, so daylight-saving days with 92 or 100 intervals are handled like others.
    Each series must be a grid: no timestamp twice, every gap a whole number of intervals, and an interval
    that divides a day (09:00, 09:17, 10:00 is not 17-minute staffing but a data error).
    """
    ts = frame[time_col]
    if not pd.api.types.is_datetime64_any_dtype(ts):
        from wfm.times import parse_timestamps

        ts = parse_timestamps(ts, field=time_col)
    if isinstance(ts.dtype, pd.DatetimeTZDtype):
        ts = ts.dt.tz_convert(None)
    if ts.isna().any():
        raise DataFormatError(f"column `{time_col}` has missing timestamps; bad rows "
                              f"{_bad_rows(frame, ts.isna().to_numpy())}", field=time_col, value=None)
    ns = ts.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    if group_cols:
        codes = frame.groupby(list(group_cols), sort=False, dropna=False, observed=True).ngroup().to_numpy()
    else:
        codes = np.zeros(len(frame), dtype=np.int64)
    order = np.lexsort((ns, codes))
    g, t = codes[order], ns[order]
    gap = np.diff(t) / 1e9
    same = g[1:] == g[:-1]
    dup = same & (gap == 0)
    if dup.any():
        rows = frame.index[order[1:][dup]][:5]
        raise DataFormatError(f"column `{time_col}` has duplicated timestamps within a series: rows {list(rows)} "
                              f"at {frame.loc[rows[0], time_col]}", field=time_col,
                              value=str(frame.loc[rows[0], time_col]))
    valid = same & (gap > 0)
    n_groups = int(codes.max()) + 1 if codes.size else 0
    per_group = np.full(n_groups, np.inf)
    np.minimum.at(per_group, g[1:][valid], gap[valid])
    if not np.isfinite(per_group).any():
        if given is not None:
            return np.full(len(frame), float(given))
        raise InvalidParameterError(
            f"`interval_seconds` cannot be inferred from `{time_col}` (fewer than two distinct times per "
            "series); pass interval_seconds", field="interval_seconds"
        )
    # A series with a single row takes the spacing seen elsewhere.
    per_group[~np.isfinite(per_group)] = per_group[np.isfinite(per_group)].min()
    if given is not None:
        per_group[:] = given
    step = per_group[g[1:]]
    off = valid & (np.abs(gap / step - np.round(gap / step)) > 1e-9)
    if off.any():
        rows = frame.index[order[1:][off]][:5]
        raise DataFormatError(f"column `{time_col}` is not a regular grid of {step[off][0]:g}-second intervals: "
                              f"rows {list(rows)} (from {frame.loc[rows[0], time_col]}) are off it",
                              field=time_col, value=str(frame.loc[rows[0], time_col]))
    uneven = (86400.0 / per_group) % 1 > 1e-9
    if given is None and uneven.any():
        raise DataFormatError(f"column `{time_col}`: the spacing of {per_group[uneven][0]:g} s does not divide a "
                              "day, so it is not an interval length; pass `interval_seconds` if it really is one",
                              field=time_col, value=float(per_group[uneven][0]))
    return per_group[codes]


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
        ``aht`` is given, ``aht_col`` (seconds; may be NaN where no calls are offered). Other columns
        (``queue``, quantile columns, …) are kept as they are. The output of :func:`wfm.forecast.forecast`
        fits as it is.
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
        ``frame.attrs[STAFFING_ATTRS]`` records the targets, ``answer_seconds``, ``patience_seconds``, the
        ``shrinkage`` already in ``agents`` and the column of agents on the phones (``on_phone_col``), so
        :func:`wfm.roster.staffing_handoff` carries them to the roster without restating them.
    """
    if not isinstance(intervals, pd.DataFrame):
        raise InvalidParameterError(f"`intervals` must be a pandas DataFrame; got {type(intervals).__name__}",
                                    field="intervals", value=type(intervals).__name__)
    check_count("intervals", len(intervals), "max_rows")
    needed = [volume_col] + ([] if aht is not None else [aht_col])
    if interval_seconds is None:
        needed.append(time_col)
    missing = [c for c in needed if c not in intervals.columns]
    if missing:
        raise DataFormatError(f"`intervals` lacks column(s) {missing}; it has {list(intervals.columns)}",
                              field=missing[0], value=None)
    vol = pd.to_numeric(intervals[volume_col], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(vol) | (vol < 0)
    if bad.any():
        raise DataFormatError(
            f"column `{volume_col}` must be finite and >= 0; bad rows {_bad_rows(intervals, bad)} "
            f"with values {list(vol[bad][:5])}", field=volume_col, value=float(vol[bad][0])
        )
    if aht is None:
        h = pd.to_numeric(intervals[aht_col], errors="coerce").to_numpy(dtype=float)
        # An interval without calls has no handle time to measure: forecasts, call-record intervals and the
        # synthetic generator leave it NaN there. Harmless without calls, so it is read as 0 (0 agents).
        h = np.where((vol == 0) & np.isnan(h), 0.0, h)
        bad = ~np.isfinite(h) | (h < 0) | ((h == 0) & (vol > 0))
        if bad.any():
            raise DataFormatError(
                f"column `{aht_col}` must be finite and > 0 where calls > 0 (NaN or 0 only without calls); "
                f"bad rows {_bad_rows(intervals, bad)} with values {list(h[bad][:5])}", field=aht_col,
                value=float(h[bad][0])
            )
    else:
        h = np.broadcast_to(v.positive("aht", aht), vol.shape).astype(float)
    if id_cols is None:
        id_cols = [c for c in intervals.columns if c not in (time_col, volume_col, aht_col)
                   and not pd.api.types.is_numeric_dtype(intervals[c])
                   and not pd.api.types.is_datetime64_any_dtype(intervals[c])]
    if interval_seconds is None:
        secs = _infer_interval_seconds(intervals, time_col, list(id_cols))
    else:
        given = v.positive("interval_seconds", interval_seconds)
        if time_col in intervals.columns and given.ndim == 0 and len(intervals) > 1:
            # the rows must still be a grid of that interval: no duplicates, no overlapping intervals
            _infer_interval_seconds(intervals, time_col, list(id_cols), given=float(given))
        secs = np.broadcast_to(given, vol.shape).astype(float)
    n_phone = required_agents(vol, h, service_level=service_level, answer_seconds=answer_seconds,
                              interval_seconds=secs, max_occupancy=max_occupancy, asa_seconds=asa_seconds,
                              patience_seconds=patience_seconds, max_abandon=max_abandon)
    n_phone = np.asarray(n_phone, dtype=np.int64)
    out = intervals.copy()
    out["agents"] = apply_shrinkage(n_phone, shrinkage)
    if float(shrinkage) > 0:
        out["agents_on_phone"] = n_phone
    _, _, m = queue_measures(vol, h, n_phone, answer_seconds, secs, patience_seconds, ("asa", "occ"))
    out["service_level"] = m["sl"]
    out["occupancy"] = m["occ"]
    out["asa"] = m["asa"]
    if patience_seconds is not None:
        out["abandon_rate"] = m["ab"]
    # what the figures mean, for the roster hand-off (wfm.roster.staffing_handoff): the targets, the
    # patience behind them and the shrinkage already in `agents` (`agents_on_phone` is before it)
    out.attrs[STAFFING_ATTRS] = {
        "service_level": _scalar(service_level),
        "answer_seconds": _scalar(answer_seconds),
        "patience_seconds": _scalar(patience_seconds),
        "max_occupancy": _scalar(max_occupancy),
        "asa_seconds": _scalar(asa_seconds),
        "max_abandon": _scalar(max_abandon),
        "shrinkage": float(shrinkage),
        "agents_col": "agents",
        "on_phone_col": "agents_on_phone" if float(shrinkage) > 0 else "agents",
    }
    return out
