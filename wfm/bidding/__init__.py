"""Shift bidding, part 1: the points ledger and bid rounds.

Every agent holds points, earned (equal grants, unpopular shifts worked, rewards for quality) and spent on
shifts and days off, either at a posted price (``exchange``) or competitively (``compete``). This package
keeps the points in an append-only journal in a real database (SQLite by default) and runs bid rounds
``open → closed → awarded → published`` over a :class:`~wfm.roster.RosterProblem`.

* :class:`Ledger` — the journal, balances derived from it, grants, rewards, penalties, expiry;
* :class:`Rounds` — opening, submitting (points held), withdrawing, closing, settling a round;
* :func:`apply_earning` with :class:`EarningRules` — points for a worked roster, applied once;
* :func:`issue_token` / :func:`authenticate` — bearer tokens for agents and managers.

Part 2, the award inside the roster solve (reasons, fairness, clearing prices, baselines), is
:mod:`wfm.bidding.award` (``award_bids``, ``award_round``).

See docs/bidding.md for a story with a seeded example.
"""

from wfm.bidding.auth import Principal, authenticate, issue_token, revoke_token
from wfm.bidding.earning import EarningRules, apply_earning, earnings_for
from wfm.bidding.ledger import InsufficientPointsError, Ledger
from wfm.bidding.models import (
    Balance,
    BidItem,
    HeldBid,
    PostedPrice,
    Round,
    Submission,
    Transaction,
)
from wfm.bidding.rounds import Rounds, Settlement, validate_items
from wfm.bidding.sqlite import SCHEMA_VERSION, SqliteStorage
from wfm.bidding.storage import Storage, StorageTx

__all__ = [
    "Ledger",
    "Rounds",
    "Settlement",
    "EarningRules",
    "apply_earning",
    "earnings_for",
    "InsufficientPointsError",
    "Balance",
    "BidItem",
    "HeldBid",
    "PostedPrice",
    "Round",
    "Submission",
    "Transaction",
    "validate_items",
    "Principal",
    "authenticate",
    "issue_token",
    "revoke_token",
    "SCHEMA_VERSION",
    "SqliteStorage",
    "Storage",
    "StorageTx",
]
