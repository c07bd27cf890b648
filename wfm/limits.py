"""Named limits on the size of work one call may ask for, and the validators that enforce them.

No input may hang, crash or exhaust the machine: a horizon of a trillion intervals, a time limit of NaN or
1e9 seconds, 10,000 solver workers. Each limit is a named setting with a sane default; a deployment raises
or lowers it with an environment variable ``WFM_<NAME>`` (``WFM_MAX_TIME_LIMIT_S=3600``) or, in code, with
:func:`set_limits`. The library's own validation calls :func:`check_number` against them, so the command
line, the HTTP service and a notebook all meet the same limit with the same error.

    >>> from wfm.limits import limits
    >>> limits().max_time_limit_s
    3600.0
"""

from __future__ import annotations

import dataclasses
import math
import os
from typing import Any

from wfm.exceptions import InvalidParameterError, LimitExceededError

__all__ = ["Limits", "limits", "set_limits", "check_number", "check_count"]


@dataclasses.dataclass(frozen=True)
class Limits:
    """Upper bounds on one request's work; every field can be set by ``WFM_<FIELD NAME IN CAPITALS>``."""

    #: Longest solver time limit one solve may ask for (seconds).
    max_time_limit_s: float = 3600.0
    #: Most CP-SAT worker threads one solve may use.
    max_workers: int = 64
    #: Most intervals a forecast may produce per series.
    max_horizon_intervals: int = 100_000
    #: Most rows of an input table (history, intervals, requirements).
    max_rows: int = 2_000_000
    #: Largest HTTP request body (bytes).
    max_body_bytes: int = 32 * 1024 * 1024
    #: Roster solves running at once in one service; more wait in the queue.
    max_concurrent_solves: int = 2
    #: Roster solves waiting for a slot in one service; beyond this a submission gets 503.
    max_queued_solves: int = 16
    #: Longest time a synchronous (not job) HTTP roster solve may ask for (seconds).
    max_sync_time_limit_s: float = 120.0
    #: Largest value accepted for a rate or a duration in staffing (calls, seconds); beyond it the arithmetic
    #: of the agent search loses integer precision.
    max_magnitude: float = 1e9

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Limits:
        """Defaults overridden by ``WFM_<NAME>`` variables; a malformed variable raises naming it."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(f"WFM_{f.name.upper()}")
            if raw is None:
                continue
            kind = int if f.type in (int, "int") else float
            try:
                values[f.name] = kind(raw)
            except ValueError:
                raise InvalidParameterError(f"`WFM_{f.name.upper()}` must be a number; got {raw!r}",
                                            field=f"WFM_{f.name.upper()}", value=raw) from None
        return cls(**values)


_current: Limits | None = None


def limits() -> Limits:
    """The limits in force (read from the environment on first use)."""
    global _current
    if _current is None:
        _current = Limits.from_env()
    return _current


def set_limits(new: Limits | None = None, **changes: Any) -> Limits:
    """Replace the limits in force (``None`` re-reads the environment); returns the previous ones."""
    global _current
    previous = limits()
    _current = (new if new is not None else Limits.from_env())
    if changes:
        _current = dataclasses.replace(_current, **changes)
    return previous


def check_number(name: str, value: Any, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, integer: bool = False, limit_name: str | None = None) -> Any:
    """Validate one scalar parameter and return it.

    ``value`` must be a real number (not bool, not NaN, not infinite), ``>= low`` (``> low`` when
    ``low_open``) and ``<= high``; with ``integer`` it must be whole. A value above ``high`` raises
    :class:`LimitExceededError` naming ``limit_name`` (the :class:`Limits` field) when one is given, so the
    caller knows which setting to raise; every other failure raises :class:`InvalidParameterError`. Both
    carry ``field=name`` and the bad value.
    """
    if isinstance(value, bool) or not isinstance(value, int | float) and not hasattr(value, "__float__"):
        raise InvalidParameterError(f"`{name}` must be a number; got {value!r}", field=name, value=value)
    number = float(value)
    if not math.isfinite(number):
        raise InvalidParameterError(f"`{name}` must be a finite number; got {value!r}", field=name, value=value)
    if integer and number != int(number):
        raise InvalidParameterError(f"`{name}` must be a whole number; got {value!r}", field=name, value=value)
    if low is not None and (number <= low if low_open else number < low):
        op = ">" if low_open else ">="
        raise InvalidParameterError(f"`{name}` must be {op} {low:g}; got {value!r}", field=name, value=value)
    if high is not None and number > high:
        where = f" (limit `{limit_name}`, set WFM_{limit_name.upper()} to change it)" if limit_name else ""
        cls = LimitExceededError if limit_name else InvalidParameterError
        raise cls(f"`{name}` must be <= {high:g}{where}; got {value!r}", field=name, value=value)
    return int(number) if integer else value


def check_count(name: str, count: float, limit_name: str, *, unit: str = "rows") -> None:
    """Raise :class:`LimitExceededError` (``field=name``, ``value=count``) if ``count`` is above the limit
    ``limit_name``: "`history` has 3000000 rows; at most 2000000 (limit `max_rows`, WFM_MAX_ROWS)"."""
    top = getattr(limits(), limit_name)
    if count > top:
        raise LimitExceededError(f"`{name}` has {count:.0f} {unit}; at most {top:g} (limit `{limit_name}`, set "
                                 f"WFM_{limit_name.upper()} to change it)", field=name, value=int(count))
