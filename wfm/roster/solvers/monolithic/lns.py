"""Large-neighbourhood search around the CP-SAT roster model.

CP-SAT's own LNS shares its threads with a full search; on a 2-core machine that leaves it one interleaved
thread. Rostering rewards focused neighbourhoods (a few agents' whole horizon, or every agent over a window of
days), so this loop repeatedly frees one such neighbourhood, fixes every other ``work`` literal at its value
in the incumbent, and re-solves that small model with both workers and a strong LP, keeping any roster that is
no worse. The neighbourhood size adapts: grown when sub-solves finish optimal, shrunk when they time out.

:func:`improve_parallel` (used for shift-type cover) runs one-thread sub-solves side by side instead, fixes
the rest through variable domains (cheap), and draws half its neighbourhoods around the cells the incumbent
leaves short: many small, fast moves where :func:`improve` makes a few large ones.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from wfm.roster.solvers.cpsat import make_cp_solver
from wfm.roster.solvers.monolithic.model import RosterModel

__all__ = ["LnsStats", "improve", "improve_parallel", "neighbourhood", "short_cells"]

# nominal cost of one reproducible sub-solve beyond CP-SAT's deterministic time: cloning the model and fixing
# the rest of the roster in Python (a nominal figure, about the measured order: milliseconds on small
# models, a few tenths of a second on a 100,000-variable one)
_STEP_S = 0.01
_STEP_S_PER_VAR = 2e-6


@dataclass
class LnsStats:
    """What the search did: iterations, improvements, and the objective trace ``(seconds, objective)``."""

    iterations: int = 0
    improvements: int = 0
    solution: list[int] = field(default_factory=list)  # every model variable's value in the best roster
    trace: list[tuple[float, float]] = field(default_factory=list)
    work: float = 0.0  # work charged, reproducible mode (deterministic time plus nominal step costs)


def short_cells(rm: RosterModel, values: dict[tuple[int, int, int], int]) -> list[tuple[int, int, int]]:
    """``(day, shift, missing agents)`` of each shift-type demand the roster leaves short."""
    have: dict[tuple[int, int], int] = {}
    for (_a, d, s), v in values.items():
        if v:
            have[d, s] = have.get((d, s), 0) + 1
    out = []
    for sd in rm.problem.shift_demands:
        s = rm.shift_index[sd.shift]
        if sd.under_weight > 0 and have.get((sd.day, s), 0) < sd.required:
            out.append((sd.day, s, sd.required - have.get((sd.day, s), 0)))
    return out


def neighbourhood(rm: RosterModel, rng: random.Random, size: float,
                   short: list[tuple[int, int, int]] | None = None,
                   values: dict[tuple[int, int, int], int] | None = None) -> set[tuple[int, int]]:
    """(agent, day) cells to free: a few agents' horizon, or all agents over a window of days, or a mix.

    With ``short`` cells (demand left uncovered) half the neighbourhoods are drawn around one of them: the
    window holds its day, and the agents include some who are off that day and may work its shift, since
    covering it takes one of them plus the colleagues whose days move to make room.
    """
    n_a, n_d = len(rm.agents), rm.n_days
    kind = rng.random()
    cells: set[tuple[int, int]] = set()
    focus = short[rng.randrange(len(short))] if short and values is not None and rng.random() < 0.5 else None

    def start(length: int) -> int:
        if focus is None:
            return rng.randrange(0, n_d - length + 1)
        lo, hi = max(0, focus[0] - length + 1), min(focus[0], n_d - length)
        return rng.randint(lo, hi)

    def pick(k: int) -> list[int]:
        if focus is None:
            return rng.sample(range(n_a), k)
        d, s, _ = focus
        sid = rm.shifts[s].id
        idle = [a for a in range(n_a) if (a, d, s) in rm.work and rm.agents[a].max_shifts.get(sid, 1) > 0
                and not any(values.get((a, d, ss), 0) for ss in range(len(rm.shifts)))]
        chosen = rng.sample(idle, min(len(idle), max(1, k // 2)))
        rest = [a for a in range(n_a) if a not in chosen]
        return chosen + rng.sample(rest, max(0, min(len(rest), k - len(chosen))))

    if kind < 0.25:
        k = min(n_a, max(2, round(size * n_a)))  # a one-agent team frees its one agent
        for a in pick(k):
            cells.update((a, d) for d in range(n_d))
    elif kind < 0.75:
        length = max(3, min(n_d, round(size * n_d * 1.5)))
        d0 = start(length)
        cells.update((a, d) for a in range(n_a) for d in range(d0, d0 + length))
    else:
        k = min(n_a, max(2, round(2 * size * n_a)))
        length = max(5, min(n_d, round(0.6 * n_d)))
        d0 = start(length)
        for a in pick(k):
            cells.update((a, d) for d in range(d0, d0 + length))
    return cells


def improve(rm: RosterModel, values: dict[tuple[int, int, int], int], objective: int, *, deadline: float,
            workers: int, seed: int, sub_time_s: float = 2.0,
            patience_s: float | None = None, on_improve: Callable[[int], None] | None = None,
            work_s: float | None = None) -> tuple[dict[tuple[int, int, int], int], int, LnsStats]:
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
    on_improve : callable, optional
        Called with each better objective (model integer units, offset included).
    work_s : float, optional
        Reproducible mode: the search's budget in deterministic work (see :class:`_Work`); sub-solves and
        patience are then counted in it and ``deadline`` is only the safety net.

    Returns
    -------
    (values, objective, stats)
        The best roster found, its objective, and search statistics (``stats.work``: work charged).
    """
    rng = random.Random(seed)
    stats = LnsStats()
    t0 = time.perf_counter()
    clock = _Work(rm, deadline, patience_s, work_s)
    size = 0.25
    index = {key: x.index for key, x in rm.work.items()}
    obj = rm.model.proto.objective
    obj_terms = list(zip(list(obj.vars), list(obj.coeffs), strict=True))
    offset = obj.offset
    while True:
        left = clock.left()
        if clock.done():
            break
        stats.iterations += 1
        free = neighbourhood(rm, rng, size)
        sub = rm.model.clone()
        for key, i in index.items():
            x = sub.get_bool_var_from_proto_index(i)
            if (key[0], key[1]) not in free:
                sub.add(x == values[key])
            sub.add_hint(x, bool(values[key]))
        # no worse than the incumbent; equal-cost moves let the search drift across plateaus
        sub.add(sum(c * sub.get_int_var_from_proto_index(v) for v, c in obj_terms) <= round(objective - offset))
        solver = make_cp_solver(time_limit_s=min(sub_time_s, left), workers=workers, seed=rng.randrange(1 << 30),
                                deadline=deadline, deterministic=clock.counted, linearization_level=2)
        status = solver.solve(sub)
        clock.charge(solver.response_proto.deterministic_time)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            new = round(solver.objective_value)
            values = {key: int(solver.value(sub.get_bool_var_from_proto_index(i))) for key, i in index.items()}
            stats.solution = list(solver.response_proto.solution)[: len(rm.model.proto.variables)]
            if new < objective:
                clock.gained()
                stats.improvements += 1
                stats.trace.append((time.perf_counter() - t0, new))
                if on_improve is not None:
                    on_improve(new)
            objective = new
        # adapt: an easy neighbourhood (solved to optimality) may grow, a hard one shrinks
        if status == cp_model.OPTIMAL:
            size = min(0.6, size * 1.1)
        else:
            size = max(0.05, size * 0.9)
    stats.work = clock.spent
    return values, objective, stats


def _sub_solve(base: cp_model.CpModel, index: dict[tuple[int, int, int], int], free: set[tuple[int, int]],
               incumbent: list[int], limit: int, time_s: float, seed: int, deterministic: bool = False,
               deadline: float | None = None) -> tuple[int, list[int], bool, float]:
    """Re-solve ``base`` with every ``work`` literal outside ``free`` fixed at the incumbent (one worker).

    Fixing is done on the variables' domains of a copied proto, which is much cheaper than adding one
    equality per literal. Returns ``(objective, solution, proved optimal, deterministic time)``; objective
    ``-1`` if none. ``deterministic``: ``time_s`` is deterministic time and ``deadline`` the safety net.
    """
    sub = cp_model.CpModel()
    sub.proto.copy_from(base.proto)
    variables = sub.proto.variables
    for key, i in index.items():
        if (key[0], key[1]) not in free:
            domain = variables[i].domain
            domain.clear()
            domain.extend([incumbent[i], incumbent[i]])
    obj = sub.proto.objective
    ct = sub.proto.constraints.add()
    ct.linear.vars.extend(obj.vars)
    ct.linear.coeffs.extend(obj.coeffs)
    ct.linear.domain.extend([-(1 << 60), limit])  # no worse than the incumbent (in proto units, no offset)
    sub.proto.solution_hint.vars.extend(range(len(incumbent)))
    sub.proto.solution_hint.values.extend(incumbent)
    solver = make_cp_solver(time_limit_s=time_s, seed=seed, deterministic=deterministic,
                            deadline=deadline if deterministic else None, linearization_level=2)
    status = solver.solve(sub)
    work = float(solver.response_proto.deterministic_time)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return -1, [], status == cp_model.INFEASIBLE, work
    return round(solver.objective_value), list(solver.response_proto.solution), status == cp_model.OPTIMAL, work


def improve_parallel(rm: RosterModel, incumbent: list[int], objective: int, *, deadline: float, workers: int,
                     seed: int, sub_time_s: float = 1.0, patience_s: float | None = None,
                     focus: bool = True, on_improve: Callable[[int], None] | None = None,
                     work_s: float | None = None) -> tuple[list[int], int, LnsStats]:
    """Large-neighbourhood search with ``workers`` one-thread sub-solves running side by side.

    Each round draws one neighbourhood per worker from the same incumbent, re-solves them in parallel
    (CP-SAT releases the GIL) and keeps the best result that is no worse than the incumbent; many small,
    fast sub-solves beat few large ones on rosters, where an improvement is a coordinated change of a few
    agents or a few days.

    Parameters
    ----------
    rm : RosterModel
        The full model; never changed.
    incumbent : list of int
        Value of every model variable in the starting roster.
    objective : int
        Its objective in the model's integer units (offset included).
    deadline : float
        ``time.perf_counter()`` value to stop at, seconds.
    workers : int
        Sub-solves per round (one thread each).
    seed : int
        Seeds the neighbourhood choice and the sub-solves.
    sub_time_s : float, default 1
        Time limit of one sub-solve, seconds.
    patience_s : float, optional
        Stop after this many seconds without an improvement; default: run until the deadline.
    focus : bool, default True
        Draw half the neighbourhoods around shift-type demand the incumbent leaves short.
    on_improve : callable, optional
        Called with each better objective (model integer units, offset included).
    work_s : float, optional
        Reproducible mode: the search's budget in deterministic work (see :class:`_Work`); rounds and
        patience are then counted in it and ``deadline`` is only the safety net.

    Returns
    -------
    (solution, objective, stats)
        Every variable's value in the best roster, its objective, and search statistics.
    """
    from concurrent.futures import ThreadPoolExecutor

    rng = random.Random(seed)
    stats = LnsStats(solution=list(incumbent))
    t0 = time.perf_counter()
    index = {key: x.index for key, x in rm.work.items()}
    offset = round(rm.model.proto.objective.offset)
    size = 0.1
    best = list(incumbent)
    clock = _Work(rm, deadline, patience_s, work_s)
    n = max(1, workers)
    with ThreadPoolExecutor(max_workers=n) as pool:
        while True:
            left = clock.left()
            if clock.done():
                break
            values = {key: best[i] for key, i in index.items()}
            short = short_cells(rm, values) if focus else None
            jobs = []
            for _ in range(n):
                free = neighbourhood(rm, rng, size, short, values)
                jobs.append(pool.submit(_sub_solve, rm.model, index, free, best, objective - offset,
                                        min(sub_time_s, left), rng.randrange(1 << 30), clock.counted, deadline))
            results = [j.result() for j in jobs]
            stats.iterations += len(results)
            # the round's work is its slowest sub-solve (they run side by side); in order, so one seed, one sum
            clock.charge(max(r[3] for r in results))
            for _obj, _sol, proved, _work in results:
                # an easy neighbourhood (solved to optimality) may grow, a hard one shrinks
                size = min(0.5, size * 1.1) if proved else max(0.03, size * 0.9)
            found = [(o, s) for o, s, _, _ in results if s]
            if found:
                new, sol = min(found, key=lambda r: r[0])
                if new < objective:
                    clock.gained()
                    stats.improvements += 1
                    stats.trace.append((time.perf_counter() - t0, new))
                    if on_improve is not None:
                        on_improve(new)
                if new <= objective:
                    objective, best = new, sol
    stats.solution = best
    stats.work = clock.spent
    return best, objective, stats


class _Work:
    """When an LNS stops: at the clock's ``deadline`` and after ``patience_s`` without a gain, counted in
    wall seconds; or, given ``work_s`` (reproducible mode), in deterministic work, the clock then only the
    safety net. A sub-solve is charged its CP-SAT deterministic time plus a nominal cost of copying and
    fixing the model (``_STEP_S`` and ``_STEP_S_PER_VAR`` per variable), so that an LNS of many tiny
    sub-solves on a large model still stops near its nominal budget."""

    def __init__(self, rm: RosterModel, deadline: float, patience_s: float | None, work_s: float | None) -> None:
        self.deadline, self.patience_s, self.work_s = deadline, patience_s, work_s
        self.counted = work_s is not None
        self.step = _STEP_S + _STEP_S_PER_VAR * len(rm.model.proto.variables)
        self.spent = 0.0
        self.last_gain = 0.0 if self.counted else time.perf_counter()

    def now(self) -> float:
        return self.spent if self.counted else time.perf_counter()

    def left(self) -> float:
        """Budget left: work units in reproducible mode, else wall seconds."""
        if self.counted:
            assert self.work_s is not None
            return self.work_s - self.spent
        return self.deadline - time.perf_counter()

    def done(self) -> bool:
        if self.left() < 0.2 or (self.counted and time.perf_counter() >= self.deadline - 0.2):
            return True
        return self.patience_s is not None and self.now() - self.last_gain > self.patience_s

    def charge(self, deterministic_time: float) -> None:
        self.spent += float(deterministic_time) + self.step

    def gained(self) -> None:
        self.last_gain = self.now()
