"""Erlang staffing: exact, vectorised Erlang B, C and A (M/M/n+M), staffing search and requirements frames.

Times are in seconds; ``calls`` is the number offered in one interval of ``interval_seconds``.

>>> from wfm.erlang import required_agents, service_level
>>> required_agents(100, 180, service_level=0.8, answer_seconds=20, interval_seconds=1800)
14
"""

from wfm.erlang.formulas import abandon_rate, asa, erlang_b, erlang_c, occupancy, service_level
from wfm.erlang.staffing import apply_shrinkage, required_agents, requirements

__all__ = [
    "abandon_rate",
    "apply_shrinkage",
    "asa",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "required_agents",
    "requirements",
    "service_level",
]
