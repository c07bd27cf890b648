"""The ledger: every transaction kind, balances equal to the journal's sums, bad points refused with nothing
written, idempotent keys, expiry oldest-first."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfm.bidding import InsufficientPointsError, Ledger
from wfm.bidding.models import BALANCE_SIGN, TX_KINDS
from wfm.bidding.storage import JournalRow
from wfm.exceptions import ConflictError, InvalidParameterError, NotFoundError


@pytest.fixture
def ledger(tmp_path):
    with Ledger(tmp_path / "l.sqlite") as book:
        book.register_agents(["A", "B"])
        yield book


def _sums(book: Ledger) -> dict[str, int]:
    out: dict[str, int] = {}
    for t in book.journal():
        out[t.agent] = out.get(t.agent, 0) + BALANCE_SIGN[t.kind] * t.amount
    return out


def test_every_kind_moves_the_balance_as_documented(ledger):
    ledger.grant("A", 50, reason="grant")
    ledger.reward("A", 7, reason="quality")
    ledger.penalty("A", 3, reason="late log-in")
    ledger.refund("A", 2, reason="wrongly charged")
    ledger.adjust("A", -4, reason="typo")
    ledger.adjust("A", 1, reason="typo fixed")
    ledger.post([JournalRow(agent="A", kind="earn", amount=5, reason="split shift worked")])
    ledger.post([JournalRow(agent="A", kind="hold", amount=10, reason="bid")])
    assert ledger.balance("A").model_dump() == {"agent": "A", "balance": 58, "held": 10, "available": 48}
    ledger.post([JournalRow(agent="A", kind="release", amount=10, reason="bid lost"),
                 JournalRow(agent="A", kind="spend", amount=6, reason="bid won")])
    ledger.post([JournalRow(agent="A", kind="expire", amount=2, reason="old points")])
    kinds = {t.kind for t in ledger.journal()}
    assert kinds == set(TX_KINDS)
    frame = ledger.journal_frame(agent="A")
    by_kind = frame.groupby("kind")["amount"].sum()
    # grants + earnings + rewards + refunds + adjustments - penalties - spent - expired = balance
    identity = (by_kind["grant"] + by_kind["earn"] + by_kind["reward"] + by_kind["refund"] + by_kind["adjust"]
                - by_kind["penalty"] - by_kind["spend"] - by_kind["expire"])
    b = ledger.balance("A")
    assert identity == b.balance == frame["delta"].sum() == 50 + 7 - 3 + 2 - 4 + 1 + 5 - 6 - 2
    assert b.held == by_kind["hold"] - by_kind["release"] == 0


@pytest.mark.parametrize("points", [0, -1, 1.5, "2.5", "x", True, float("nan"), float("inf"), 10**12])
def test_bad_points_are_refused_naming_the_field_and_nothing_is_written(ledger, points):
    with pytest.raises(InvalidParameterError) as err:
        ledger.grant("A", points, reason="x")
    assert err.value.field == "points"
    assert ledger.journal() == []


def test_unknown_agent_and_empty_reason_are_named(ledger):
    with pytest.raises(NotFoundError) as err:
        ledger.grant("Z", 5, reason="x")
    assert (err.value.field, err.value.value) == ("agent", "Z")
    with pytest.raises(InvalidParameterError) as err2:
        ledger.grant("A", 5, reason="  ")
    assert err2.value.field == "reason"
    with pytest.raises(NotFoundError):
        ledger.balance("Z")
    assert ledger.journal() == []


def test_debits_never_take_the_balance_below_zero_or_below_holds(ledger):
    ledger.grant("A", 10, reason="g")
    ledger.post([JournalRow(agent="A", kind="hold", amount=8, reason="bid")])
    for op in (lambda: ledger.penalty("A", 3, reason="p"), lambda: ledger.adjust("A", -3, reason="a"),
               lambda: ledger.post([JournalRow(agent="A", kind="spend", amount=11, reason="s")]),
               lambda: ledger.post([JournalRow(agent="A", kind="release", amount=9, reason="r")])):
        before = ledger.journal()
        with pytest.raises(InsufficientPointsError) as err:
            op()
        assert isinstance(err.value, ConflictError) and err.value.code == "insufficient_points"
        assert ledger.journal() == before
    assert ledger.balance("A").available == 2
    ledger.penalty("A", 2, reason="p")
    assert ledger.balance("A").model_dump() == {"agent": "A", "balance": 8, "held": 8, "available": 0}


def test_an_idempotency_key_writes_once_and_refuses_other_content(ledger):
    first = ledger.grant("A", 5, reason="welcome", key="welcome-A")
    again = ledger.grant("A", 5, reason="welcome", key="welcome-A")
    assert again == first and len(ledger.journal()) == 1
    with pytest.raises(ConflictError) as err:
        ledger.grant("A", 6, reason="welcome", key="welcome-A")
    assert err.value.field == "key" and err.value.value == "welcome-A"
    assert ledger.balance("A").balance == 5


def test_expiry_takes_the_oldest_unspent_points_and_runs_once(ledger):
    ledger.grant("A", 10, reason="old")
    ledger.grant("B", 4, reason="old")
    cutoff = dt.datetime.now(dt.UTC)
    ledger.grant("A", 6, reason="new")
    ledger.penalty("A", 3, reason="spends the oldest points first")
    ledger.post([JournalRow(agent="B", kind="hold", amount=3, reason="open bid")])
    lines = ledger.expire(cutoff)
    assert {t.agent: t.amount for t in lines} == {"A": 7, "B": 1}  # B's held points stay
    assert ledger.balance("A").balance == 6 and ledger.balance("B").model_dump()["available"] == 0
    assert ledger.expire(cutoff) == []
    with pytest.raises(InvalidParameterError):
        ledger.expire(dt.datetime(2026, 1, 1))


def test_in_memory_ledger_and_agents_list():
    with Ledger(":memory:") as book:
        book.register_agents(["X", "W"])
        assert book.agents() == ["W", "X"]
        book.grant("W", 3, reason="g")
        assert [b.balance for b in book.balances()] == [3, 0]


ops = st.lists(st.tuples(st.sampled_from(["grant", "reward", "penalty", "hold", "release", "spend", "adjust"]),
                         st.sampled_from(["A", "B"]), st.integers(-30, 30)), max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops)
def test_any_sequence_keeps_balances_equal_to_journal_sums_and_never_negative(ops):
    with Ledger(":memory:") as book:
        book.register_agents(["A", "B"])
        for kind, agent, n in ops:
            try:
                if kind in ("grant", "reward", "penalty", "adjust"):
                    getattr(book, kind)(agent, n, reason="r")
                else:
                    book.post([JournalRow(agent=agent, kind=kind, amount=n, reason="r")])
            except (InvalidParameterError, InsufficientPointsError):
                pass
        sums = _sums(book)
        for b in book.balances():
            assert b.balance == sums.get(b.agent, 0)
            assert 0 <= b.held <= b.balance and b.available >= 0
