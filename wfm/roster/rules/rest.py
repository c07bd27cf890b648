"""Rest between days: minimum rest hours and forbidden successions share one notion, the *clash*.

Shift ``s1`` on day ``d`` clashes with shift ``s2`` on day ``d + 1`` when the rest between them is shorter
than ``min_rest_hours`` or the pair matches a forbidden succession; a clashing pair is never one agent's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from wfm.roster.models import Contract, ShiftTemplate
from wfm.roster.rules.base import AgentView, CpContext, DPSpec, HardRule, RowContext, Violation

__all__ = ["Rest", "clashes"]


def clashes(contract: Contract, gap_minutes: float, t1: ShiftTemplate, t2: ShiftTemplate) -> bool:
    """Whether ``t1`` then ``t2`` the next day, ``gap_minutes`` apart, breaks rest or a succession rule."""
    if contract.min_rest_hours and gap_minutes < contract.min_rest_hours * 60:
        return True
    return any(f.first.matches(t1) and f.second.matches(t2) for f in contract.forbidden_successions)


class Rest(HardRule):
    """``min_rest_hours`` between a shift's end and the next day's start; no forbidden succession.

    - CP: one encoding of the clash in two row forms, which the model picks (``CpContext.clash_rows``):
      ``"pairs"`` (the monolithic model, which explains infeasibility by rule: one row ``x1 + x2 <= 1`` per
      pair too close to rest, one row ``sum(firsts) + sum(seconds) <= 1`` per succession and day) or
      ``"cliques"`` (stage 2: one row per day and first shift, ``x1 + sum(every next-day shift it clashes
      with) <= 1``; a quarter fewer rows). At most one shift a day, so both say the same; each model keeps
      the form its search was tuned on, so both models are row for row what they were before the rules
      had one home (a single form moved 1-week monolithic and 4-week stage-2 results by -18% to +10%).
    - DP: the clash class of the day's shift (shifts that forbid the same next-day shifts share one).
    - Rows: per day and first shift, the shifts of today clashing with everything it clashes with and
      those of tomorrow are never one agent's: their sum is at most the agents free on either day.
    """

    names = ("min_rest_hours", "forbidden_successions")

    def check(self, view: AgentView) -> Iterator[Violation]:
        c, aid = view.contract, view.agent.id
        for d in range(view.n_days - 1):
            x, y = view.mine.get(d), view.mine.get(d + 1)
            if x is None or y is None:
                continue
            if c.min_rest_hours:
                rest = (y.start - x.end).total_seconds() / 3600
                if rest < c.min_rest_hours:
                    yield Violation("min_rest_hours", aid, x.date, f"{rest:g} h rest before {y.date}")
            for fs in c.forbidden_successions:
                if fs.first.matches(view.shifts[x.shift]) and fs.second.matches(view.shifts[y.shift]):
                    yield Violation("forbidden_successions", aid, x.date, f"{x.shift} then {y.shift}")

    def cp(self, ctx: CpContext) -> None:
        if ctx.clash_rows == "pairs":
            self._pairs(ctx)
        else:
            self._cliques(ctx)

    def _pairs(self, ctx: CpContext) -> None:
        """Rest: one row per clashing pair; successions: one row per succession and day."""
        # next-day shifts too close to (day, shift) under a rest of so many minutes: the same for every agent of
        # that rest, so asked once per model (the award's exchange search builds hundreds of 6-agent models,
        # and asking per agent and pair was 57 % of their build); rows come out in the same order as before
        near: dict[tuple[int, int, float], list[int]] = {}
        every = range(len(ctx.shifts))
        for a in ctx.agent_indices:
            c = ctx.contract(a)
            if not c.min_rest_hours:
                continue
            rest = c.min_rest_hours * 60
            for d in range(ctx.n_days - 1):
                if not ctx.touch((d, d + 1)):
                    continue
                for s1 in ctx.day_shifts(a, d):
                    close = near.get((d, s1, rest))
                    if close is None:
                        close = near[d, s1, rest] = [s2 for s2 in every if ctx.gap_minutes(d, s1, s2) < rest]
                    x1 = ctx.shift_var(a, d, s1)
                    for s2 in close:
                        x2 = ctx.shift_var(a, d + 1, s2)
                        if x2 is not None:
                            ctx.add(x1 + x2 <= 1, "min_rest_hours", a, d)
        for a in ctx.agent_indices:
            for fs in ctx.contract(a).forbidden_successions:
                firsts = [s for s, t in enumerate(ctx.shifts) if fs.first.matches(t)]
                seconds = [s for s, t in enumerate(ctx.shifts) if fs.second.matches(t)]
                for d in range(ctx.n_days - 1):
                    if not ctx.touch((d, d + 1)):
                        continue
                    x1 = [x for x in (ctx.shift_var(a, d, s) for s in firsts) if x is not None]
                    x2 = [x for x in (ctx.shift_var(a, d + 1, s) for s in seconds) if x is not None]
                    if x1 and x2:  # at most one shift a day: the sums are 0/1, this is the pairwise clause set
                        ctx.add(sum(x1) + sum(x2) <= 1, "forbidden_successions", a, d)

    def _cliques(self, ctx: CpContext) -> None:
        """One row per day and first shift over every next-day shift it clashes with (rest or succession)."""
        for a in ctx.agent_indices:
            c = ctx.contract(a)
            if not c.min_rest_hours and not c.forbidden_successions:
                continue
            for d in range(ctx.n_days - 1):
                if not ctx.touch((d, d + 1)):
                    continue
                for s1 in ctx.day_shifts(a, d):
                    t1 = ctx.shifts[s1]
                    bad = [ctx.shift_var(a, d + 1, s2) for s2 in ctx.day_shifts(a, d + 1)
                           if clashes(c, ctx.gap_minutes(d, s1, s2), t1, ctx.shifts[s2])]
                    if bad:
                        ctx.add(ctx.shift_var(a, d, s1) + sum(bad) <= 1, "min_rest_hours", a, d)

    def dp(self, spec: DPSpec) -> _Clash | None:
        c = spec.contract
        return _Clash(spec) if c.min_rest_hours or c.forbidden_successions else None

    def group_rows(self, rc: RowContext) -> None:
        fp, con = rc.fp, rc.contract
        for d in range(fp.n_days - 1):
            today = sorted({int(s) for s in rc.cols_of([d])[1]})
            tomorrow = sorted({int(s) for s in rc.cols_of([d + 1])[1]})
            if not today or not tomorrow:
                continue
            able = int(np.sum(rc.works_day[rc.members, d] | rc.works_day[rc.members, d + 1]))

            def clash(s1: int, s2: int, d: int = d) -> bool:
                return clashes(con, fp.start_min[d + 1, s2] - fp.end_min[d, s1], fp.shifts[s1], fp.shifts[s2])

            seen: set[tuple[tuple[int, ...], tuple[int, ...]]] = set()
            for s1 in today:
                # the shifts of today that clash with everything s1 clashes with, and those shifts
                later = [s2 for s2 in tomorrow if clash(s1, s2)]
                if not later:
                    continue
                firsts = [t for t in today if all(clash(t, s2) for s2 in later)]
                key = (tuple(firsts), tuple(later))
                if key in seen:
                    continue
                seen.add(key)
                c1, _ = rc.cols_of([d], lambda s, f=set(firsts): s in f)
                c2, _ = rc.cols_of([d + 1], lambda s, ll=set(later): s in ll)
                cs = np.concatenate([c1, c2])
                rc.row(f"rest(group={rc.cname}, day={d}, first={fp.shifts[s1].id})", cs,
                       np.ones(len(cs), dtype=np.int64), hi=able)


class _Clash:
    """State: the clash class of the last day's shift (0: a day off, or a shift that forbids nothing)."""

    def __init__(self, spec: DPSpec) -> None:
        fp, c = spec.fp, spec.contract

        def clash(d: int, s1: int, s2: int) -> bool:
            return clashes(c, fp.start_min[d + 1, s2] - fp.end_min[d, s1], fp.shifts[s1], fp.shifts[s2])

        self.classes: list[dict[int, int]] = []
        self.reps: list[list[int]] = []
        options = spec.options
        for d, opts in enumerate(options):
            nxt = options[d + 1] if d + 1 < len(options) else []
            rows: dict[tuple[bool, ...], int] = {}
            cls: dict[int, int] = {}
            reps: list[int] = []
            for s in opts:
                row = tuple(clash(d, s, t) for t in nxt)
                if not any(row):
                    cls[s] = 0
                    continue
                if row not in rows:
                    rows[row] = len(rows) + 1
                    reps.append(s)
                cls[s] = rows[row]
            self.classes.append(cls)
            self.reps.append(reps)
        self.clash = clash

    def feature(self, d: int, s: int) -> tuple[tuple[bool, ...], int]:
        clash_in = tuple(self.clash(d - 1, rep, s) for rep in self.reps[d - 1]) if d else ()
        return clash_in, self.classes[d][s]

    def init(self) -> int:
        return 0

    def step(self, lc: int, d: int, f: Any) -> int | None:
        if f is None:
            return 0
        clash_in, out_class = f
        if lc and clash_in[lc - 1]:
            return None
        return out_class

    def final(self, lc: int) -> bool:
        return True
