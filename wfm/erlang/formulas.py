"""Erlang B, Erlang C (M/M/n) and Erlang A (M/M/n+M) performance measures, vectorised and exact.

Every public function broadcasts its array arguments (numpy arrays, pandas Series or scalars) and returns a
float for all-scalar input, else a numpy array. Times are in seconds; ``calls`` is the number of calls offered
in one interval of ``interval_seconds``; the offered load is ``a = calls * aht / interval_seconds`` Erlangs.

Formulas
--------
Erlang B (Erlang 1917) and C: with ``R = 1/B - 1`` (see :mod:`wfm.erlang._special`),
``B = 1/(1+R)`` and ``C = 1/(1 + R (1 - a/n))`` for ``n > a``. Service level
``SL(T) = 1 - C exp(-(n - a) T / aht)``, ``ASA = C aht / (n - a)`` (Gans, Koole & Mandelbaum 2003).

Erlang A (Palm 1943; Mandelbaum & Zeltyn 2004, 2007; Garnett, Mandelbaum & Reiman 2002): patience is
exponential with mean ``patience_seconds``; with ``x = n patience/aht``, ``y = a patience/aht`` and
``A(x, y) = 1F1(1; x+1; y)``,

* ``P(W > 0) = A B / (1 + (A - 1) B) = 1 / (1 + R / A)``;
* ``P(served | W > 0) = x A(x+1, y) / ((x+1) A(x, y))``, so ``P(Ab) = P(W>0) (1 - P(served | W>0))``;
* ``P(served, W <= T | W > 0) = x / (x+1) [A(x+1, y) - exp(-s(x+1) + y(1 - e^-s)) A(x+1, y e^-s)] / A(x, y)``
  with ``s = T / patience``. This follows from the density of the offered wait of a delayed caller,
  ``f(s) = x e^y exp(-x s - y e^-s) / A(x, y)`` (time in units of mean patience), weighted by the chance
  ``e^-s`` that the caller is still there; abandoned calls count as not answered.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special

from wfm.erlang import _validate as v
from wfm.erlang._special import log_kummer, log_r
from wfm.exceptions import InvalidParameterError

__all__ = ["erlang_b", "erlang_c", "service_level", "asa", "occupancy", "abandon_rate"]

ArrayLike = Any


def _out(x: np.ndarray, scalar: bool) -> float | np.ndarray:
    return float(x) if scalar else x


def _is_scalar(*args: Any) -> bool:
    return all(np.ndim(a) == 0 for a in args)


# ----------------------------------------------------------------------------------------------------
# Cores on flat, validated arrays (a > 0 and n >= 1 unless stated); the public functions handle the edges.
# ----------------------------------------------------------------------------------------------------


def _c_core(a: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Erlang C for ``n > a > 0``."""
    lr = log_r(n, a)
    return special.expit(-(lr + np.log1p(-a / n)))


def erlang_a_core(
    a: np.ndarray, n: np.ndarray, ratio: np.ndarray, s: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Erlang A ``P(W>0)``, ``P(abandon)``, ``P(answered within T)`` for ``a > 0``, ``n >= 1``.

    ``ratio`` is ``patience / aht`` and ``s`` is ``answer_seconds / patience``.
    """
    x = n * ratio
    y = a * ratio
    la0 = log_kummer(x, y)
    la1 = log_kummer(x + 1.0, y)
    p_wait = special.expit(la0 - log_r(n, a))
    w = x / (x + 1.0)
    served_w = w * np.exp(la1 - la0)
    p_ab = p_wait * (1.0 - served_w)
    z = y * np.exp(-s)
    later = w * np.exp(-s * (x + 1.0) - y * np.expm1(-s) + log_kummer(x + 1.0, z) - la0)
    within = np.clip(served_w - later, 0.0, None)  # both terms are <= 1; guards a -1e-17 rounding only
    sl = (1.0 - p_wait) + p_wait * within
    return p_wait, p_ab, sl


def erlang_a_asa_core(a: np.ndarray, n: np.ndarray, ratio: np.ndarray, p_wait: np.ndarray, p_ab: np.ndarray,
                patience: np.ndarray) -> np.ndarray:
    """Erlang A mean wait of answered calls (seconds) for ``a > 0``, ``n >= 1``.

    A delayed caller who finds ``m`` callers waiting ahead has an offered wait ``V`` made of ``m + 1``
    exponential stages with rates ``(x + i)`` (patience units), and is answered when ``V`` beats its own
    patience; ``E[V 1{answered} | m] = x/(x+m+1) * sum_{i=0..m} 1/(x+i+1)``. The number ahead has weights
    ``y^m / ((x+1)...(x+m))``; the sum runs over a window holding all but ~1e-25 of them.
    """
    x = n * ratio
    y = a * ratio
    peak = np.maximum(y - x, 0.0)
    width = 14.0 * np.sqrt(np.maximum(x, y) + 1.0) + 40.0
    lo = np.floor(np.maximum(peak - width, 0.0))
    hi = np.ceil(peak + width)
    # Geometric decay when y << x: the window need not be longer than the series needs.
    rate = np.where(y < x, np.log(x / np.maximum(y, 1e-300)), 0.0)
    geo = np.where(rate > 0, 60.0 / np.maximum(rate, 1e-300) + 5.0, np.inf)
    hi = np.minimum(hi, lo + geo)
    length = (hi - lo + 1).astype(np.int64)
    out = np.empty(a.shape)
    # Chunks keep the (intervals x terms) work array near a few million cells.
    order = np.argsort(length)
    start = 0
    while start < order.size:
        stop = start
        budget = 4_000_000
        while stop < order.size and (stop - start + 1) * int(length[order[stop]]) <= budget:
            stop += 1
        stop = max(stop, start + 1)
        idx = order[start:stop]
        kmax = int(length[idx].max())
        m = lo[idx, None] + np.arange(kmax)[None, :]
        valid = m <= hi[idx, None]
        xi, yi = x[idx, None], y[idx, None]
        # log weight relative to the window start; normalised by the window's own sum.
        step = np.log(yi) - np.log(xi + m)
        step[:, 0] = 0.0
        logw = np.cumsum(np.where(valid, step, 0.0), axis=1)
        logw -= logw.max(axis=1, keepdims=True)
        wts = np.where(valid, np.exp(logw), 0.0)
        h0 = special.digamma(xi[:, 0] + lo[idx] + 1.0) - special.digamma(xi[:, 0] + 1.0)
        harmonic = h0[:, None] + np.cumsum(1.0 / (xi + m + 1.0), axis=1)
        g = xi / (xi + m + 1.0) * harmonic
        mean_v = (wts * g).sum(axis=1) / wts.sum(axis=1)
        out[idx] = mean_v
        start = stop
    served = 1.0 - p_ab
    return np.where(served > 0, p_wait * out * patience / np.where(served > 0, served, 1.0), np.inf)


# ----------------------------------------------------------------------------------------------------
# Public functions
# ----------------------------------------------------------------------------------------------------


def erlang_b(traffic: ArrayLike, agents: ArrayLike) -> float | np.ndarray:
    """Blocking probability of an M/M/n/n loss system (Erlang B).

    Parameters
    ----------
    traffic : float or array
        Offered load in Erlangs (>= 0).
    agents : int or array
        Number of servers (agents), whole numbers >= 0.

    Returns
    -------
    float or numpy.ndarray
        Probability that an arrival finds every agent busy. 1 with 0 agents; 0 with no traffic.
    """
    scalar = _is_scalar(traffic, agents)
    a, n = np.broadcast_arrays(v.nonnegative("traffic", traffic), v.agents("agents", agents))
    a, n = a.ravel(), n.ravel()
    out = np.where(n == 0, 1.0, 0.0)
    m = (n > 0) & (a > 0)
    out[m] = special.expit(-log_r(n[m], a[m]))
    return _out(out.reshape(np.broadcast_shapes(np.shape(traffic), np.shape(agents))), scalar)


def erlang_c(traffic: ArrayLike, agents: ArrayLike) -> float | np.ndarray:
    """Probability of waiting in an M/M/n queue (Erlang C).

    Parameters
    ----------
    traffic : float or array
        Offered load in Erlangs (>= 0).
    agents : int or array
        Number of agents, whole numbers >= 0.

    Returns
    -------
    float or numpy.ndarray
        ``P(wait > 0)``; 1 where ``agents <= traffic`` (the queue grows without bound), 0 with no traffic.
    """
    scalar = _is_scalar(traffic, agents)
    shape = np.broadcast_shapes(np.shape(traffic), np.shape(agents))
    a, n = np.broadcast_arrays(v.nonnegative("traffic", traffic), v.agents("agents", agents))
    a, n = a.ravel(), n.ravel()
    out = np.where(a > 0, 1.0, 0.0)
    m = (a > 0) & (n > a)
    out[m] = _c_core(a[m], n[m])
    return _out(out.reshape(shape), scalar)


def _prepare(calls: ArrayLike, aht: ArrayLike, agents: ArrayLike, interval_seconds: ArrayLike,
             extra: dict[str, ArrayLike]) -> tuple[bool, tuple[int, ...], dict[str, np.ndarray]]:
    scalar = _is_scalar(calls, aht, agents, interval_seconds, *extra.values())
    c, h, a = v.traffic(calls, aht, interval_seconds)
    arrays = {"calls": c, "aht": h, "traffic": a, "agents": v.agents("agents", agents)}
    for name, val in extra.items():
        arrays[name] = val
    shape = np.broadcast_shapes(*(np.shape(x) for x in arrays.values()))
    flat = {k: np.broadcast_to(x, shape).ravel() for k, x in arrays.items()}
    return scalar, shape, flat


def _patience(patience_seconds: ArrayLike | None) -> np.ndarray | None:
    return None if patience_seconds is None else v.positive("patience_seconds", patience_seconds)


def queue_measures(calls: ArrayLike, aht: ArrayLike, agents: ArrayLike, answer_seconds: ArrayLike,
              interval_seconds: ArrayLike, patience_seconds: ArrayLike | None,
              want: tuple[str, ...]) -> tuple[bool, tuple[int, ...], dict[str, np.ndarray]]:
    """Every requested measure (``sl``, ``asa``, ``occ``, ``ab``) on the broadcast flat arrays."""
    extra: dict[str, ArrayLike] = {"answer": v.nonnegative("answer_seconds", answer_seconds)}
    pat = _patience(patience_seconds)
    if pat is not None:
        extra["patience"] = pat
    scalar, shape, f = _prepare(calls, aht, agents, interval_seconds, extra)
    a, n, h = f["traffic"], f["agents"], f["aht"]
    size = a.size
    res: dict[str, np.ndarray] = {}
    busy = a > 0
    if pat is None:
        st = busy & (n > a)
        c = np.zeros(size)
        c[st] = _c_core(a[st], n[st])
        sl = np.where(busy, 0.0, 1.0)
        sl[st] = 1.0 - c[st] * np.exp(-(n[st] - a[st]) * f["answer"][st] / h[st])
        res["sl"] = sl
        if "asa" in want:
            w = np.where(busy, np.inf, 0.0)
            w[st] = c[st] * h[st] / (n[st] - a[st])
            res["asa"] = w
        if "occ" in want:
            res["occ"] = np.where(n > 0, np.minimum(a / np.where(n > 0, n, 1.0), 1.0), 0.0)
        return scalar, shape, res
    # Erlang A
    pt = f["patience"]
    live = busy & (n > 0)
    p_wait = np.where(busy, 1.0, 0.0)
    p_ab = np.where(busy, 1.0, 0.0)
    sl = np.where(busy, 0.0, 1.0)
    if live.any():
        ratio = pt[live] / h[live]
        pw, pa, s = erlang_a_core(a[live], n[live], ratio, f["answer"][live] / pt[live])
        p_wait[live], p_ab[live], sl[live] = pw, pa, s
    res["sl"], res["ab"] = sl, p_ab
    if "asa" in want:
        w = np.where(busy, np.inf, 0.0)
        if live.any():
            w[live] = erlang_a_asa_core(a[live], n[live], pt[live] / h[live], p_wait[live], p_ab[live], pt[live])
        res["asa"] = w
    if "occ" in want:
        res["occ"] = np.where(n > 0, a * (1.0 - p_ab) / np.where(n > 0, n, 1.0), 0.0)
    return scalar, shape, res


def service_level(calls: ArrayLike, aht: ArrayLike, agents: ArrayLike, answer_seconds: ArrayLike = 20,
                  interval_seconds: ArrayLike = 1800,
                  patience_seconds: ArrayLike | None = None) -> float | np.ndarray:
    """Fraction of offered calls answered within ``answer_seconds``.

    Parameters
    ----------
    calls : float or array
        Calls offered per interval (>= 0).
    aht : float or array
        Average handle time in seconds (> 0 wherever calls > 0).
    agents : int or array
        Agents on the phones, whole numbers >= 0.
    answer_seconds : float or array, default 20
        Service-level threshold in seconds (>= 0).
    interval_seconds : float or array, default 1800
        Interval length in seconds.
    patience_seconds : float or array, optional
        Mean caller patience in seconds. ``None`` → Erlang C (0 where agents <= traffic); given → Erlang A
        (M/M/n+M), where callers who hang up count as not answered.

    Returns
    -------
    float or numpy.ndarray
        Service level in [0, 1]; 1 where no calls are offered.
    """
    scalar, shape, r = queue_measures(calls, aht, agents, answer_seconds, interval_seconds, patience_seconds, ())
    return _out(r["sl"].reshape(shape), scalar)


def asa(calls: ArrayLike, aht: ArrayLike, agents: ArrayLike, answer_seconds: ArrayLike = 20,
        interval_seconds: ArrayLike = 1800, patience_seconds: ArrayLike | None = None) -> float | np.ndarray:
    """Average speed of answer in seconds: the mean wait of answered calls.

    Parameters are those of :func:`service_level` (``answer_seconds`` is accepted for a uniform call
    signature and does not change the result). Under Erlang C every call is answered and
    ``ASA = C aht / (agents - traffic)``, ``inf`` where agents <= traffic; under Erlang A it is the mean wait
    of the calls that are answered (abandoned calls excluded), ``inf`` with 0 agents. 0 with no calls.

    Returns
    -------
    float or numpy.ndarray
        Mean wait in seconds.
    """
    scalar, shape, r = queue_measures(calls, aht, agents, answer_seconds, interval_seconds, patience_seconds,
                                 ("asa",))
    return _out(r["asa"].reshape(shape), scalar)


def occupancy(calls: ArrayLike, aht: ArrayLike, agents: ArrayLike, answer_seconds: ArrayLike = 20,
              interval_seconds: ArrayLike = 1800,
              patience_seconds: ArrayLike | None = None) -> float | np.ndarray:
    """Fraction of agents' time spent handling calls.

    Parameters are those of :func:`service_level`. Erlang C: ``min(traffic / agents, 1)``; Erlang A: the
    carried load ``traffic (1 - P(abandon)) / agents``. 0 with 0 agents.

    Returns
    -------
    float or numpy.ndarray
        Occupancy in [0, 1].
    """
    scalar, shape, r = queue_measures(calls, aht, agents, answer_seconds, interval_seconds, patience_seconds,
                                 ("occ",))
    return _out(r["occ"].reshape(shape), scalar)


def abandon_rate(calls: ArrayLike, aht: ArrayLike, agents: ArrayLike, patience_seconds: ArrayLike,
                 interval_seconds: ArrayLike = 1800) -> float | np.ndarray:
    """Fraction of offered calls that hang up before being answered (Erlang A, M/M/n+M).

    Parameters
    ----------
    calls : float or array
        Calls offered per interval (>= 0).
    aht : float or array
        Average handle time in seconds.
    agents : int or array
        Agents, whole numbers >= 0.
    patience_seconds : float or array
        Mean (exponential) caller patience in seconds (> 0).
    interval_seconds : float or array, default 1800
        Interval length in seconds.

    Returns
    -------
    float or numpy.ndarray
        ``P(abandon)`` in [0, 1]; 1 with 0 agents and calls offered, 0 with no calls.
    """
    if patience_seconds is None:
        raise InvalidParameterError("`patience_seconds` must be given for abandon_rate; got None",
            field="patience_seconds")
    scalar, shape, r = queue_measures(calls, aht, agents, 0.0, interval_seconds, patience_seconds, ())
    return _out(r["ab"].reshape(shape), scalar)
