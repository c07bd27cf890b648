"""What an award returns: the roster, one result per bid with its reason, the charges and the stage reports.

Every model is pydantic v2 and round-trips JSON, so the command line, the HTTP service and the database
(the award is stored with the round, in the same transaction as the charges) carry the same shapes.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from wfm.bidding.models import BidItem
from wfm.roster.models import RosterSolution

__all__ = ["Reason", "CoverageChange", "BidResult", "StageReport", "Award"]

Reason = Literal["awarded", "labour_rule", "coverage", "outbid", "crowded_out"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CoverageChange(_Model):
    """One penalty of the roster that would grow if a denied bid were forced (an interval short, ...)."""

    name: str = Field(description="Business name of the penalty, e.g. 'short(day=3, t=20)'.")
    rule: str = Field(description="Rule family: shortfall, overstaffing, shift_under, ...")
    amount_before: float = Field(description="Amount in the awarded roster (agents short, ...).")
    amount_after: float = Field(description="Amount in the cheapest roster that grants the bid.")
    cost_change: float = Field(description="Change of the penalty's cost, objective units.")


class BidResult(_Model):
    """The outcome of one bid and why.

    ``reason``:

    * ``awarded`` — the item holds in the roster; ``charge`` points are spent;
    * ``labour_rule`` — the agent's own rules (contract, leave, locks, shift maxima) make the item impossible
      whatever anyone else does; ``rules`` names them;
    * ``coverage`` — every roster granting the item costs more than the coverage cap; ``extra_cost`` is by
      how much at best, ``coverage`` lists the intervals (penalties) that would get worse;
    * ``outbid`` — a compete bid that others' bids outweigh: ``points_to_win`` points would have won it
      (verified by re-awarding); ``opportunity_cost`` is what granting it costs the other bids, in points;
    * ``crowded_out`` — an exchange item the roster could grant alone, but not together with the bids that
      won; its price is fixed, so ``opportunity_cost`` says how many points of others' bids it would displace.
    """

    bid: str = Field(description="Bid id `<submission>:<item>`.")
    agent: str
    item: BidItem
    awarded: bool
    reason: Reason
    detail: str = Field(description="The reason in one sentence, for the agent.")
    charge: int = Field(0, description="Points spent for the bid (0 unless awarded).")
    rules: list[str] = Field(default_factory=list, description="Labour rules that forbid the item (labour_rule).")
    extra_cost: float | None = Field(None, description="Least roster cost above the cap to grant it (coverage).")
    coverage: list[CoverageChange] = Field(default_factory=list, description="Penalties that grow (coverage).")
    opportunity_cost: int | None = Field(None, description="Points of other bids lost by granting it.")
    points_to_win: int | None = Field(None, description="Least points with which the bid wins (outbid).")
    proven: bool = Field(True, description="False when a time limit left the reason's figures unproven.")


class StageReport(_Model):
    """One stage of the lexicographic award: what it optimised, its status, value and proven bound."""

    stage: str = Field(description="coverage, points, fairness or tie_break.")
    status: str = Field(description="OPTIMAL, FEASIBLE (time limit, gap below), or the roster solve's status.")
    objective: float = Field(description="Value reached (cost in objective units, points, share x 10000, ...).")
    bound: float = Field(description="Best proven bound of that value.")
    time_s: float = Field(description="Wall time, seconds.")
    net_hit: bool = Field(False, description="The wall clock (a safety net) stopped the stage's solve before its "
                                             "work budget: the stage may differ from a run on a quiet machine.")


class Award(_Model):
    """The award of one round: roster, results per bid, charges and how each stage went."""

    round: str | None = None
    seed: int
    coverage_tolerance: float = Field(description="Relative worsening of the roster cost allowed for bids.")
    baseline_cost: float = Field(description="Cost of the bid-free roster (stage 1), as the checker scores it.")
    cap: float = Field(description="Cost the award may not exceed: baseline x (1 + tolerance), objective units.")
    cost: float = Field(description="Cost of the awarded roster as the checker scores it.")
    points: int = Field(description="Points of the awarded bids (exchange items at their posted price).")
    points_bound: int = Field(description="Proven upper bound of the points (equal to `points` when optimal).")
    min_share: float = Field(description="Least share of its bid points any bidding agent won, 0..1.")
    stages: list[StageReport]
    results: list[BidResult]
    charges: dict[str, int] = Field(description="Bid id -> points spent.")
    roster: RosterSolution
    safety_net_hit: bool = Field(False, description="The pipeline's wall-clock safety net (`Budget.wall_net`) "
                                                    "cut some solve: this award may differ from a run of the same "
                                                    "input and seed on a quiet machine.")

    def result(self, bid: str) -> BidResult:
        """The result of bid ``bid``."""
        for r in self.results:
            if r.bid == bid:
                return r
        raise KeyError(bid)

    def for_agent(self, agent: str) -> list[BidResult]:
        """One agent's results (what an agent may read)."""
        return [r for r in self.results if r.agent == agent]
