"""Properties over any sequence of submissions, withdrawals, grants and penalties, then a settlement:
holds equal the open submissions' points, nothing goes negative, settling spends exactly the charges."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.bidding.kit import AGENTS, PRICES, day, problem
from wfm.bidding import BidItem, InsufficientPointsError, Ledger, Rounds
from wfm.exceptions import InvalidParameterError, NotFoundError

PROBLEM = problem()
item = st.builds(lambda d, s, p: BidItem(kind="shift", date=day(d), shift=s, points=p),
                 st.integers(0, 13), st.sampled_from(["E", "L"]), st.integers(1, 12))
op = st.one_of(
    st.tuples(st.just("submit"), st.sampled_from(AGENTS), st.lists(item, min_size=1, max_size=3)),
    st.tuples(st.just("withdraw"), st.sampled_from(AGENTS), st.none()),
    st.tuples(st.just("grant"), st.sampled_from(AGENTS), st.integers(1, 10)),
    st.tuples(st.just("penalty"), st.sampled_from(AGENTS), st.integers(1, 10)),
)


def _check(ledger: Ledger, rounds: Rounds) -> None:
    open_subs = rounds.submissions("R1")
    for b in ledger.balances():
        assert 0 <= b.held <= b.balance
        assert b.held == sum(s.held for s in open_subs if s.agent == b.agent)


@settings(max_examples=30, deadline=None)
@given(st.lists(op, max_size=25), st.data())
def test_any_sequence_keeps_holds_exact_and_settles_exactly(ops, data):
    with Ledger(":memory:") as ledger:
        rounds = Rounds(ledger)
        rounds.open("R1", PROBLEM, prices=PRICES)
        for a in AGENTS:
            ledger.grant(a, 10, reason="start")
        for n, (kind, agent, arg) in enumerate(ops):
            try:
                if kind == "submit":
                    rounds.submit("R1", agent, arg, key=f"k{n}")
                elif kind == "withdraw":
                    rounds.withdraw("R1", agent)
                else:
                    getattr(ledger, kind)(agent, arg, reason="r")
            except (InsufficientPointsError, NotFoundError, InvalidParameterError):
                pass  # over balance, nothing to withdraw, a duplicate item: refused, and nothing written
            _check(ledger, rounds)
        rounds.close("R1")
        bids = rounds.open_bids("R1")
        charges = {b.id: data.draw(st.integers(1, b.held)) for b in bids if data.draw(st.booleans())}
        before = {b.agent: b.balance for b in ledger.balances()}
        rounds.settle("R1", charges)
        for b in ledger.balances():
            paid = sum(p for bid, p in charges.items() if next(x.agent for x in bids if x.id == bid) == b.agent)
            assert b.held == 0 and b.balance == before[b.agent] - paid
