"""Shift bidding, part 2: the award inside the roster solve, explained and fair.

* :func:`award_bids` — the lexicographic award (coverage, points, fairness, tie-breaks) of a list of bids on a
  :class:`~wfm.roster.RosterProblem`, with a reason for every bid;
* :func:`award_round` — the same on a closed round of a ledger, settled in one transaction.

See docs/bidding.md.
"""

from wfm.bidding.award.engine import SHARE_SCALE, Budget, award_bids
from wfm.bidding.award.ledger import award_round, stored_award
from wfm.bidding.award.results import Award, BidResult, CoverageChange, StageReport

__all__ = ["award_bids", "award_round", "stored_award", "Budget", "SHARE_SCALE", "Award", "BidResult",
           "CoverageChange", "StageReport"]
