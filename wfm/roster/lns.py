"""Large-neighbourhood search around the CP-SAT roster model.

CP-SAT's own LNS shares its threads with a full search; on a 2-core machine that leaves it one interleaved
thread. Rostering rewards focused neighbourhoods (a few agents' whole horizon, or every agent over a window of
days), so this loop repeatedly frees one such neighbourhood, fixes every other ``work`` literal at its value
in the incumbent, and re-solves that small model with both workers and a strong LP, keeping any roster that is
no worse. The neighbourhood size adapts: grown when sub-solves finish optimal, shrunk when they time out.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from wfm.roster.model import RosterModel

__all__ = ["LnsStats", "improve"]


@dataclass
class LnsStats:
    """What the search did: iterations, improvements, and the objective trace ``(seconds, objective)``."""

    iterations: int = 0
    improvements: int = 0
    solution: list[int] = field(default_factory=list)  # every model variable's value in the best roster
    trace: list[tuple[float, float]] = field(default_factory=list)


def _neighbourhood(rm: RosterModel, rng: random.Random, size: float) -> set[tuple[int, int]]:
    """(agent, day) cells to free: a few agents' horizon, or all agents over a window of days, or a mix."""
    n_a, n_d = len(rm.agents), rm.n_days
    kind = rng.random()
    cells: set[tuple[int, int]] = set()
    if kind < 0.25:
        k = max(2, min(n_a, round(size * n_a)))
        for a in rng.sample(range(n_a), k):
            cells.update((a, d) for d in range(n_d))
    elif kind < 0.75:
        length = max(3, min(n_d, round(size * n_d * 1.5)))
        d0 = rng.randrange(0, n_d - length + 1)
        cells.update((a, d) for a in range(n_a) for d in range(d0, d0 + length))
    else:
        k = max(2, min(n_a, round(2 * size * n_a)))
        length = max(5, min(n_d, round(0.6 * n_d)))
        d0 = rng.randrange(0, n_d - length + 1)
        for a in rng.sample(range(n_a), k):
            cells.update((a, d) for d in range(d0, d0 + length))
    return cells


def improve(rm: RosterModel, values: dict[tuple[int, int, int], int], objective: int, *, deadline: float,
            workers: int, seed: int, sub_time_s: float = 2.0,
            patience_s: float | None = None) -> tuple[dict[tuple[int, int, int], int], int,
                                                                         LnsStats]:
    """Improve an incumbent roster until ``deadline`` (``time.perf_counter()`` value).

    Parameters
    ----------
    rm : RosterModel
        The full model; it is cloned for every neighbourhood, never changed.
    values : dict
        ``work[a, d, s]`` values of the incumbent.
    objective : int
        Its objective in the model's integer units.
    deadline : float
        Wall-clock time (``time.perf_counter()``) to stop, seconds.
    workers : int
        CP-SAT workers per sub-solve.
    seed : int
        Seeds the neighbourhood choice and the sub-solves.
    sub_time_s : float, default 2
        Time limit of one sub-solve, seconds.
    patience_s : float, optional
        Stop early after this many seconds without an improvement (the caller may then hand the time back
        to a full search); default: run until the deadline.

    Returns
    -------
    (values, objective, stats)
        The best roster found, its objective, and search statistics.
    """
    rng = random.Random(seed)
    stats = LnsStats()
    t0 = time.perf_counter()
    size = 0.25
    index = {key: x.index for key, x in rm.work.items()}
    obj = rm.model.proto.objective
    obj_terms = list(zip(list(obj.vars), list(obj.coeffs), strict=True))
    offset = obj.offset
    last_gain = time.perf_counter()
    while True:
        left = deadline - time.perf_counter()
        if left < 0.2 or (patience_s is not None and time.perf_counter() - last_gain > patience_s):
            break
        stats.iterations += 1
        free = _neighbourhood(rm, rng, size)
        sub = rm.model.clone()
        for key, i in index.items():
            x = sub.get_bool_var_from_proto_index(i)
            if (key[0], key[1]) not in free:
                sub.add(x == values[key])
            sub.add_hint(x, bool(values[key]))
        # no worse than the incumbent; equal-cost moves let the search drift across plateaus
        sub.add(sum(c * sub.get_int_var_from_proto_index(v) for v, c in obj_terms) <= round(objective - offset))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = min(sub_time_s, left)
        solver.parameters.num_workers = workers
        solver.parameters.random_seed = rng.randrange(1 << 30)
        solver.parameters.linearization_level = 2
        status = solver.solve(sub)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            new = round(solver.objective_value)
            values = {key: int(solver.value(sub.get_bool_var_from_proto_index(i))) for key, i in index.items()}
            stats.solution = list(solver.response_proto.solution)[: len(rm.model.proto.variables)]
            if new < objective:
                last_gain = time.perf_counter()
                stats.improvements += 1
                stats.trace.append((time.perf_counter() - t0, new))
            objective = new
        # adapt: an easy neighbourhood (solved to optimality) may grow, a hard one shrinks
        if status == cp_model.OPTIMAL:
            size = min(0.6, size * 1.1)
        else:
            size = max(0.05, size * 0.9)
    return values, objective, stats
