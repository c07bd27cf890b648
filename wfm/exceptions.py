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
    "NotFittedError",
    "InfeasibleError",
    "NoSolutionError",
    "MissingExtraError",
]


class WfmError(Exception):
    """Base class of every error raised by wfm."""


class InvalidParameterError(WfmError, ValueError):
    """A parameter is outside what is allowed; the message names it and the bad value."""


class DataFormatError(WfmError, ValueError):
    """Input data is malformed; the message names the column and up to five offending rows."""


class NotFittedError(WfmError, ValueError, AttributeError):
    """``predict`` (or similar) was called before ``fit``."""


class InfeasibleError(WfmError):
    """A model has no solution; ``conflicts`` lists the clashing rules (names, agents, days)."""

    def __init__(self, message: str, conflicts: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.conflicts = list(conflicts)


class NoSolutionError(WfmError):
    """The solver stopped (time limit) before finding any solution; this is not a proof of infeasibility."""


class MissingExtraError(WfmError, ImportError):
    """An optional dependency is missing; the message says which ``pip install 'wfm[...]'`` fixes it."""


def require_extra(module: str, extra: str) -> Any:
    """Import ``module`` or raise :class:`MissingExtraError` naming the extra that provides it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingExtraError(
            f"`{module}` is needed for this feature; install it with: pip install 'wfm[{extra}]'"
        ) from exc
