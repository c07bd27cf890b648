"""Runs of days: at most N working days in a row; runs of work, and of days off, at least N days long.

A day off is any day without a shift — leave included — so a leave day ends a run of working days and
counts in a run of days off. Runs touching an end of the horizon are exempt from the minimums when the
contract says so (``exempt_edge_runs``: they may continue outside it); otherwise the outside counts as the
other state.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import numpy as np

from wfm.roster.models import Contract
from wfm.roster.rules.base import AgentView, CpContext, DPSpec, HardRule, RowContext, Violation
from wfm.roster.rules.calendar import short_runs

__all__ = ["Consecutive", "max_worked_in_window", "runs"]


def runs(worked: list[bool]) -> list[tuple[bool, int, int]]:
    """Maximal runs ``(state, first_day, length)`` of a worked/off sequence."""
    out: list[tuple[bool, int, int]] = []
    for d, w in enumerate(worked):
        if out and out[-1][0] == w:
            st, first, n = out[-1]
            out[-1] = (st, first, n + 1)
        else:
            out.append((w, d, 1))
    return out


class Consecutive(HardRule):
    """``max_consecutive_working_days``, ``min_consecutive_working_days`` and ``min_consecutive_days_off``.

    - CP: every ``N + 1`` days hold a day off; every run shorter than the minimum is cut by one clause
      (``other, same * j, other``), the strongest form of a minimum run; the monolithic model adds
      :meth:`cuts` (at most f(L) working days in L days, f from the three rules together).
    - DP: the current run (positive: working days, negative: days off, capped at the longest length a
      rule reads) and whether it started at the horizon's start (exempt).
    - Rows: an interior day off (on) has a neighbour off (on), summed over the group; every ``N + 1`` days
      hold at most ``N`` × members shifts; :meth:`day_cap` bounds a week's working days.
    """

    names = ("max_consecutive_working_days", "min_consecutive_working_days", "min_consecutive_days_off")

    def check(self, view: AgentView) -> Iterator[Violation]:
        c, n, aid = view.contract, view.n_days, view.agent.id
        for state, first, length in runs(view.worked):
            touches = first == 0 or first + length == n
            date = view.date(first)
            if state and c.max_consecutive_working_days is not None and length > c.max_consecutive_working_days:
                yield Violation("max_consecutive_working_days", aid, date, f"{length} days in a row")
            exempt = touches and c.exempt_edge_runs
            if state and c.min_consecutive_working_days and length < c.min_consecutive_working_days \
                    and not exempt:
                yield Violation("min_consecutive_working_days", aid, date, f"run of {length} days")
            if not state and c.min_consecutive_days_off and length < c.min_consecutive_days_off and not exempt:
                yield Violation("min_consecutive_days_off", aid, date, f"{length} days off")

    def cp(self, ctx: CpContext) -> None:
        n = ctx.n_days
        for a in ctx.agent_indices:
            k = ctx.contract(a).max_consecutive_working_days
            if k is None or k >= n:
                continue
            for d in range(n - k):
                if ctx.touch(range(d, d + k + 1)):
                    ctx.add(sum(ctx.day_on(a, e) for e in range(d, d + k + 1)) <= k,
                            "max_consecutive_working_days", a)
        for a in ctx.agent_indices:
            c = ctx.contract(a)
            if c.min_consecutive_working_days and c.min_consecutive_working_days > 1:
                _min_run(ctx, a, c.min_consecutive_working_days, c.exempt_edge_runs, True,
                         "min_consecutive_working_days")
        for a in ctx.agent_indices:
            c = ctx.contract(a)
            if c.min_consecutive_days_off and c.min_consecutive_days_off > 1:
                _min_run(ctx, a, c.min_consecutive_days_off, c.exempt_edge_runs, False, "min_consecutive_days_off")

    def cuts(self, ctx: CpContext) -> None:
        """At most f(L) working days in any L consecutive days, f from the three run rules together.

        Max consecutive working days, min consecutive working days and min consecutive days off together
        allow, say, at most 5 working days in 7 (5 on, 2 off), which the LP relaxation of the individual
        rules does not see. Only windows not implied by shorter ones are added.
        """
        n = ctx.n_days
        for a in ctx.agent_indices:
            c = ctx.contract(a)
            k = c.max_consecutive_working_days
            minc = c.min_consecutive_working_days or 1
            minoff = c.min_consecutive_days_off or 1
            if k is None or (minc <= 1 and minoff <= 1):
                continue
            f = [0] + [max_worked_in_window(m, k, minc, minoff) for m in range(1, n + 1)]
            for length in range(k + 2, n + 1):
                if f[length] >= length or any(f[length] >= f[i] + f[length - i] for i in range(1, length)):
                    continue
                for d in range(n - length + 1):
                    ctx.add(sum(ctx.day_on(a, e) for e in range(d, d + length)) <= f[length],
                            "max_consecutive_working_days", a)

    def dp(self, spec: DPSpec) -> _Run | None:
        c = spec.contract
        if (c.max_consecutive_working_days is None and (c.min_consecutive_working_days or 1) <= 1
                and (c.min_consecutive_days_off or 1) <= 1):
            return None
        return _Run(c)

    def day_cap(self, contract: Contract, days: list[int]) -> int | None:
        k = contract.max_consecutive_working_days
        return len(days) - len(days) // (k + 1) if k is not None and len(days) > k else None

    def group_rows(self, rc: RowContext) -> None:
        con, cname, n_d, n_g = rc.contract, rc.cname, rc.fp.n_days, len(rc.members)

        def ones(cs: np.ndarray) -> np.ndarray:
            return np.ones(len(cs), dtype=np.int64)

        for rule, k in (("off", con.min_consecutive_days_off), ("on", con.min_consecutive_working_days)):
            if not k or k < 2:
                continue
            for d in range(1, n_d - 1):
                prev, _ = rc.cols_of([d - 1])
                mid, _ = rc.cols_of([d])
                nxt, _ = rc.cols_of([d + 1])
                if rule == "off":  # w[d-1] + w[d+1] - w[d] <= 1
                    cs = np.concatenate([prev, nxt, mid])
                    coefs = np.concatenate([ones(prev), ones(nxt), -ones(mid)])
                    rc.row(f"min_consecutive_days_off(group={cname}, day={d})", cs, coefs, hi=n_g)
                else:  # w[d] - w[d-1] - w[d+1] <= 0
                    cs = np.concatenate([mid, prev, nxt])
                    coefs = np.concatenate([ones(mid), -ones(prev), -ones(nxt)])
                    rc.row(f"min_consecutive_working_days(group={cname}, day={d})", cs, coefs, hi=0)
        kmax = con.max_consecutive_working_days
        if kmax is not None and kmax < n_d:
            for d in range(n_d - kmax):
                cs, _ = rc.cols_of(list(range(d, d + kmax + 1)))
                if len(cs):
                    rc.row(f"max_consecutive_working_days(group={cname}, day={d})", cs, ones(cs), hi=kmax * n_g)


def _min_run(ctx: CpContext, a: int, k: int, exempt: bool, working: bool, rule: str) -> None:
    """Forbid every run (of work if ``working`` else of days off) shorter than ``k`` by one clause each.

    Days a model fixed are constants: a clause they satisfy is dropped, a literal they falsify is left out.
    """
    def lit(d: int, state: bool) -> Any:  # "day d is in `state`"
        x = ctx.day_literal(a, d)
        if isinstance(x, bool):
            val = x if working else not x
            return val if state else not val
        y = x if working else x.Not()
        return y if state else y.Not()

    for inside, before, after in short_runs(ctx.n_days, k, exempt):
        span = range(inside.start if before is None else before, (inside.stop - 1 if after is None else after) + 1)
        if not ctx.touch(span):
            continue
        clause = [lit(d, False) for d in inside] + [lit(d, True) for d in (before, after) if d is not None]
        if any(x is True for x in clause):
            continue
        ctx.add_clause([x for x in clause if x is not False], rule, a)


class _Run:
    """State ``(run, edge)``: run > 0 working days, < 0 days off, 0 before day 0; edge: an exempt first run."""

    def __init__(self, c: Contract) -> None:
        self.k_max = c.max_consecutive_working_days
        self.k_on = c.min_consecutive_working_days if (c.min_consecutive_working_days or 1) > 1 else None
        self.k_off = c.min_consecutive_days_off if (c.min_consecutive_days_off or 1) > 1 else None
        self.cap_on = max(self.k_max or 1, self.k_on or 1)
        self.cap_off = self.k_off or 1
        self.exempt = c.exempt_edge_runs

    def feature(self, d: int, s: int) -> bool:
        return True

    def init(self) -> tuple[int, bool]:
        return (0, False)

    def step(self, state: tuple[int, bool], d: int, f: Any) -> tuple[int, bool] | None:
        run, edge = state
        if f is not None:
            if run < 0:
                if self.k_off and not edge and -run < self.k_off:
                    return None
                run, edge = 1, False
            elif run == 0:
                run, edge = 1, self.exempt
            else:
                run += 1
            if self.k_max is not None and run > self.k_max:
                return None
            return (min(run, self.cap_on), edge)
        if run > 0:
            if self.k_on and not edge and run < self.k_on:
                return None
            return (-1, False)
        if run == 0:
            return (-1, self.exempt)
        return (max(run - 1, -self.cap_off), edge)

    def final(self, state: tuple[int, bool]) -> bool:
        run, edge = state
        return self.exempt or not (run > 0 and self.k_on and run < self.k_on
                                   or run < 0 and self.k_off and -run < self.k_off)


@lru_cache(maxsize=4096)  # pure, and asked again for every agent of every model (12 k calls per award)
def max_worked_in_window(length: int, max_run: int | None, min_run: int, min_off: int) -> int:
    """Most working days in ``length`` consecutive days under the run rules, by dynamic programming.

    Runs touching either end of the window are exempt from the minimum lengths (they may continue outside
    it), so the figure holds for every window of the horizon.
    """
    cap = max_run if max_run is not None else length
    # state: (bit, run length, still the first run) -> most ones so far
    states: dict[tuple[int, int, bool], int] = {(0, 1, True): 0}
    if cap >= 1:
        states[1, 1, True] = 1
    for _ in range(length - 1):
        nxt: dict[tuple[int, int, bool], int] = {}
        for (b, r, first), ones in states.items():
            for nb in (0, 1):
                if nb == b:
                    if nb == 1 and r + 1 > cap:
                        continue
                    key = (b, min(r + 1, length), first)
                elif not first and r < (min_run if b == 1 else min_off):
                    continue
                else:
                    if nb == 1 and cap < 1:
                        continue
                    key = (nb, 1, False)
                nxt[key] = max(nxt.get(key, -1), ones + nb)
        states = nxt
    return max(states.values())
