"""Fairness of awards, per round and over rounds, clearing prices, and the fairness-vs-coverage curve.

* :func:`round_fairness` — one award: share of bidding agents with at least one award, first-choice rate
  (an agent's first item awarded), points won / points bid per agent, the least-satisfied agent, the Gini
  coefficient of satisfaction, and the unpopular shifts (split, weekend, holiday) each agent works;
* :func:`ledger_fairness` — the same summed over every awarded round stored in a ledger;
* :func:`clearing_prices` — per item kind the lowest winning compete bid, offered as the next round's posted
  prices;
* :func:`coverage_curve` — coverage cost against the least-satisfied share as ``coverage_tolerance`` grows
  (and :func:`plot_coverage_curve`, with the ``plot`` extra).

Satisfaction of an agent is the share of its bid points it won (bids its own labour rules forbid left out:
nothing could grant them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from wfm.bidding.award.engine import award_bids
from wfm.bidding.award.results import Award
from wfm.bidding.ledger import Ledger
from wfm.bidding.models import HeldBid, PostedPrice
from wfm.bidding.rounds import Rounds
from wfm.exceptions import require_extra
from wfm.roster.models import RosterProblem, RosterSolution

__all__ = ["AgentFairness", "FairnessReport", "CurvePoint", "gini", "round_fairness", "ledger_fairness",
           "clearing_prices", "coverage_curve", "plot_coverage_curve", "unpopular_worked"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AgentFairness(_Model):
    """One agent's bids and what it got (a round, or summed over rounds)."""

    agent: str
    points_bid: int = Field(description="Points of its bids (those its own rules allow).")
    points_won: int = Field(description="Points of its awarded bids.")
    share: float = Field(description="points_won / points_bid, 0..1.")
    awarded: int = Field(description="Bids awarded.")
    denied: int = Field(description="Bids denied.")
    first_choice: bool = Field(description="Its first item was awarded (over rounds: in every round).")
    unpopular: dict[str, int] = Field(default_factory=dict, description="Split, weekend and holiday shifts worked.")


class FairnessReport(_Model):
    """Fairness figures of one round (or of several summed)."""

    rounds: list[str]
    agents_bidding: int
    share_with_award: float = Field(description="Share of bidding agents with at least one award.")
    first_choice_rate: float = Field(description="Share of bidding agents whose first item was awarded.")
    least_satisfied: str | None = Field(description="The agent with the least share (ties: the first by id).")
    least_share: float
    gini: float = Field(description="Gini coefficient of the shares, 0 (equal) to 1.")
    points_bid: int
    points_won: int
    agents: list[AgentFairness]


class CurvePoint(_Model):
    """One point of the fairness-vs-coverage curve."""

    coverage_tolerance: float
    cost: float = Field(description="Roster cost as the checker scores it.")
    points: int
    min_share: float
    share_with_award: float


def gini(values: Sequence[float]) -> float:
    """Gini coefficient of non-negative ``values`` (0 when all equal or empty)."""
    xs = sorted(float(v) for v in values)
    n, total = len(xs), sum(xs)
    if n == 0 or total <= 0:
        return 0.0
    cum = sum((i + 1) * x for i, x in enumerate(xs))
    return (2 * cum) / (n * total) - (n + 1) / n


def unpopular_worked(problem: RosterProblem, roster: RosterSolution,
                     holidays: Sequence[dt.date] = ()) -> dict[str, dict[str, int]]:
    """Per agent, split shifts, weekend days and holidays worked in ``roster``."""
    hol = set(holidays)
    out: dict[str, dict[str, int]] = {a.id: {"split": 0, "weekend": 0, "holiday": 0} for a in problem.agents}
    for x in roster.assignments:
        row = out.setdefault(x.agent, {"split": 0, "weekend": 0, "holiday": 0})
        row["split"] += "split" in x.tags
        row["weekend"] += x.date.weekday() in problem.weekend_days
        row["holiday"] += x.date in hol
    return out


def _summary(rounds: list[str], agents: list[AgentFairness]) -> FairnessReport:
    bidding = [a for a in agents if a.points_bid > 0 or a.denied or a.awarded]
    n = len(bidding)
    least = min(bidding, key=lambda a: (a.share, a.agent)) if bidding else None
    return FairnessReport(
        rounds=rounds, agents_bidding=n, share_with_award=sum(a.awarded > 0 for a in bidding) / n if n else 0.0,
        first_choice_rate=sum(a.first_choice for a in bidding) / n if n else 0.0,
        least_satisfied=least.agent if least else None, least_share=least.share if least else 1.0,
        gini=gini([a.share for a in bidding]), points_bid=sum(a.points_bid for a in bidding),
        points_won=sum(a.points_won for a in bidding), agents=agents)


def round_fairness(award: Award, problem: RosterProblem, holidays: Sequence[dt.date] = ()) -> FairnessReport:
    """The fairness report of one award (see the module docstring)."""
    worked = unpopular_worked(problem, award.roster, holidays)
    rows: dict[str, dict[str, Any]] = {}
    for r in award.results:
        row = rows.setdefault(r.agent, {"bid": 0, "won": 0, "awarded": 0, "denied": 0, "first": None})
        if row["first"] is None:
            row["first"] = r.awarded  # results keep the submission's order: the first one is its first choice
        if r.reason != "labour_rule":
            row["bid"] += r.item.points
        row["won"] += r.charge
        row["awarded" if r.awarded else "denied"] += 1
    agents = [AgentFairness(agent=a, points_bid=v["bid"], points_won=v["won"],
                            share=v["won"] / v["bid"] if v["bid"] else 0.0, awarded=v["awarded"],
                            denied=v["denied"], first_choice=bool(v["first"]), unpopular=worked.get(a, {}))
              for a, v in sorted(rows.items())]
    return _summary([award.round or ""], agents)


def ledger_fairness(ledger: Ledger, holidays: Sequence[dt.date] = ()) -> tuple[list[FairnessReport], FairnessReport]:
    """Per awarded round of ``ledger`` its report, and one over all of them (points and shifts summed)."""
    from wfm.bidding.award.ledger import stored_award

    rounds = Rounds(ledger)
    per: list[FairnessReport] = []
    for rnd in rounds.list_rounds():
        if rnd.status in ("awarded", "published") and rounds.award_json(rnd.name) is not None:
            per.append(round_fairness(stored_award(ledger, rnd.name), rounds.problem(rnd.name), holidays))
    total: dict[str, dict[str, Any]] = {}
    for rep in per:
        for a in rep.agents:
            t = total.setdefault(a.agent, {"bid": 0, "won": 0, "awarded": 0, "denied": 0, "first": True,
                                           "unpopular": {}})
            t["bid"] += a.points_bid
            t["won"] += a.points_won
            t["awarded"] += a.awarded
            t["denied"] += a.denied
            t["first"] = t["first"] and a.first_choice
            for k, v in a.unpopular.items():
                t["unpopular"][k] = t["unpopular"].get(k, 0) + v
    agents = [AgentFairness(agent=a, points_bid=v["bid"], points_won=v["won"],
                            share=v["won"] / v["bid"] if v["bid"] else 0.0, awarded=v["awarded"], denied=v["denied"],
                            first_choice=v["first"], unpopular=v["unpopular"]) for a, v in sorted(total.items())]
    return per, _summary([r.rounds[0] for r in per], agents)


def clearing_prices(award: Award) -> list[PostedPrice]:
    """Per item kind (and shift or tag) the lowest winning compete bid: the next round's posted prices."""
    low: dict[tuple[str, str | None], int] = {}
    for r in award.results:
        if r.awarded and r.item.mode == "compete":
            key = (r.item.kind, None if r.item.kind == "day_off" else (r.item.shift or r.item.tag))
            low[key] = min(low.get(key, r.item.points), r.item.points)
    return [PostedPrice(kind=k, shift_or_tag=s, points=p) for (k, s), p in sorted(low.items(), key=str)]  # type: ignore[arg-type]


def coverage_curve(problem: RosterProblem, bids: Sequence[HeldBid], tolerances: Sequence[float], *,
                   time_limit_s: float = 30.0, seed: int = 0, baseline: RosterSolution | None = None,
                   **options: Any) -> list[CurvePoint]:
    """Award ``bids`` at each coverage tolerance (one bid-free roster shared by all) and report the trade-off."""
    if baseline is None:
        from wfm.roster import SolveOptions, solve

        baseline = solve(problem, options=SolveOptions(time_limit_s=0.4 * time_limit_s, workers=1, seed=seed,
                                                       reproducible=True))
    out = []
    for tol in tolerances:
        aw = award_bids(problem, bids, coverage_tolerance=tol, time_limit_s=time_limit_s, seed=seed, explain=False,
                        baseline=baseline, **options)
        rep = round_fairness(aw, problem)
        out.append(CurvePoint(coverage_tolerance=tol, cost=aw.cost, points=aw.points, min_share=aw.min_share,
                              share_with_award=rep.share_with_award))
    return out


def plot_coverage_curve(points: Sequence[CurvePoint], path: str | Path) -> Path:
    """Draw the curve (cost on x, least-satisfied share and points on y) to a PNG (needs the ``plot`` extra)."""
    require_extra("matplotlib", "plot")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    xs = [p.cost for p in points]
    ax.plot(xs, [p.min_share for p in points], marker="o", label="least-satisfied share")
    ax.plot(xs, [p.share_with_award for p in points], marker="s", label="share of agents with an award")
    for p in points:
        ax.annotate(f"+{p.coverage_tolerance:.0%}", (p.cost, p.min_share), textcoords="offset points", xytext=(4, 4),
                    fontsize=8)
    ax.set_xlabel("roster cost (coverage and labour penalties)")
    ax.set_ylabel("share")
    ax.set_ylim(0, 1.05)
    ax.legend(loc="lower right")
    ax.set_title("Fairness against coverage")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
