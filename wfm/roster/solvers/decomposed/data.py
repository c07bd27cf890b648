"""A :class:`RosterProblem` flattened to arrays for the decomposed solver.

Time is one axis of ``H`` intervals over the whole horizon: interval ``g`` starts ``g * interval_minutes``
elapsed minutes after local midnight of the first day, so day ``d`` owns intervals
``day_offset[d] .. day_offset[d+1]-1`` (46, 48 or 50 of them at 30 minutes, never assumed). A shift on day
``d`` starts at its wall-clock time on that date; its work segments and breaks are elapsed offsets from
there. A *variant* of a shift is one choice of break starts (on the interval grid, inside each break's
window); it fixes the intervals the agent is on the phones: whole intervals inside a segment that touch no
break.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

import numpy as np

from wfm.exceptions import InvalidParameterError
from wfm.roster.models import Contract, RosterProblem, ShiftTemplate
from wfm.roster.rules.calendar import weekend_groups, weeks
from wfm.roster.timeline import Timeline

__all__ = ["Variant", "FlatProblem", "flatten"]

_MAX_VARIANTS = 64  # break-start combinations kept per (day, shift); more are thinned evenly


@dataclass(frozen=True)
class Variant:
    """One way to work shift ``s`` on day ``d``: break starts (minutes after the shift start) and cover."""

    break_offsets: tuple[int, ...]
    intervals: np.ndarray


@dataclass
class FlatProblem:
    """Arrays the stage-1 and stage-2 models read (see the module docstring for the time axis)."""

    problem: RosterProblem
    n_days: int
    interval_minutes: int
    day_offset: np.ndarray
    required: np.ndarray
    shifts: list[ShiftTemplate]
    shift_index: dict[str, int]
    paid: np.ndarray
    start_min: np.ndarray            # (D, S) elapsed minutes of the shift start from the horizon origin
    end_min: np.ndarray              # (D, S) elapsed minutes of the end of the last segment
    usable: np.ndarray               # (D, S) the shift may be used that weekday
    variants: dict[tuple[int, int], list[Variant]]
    contracts: list[Contract]
    agent_contract: np.ndarray       # (A,) contract index
    available: np.ndarray            # (A, D) not on leave
    allowed: np.ndarray              # (A, S) contract and max_shifts allow the shift at all
    locked: list[dict[int, int | None]]  # per agent: day -> shift index or None (day off)
    weekend_groups: list[list[int]]  # days of each calendar weekend (the checker's grouping)
    tags: list[set[str]] = field(default_factory=list)
    weeks: list[list[int]] = field(default_factory=list)  # days of each calendar week (the checker's weeks)
    # the pricers' contract graphs (wfm.roster.solvers.decomposed.contract_graph), built once: they read the rules
    # and the
    # calendar, never the weights, so a copy of this problem with other weights shares them
    graphs: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def n_agents(self) -> int:
        return len(self.agent_contract)

    @property
    def n_shifts(self) -> int:
        return len(self.shifts)

    @property
    def n_weeks(self) -> int:
        return len(self.weeks)

    def week_days(self, w: int) -> range:
        return range(self.weeks[w][0], self.weeks[w][-1] + 1)

    def full_week(self, w: int) -> bool:
        return len(self.weeks[w]) == 7


def flatten(problem: RosterProblem) -> FlatProblem:
    """Flatten ``problem`` for the decomposed solver (cover computed by the shared :class:`Timeline`).

    Raises
    ------
    InvalidParameterError
        The problem has skill-specific requirements or shift demands (the decomposition covers head-count
        interval requirements only).
    """
    tl = Timeline(problem)
    hz = problem.horizon
    n_days = hz.days
    day_offset = np.asarray(tl.day_start, dtype=np.int64)
    n_int = tl.n_intervals
    if problem.shift_demands:
        raise InvalidParameterError("the decomposed solver covers interval requirements; `shift_demands` given "
                                    f"({len(problem.shift_demands)} rows) — use strategy='monolithic'")
    required = np.zeros(n_int, dtype=float)
    # only intervals with a requirement row are priced (no row: neither shortfall nor over-staffing)
    wanted = np.zeros(n_int, dtype=bool)
    for (g, skill), cell in tl.requirements.items():
        wanted[g] = True
        if skill is not None:
            raise InvalidParameterError(
                f"the decomposed solver covers head-count requirements only; requirement `skill`={skill!r} "
                "given — use strategy='monolithic'")
        required[g] += cell.agents

    shifts = list(problem.shifts)
    shift_index = {s.id: i for i, s in enumerate(shifts)}
    n_s = len(shifts)
    paid = np.array([s.paid_minutes for s in shifts], dtype=np.int64)
    origin = tl.origin

    def minute(when: dt.datetime) -> int:
        return int(round((when.astimezone(dt.UTC) - origin).total_seconds() / 60))

    start_min = np.zeros((n_days, n_s), dtype=np.int64)
    end_min = np.zeros((n_days, n_s), dtype=np.int64)
    usable = np.zeros((n_days, n_s), dtype=bool)
    variants: dict[tuple[int, int], list[Variant]] = {}
    for d in range(n_days):
        weekday = hz.date_of(d).weekday()
        for s, tpl in enumerate(shifts):
            start_min[d, s] = minute(tl.shift_start(d, tpl))
            end_min[d, s] = minute(tl.shift_end(d, tpl))
            usable[d, s] = weekday in tpl.weekdays
            if usable[d, s]:
                variants[d, s] = _variants(tl, d, tpl, wanted)

    contracts = list(problem.contracts)
    c_index = {c.id: i for i, c in enumerate(contracts)}
    n_a = len(problem.agents)
    agent_contract = np.array([c_index[a.contract] for a in problem.agents], dtype=np.int64)
    available = np.ones((n_a, n_days), dtype=bool)
    allowed = np.ones((n_a, n_s), dtype=bool)
    locked: list[dict[int, int | None]] = []
    for i, a in enumerate(problem.agents):
        for day in a.leave:
            d = hz.day_of(day)
            if 0 <= d < n_days:
                available[i, d] = False
        con = contracts[agent_contract[i]]
        if con.allowed_shifts is not None:
            ok = set(con.allowed_shifts)
            allowed[i] = [s.id in ok for s in shifts]
        for sid, cap in a.max_shifts.items():
            if cap == 0:
                allowed[i, shift_index[sid]] = False
        lk: dict[int, int | None] = {}
        for la in a.locked:
            d = hz.day_of(la.date)
            lk[d] = None if la.shift is None else shift_index[la.shift]
        locked.append(lk)

    return FlatProblem(problem=problem, n_days=n_days, interval_minutes=hz.interval_minutes,
                       day_offset=day_offset, required=required, shifts=shifts, shift_index=shift_index,
                       paid=paid, start_min=start_min, end_min=end_min, usable=usable, variants=variants,
                       contracts=contracts, agent_contract=agent_contract, available=available,
                       allowed=allowed, locked=locked, weekend_groups=weekend_groups(problem),
                       tags=[set(s.tags) for s in shifts], weeks=weeks(problem))


def _variants(tl: Timeline, d: int, tpl: ShiftTemplate, wanted: np.ndarray) -> list[Variant]:
    """Every choice of break starts of ``tpl`` on day ``d`` and the priced intervals it leaves on the phones."""
    cover = [g for g in tl.shift_cover(d, tpl) if wanted[g]]
    options = [tl.break_options(d, tpl, k) for k in range(len(tpl.breaks))]
    out: list[Variant] = []
    for combo in itertools.product(*options) if options else [()]:
        spans = sorted((off, off + b.minutes) for (off, _), b in zip(combo, tpl.breaks, strict=True))
        if any(x[1] > y[0] for x, y in zip(spans, spans[1:], strict=False)):
            continue  # overlapping breaks
        removed: set[int] = set()
        for _, gone in combo:
            removed.update(gone)
        out.append(Variant(tuple(off for off, _ in combo),
                           np.array([g for g in cover if g not in removed], dtype=np.int64)))
    if len(out) > _MAX_VARIANTS:
        keep = np.linspace(0, len(out) - 1, _MAX_VARIANTS).round().astype(int)
        out = [out[i] for i in sorted(set(keep.tolist()))]
    return out
