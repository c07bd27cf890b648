"""The fairness and tie-break stages by exchanges among a few agents at a time, when the whole model is too big.

The award's stage 3 maximises ``(n x 10000 + 1) x least share + sum of shares`` (shares of its rule-allowed bid
points each of the ``n`` bidding agents wins, in 1/10000) with stage 2's points kept; stage 4 then maximises the
seniority-and-draw weights of the awarded bids with stage 3's value kept (:mod:`wfm.bidding.award.engine`). One
CP-SAT solve of the whole award model does both at 60 agents x 4 weeks, but at 150 it finds nothing in its
share of a 60-s award (status UNKNOWN), and the award then skipped the tie-break. Both objectives decompose the
way the points stage's slot exchange does (:mod:`wfm.bidding.award.exchange`): agents outside a group keep their
lines, so a group re-solved alone on the slots it holds moves only its own members' shares and weights. Each
step of :func:`fairness_search` and :func:`tie_break_search` re-solves one group with

* per (day, shift) the group's head-count kept and its cost at most its current cost plus the roster's slack
  under the cap (cover unchanged, as in the points stage);
* the group's points at least their current value (so the roster keeps stage 2's points);
* every member's share at least the roster's least share (so the least share cannot fall);
* fairness: maximise the sum of the members' shares, or, when the group holds every agent at the least
  share, ``(k x 10000 + 1) x`` the group's least share plus that sum;
* tie-break: the members' shares summed at least as now (so stage 3's value cannot fall), maximise the tie
  weights of their awarded bids;

then the least cost. A step is taken when the roster's own stage objective rises (or stays and the cost
falls), computed over every agent; so each step keeps or improves what came before, like the whole-model
solves they stand in for. Groups are drawn (seeded) around a denied bid: for fairness of an agent with a low
share, for the tie-break weighted by the bid's tie weight. Steps are counted in CP-SAT work plus
:data:`wfm.bidding.award.exchange.STEP_UNITS` per model, so the search is reproducible.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from wfm.bidding.award.exchange import GroupGoal, SearchResult, SlotExchange, group_search
from wfm.bidding.award.model import AwardModel, SolveOptions

__all__ = ["SHARE_SCALE", "ShareBook", "fairness_search", "tie_break_search"]

#: Shares of bid points won are integers: 10000 = the agent won everything it bid (the engine's unit).
SHARE_SCALE = 10_000


class ShareBook:
    """Per bidding agent (index) its rule-allowed bids and their points: shares and the stage-3 objective.

    Parameters
    ----------
    am : AwardModel
        The award model.
    labour : dict
        Bid index -> the labour rules that forbid it (None when allowed), from the labour screen.
    """

    def __init__(self, am: AwardModel, labour: dict[int, list[str] | None]) -> None:
        index = {a.id: i for i, a in enumerate(am.problem.agents)}
        self.allowed: dict[int, list[int]] = {}
        for i, b in enumerate(am.bids):
            if labour.get(i) is None:
                self.allowed.setdefault(index[b.agent], []).append(i)
        self.points = am.points
        self.ids = [a.id for a in am.problem.agents]
        totals = {a: sum(am.points[i] for i in idx) for a, idx in self.allowed.items()}
        self.total = {a: t for a, t in totals.items() if t}

    def share(self, a: int, won: Sequence[bool]) -> int:
        """Agent ``a``'s share of its allowed bid points won, in 1/:data:`SHARE_SCALE` (rounded down)."""
        got = sum(self.points[i] for i in self.allowed[a] if won[i])
        return SHARE_SCALE * got // self.total[a]

    def shares(self, won: Sequence[bool]) -> dict[int, int]:
        """Every bidding agent's share (agents with no allowed bid points left out)."""
        return {a: self.share(a, won) for a in self.total}

    def least_fraction(self, won: Sequence[bool]) -> float:
        """The least-satisfied agent's share as an exact fraction (1.0 when nobody has allowed bid points)."""
        return min((sum(self.points[i] for i in self.allowed[a] if won[i]) / t for a, t in self.total.items()),
                   default=1.0)

    def objective(self, won: Sequence[bool]) -> int:
        """The fairness stage's objective: ``(n x SHARE_SCALE + 1) x least share + sum of shares``."""
        s = self.shares(won)
        if not s:
            return 0
        return (len(s) * SHARE_SCALE + 1) * min(s.values()) + sum(s.values())

    def share_vars(self, sub: AwardModel, agents: Sequence[int], bids: Sequence[int]) -> dict[int, Any]:
        """In a group's model, a share variable per member with allowed bid points (global agent index ->
        variable): ``share x total <= SHARE_SCALE x points won`` (so at most the rounded-down share)."""
        local = {j: k for k, j in enumerate(bids)}
        out = {}
        for a in agents:
            if a not in self.total:
                continue
            won_points = sum(self.points[j] * sub.won[local[j]] for j in self.allowed[a])
            s_a = sub.model.new_int_var(0, SHARE_SCALE, f"share(agent={self.ids[a]})")
            sub.model.add(s_a * self.total[a] <= SHARE_SCALE * won_points)
            out[a] = s_a
        return out


def fairness_search(am: AwardModel, values: Sequence[int], labour: dict[int, list[str] | None],
                    options: SolveOptions, *, time_limit_s: float, slack: float, group_size: int = 6,
                    step_s: float = 0.5) -> SearchResult:
    """Raise the fairness objective of solution ``values`` of ``am.model`` group by group (module docstring).

    Parameters
    ----------
    am : AwardModel
        The award model (not changed).
    values : sequence of int
        The points stage's solution.
    labour : dict
        Bid index -> rules forbidding it, or None (the labour screen).
    options : SolveOptions
        Seed, and deterministic work or wall seconds.
    time_limit_s : float
        Budget, deterministic seconds (wall when not ``options.deterministic``), as
        :func:`wfm.bidding.award.exchange.exchange_search`.
    slack : float
        How much the roster's cost may still grow, cost units.
    group_size : int, default 6
        Agents per group.
    step_s : float, default 0.5
        Budget of one group's solve.

    Returns
    -------
    SearchResult
        Rows whose fairness objective (:meth:`ShareBook.objective`) is at least that of ``values``.
    """
    book = ShareBook(am, labour)
    ex = SlotExchange(am, values)

    def pick(rng: random.Random, won: list[bool]) -> int | None:
        shares = book.shares(won)
        denied = [i for a in shares for i in book.allowed[a] if not won[i]]
        if not denied:
            return None
        # agents with low shares first: weight 1 + what the agent still misses
        weights = [1 + SHARE_SCALE - shares[ex.index[am.bids[i].agent]] for i in denied]
        return rng.choices(denied, weights=weights)[0]

    def step_goal(won: list[bool], agents: list[int]) -> GroupGoal:
        shares = book.shares(won)
        least = min(shares.values(), default=0)
        at_least = {a for a, s in shares.items() if s == least}

        def build(sub: AwardModel, bids: list[int], start: list[int]) -> tuple[Any, int]:
            sub.model.add(sub.points_expr() >= sub.value(start, sub.points_expr()))
            svars = book.share_vars(sub, agents, bids)
            for s_a in svars.values():
                sub.model.add(s_a >= least)
            total = sum(svars.values())
            top = SHARE_SCALE * len(svars)
            if at_least and at_least <= set(svars):
                # the group holds every agent at the least share: raising its least share raises the roster's
                z = sub.model.new_int_var(least, SHARE_SCALE, "least_share")
                for s_a in svars.values():
                    sub.model.add(z <= s_a)
                k = len(svars) * SHARE_SCALE + 1
                return k * z + total, k * SHARE_SCALE + top
            return total, top
        return build

    return group_search(ex, book.objective, pick, options, time_limit_s=time_limit_s, slack=slack,
                        group_size=group_size, step_s=step_s, step_goal=step_goal)


def tie_break_search(am: AwardModel, values: Sequence[int], labour: dict[int, list[str] | None],
                     options: SolveOptions, *, weights: Sequence[int], time_limit_s: float, slack: float,
                     group_size: int = 6, step_s: float = 0.5) -> SearchResult:
    """Raise ``sum(weights[i] x won[i])`` over the bids of solution ``values``, every agent's share kept at
    least the least share and the shares' sum kept (module docstring); arguments as :func:`fairness_search`,
    ``weights`` the tie-break weight of each bid (seniority, then the seeded draw; the engine's).
    """
    book = ShareBook(am, labour)
    ex = SlotExchange(am, values)

    def objective(won: Sequence[bool]) -> int:
        return sum(w for w, x in zip(weights, won, strict=True) if x)

    def pick(rng: random.Random, won: list[bool]) -> int | None:
        denied = [i for a in book.total for i in book.allowed[a] if not won[i]]
        if not denied:
            return None
        return rng.choices(denied, weights=[weights[i] for i in denied])[0]

    def step_goal(won: list[bool], agents: list[int]) -> GroupGoal:
        shares = book.shares(won)
        least = min(shares.values(), default=0)

        def build(sub: AwardModel, bids: list[int], start: list[int]) -> tuple[Any, int]:
            sub.model.add(sub.points_expr() >= sub.value(start, sub.points_expr()))
            svars = book.share_vars(sub, agents, bids)
            for s_a in svars.values():
                sub.model.add(s_a >= least)
            sub.model.add(sum(svars.values()) >= sum(shares[a] for a in svars))
            return sum(weights[j] * sub.won[k] for k, j in enumerate(bids)), sum(weights[j] for j in bids)
        return build

    return group_search(ex, objective, pick, options, time_limit_s=time_limit_s, slack=slack,
                        group_size=group_size, step_s=step_s, step_goal=step_goal)
