"""Erlang staffing: exact, vectorised Erlang B, C and A (M/M/n+M), staffing search, requirements frames,
a discrete-event simulator for non-stationary checks, and patience / handle-time estimation.

Times are in seconds; ``calls`` is the number offered in one interval of ``interval_seconds``.

>>> from wfm.erlang import required_agents, service_level
>>> required_agents(100, 180, service_level=0.8, answer_seconds=20, interval_seconds=1800)
14
>>> round(service_level(100, 180, 14), 4)
0.8884
"""

from wfm.erlang.calculator import staffing_table
from wfm.erlang.estimation import PatienceEstimate, estimate_aht, estimate_patience, patience_survival
from wfm.erlang.formulas import abandon_rate, asa, erlang_b, erlang_c, occupancy, service_level
from wfm.erlang.simulation import simulate_calls, simulate_queue, summarize_calls
from wfm.erlang.staffing import apply_shrinkage, required_agents, requirements

__all__ = [
    "PatienceEstimate",
    "abandon_rate",
    "apply_shrinkage",
    "asa",
    "erlang_b",
    "erlang_c",
    "estimate_aht",
    "estimate_patience",
    "occupancy",
    "patience_survival",
    "required_agents",
    "requirements",
    "service_level",
    "simulate_calls",
    "simulate_queue",
    "staffing_table",
    "summarize_calls",
]
