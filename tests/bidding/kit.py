"""Helpers shared by the bidding tests: a small two-week problem and a ledger with a round open on it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from wfm.bidding import Ledger, PostedPrice, Rounds
from wfm.roster import Agent, Contract, Horizon, RosterProblem, Segment, ShiftDemand, ShiftTemplate

MONDAY = dt.date(2026, 3, 2)
AGENTS = [f"A{i:02d}" for i in range(1, 7)]


def problem(days: int = 14, agents: list[str] | None = None) -> RosterProblem:
    """Early, late and split shifts (split on weekdays only) over ``days`` days from a Monday."""
    shifts = [ShiftTemplate(id="E", start=dt.time(7), length_minutes=480, tags=["early"]),
              ShiftTemplate(id="L", start=dt.time(13), length_minutes=480, tags=["late"]),
              ShiftTemplate(id="S", start=dt.time(8), segments=[Segment(offset_minutes=0, minutes=240),
                                                                Segment(offset_minutes=540, minutes=240)],
                            weekdays=[0, 1, 2, 3, 4], tags=["split"])]
    return RosterProblem(
        name="two-weeks", horizon=Horizon(start=MONDAY, days=days), shifts=shifts,
        contracts=[Contract(id="FT", max_working_days_per_week=5), Contract(id="NS", allowed_shifts=["E", "L"])],
        agents=[Agent(id=a, contract="NS" if a == "A06" else "FT") for a in (agents or AGENTS)],
        shift_demands=[ShiftDemand(day=d, shift=s.id, required=1) for d in range(days) for s in shifts
                       if (MONDAY + dt.timedelta(days=d)).weekday() in s.weekdays])


PRICES = [PostedPrice(kind="day_off", points=5), PostedPrice(kind="day_off", date=MONDAY + dt.timedelta(days=5),
                                                             points=9),
          PostedPrice(kind="avoid_tag", shift_or_tag="split", points=4)]


def day(d: int) -> dt.date:
    return MONDAY + dt.timedelta(days=d)


def open_ledger(path: Path | str, *, grant: int = 20, name: str = "R1") -> tuple[Ledger, Rounds]:
    """A ledger at ``path`` with round ``name`` open on :func:`problem` and ``grant`` points per agent."""
    ledger = Ledger(path)
    rounds = Rounds(ledger)
    rounds.open(name, problem(), prices=PRICES)
    for a in AGENTS:
        if grant:
            ledger.grant(a, grant, reason="opening grant")
    return ledger, rounds
