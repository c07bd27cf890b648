"""Coverage of a roster per requirement interval, with the projected service level."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wfm.roster.timeline import Timeline

if TYPE_CHECKING:  # pragma: no cover
    from wfm.roster.models import RosterProblem, RosterSolution

__all__ = ["coverage_frame", "scheduled_counts", "projected_service_level"]


def scheduled_counts(problem: RosterProblem, solution: RosterSolution) -> dict[tuple[int, str | None], int]:
    """Agents at work (wholly inside a segment, off break) per (global interval, skill) with a requirement."""
    tl = Timeline(problem)
    need = tl.requirements
    skills = {a.id: set(a.skills) for a in problem.agents}
    have: dict[tuple[int, str | None], int] = {}
    for x in solution.assignments:
        present: set[int] = set()
        for p in x.segments:
            present.update(tl.inside(p.start, p.end))
        for b in x.breaks:
            present.difference_update(tl.touching(b.start, b.end))
        for g in present:
            for skill in [None, *skills.get(x.agent, ())]:
                if (g, skill) in need:
                    have[g, skill] = have.get((g, skill), 0) + 1
    return have


def coverage_frame(problem: RosterProblem, solution: RosterSolution) -> pd.DataFrame:
    """One row per requirement interval and skill: required, scheduled, shortfall, over, service level.

    ``service_level`` is the fraction of calls answered within the answer time, projected for the agents
    the roster puts on the phones (NaN where the requirement has no ``volume``/``aht_seconds``). With a
    ``problem.service_target`` that is ``scheduled × (1 − shrinkage)`` agents (whole agents either side
    interpolated linearly), Erlang A when its ``patience_seconds`` is known; without one, ``scheduled``
    agents under Erlang C at ``problem.answer_seconds``.
    """
    tl = Timeline(problem)
    have = scheduled_counts(problem, solution)
    rows = []
    for (g, skill), cell in sorted(tl.requirements.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        d, t = tl.day_of_interval(g)
        n = have.get((g, skill), 0)
        rows.append({"ts": tl.ts_of(g), "day": d, "interval": t, "skill": skill, "required": cell.agents,
                     "scheduled": n, "shortfall": max(0.0, cell.agents - n), "over": max(0.0, n - cell.agents),
                     "volume": cell.volume, "aht_seconds": cell.aht_seconds})
    cols = ["ts", "day", "interval", "skill", "required", "scheduled", "shortfall", "over", "service_level"]
    if not rows:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame(rows)
    sl = np.full(len(df), np.nan)
    known = (df["volume"].notna() & df["aht_seconds"].notna()).to_numpy()
    if known.any():
        idx = np.flatnonzero(known)
        sl[idx] = projected_service_level(problem, df["volume"].to_numpy(float)[idx],
                                          df["aht_seconds"].to_numpy(float)[idx],
                                          df["scheduled"].to_numpy(float)[idx])
    df["service_level"] = sl
    return df[cols]


def projected_service_level(problem: RosterProblem, volume: np.ndarray, aht_seconds: np.ndarray,
                            scheduled: np.ndarray) -> np.ndarray:
    """Service level (fraction in [0, 1]) of intervals with ``volume`` calls and ``aht_seconds`` seconds of
    handle time when the roster schedules ``scheduled`` agents there (at work, off break).

    ``problem.service_target`` says how many of them are on the phones (``1 − shrinkage`` of them; a
    fractional count interpolates linearly between the whole numbers either side), the answer time and,
    when known, the callers' patience (Erlang A); without a target every scheduled agent is on the phones
    and Erlang C applies at ``problem.answer_seconds``.
    """
    from wfm.erlang import service_level

    target = problem.service_target
    interval_seconds = problem.horizon.interval_minutes * 60
    if target is None:
        return np.asarray(service_level(volume, aht_seconds, scheduled, answer_seconds=problem.answer_seconds,
                                        interval_seconds=interval_seconds), dtype=float)
    on_phone = np.asarray(scheduled, dtype=float) * (1.0 - target.shrinkage)
    # a hair below a whole number is that number: 9 scheduled at 10% shrinkage are 8.1, 10 at 10% are 9
    low = np.floor(on_phone + 1e-9)
    frac = np.clip(on_phone - low, 0.0, 1.0)

    def at(agents: np.ndarray) -> np.ndarray:
        return np.asarray(service_level(volume, aht_seconds, agents, answer_seconds=target.answer_seconds,
                                        interval_seconds=interval_seconds,
                                        patience_seconds=target.patience_seconds), dtype=float)

    base = at(low)
    if not (frac > 0).any():
        return base
    return base + frac * (at(low + 1.0) - base)
