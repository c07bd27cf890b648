"""Where shifts fall in time: the interval grid of a horizon, daylight-saving aware.

The grid counts *elapsed* time from local midnight of day 0, so a 23-hour or 25-hour day simply has fewer or
more intervals. Global interval ``g`` runs over the whole horizon; ``(d, t)`` addresses interval ``t`` of day
``d``. Shared by the CP-SAT model, the checker and the decomposition, so all three agree on what covers what.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from wfm.exceptions import DataFormatError

if TYPE_CHECKING:  # annotations only: the schema's coverage_frame reads the timeline
    from wfm.roster.models import RosterProblem, ShiftTemplate

__all__ = ["Timeline", "RequirementCell"]

_UTC = dt.UTC


@dataclass
class RequirementCell:
    """Aggregated requirement of one (interval, skill): agents needed, calls and handle time if known."""

    agents: float = 0.0
    volume: float | None = None
    aht_seconds: float | None = None


class Timeline:
    """The interval grid of ``problem.horizon`` and the intervals each shift covers.

    Parameters
    ----------
    problem : RosterProblem
        The problem whose horizon defines the grid.
    """

    def __init__(self, problem: RosterProblem) -> None:
        self.problem = problem
        h = problem.horizon
        self.tz = h.tz
        self.step_minutes = h.interval_minutes
        self.step = dt.timedelta(minutes=h.interval_minutes)
        self.origin = h.local_midnight(0).astimezone(_UTC)
        starts = [0]
        for d in range(h.days):
            starts.append(starts[-1] + h.intervals_in_day(d))
        self.day_start = starts
        self.n_intervals = starts[-1]

    # -- addressing ------------------------------------------------------------------------------------
    def index_of(self, ts: dt.datetime) -> int:
        """Global interval index of an aligned, tz-aware ``ts`` (may be outside the horizon)."""
        delta = ts.astimezone(_UTC) - self.origin
        q, r = divmod(delta, self.step)
        if r:
            raise DataFormatError(f"`ts` must be aligned to the {self.step_minutes}-minute grid; got {ts}")
        return int(q)

    def ts_of(self, g: int) -> dt.datetime:
        """Local, tz-aware start of global interval ``g``."""
        return (self.origin + g * self.step).astimezone(self.tz)

    def day_of_interval(self, g: int) -> tuple[int, int]:
        """``(d, t)`` of global interval ``g``."""
        lo, hi = 0, len(self.day_start) - 1
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self.day_start[mid] <= g:
                lo = mid
            else:
                hi = mid
        return lo, g - self.day_start[lo]

    # -- shifts ----------------------------------------------------------------------------------------
    def shift_start(self, d: int, shift: ShiftTemplate) -> dt.datetime:
        """Tz-aware start of ``shift`` on day ``d`` (its wall-clock start on that local date)."""
        h = self.problem.horizon
        local = dt.datetime.combine(h.date_of(d), shift.start, tzinfo=self.tz)
        return local.astimezone(_UTC).astimezone(self.tz)

    def _at(self, d: int, shift: ShiftTemplate, offset_minutes: int) -> dt.datetime:
        # elapsed arithmetic in UTC: aware + timedelta would be wall-clock arithmetic in the local zone
        t0 = self.shift_start(d, shift).astimezone(_UTC)
        return (t0 + dt.timedelta(minutes=offset_minutes)).astimezone(self.tz)

    def segments(self, d: int, shift: ShiftTemplate) -> list[tuple[dt.datetime, dt.datetime]]:
        """Work segments of ``shift`` on day ``d`` as tz-aware ``[start, end)`` pairs."""
        return [(self._at(d, shift, s.offset_minutes), self._at(d, shift, s.offset_minutes + s.minutes))
                for s in shift.segments]

    def shift_end(self, d: int, shift: ShiftTemplate) -> dt.datetime:
        return self._at(d, shift, shift.span_minutes)

    def inside(self, start: dt.datetime, end: dt.datetime) -> list[int]:
        """Global intervals (within the horizon) lying wholly inside ``[start, end)``."""
        a = (start.astimezone(_UTC) - self.origin) / self.step
        b = (end.astimezone(_UTC) - self.origin) / self.step
        lo, hi = max(0, math.ceil(a - 1e-9)), min(self.n_intervals, math.floor(b + 1e-9))
        return list(range(lo, hi))

    def touching(self, start: dt.datetime, end: dt.datetime) -> list[int]:
        """Global intervals (within the horizon) that overlap ``[start, end)``."""
        a = (start.astimezone(_UTC) - self.origin) / self.step
        b = (end.astimezone(_UTC) - self.origin) / self.step
        lo, hi = max(0, math.floor(a + 1e-9)), min(self.n_intervals, math.ceil(b - 1e-9))
        return list(range(lo, hi))

    def shift_cover(self, d: int, shift: ShiftTemplate) -> list[int]:
        """Intervals an agent on ``shift`` on day ``d`` covers, breaks not yet removed."""
        out: list[int] = []
        for a, b in self.segments(d, shift):
            out += self.inside(a, b)
        return out

    def break_options(self, d: int, shift: ShiftTemplate, k: int) -> list[tuple[int, list[int]]]:
        """Candidate starts of break ``k``: ``(offset_minutes, intervals it removes from cover)``.

        Starts step by the interval length from the earliest to the latest allowed offset.
        """
        b = shift.breaks[k]
        out = []
        off = b.earliest_offset_minutes
        while off <= b.latest_offset_minutes:
            out.append((off, self.touching(self._at(d, shift, off), self._at(d, shift, off + b.minutes))))
            off += self.step_minutes
        return out

    def break_period(self, d: int, shift: ShiftTemplate, k: int,
                     offset: int) -> tuple[dt.datetime, dt.datetime]:
        return self._at(d, shift, offset), self._at(d, shift, offset + shift.breaks[k].minutes)

    # -- requirements ----------------------------------------------------------------------------------
    @cached_property
    def requirements(self) -> dict[tuple[int, str | None], RequirementCell]:
        """Requirements keyed by ``(g, skill)``; duplicates add up (agents and calls)."""
        cells: dict[tuple[int, str | None], RequirementCell] = {}
        bad: list[str] = []
        for i, r in enumerate(self.problem.requirements):
            if r.ts is not None:
                g = self.index_of(r.ts)
            else:
                assert r.day is not None and r.interval is not None
                if r.interval >= self.day_start[r.day + 1] - self.day_start[r.day]:
                    bad.append(f"row {i}: interval {r.interval} beyond day {r.day}")
                    continue
                g = self.day_start[r.day] + r.interval
            if not 0 <= g < self.n_intervals:
                bad.append(f"row {i}: {r.ts or (r.day, r.interval)} outside the horizon")
                continue
            c = cells.setdefault((g, r.skill), RequirementCell())
            c.agents += r.agents
            if r.volume is not None and r.aht_seconds is not None:
                work = (c.volume or 0.0) * (c.aht_seconds or 0.0) + r.volume * r.aht_seconds
                c.volume = (c.volume or 0.0) + r.volume
                c.aht_seconds = work / c.volume if c.volume > 0 else r.aht_seconds
        if bad:
            raise DataFormatError("`requirements` rows outside the grid: " + "; ".join(bad[:5]))
        return cells
