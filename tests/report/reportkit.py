"""A small two-week call-centre roster for the report tests: early, late, split and part-time shifts, breaks,
leave, a fixed day off, call volumes (so the service level is projected) and a few short intervals."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from tests.roster.rosterkit import MONDAY, roster
from wfm.roster import (
    Agent,
    Break,
    Contract,
    Horizon,
    LockedAssignment,
    Requirement,
    RosterProblem,
    RosterSolution,
    Segment,
    ShiftTemplate,
)

SHIFTS = [
    ShiftTemplate(id="E0800", start=dt.time(8), length_minutes=510, tags=["early"],
                  breaks=[Break(minutes=30, earliest_offset_minutes=180, latest_offset_minutes=300)]),
    ShiftTemplate(id="L1400", start=dt.time(14), length_minutes=480, tags=["late"],
                  breaks=[Break(minutes=30, earliest_offset_minutes=180, latest_offset_minutes=300)]),
    ShiftTemplate(id="X0800", start=dt.time(8), segments=[Segment(minutes=240), Segment(offset_minutes=480,
                                                                                        minutes=240)],
                  tags=["split"]),
    ShiftTemplate(id="P1000", start=dt.time(10), length_minutes=240, tags=["part"]),
]
LEAVE = ("a1", 2)       # agent a1 is on leave on day 2
FIXED_OFF = ("a2", 3)   # agent a2 has day 3 locked off


def problem(days: int = 14, agents: int = 8) -> RosterProblem:
    """Requirements 08:00-22:00 every day, M-shaped (peaks at 10:00 and 16:00), with calls and handle time."""
    h = Horizon(start=MONDAY, days=days, interval_minutes=30, timezone="Europe/Paris")
    reqs = []
    for d in range(days):
        for t in range(16, 44):
            hour = t / 2
            need = 1 + round(2.5 * np.exp(-((hour - 10.5) / 1.5) ** 2) + 2 * np.exp(-((hour - 16.5) / 1.5) ** 2))
            reqs.append(Requirement(day=d, interval=t, agents=need, volume=7.0 * need, aht_seconds=180))
    people = [Agent(id=f"a{i}", contract="C", skills=["default"]) for i in range(agents)]
    people[1] = people[1].model_copy(update={"leave": [h.date_of(LEAVE[1])]})
    people[2] = people[2].model_copy(update={"locked": [LockedAssignment(date=h.date_of(FIXED_OFF[1]))]})
    return RosterProblem(name="report-kit", horizon=h, shifts=SHIFTS, contracts=[Contract(id="C")], agents=people,
                         requirements=reqs)


def solution(p: RosterProblem) -> RosterSolution:
    """A hand-made roster: each agent works five days in seven, rotating through the four shifts."""
    cells = []
    for i, a in enumerate(p.agents):
        for d in range(p.horizon.days):
            if (d + i) % 7 in (5, 6) or (a.id, d) in (LEAVE, FIXED_OFF):
                continue
            cells.append((a.id, d, SHIFTS[(i + d // 7) % len(SHIFTS)].id))
    return roster(p, cells)


def history_and_forecast(p: RosterProblem) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two weeks of history before the horizon and a forecast over it with a 10%-90% band."""
    rng = np.random.default_rng(0)
    ts = pd.date_range(pd.Timestamp(p.horizon.start) - pd.Timedelta(days=14), periods=28 * 48, freq="30min")
    base = np.clip(np.sin((ts.hour + ts.minute / 60 - 7) / 15 * np.pi), 0, None) * 30
    hist = pd.DataFrame({"ts": ts[: 14 * 48], "volume": rng.poisson(base[: 14 * 48])})
    fc = pd.DataFrame({"ts": ts[14 * 48:], "volume": base[14 * 48:], "volume_q10": base[14 * 48:] * 0.8,
                       "volume_q90": base[14 * 48:] * 1.2})
    return hist, fc
