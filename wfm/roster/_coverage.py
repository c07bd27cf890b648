"""Coverage of a roster per requirement interval, with the projected service level."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from wfm.roster.timeline import Timeline

if TYPE_CHECKING:  # pragma: no cover
    from wfm.roster.models import RosterProblem, RosterSolution

__all__ = ["coverage_frame", "scheduled_counts"]


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

    ``service_level`` is the fraction of calls answered within ``problem.answer_seconds`` projected with
    Erlang C for the scheduled agents (NaN where the requirement has no ``volume``/``aht_seconds``).
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
    known = df["volume"].notna() & df["aht_seconds"].notna()
    if known.any():
        try:
            from wfm.erlang import service_level
        except ImportError:  # pragma: no cover - erlang ships with the package
            service_level = None
        if service_level is not None:
            idx = np.flatnonzero(known.to_numpy())
            sl[idx] = service_level(df["volume"].to_numpy(float)[idx], df["aht_seconds"].to_numpy(float)[idx],
                                    df["scheduled"].to_numpy(int)[idx], answer_seconds=problem.answer_seconds,
                                    interval_seconds=problem.horizon.interval_minutes * 60)
    df["service_level"] = sl
    return df[cols]
