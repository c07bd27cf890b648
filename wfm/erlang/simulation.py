"""Discrete-event simulation of a multi-server call queue with time-varying load and staffing.

The model: Poisson arrivals with a constant rate inside each interval (``calls[i]`` expected in interval
``i``), ``agents[i]`` agents on the phones during interval ``i``, FCFS service, exponential or log-normal
handle times with mean ``aht`` seconds, and, optionally, exponential patience with mean
``patience_seconds``: a caller still waiting when its patience runs out hangs up. When staffing drops at an
interval boundary, agents finish the call in hand (no pre-emption) and no new call starts until fewer agents
are busy than are staffed. After the last interval no new calls arrive and the last staffing level drains the
queue; callers that could never be served (0 agents at the end, infinite patience) are reported as
``unserved``.

It checks staffing under non-stationary load, where the stationary Erlang formulas are only approximations:

>>> from wfm.erlang.simulation import simulate_queue
>>> out = simulate_queue([100, 120], agents=[14, 16], aht=180, interval_seconds=1800, seed=1)
>>> list(out.columns)  # doctest: +NORMALIZE_WHITESPACE
['interval', 'agents', 'offered', 'answered', 'abandoned', 'unserved', 'answered_within', 'service_level',
 'abandon_rate', 'mean_wait', 'occupancy']
"""

from __future__ import annotations

import heapq
from collections import deque
from typing import Any

import numpy as np
import pandas as pd

from wfm.erlang import _validate as v
from wfm.exceptions import InvalidParameterError

__all__ = ["simulate_calls", "simulate_queue", "summarize_calls"]

_SERVICE = ("exponential", "lognormal")


def _per_interval(name: str, value: Any, m: int, check: Any) -> np.ndarray:
    arr = check(name, value)
    if arr.ndim == 0:
        return np.full(m, float(arr))
    if arr.shape != (m,):
        raise InvalidParameterError(f"`{name}` must be a scalar or have one value per interval ({m}); "
                                    f"got shape {arr.shape}", field=name)
    return arr.astype(float)


def simulate_calls(calls: Any, agents: Any, aht: Any, *, interval_seconds: float = 1800,
                   patience_seconds: Any = None, service: str = "exponential", service_cv: float = 1.0,
                   seed: int | np.random.Generator | None = None) -> pd.DataFrame:
    """Simulate every call; one row per call.

    Parameters
    ----------
    calls : array of float
        Expected calls offered in each interval (the Poisson mean), >= 0.
    agents : int or array of int
        Agents on the phones in each interval (a scalar applies to all).
    aht : float or array
        Mean handle time in seconds, per interval of arrival or one value.
    interval_seconds : float, default 1800
        Interval length in seconds.
    patience_seconds : float or array, optional
        Mean exponential patience in seconds (per interval of arrival or one value); ``None`` = callers
        never hang up.
    service : {"exponential", "lognormal"}
        Handle-time distribution; log-normal has mean ``aht`` and coefficient of variation ``service_cv``.
    service_cv : float, default 1.0
        Coefficient of variation of log-normal handle times.
    seed : int or numpy.random.Generator, optional
        Randomness; the same seed gives the same calls.

    Returns
    -------
    pandas.DataFrame
        Columns ``interval`` (index of the arrival interval), ``arrival`` (seconds from the start),
        ``wait_seconds`` (time in queue until answer or hang-up; for unserved callers, until the end of the
        simulation), ``answered``, ``abandoned``, ``unserved`` (bool) and ``handle_seconds`` (NaN unless
        answered).
    """
    lam = v.nonnegative("calls", calls)
    if lam.ndim != 1:
        lam = np.atleast_1d(lam)
        if lam.ndim != 1:
            raise InvalidParameterError(f"`calls` must be one-dimensional; got shape {lam.shape}", field="calls")
    m = lam.size
    staff = _per_interval("agents", agents, m, v.agents).astype(np.int64)
    mean_h = _per_interval("aht", aht, m, v.positive)
    width = float(v.positive("interval_seconds", interval_seconds))
    pat = None if patience_seconds is None else _per_interval("patience_seconds", patience_seconds, m,
                                                              v.positive)
    if service not in _SERVICE:
        raise InvalidParameterError(f"`service` must be one of {_SERVICE}; got {service!r}", field="service")
    cv = float(v.positive("service_cv", service_cv))
    rng = np.random.default_rng(seed)

    # Draw everything up front (vectorised, and the same seed gives the same calls whatever the queue does).
    counts = rng.poisson(lam)
    interval = np.repeat(np.arange(m), counts)
    arrival = (interval + rng.random(interval.size)) * width
    order = np.argsort(arrival, kind="stable")
    interval, arrival = interval[order], arrival[order]
    h = mean_h[interval]
    if service == "exponential":
        handle = rng.exponential(1.0, interval.size) * h
    else:
        sigma2 = np.log1p(cv * cv)
        handle = np.exp(rng.normal(np.log(h) - sigma2 / 2.0, np.sqrt(sigma2)))
    patience = np.full(interval.size, np.inf) if pat is None else rng.exponential(1.0, interval.size) * pat[
        interval]

    start = _run(arrival, handle, patience, staff, width)
    answered = np.isfinite(start) & (start >= 0)
    abandoned = start == -1.0
    unserved = np.isnan(start)
    end_time = max(float(arrival.max()) if arrival.size else 0.0, m * width)
    wait = np.where(answered, start - arrival, np.where(abandoned, patience, 0.0))
    if unserved.any():
        wait[unserved] = end_time - arrival[unserved]
    return pd.DataFrame({
        "interval": interval,
        "arrival": arrival,
        "wait_seconds": wait,
        "answered": answered,
        "abandoned": abandoned,
        "unserved": unserved,
        "handle_seconds": np.where(answered, handle, np.nan),
    })


def _run(arrival: np.ndarray, handle: np.ndarray, patience: np.ndarray, staff: np.ndarray,
         width: float) -> np.ndarray:
    """The event loop. Returns per call its service start time, -1 for abandoned, NaN for never served."""
    n = arrival.size
    start = np.full(n, np.nan)
    waiting = np.zeros(n, dtype=bool)
    queue: deque[int] = deque()
    # Heap of (time, kind, payload): kind 0 = a call ends, 1 = staffing change, 2 = patience runs out.
    # Ends sort before staffing changes at the same instant so freed agents are counted first.
    events: list[tuple[float, int, int]] = [(k * width, 1, k) for k in range(1, staff.size)]
    heapq.heapify(events)
    cap = int(staff[0]) if staff.size else 0
    busy = 0
    arr_list = arrival.tolist()
    handle_list = handle.tolist()
    patience_list = patience.tolist()
    i = 0
    inf = float("inf")

    def serve(now: float) -> None:
        nonlocal busy
        while busy < cap and queue:
            j = queue.popleft()
            if not waiting[j]:
                continue  # hung up already; removed lazily
            waiting[j] = False
            start[j] = now
            busy += 1
            heapq.heappush(events, (now + handle_list[j], 0, j))

    while i < n or events:
        t_arr = arr_list[i] if i < n else inf
        if events and events[0][0] <= t_arr:
            t, kind, j = heapq.heappop(events)
            if kind == 0:
                busy -= 1
                serve(t)
            elif kind == 1:
                cap = int(staff[j])
                serve(t)
            elif waiting[j]:
                waiting[j] = False
                start[j] = -1.0
        else:
            if busy < cap:
                start[i] = t_arr
                busy += 1
                heapq.heappush(events, (t_arr + handle_list[i], 0, i))
            else:
                waiting[i] = True
                queue.append(i)
                if patience_list[i] < inf:
                    heapq.heappush(events, (t_arr + patience_list[i], 2, i))
            i += 1
    return start


def summarize_calls(records: pd.DataFrame, agents: Any, *, interval_seconds: float = 1800,
                    answer_seconds: float = 20, n_intervals: int | None = None) -> pd.DataFrame:
    """Per-interval results from per-call records of :func:`simulate_calls`.

    Parameters
    ----------
    records : pandas.DataFrame
        Output of :func:`simulate_calls`.
    agents : int or array of int
        Agents per interval (for occupancy and the ``agents`` column).
    interval_seconds : float, default 1800
        Interval length in seconds.
    answer_seconds : float, default 20
        Service-level threshold in seconds.
    n_intervals : int, optional
        Number of intervals; default: the length of ``agents`` (or the last interval with a call).

    Returns
    -------
    pandas.DataFrame
        One row per interval: ``interval``, ``agents``, ``offered``, ``answered``, ``abandoned``,
        ``unserved``, ``answered_within`` (answered with wait <= ``answer_seconds``), ``service_level``
        (answered_within / offered; 1 with no calls), ``abandon_rate``, ``mean_wait`` (seconds, answered
        calls; NaN if none) and ``occupancy`` (busy agent-seconds inside the interval over staffed
        agent-seconds; NaN with 0 agents).
    """
    width = float(v.positive("interval_seconds", interval_seconds))
    threshold = float(v.nonnegative("answer_seconds", answer_seconds))
    staff_arr = np.atleast_1d(v.agents("agents", agents))
    if n_intervals is None:
        n_intervals = staff_arr.size if staff_arr.size > 1 else int(records["interval"].max()) + 1
    staff = np.broadcast_to(staff_arr, (n_intervals,)).astype(np.int64) if staff_arr.size == 1 else staff_arr
    if staff.size != n_intervals:
        raise InvalidParameterError(f"`agents` must have one value per interval ({n_intervals}); "
                                    f"got {staff.size}", field="agents")
    iv = records["interval"].to_numpy()
    ans = records["answered"].to_numpy(dtype=bool)
    aband = records["abandoned"].to_numpy(dtype=bool)
    uns = records["unserved"].to_numpy(dtype=bool)
    wait = records["wait_seconds"].to_numpy(dtype=float)

    def count(mask: np.ndarray) -> np.ndarray:
        return np.bincount(iv[mask], minlength=n_intervals)[:n_intervals]

    offered = count(np.ones(iv.size, dtype=bool))
    answered = count(ans)
    within = count(ans & (wait <= threshold))
    wait_sum = np.bincount(iv[ans], weights=wait[ans], minlength=n_intervals)[:n_intervals]
    # Busy agent-seconds inside each interval: integral of the number in service, from sorted starts/ends.
    began = (records["arrival"].to_numpy(dtype=float) + wait)[ans]
    s = np.sort(began)
    e = np.sort(began + records["handle_seconds"].to_numpy(dtype=float)[ans])
    bounds = np.arange(n_intervals + 1) * width
    cs, ce = np.concatenate([[0.0], np.cumsum(s)]), np.concatenate([[0.0], np.cumsum(e)])
    ks, ke = np.searchsorted(s, bounds), np.searchsorted(e, bounds)
    integral = (ks * bounds - cs[ks]) - (ke * bounds - ce[ke])
    busy = np.diff(integral)
    capacity = staff * width
    with np.errstate(invalid="ignore", divide="ignore"):
        occ = np.where(capacity > 0, busy / np.where(capacity > 0, capacity, 1.0), np.nan)
        mean_wait = np.where(answered > 0, wait_sum / np.maximum(answered, 1), np.nan)
    return pd.DataFrame({
        "interval": np.arange(n_intervals),
        "agents": staff,
        "offered": offered,
        "answered": answered,
        "abandoned": count(aband),
        "unserved": count(uns),
        "answered_within": within,
        "service_level": np.where(offered > 0, within / np.maximum(offered, 1), 1.0),
        "abandon_rate": np.where(offered > 0, count(aband) / np.maximum(offered, 1), 0.0),
        "mean_wait": mean_wait,
        "occupancy": occ,
    })


def simulate_queue(calls: Any, agents: Any, aht: Any, *, interval_seconds: float = 1800,
                   answer_seconds: float = 20, patience_seconds: Any = None, service: str = "exponential",
                   service_cv: float = 1.0, seed: int | np.random.Generator | None = None) -> pd.DataFrame:
    """Simulate a day (or week) of intervals and report per-interval results.

    Parameters
    ----------
    calls : array of float
        Expected calls offered per interval (Poisson mean).
    agents : int or array of int
        Agents on the phones per interval.
    aht : float or array
        Mean handle time in seconds.
    interval_seconds : float, default 1800
        Interval length in seconds.
    answer_seconds : float, default 20
        Service-level threshold in seconds.
    patience_seconds : float or array, optional
        Mean exponential patience in seconds; ``None`` = no abandonment.
    service : {"exponential", "lognormal"}
        Handle-time distribution.
    service_cv : float, default 1.0
        Coefficient of variation for log-normal handle times.
    seed : int or numpy.random.Generator, optional
        Randomness; same seed, same result.

    Returns
    -------
    pandas.DataFrame
        See :func:`summarize_calls`.
    """
    records = simulate_calls(calls, agents, aht, interval_seconds=interval_seconds,
                             patience_seconds=patience_seconds, service=service, service_cv=service_cv,
                             seed=seed)
    m = np.atleast_1d(np.asarray(calls, dtype=float)).size
    staff = np.broadcast_to(np.atleast_1d(v.agents("agents", agents)), (m,))
    return summarize_calls(records, staff, interval_seconds=interval_seconds, answer_seconds=answer_seconds,
                           n_intervals=m)
