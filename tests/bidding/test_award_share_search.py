"""The fairness and tie-break stages by group exchanges (:mod:`wfm.bidding.award.share_search`): each search
keeps the staffing plan, every contract rule, the cost cap and the earlier stages' values, raises its own
objective, and is reproducible."""

from __future__ import annotations

import random

import pytest

from tests.bidding.exchange_kit import OPTIONS, exchange_case, slot_counts
from wfm.bidding.award.engine import roster_from_values
from wfm.bidding.award.exchange import SearchResult, rows_of
from wfm.bidding.award.model import AwardModel
from wfm.bidding.award.screen import labour_screen
from wfm.bidding.award.share_search import ShareBook, fairness_search, tie_break_search
from wfm.roster import check


@pytest.fixture(scope="module")
def case() -> tuple:
    problem, bids, base, am, done, cap = exchange_case()
    return problem, base, am, done, cap, labour_screen(problem, bids, OPTIONS, time_limit_s=5)


def _won(am: AwardModel, values: list[int]) -> list[bool]:
    return [bool(am.value(values, w)) for w in am.won]


def _completed(case: tuple, result: SearchResult) -> list[int]:
    """The search's rows as a solution of the award model, checked by the solver-independent checker."""
    problem, base, am, done, cap, _ = case
    assert slot_counts(result.rows) == slot_counts(rows_of(am, done.values))  # one skill group: cover is R1's
    rm = am.rm
    rows = {rm.agents[a].id: [(d, rm.shifts[s].id) for d, s in enumerate(r) if s >= 0]
            for a, r in enumerate(result.rows)}
    out = am.complete_cells(am.relabel(rows), OPTIONS, time_limit_s=5)
    assert out.found and am.value(out.values, am.cost) <= cap
    report = check(problem, roster_from_values(am, out.values, base, 0.0))
    assert report.ok, str(report)
    assert report.objective <= check(problem, base).objective + 1e-9
    return out.values


def test_fairness_search_raises_the_shares_and_keeps_points_and_the_least_share(case: tuple) -> None:
    _, _, am, done, _, labour = case
    book = ShareBook(am, labour)
    before = _won(am, done.values)
    result = fairness_search(am, done.values, labour, OPTIONS, time_limit_s=8, slack=0.0)
    assert result.start == book.objective(before) and result.steps > 0
    assert result.objective > result.start  # R1 ignores the bids: trading its slots spreads them better
    after = _won(am, _completed(case, result))
    assert book.objective(after) == result.objective
    assert am.value(_completed(case, result), am.points_expr()) >= am.value(done.values, am.points_expr())
    assert min(book.shares(after).values()) >= min(book.shares(before).values())


def test_tie_break_search_raises_its_weights_and_keeps_points_and_fairness(case: tuple) -> None:
    _, _, am, done, _, labour = case
    book = ShareBook(am, labour)
    weights = list(range(1, len(am.bids) + 1))
    random.Random(3).shuffle(weights)
    before = _won(am, done.values)
    result = tie_break_search(am, done.values, labour, OPTIONS, weights=weights, time_limit_s=8, slack=0.0)
    values = _completed(case, result)
    after = _won(am, values)
    assert result.objective == sum(w for w, x in zip(weights, after, strict=True) if x)
    assert result.objective > result.start == sum(w for w, x in zip(weights, before, strict=True) if x)
    assert book.objective(after) >= book.objective(before)
    assert am.value(values, am.points_expr()) >= am.value(done.values, am.points_expr())


def test_the_same_seed_gives_the_same_search(case: tuple) -> None:
    _, _, am, done, _, labour = case
    one = fairness_search(am, done.values, labour, OPTIONS, time_limit_s=3, slack=0.0)
    two = fairness_search(am, done.values, labour, OPTIONS, time_limit_s=3, slack=0.0)
    assert (one.rows, one.objective, one.steps, one.work_s) == (two.rows, two.objective, two.steps, two.work_s)
