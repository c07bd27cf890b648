"""The posted slots: the bid-free roster's staffing plan, which the award lets agents exchange among themselves.

With ``coverage_tolerance`` 0 the cap on the roster's cost is the bid-free roster R1's own cost, so proving
that no roster of that cost grants more bids is a roster-optimality proof — hopeless beyond toy sizes. The
award the commercial suites run (agents bid for the lines of a posted schedule) keeps the staffing plan and
lets agents trade its slots. :func:`keep_slots` adds exactly that to an :class:`AwardModel`:

* per (day, shift, skill group) the number of agents working is R1's — a *slot* is a shift on a day for an
  agent of that skill set;
* per (day, shift, skill group, break, offset) the break placements are R1's, so every interval's cover, and
  with it every coverage penalty, is R1's by construction;
* every contract rule still holds per agent, and the roster's cost (now only the per-agent terms can move:
  preferences, start-time consistency, fairness spreads) stays under the cap.

:func:`slot_counts` gives the counts keyed ``(day, shift, group)``.
"""

from __future__ import annotations

from collections.abc import Sequence

from wfm.bidding.award.model import AwardModel

__all__ = ["skill_groups", "slot_counts", "keep_slots"]


def skill_groups(am: AwardModel) -> list[list[int]]:
    """Agents (indices) grouped by the skills the requirements ask for (the roster model's cover groups)."""
    rm = am.rm
    needed = {k for _, k in rm.timeline.requirements if k is not None}
    groups: dict[frozenset[str], list[int]] = {}
    for a, agent in enumerate(rm.agents):
        groups.setdefault(frozenset(s for s in agent.skills if s in needed), []).append(a)
    return list(groups.values())


def slot_counts(am: AwardModel, values: Sequence[int]) -> dict[tuple[int, int, int], int]:
    """Agents working shift ``s`` on day ``d`` per skill group ``g`` in solution ``values``: ``{(d, s, g): n}``
    (zero counts included, for every cell some agent of the group could work)."""
    rm = am.rm
    out: dict[tuple[int, int, int], int] = {}
    for g, members in enumerate(skill_groups(am)):
        for a in members:
            for d in range(rm.n_days):
                for s in range(len(rm.shifts)):
                    x = rm.work.get((a, d, s))
                    if x is not None:
                        out[d, s, g] = out.get((d, s, g), 0) + values[x.index]
    return out


def keep_slots(am: AwardModel, values: Sequence[int]) -> dict[tuple[int, int, int], int]:
    """Constrain ``am.model`` to exchanges of the slots of solution ``values`` (see the module docstring).

    Returns the slot counts kept. Break-placement counts are fixed too, so cover is exactly ``values``'s.
    """
    rm = am.rm
    counts = slot_counts(am, values)
    groups = skill_groups(am)
    for (d, s, g), n in counts.items():
        xs = [rm.work[a, d, s] for a in groups[g] if (a, d, s) in rm.work]
        if n == 0:
            for x in xs:
                am.model.add(x == 0)
        else:
            am.model.add(sum(xs) == n)
    for opts in rm.break_counts.values():
        for _offset, v in opts:
            am.model.add(v == values[v.index])
    return counts
