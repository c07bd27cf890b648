"""The one factory of configured CP-SAT solvers.

Every ``cp_model.CpSolver`` of the roster engine is made here, so time limits, workers, seeds, logging and
the reproducible (deterministic-time) mode mean the same thing in every stage.
"""

from __future__ import annotations

import time
from typing import Any

from ortools.sat.python import cp_model

__all__ = ["make_cp_solver"]

# the smallest wall-clock limit handed to CP-SAT: it returns at once with what it has
_MIN_LIMIT_S = 0.01


def make_cp_solver(*, time_limit_s: float, workers: int = 1, seed: int = 0, log: bool = False,
                   deterministic: bool = False, safety_factor: float = 4.0, deadline: float | None = None,
                   **parameters: Any) -> cp_model.CpSolver:
    """A CP-SAT solver configured from explicit arguments.

    Parameters
    ----------
    time_limit_s:
        Wall-clock limit, seconds; with ``deterministic`` the deterministic-time limit (CP-SAT's own work
        units, about seconds on an idle core) and the wall clock is only a safety net of
        ``safety_factor * time_limit_s`` (at least 1 s).
    workers:
        Search workers (threads).
    seed:
        Random seed of the search.
    log:
        Print the CP-SAT search log.
    deterministic:
        Bound the search by deterministic time, so one seed gives one answer on a loaded machine too.
    deadline:
        Absolute ``time.perf_counter()`` time no search may pass (the caller's wall-clock promise); it
        overrides the safety net. With ``deterministic`` it *is* the safety net (the solve's, at
        ``reproducible_safety`` times its limit): a per-call net of ``safety_factor`` times a small budget was
        hit on a loaded machine (2 cores, load 9: one process gets a fifth of a core), and a search cut by the
        clock is not reproducible.
    parameters:
        Further ``SatParameters`` fields (``linearization_level=2``, ``symmetry_level=0``, ...).
    """
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.num_workers = max(1, int(workers))
    p.random_seed = int(seed)
    p.log_search_progress = bool(log)
    if deterministic:
        p.max_deterministic_time = float(max(time_limit_s, _MIN_LIMIT_S))
        wall = max(safety_factor * time_limit_s, 1.0)
    else:
        wall = time_limit_s
    if deadline is not None:
        left = deadline - time.perf_counter()
        wall = left if deterministic else min(wall, left)
    p.max_time_in_seconds = float(max(wall, _MIN_LIMIT_S))
    for name, value in parameters.items():
        setattr(p, name, value)
    return solver
