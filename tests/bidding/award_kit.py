"""A tight two-week problem for the award tests: every bid reason happens on it.

Six agents (five on FT, A06 on NS: no split shifts), each working at most five days a week; early, late and
split shifts. The weekly demand (31 shifts) is one more than the agents can work (30), so the best roster
leaves one shift short each week (cost 10 a week) and days off are scarce: one agent off on Monday, Tuesday,
Thursday and Friday, nobody on Wednesday (six shifts), about three on Saturday and four on Sunday. A01 is
on leave the first weekend, so its day off on the first Wednesday would cost a shift more.
"""

from __future__ import annotations

import datetime as dt

from wfm.bidding import BidItem, HeldBid, PostedPrice
from wfm.roster import Agent, Contract, Horizon, RosterProblem, Segment, ShiftDemand, ShiftTemplate

MONDAY = dt.date(2026, 3, 2)
AGENTS = [f"A{i:02d}" for i in range(1, 7)]
PRICES = [PostedPrice(kind="day_off", points=5), PostedPrice(kind="avoid_tag", shift_or_tag="split", points=4)]


def day(d: int) -> dt.date:
    return MONDAY + dt.timedelta(days=d)


def problem(days: int = 14) -> RosterProblem:
    """The tight problem (``days`` from a Monday)."""
    shifts = [ShiftTemplate(id="E", start=dt.time(7), length_minutes=480, tags=["early"]),
              ShiftTemplate(id="L", start=dt.time(13), length_minutes=480, tags=["late"]),
              ShiftTemplate(id="S", start=dt.time(8), segments=[Segment(offset_minutes=0, minutes=240),
                                                                Segment(offset_minutes=540, minutes=240)],
                            weekdays=[0, 1, 2, 3, 4], tags=["split"])]
    need = {0: {"E": 2, "L": 2, "S": 1}, 1: {"E": 2, "L": 2, "S": 1}, 2: {"E": 2, "L": 2, "S": 2},
            3: {"E": 2, "L": 2, "S": 1}, 4: {"E": 2, "L": 2, "S": 1}, 5: {"E": 2, "L": 1}, 6: {"E": 2}}
    demands = [ShiftDemand(day=d, shift=s, required=n, under_weight=10, over_weight=1)
               for d in range(days) for s, n in need[day(d).weekday()].items()]
    return RosterProblem(
        name="tight", horizon=Horizon(start=MONDAY, days=days), shifts=shifts,
        contracts=[Contract(id="FT", max_working_days_per_week=5),
                   Contract(id="NS", allowed_shifts=["E", "L"], max_working_days_per_week=5)],
        # A01 is on leave the first weekend, so it must work the five weekdays of week 0
        agents=[Agent(id=a, contract="NS" if a == "A06" else "FT", hire_date=dt.date(2015 + i, 1, 1),
                      leave=[day(5), day(6)] if a == "A01" else [])
                for i, a in enumerate(AGENTS)],
        shift_demands=demands)


ITEMS: dict[str, list[BidItem]] = {
    "A01": [BidItem(kind="day_off", date=day(2), points=5),                       # Wednesday: coverage
            BidItem(kind="avoid_tag", week=1, tag="split", points=4, mode="exchange")],
    "A02": [BidItem(kind="day_off", date=day(0), points=6),                       # Monday, contested
            BidItem(kind="day_off", date=day(1), points=5, mode="exchange")],     # Tuesday, one of three
    "A03": [BidItem(kind="day_off", date=day(0), points=4),                       # outbid by A02
            BidItem(kind="shift", date=day(4), shift="E", points=2)],
    "A04": [BidItem(kind="day_off", date=day(1), points=5, mode="exchange")],     # Tuesday, one of three
    "A05": [BidItem(kind="day_off", date=day(1), points=5, mode="exchange"),
            BidItem(kind="tag", date=day(3), tag="early", points=3)],
    "A06": [BidItem(kind="tag", date=day(3), tag="split", points=2),              # its contract forbids it
            BidItem(kind="day_off", date=day(5), points=3)],
}


def bids() -> list[HeldBid]:
    """The items as held bids with ids ``<n>:<i>`` (n = agent number)."""
    return [HeldBid(id=f"{n}:{i}", agent=a, item=it, held=it.points)
            for n, a in enumerate(AGENTS, start=1) for i, it in enumerate(ITEMS[a])]
