"""wfm — workforce management for contact centres.

history → :mod:`wfm.forecast` → :mod:`wfm.erlang` (requirements) → :mod:`wfm.roster` (assignments) → evaluation.
"""

from wfm.exceptions import (
    DataFormatError,
    InfeasibleError,
    InvalidParameterError,
    NoSolutionError,
    NotFittedError,
    WfmError,
)

__version__ = "0.1.0"

__all__ = [
    "DataFormatError",
    "InfeasibleError",
    "InvalidParameterError",
    "NoSolutionError",
    "NotFittedError",
    "WfmError",
    "__version__",
]
