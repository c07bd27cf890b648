"""The one exception tree of wfm.

Every class also subclasses the builtin it resembles, so ``except ValueError`` keeps working for callers
who do not know wfm's own types. Messages follow one template: name the parameter (or column), say what
is allowed, say what was given — "`service_level` must be in (0, 1); got 1.5".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "WfmError",
    "InvalidParameterError",
    "DataFormatError",
    "LimitExceededError",
    "NotFittedError",
    "InfeasibleError",
    "NoSolutionError",
    "MissingExtraError",
    "NotFoundError",
    "ConflictError",
    "AuthenticationError",
    "PermissionDeniedError",
]

#: Longest ``repr`` of a bad value an error carries: a 10 MB junk field must not travel back to the caller.
MAX_VALUE_CHARS = 200


def bounded_value(value: Any, limit: int = MAX_VALUE_CHARS) -> Any:
    """``value`` if it is a short JSON scalar, else its ``repr`` cut to ``limit`` characters.

    Non-finite floats become their string ('nan', 'inf') so the error stays valid JSON.
    """
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class WfmError(Exception):
    """Base class of every error raised by wfm.

    Besides its one-line message, an error carries structured data that front ends use as they are, never
    parsing the message: ``field`` (the parameter, column or JSON path at fault, or None), ``value`` (the bad
    value, bounded in size by :func:`bounded_value`) and ``code`` (a stable machine-readable name, by default
    the class's own, e.g. ``invalid_parameter``).
    """

    code = "wfm_error"

    def __init__(self, message: str = "", *, field: str | None = None, value: Any = None,
                 code: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.value = bounded_value(value)
        if code is not None:
            self.code = code

    def to_dict(self) -> dict[str, Any]:
        """The structured shape: ``{"code", "field", "message", "value"}``, JSON-serialisable and bounded."""
        message = str(self)
        if len(message) > 4 * MAX_VALUE_CHARS:
            message = message[: 4 * MAX_VALUE_CHARS - 3] + "..."
        return {"code": self.code, "field": self.field, "message": message, "value": self.value}


class InvalidParameterError(WfmError, ValueError):
    """A parameter is outside what is allowed; the message names it and the bad value."""

    code = "invalid_parameter"


class DataFormatError(WfmError, ValueError):
    """Input data is malformed; the message names the column and up to five offending rows."""

    code = "data_format"


class LimitExceededError(InvalidParameterError):
    """An input is larger than a named limit of :mod:`wfm.limits` (horizon, rows, time limit, body size)."""

    code = "limit_exceeded"


class NotFittedError(WfmError, ValueError, AttributeError):
    """``predict`` (or similar) was called before ``fit``."""

    code = "not_fitted"


class InfeasibleError(WfmError):
    """A model has no solution; ``conflicts`` lists the clashing rules (names, agents, days) as JSON objects."""

    code = "infeasible"

    def __init__(self, message: str, conflicts: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.conflicts = list(conflicts)

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["conflicts"] = [c if isinstance(c, dict | str | int | float) or c is None else str(c)
                            for c in self.conflicts]
        return out


class NoSolutionError(WfmError):
    """The solver stopped (time limit) before finding any solution; this is not a proof of infeasibility."""

    code = "no_solution"


class MissingExtraError(WfmError, ImportError):
    """An optional dependency is missing; the message says which ``pip install 'wfm[...]'`` fixes it."""

    code = "missing_extra"


class NotFoundError(WfmError, LookupError):
    """A named thing (round, agent, job, bid) does not exist."""

    code = "not_found"


class ConflictError(WfmError):
    """The request clashes with the current state (a round already closed, a key reused for other content)."""

    code = "conflict"


class AuthenticationError(WfmError, PermissionError):
    """No credentials, or credentials that match nobody."""

    code = "unauthenticated"


class PermissionDeniedError(WfmError, PermissionError):
    """Valid credentials that do not allow this operation (an agent acting for another, or as a manager)."""

    code = "forbidden"


def require_extra(module: str, extra: str) -> Any:
    """Import ``module`` or raise :class:`MissingExtraError` naming the extra that provides it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingExtraError(
            f"`{module}` is needed for this feature; install it with: pip install 'wfm[{extra}]'", field=module
        ) from exc
