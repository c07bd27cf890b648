"""Argument checks for the Erlang functions: each names the argument and the bad value; nothing is clipped."""

from __future__ import annotations

from typing import Any

import numpy as np

from wfm.exceptions import InvalidParameterError, LimitExceededError
from wfm.limits import limits


def _first_bad(arr: np.ndarray, bad: np.ndarray) -> Any:
    value = arr[bad].ravel()[0]
    return value.item() if hasattr(value, "item") else value


def as_float(name: str, value: Any) -> np.ndarray:
    """``value`` as a float array; a non-numeric input raises naming ``name``."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(f"`{name}` must be numeric; got {value!r}", field=name, value=value) from exc
    return arr


def _check_magnitude(name: str, arr: np.ndarray) -> None:
    """Rates and durations above ``limits().max_magnitude``: past it the agent search loses integer precision."""
    top = limits().max_magnitude
    big = arr > top
    if big.any():
        bad = _first_bad(arr, big)
        raise LimitExceededError(f"`{name}` must be <= {top:g} (limit `max_magnitude`, set WFM_MAX_MAGNITUDE to "
                                 f"change it); got {bad!r}", field=name, value=bad)


_INF = float("inf")


def nonnegative(name: str, value: Any, *, bounded: bool = True) -> np.ndarray:
    """A finite, non-negative float array (volumes, handle times, seconds), at most ``max_magnitude`` if
    ``bounded`` (a cap that only loosens a target, like ``answer_seconds``, needs no bound)."""
    if type(value) in (int, float):  # the common scalar case, without array operations
        if 0 <= value <= (limits().max_magnitude if bounded else _INF) and value < _INF:
            return np.asarray(value, dtype=float)
        if not 0 <= value < _INF:
            raise InvalidParameterError(f"`{name}` must be finite and >= 0; got {value!r}", field=name, value=value)
    arr = as_float(name, value)
    ok = (arr >= 0) & (arr < _INF)  # NaN fails both comparisons
    if not ok.all():
        bad = _first_bad(arr, ~ok)
        raise InvalidParameterError(f"`{name}` must be finite and >= 0; got {bad!r}", field=name, value=bad)
    if bounded:
        _check_magnitude(name, arr)
    return arr


def positive(name: str, value: Any, *, bounded: bool = True) -> np.ndarray:
    """A finite, strictly positive float array, at most ``max_magnitude`` if ``bounded``."""
    if type(value) in (int, float):
        if 0 < value <= (limits().max_magnitude if bounded else _INF) and value < _INF:
            return np.asarray(value, dtype=float)
        if not 0 < value < _INF:
            raise InvalidParameterError(f"`{name}` must be finite and > 0; got {value!r}", field=name, value=value)
    arr = as_float(name, value)
    ok = (arr > 0) & (arr < _INF)
    if not ok.all():
        bad = _first_bad(arr, ~ok)
        raise InvalidParameterError(f"`{name}` must be finite and > 0; got {bad!r}", field=name, value=bad)
    if bounded:
        _check_magnitude(name, arr)
    return arr


def agents(name: str, value: Any) -> np.ndarray:
    """Whole numbers of agents >= 0 (floats with integral values are accepted, 2.5 is not)."""
    arr = as_float(name, value)
    bad = ~np.isfinite(arr) | (arr < 0) | (arr != np.floor(arr))
    if bad.any():
        first = _first_bad(arr, bad)
        raise InvalidParameterError(f"`{name}` must be a whole number of agents >= 0; got {first!r}", field=name,
                                    value=first)
    return arr


def fraction(name: str, value: Any, *, closed_right: bool = False) -> float:
    """A scalar target in (0, 1) — or (0, 1] with ``closed_right``."""
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(f"`{name}` must be a number in (0, 1); got {value!r}", field=name,
                                    value=value) from exc
    ok = 0.0 < v <= 1.0 if closed_right else 0.0 < v < 1.0
    if not ok:
        interval = "(0, 1]" if closed_right else "(0, 1)"
        raise InvalidParameterError(f"`{name}` must be in {interval}; got {value!r}", field=name, value=value)
    return v


def fraction_array(name: str, value: Any) -> np.ndarray:
    """A target given per interval: every value in (0, 1)."""
    arr = as_float(name, value)
    bad = ~(arr > 0) | ~(arr < 1)
    if bad.any():
        first = _first_bad(arr, bad)
        raise InvalidParameterError(f"`{name}` must be in (0, 1); got {first!r}", field=name, value=first)
    return arr


def shrinkage(value: Any) -> np.ndarray:
    """Shrinkage in [0, 1): the fraction of paid time not available for calls."""
    if type(value) in (int, float):
        if 0 <= value < 1:
            return np.asarray(value, dtype=float)
        raise InvalidParameterError(f"`shrinkage` must be in [0, 1); got {value!r}", field="shrinkage", value=value)
    arr = as_float("shrinkage", value)
    ok = (arr >= 0) & (arr < 1)
    if not ok.all():
        first = _first_bad(arr, ~ok)
        raise InvalidParameterError(f"`shrinkage` must be in [0, 1); got {first!r}", field="shrinkage", value=first)
    return arr


def traffic(calls: Any, aht: Any, interval_seconds: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validated ``calls``, ``aht`` and offered load in Erlangs ``calls * aht / interval_seconds``.

    The three are returned with their own shapes (they broadcast together); only the load is full size.
    """
    c = nonnegative("calls", calls)
    h = nonnegative("aht", aht)
    t = positive("interval_seconds", interval_seconds)
    if h.ndim == 0:
        if h == 0 and (c > 0).any():
            raise InvalidParameterError(
                f"`aht` must be > 0 where calls > 0; got aht=0 with calls={_first_bad(c, c > 0)!r}", field="aht",
                value=0.0)
    else:
        bad = (h == 0) & (c > 0)
        if bad.any():
            cb = np.broadcast_to(c, bad.shape)
            raise InvalidParameterError(
                f"`aht` must be > 0 where calls > 0; got aht=0 with calls={_first_bad(cb, bad)!r}", field="aht",
                value=0.0)
    with np.errstate(over="ignore"):
        load = c * h / t
    # The agent search steps one agent at a time from about the load: it must stay well inside the integers
    # a float holds exactly (2**53), or n + 1 == n and the search never ends.
    big = load > limits().max_magnitude
    if np.any(big):
        first = _first_bad(np.broadcast_to(load, np.shape(big)), big)
        raise LimitExceededError(f"offered load `calls * aht / interval_seconds` must be <= "
                                 f"{limits().max_magnitude:g} Erlangs (limit `max_magnitude`); got {first:g}",
                                 field="calls", value=first)
    return c, h, load
