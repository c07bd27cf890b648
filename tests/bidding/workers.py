"""Work done in child processes by the concurrency test (a module of its own so 'spawn' can import it)."""

from __future__ import annotations

import random
from typing import Any

from tests.bidding.kit import AGENTS, day
from wfm.bidding import BidItem, InsufficientPointsError, Ledger, Rounds
from wfm.exceptions import NotFoundError


def hammer(path: str, worker: int, steps: int) -> dict[str, Any]:
    """Submit, replace, withdraw and grant at random against the ledger at ``path``; report every outcome."""
    rng = random.Random(worker)
    accepted: list[tuple[str, str, int]] = []  # agent, key, points held
    rejected: list[tuple[str, str]] = []
    grants: list[int] = []  # journal ids of the grants this worker wrote
    withdrawn = 0
    with Ledger(path, busy_timeout_s=120) as ledger:
        rounds = Rounds(ledger)
        for step in range(steps):
            agent = rng.choice(AGENTS)
            roll = rng.random()
            if roll < 0.15:
                grants.append(ledger.grant(agent, 1, reason=f"worker {worker} step {step}", actor=f"w{worker}").id)
            elif roll < 0.22:
                try:
                    rounds.withdraw("R1", agent, actor=f"w{worker}")
                    withdrawn += 1
                except NotFoundError:
                    pass
            else:
                items = [BidItem(kind="shift", date=day(d), shift="E", points=rng.randint(1, 9))
                         for d in rng.sample(range(14), rng.randint(1, 3))]
                key = f"w{worker}-s{step}"
                try:
                    sub = rounds.submit("R1", agent, items, key=key, actor=f"w{worker}")
                    accepted.append((agent, key, sub.held))
                except InsufficientPointsError:
                    rejected.append((agent, key))
    return {"accepted": accepted, "rejected": rejected, "grants": grants, "withdrawn": withdrawn}
