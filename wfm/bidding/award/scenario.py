"""Seeded, realistic bids for a roster problem: what the end-to-end test, the benchmark and the demo award.

What agents of a contact centre ask for (the issue's picture): a day off on or around a public holiday (the
most popular, so scarce: compete bids, a few at the posted price), no split shift in some week, and an early
shift on a date or two. Each agent spends at most ``budget`` points; items only name shifts and tags the
agent's contract may work and dates it is not on leave, so bids are about what the roster could give.
"""

from __future__ import annotations

import datetime as dt
import random

from wfm.bidding.models import BidItem, HeldBid, PostedPrice
from wfm.exceptions import InvalidParameterError
from wfm.roster.models import RosterProblem

__all__ = ["seeded_bids", "holiday_prices", "bids_from_preferences", "DEFAULT_HOLIDAY_DAY"]

#: Day index of the holiday when none is given: the middle of the second week.
DEFAULT_HOLIDAY_DAY = 9


def holiday_prices(problem: RosterProblem, holiday: dt.date) -> list[PostedPrice]:
    """Posted prices: a day off 6 points (15 on the holiday), no split shift in a week 4 points."""
    prices = [PostedPrice(kind="day_off", points=6), PostedPrice(kind="day_off", date=holiday, points=15)]
    if any("split" in s.tags for s in problem.shifts):
        prices.append(PostedPrice(kind="avoid_tag", shift_or_tag="split", points=4))
    return prices


def seeded_bids(problem: RosterProblem, *, seed: int = 0, holiday: dt.date | None = None, budget: int = 30,
                share: float = 0.8) -> tuple[dict[str, list[BidItem]], list[PostedPrice]]:
    """Bids of about ``share`` of the agents (each within ``budget`` points) and the round's posted prices.

    Returns ``(items per agent, prices)``; deterministic by ``seed``.
    """
    rng = random.Random(seed)
    h = problem.horizon
    holiday = holiday or h.date_of(min(DEFAULT_HOLIDAY_DAY, h.days - 1))
    prices = holiday_prices(problem, holiday)
    price = {"day_off": 6, "holiday": 15, "avoid_tag": 4}
    hd = h.day_of(holiday)
    out: dict[str, list[BidItem]] = {}
    for agent in problem.agents:
        if rng.random() > share:
            continue
        contract = problem.contract_of(agent)
        allowed = [s for s in problem.shifts if contract.allowed_shifts is None or s.id in contract.allowed_shifts]
        leave = {h.day_of(x) for x in agent.leave} | {h.day_of(x.date) for x in agent.locked}
        basket = _Basket(budget)
        add = basket.add
        # 1. a day off on or around the holiday (the scarce, popular wish)
        if rng.random() < 0.6:
            d = hd + rng.choice([0, 0, 0, -1, 1])
            if 0 <= d < h.days and d not in leave:
                if d == hd and rng.random() < 0.25:
                    add(BidItem(kind="day_off", date=h.date_of(d), points=price["holiday"], mode="exchange"))
                else:
                    add(BidItem(kind="day_off", date=h.date_of(d), points=rng.randint(3, 18)))
        # 2. no split shift in a week (only agents who may be given one)
        if any("split" in s.tags for s in allowed) and rng.random() < 0.4:
            w = rng.randrange((h.days + 6) // 7)
            if rng.random() < 0.5:
                add(BidItem(kind="avoid_tag", week=w, tag="split", points=price["avoid_tag"], mode="exchange"))
            else:
                add(BidItem(kind="avoid_tag", week=w, tag="split", points=rng.randint(2, 8)))
        # 3. an early shift on a date or two
        if any("early" in s.tags for s in allowed) and rng.random() < 0.4:
            for d in rng.sample(range(h.days), 2):
                runs = any("early" in s.tags and h.date_of(d).weekday() in s.weekdays for s in allowed)
                if d not in leave and runs:
                    add(BidItem(kind="tag", date=h.date_of(d), tag="early", points=rng.randint(1, 6)))
        # 4. sometimes another ordinary day off at the posted price
        if rng.random() < 0.3:
            d = rng.randrange(h.days)
            if d not in leave and d != hd:
                add(BidItem(kind="day_off", date=h.date_of(d), points=price["day_off"], mode="exchange"))
        if basket.items:
            out[agent.id] = basket.items
    return out, prices


class _Basket:
    """One agent's items, kept within its budget and free of duplicates."""

    def __init__(self, budget: int) -> None:
        self.items: list[BidItem] = []
        self.left = budget

    def add(self, item: BidItem) -> None:
        if item.points <= self.left and all(item.target() != x.target() for x in self.items):
            self.items.append(item)
            self.left -= item.points


def bids_from_preferences(problem: RosterProblem) -> tuple[RosterProblem, list[HeldBid]]:
    """The problem without its weighted preferences, and those preferences as compete bids (points = weight).

    A wish to work shift ``s`` on a date becomes a ``shift`` bid; a wish for a day off (any shift, or the only
    shift of the problem) a ``day_off`` bid. Other wishes (not this one shift of several) have no bid kind and
    raise :class:`InvalidParameterError`, as do fractional weights (points are whole).
    """
    agents, bids = [], []
    for a in problem.agents:
        for i, p in enumerate(a.preferences):
            where = f"agents[{a.id}].preferences[{i}]"
            if p.weight != int(p.weight):
                raise InvalidParameterError(f"`{where}.weight` must be whole to become points; got {p.weight}",
                                            field=f"{where}.weight", value=p.weight)
            if p.kind == "on" and p.shift is not None:
                item = BidItem(kind="shift", date=p.date, shift=p.shift, points=int(p.weight))
            elif p.kind == "off" and (p.shift is None or len(problem.shifts) == 1):
                item = BidItem(kind="day_off", date=p.date, points=int(p.weight))
            else:
                raise InvalidParameterError(f"`{where}`: a wish {p.kind} {p.shift or 'any shift'} has no bid kind",
                                            field=where, value=p.kind)
            bids.append(HeldBid(id=f"{a.id}:{i}", agent=a.id, item=item, held=item.points))
        agents.append(a.model_copy(update={"preferences": []}))
    return problem.model_copy(update={"agents": agents}), bids
