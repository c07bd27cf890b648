"""What a bid item means inside the CP-SAT roster model: one literal that is true exactly when the item holds.

* ``shift`` on a date: the agent's work literal for that shift and day;
* ``tag`` on a date: the OR of the agent's literals of the shifts carrying the tag that day;
* ``day_off`` on a date: the agent does not work that day;
* ``avoid_tag`` in a week: no shift carrying the tag in any day of the week (week ``w`` is days
  ``7w .. 7w+6`` of the horizon, the roster's own convention).

The literal is *equivalent* to the item holding (not only implied by it), so an item the roster gives an
agent is always an awarded item: the charges and the roster never disagree.
"""

from __future__ import annotations

from typing import Any

from ortools.sat.python import cp_model

from wfm.bidding.models import BidItem
from wfm.roster.rules.calendar import weeks

__all__ = ["item_holds", "item_day_range"]


def item_day_range(rm: Any, item: BidItem) -> list[int]:
    """Day indices of the horizon an item is about (one day, or the days of its week)."""
    if item.kind == "avoid_tag":
        assert item.week is not None
        return list(weeks(rm.problem)[item.week])  # the roster's own weeks (Horizon.week_start)
    assert item.date is not None
    return [rm.problem.horizon.day_of(item.date)]


def item_holds(rm: Any, a: int, item: BidItem, name: str) -> cp_model.IntVar:
    """A new boolean of ``rm.model`` equal to "``item`` holds for agent index ``a``" in the roster.

    ``rm`` is a :class:`wfm.roster.solvers.monolithic.model.RosterModel`; ``name`` names the literal (``won(bid=...)``).
    An item that cannot hold at all (a shift that does not run that day) gets a literal fixed to false.
    """
    m = rm.model
    won = m.new_bool_var(name)
    days = item_day_range(rm, item)
    if item.kind == "shift":
        s = rm.shift_index.get(item.shift)
        x = rm.work.get((a, days[0], s)) if s is not None else None
        if x is None:
            m.add(won == 0)
        else:
            m.add(won == x)
    elif item.kind == "tag":
        assert item.tag is not None
        xs = rm.tagged(a, item.tag, days)
        if not xs:
            m.add(won == 0)
        else:
            m.add_max_equality(won, xs)
    elif item.kind == "day_off":
        m.add(won + rm.on[a, days[0]] == 1)
    else:  # avoid_tag
        assert item.tag is not None
        xs = rm.tagged(a, item.tag, days)
        for x in xs:
            m.add_implication(won, x.Not())
        m.add_bool_or([won, *xs])
    return won
