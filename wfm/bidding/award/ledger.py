"""The award of a closed round in a ledger: solve, then settle charges, releases and the award in one transaction.

    award = award_round(ledger, "2026-W10", time_limit_s=60, seed=0)

The solve reads the round and writes nothing; :meth:`wfm.bidding.Rounds.settle` then spends the charges
(compete bids what they bid, exchange items their posted price), releases every other hold, stores the award
and marks the round awarded, all in one database transaction. A crash anywhere leaves the round closed and
every balance as it was; since the award is deterministic (one worker, deterministic time limits, a seed),
running it again gives the same award.
"""

from __future__ import annotations

from typing import Any

from wfm.bidding.award.engine import award_bids
from wfm.bidding.award.results import Award
from wfm.bidding.ledger import Ledger
from wfm.bidding.rounds import Rounds
from wfm.exceptions import ConflictError, NotFoundError

__all__ = ["award_round", "stored_award"]


def award_round(ledger: Ledger, name: str, *, actor: str = "manager", **options: Any) -> Award:
    """Award the closed round ``name`` of ``ledger`` and settle it (see the module docstring).

    ``options`` go to :func:`wfm.bidding.award.award_bids` (``time_limit_s``, ``seed``,
    ``coverage_tolerance``, ``seniority``, ...). Raises :class:`ConflictError` unless the round is closed.
    """
    rounds = Rounds(ledger)
    rnd = rounds.get(name)
    if rnd.status != "closed":
        raise ConflictError(f"round {name!r} is {rnd.status}; only a closed round can be awarded", field="round",
                            value=rnd.status)
    award = award_bids(rounds.problem(name), rounds.open_bids(name), round_name=name, **options)
    rounds.settle(name, award.charges, actor=actor, record=award.model_dump_json())
    return award


def stored_award(ledger: Ledger, name: str) -> Award:
    """The award stored with round ``name`` (:class:`NotFoundError` before the round is awarded)."""
    text = Rounds(ledger).award_json(name)
    if text is None:
        raise NotFoundError(f"round {name!r} has no award yet", field="round", value=name)
    return Award.model_validate_json(text)
