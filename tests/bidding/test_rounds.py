"""Bid rounds: holds on submit, replacement, idempotency keys, validation against the round's problem with
nothing written, the lifecycle, withdrawal and the settlement part 2 will call."""

from __future__ import annotations

import pytest

from tests.bidding.kit import AGENTS, day, open_ledger, problem
from wfm.bidding import BidItem, InsufficientPointsError, PostedPrice, Rounds
from wfm.exceptions import ConflictError, InvalidParameterError, NotFoundError


@pytest.fixture
def setup(tmp_path):
    ledger, rounds = open_ledger(tmp_path / "r.sqlite", grant=20)
    yield ledger, rounds
    ledger.close()


def shift(d, s="E", points=3):
    return BidItem(kind="shift", date=day(d), shift=s, points=points)


def test_submit_holds_points_and_a_new_submission_replaces_the_old(setup):
    ledger, rounds = setup
    first = rounds.submit("R1", "A01", [shift(0, points=4), BidItem(kind="day_off", date=day(5), points=9,
                                                                      mode="exchange")], key="k1")
    assert first.held == 13 and ledger.balance("A01").available == 7
    second = rounds.submit("R1", "A01", [BidItem(kind="avoid_tag", week=1, tag="split", points=4,
                                                 mode="exchange"), shift(1, "L", 15)], key="k2")
    assert second.status == "open" and second.held == 19
    b = ledger.balance("A01")
    assert (b.balance, b.held, b.available) == (20, 19, 1)
    assert [s.status for s in rounds.submissions("R1", status=None)] == ["replaced", "open"]
    assert [x.id for x in rounds.open_bids("R1")] == [f"{second.id}:0", f"{second.id}:1"]
    assert rounds.submission("R1", "A01") == second


def test_replacing_may_use_the_points_the_old_submission_held(setup):
    ledger, rounds = setup
    rounds.submit("R1", "A02", [shift(0, points=20)], key="a")
    rounds.submit("R1", "A02", [shift(1, points=20)], key="b")  # the 20 held are released first
    assert ledger.balance("A02").held == 20


def test_over_balance_is_refused_and_leaves_the_old_submission_in_place(setup):
    ledger, rounds = setup
    old = rounds.submit("R1", "A03", [shift(0, points=5)], key="a")
    before = ledger.journal()
    with pytest.raises(InsufficientPointsError) as err:
        rounds.submit("R1", "A03", [shift(0, points=15), shift(1, points=6)], key="b")
    assert isinstance(err.value, ConflictError) and err.value.field == "items" and err.value.value == 21
    assert ledger.journal() == before and rounds.submission("R1", "A03") == old
    assert ledger.balance("A03").held == 5


def test_same_key_same_items_is_a_replay_and_other_items_a_conflict(setup):
    ledger, rounds = setup
    first = rounds.submit("R1", "A01", [shift(0)], key="retry-me")
    n = len(ledger.journal())
    assert rounds.submit("R1", "A01", [shift(0)], key="retry-me") == first
    assert len(ledger.journal()) == n
    with pytest.raises(ConflictError) as err:
        rounds.submit("R1", "A01", [shift(0, points=4)], key="retry-me")
    assert (err.value.field, err.value.value) == ("key", "retry-me")
    # keys are per agent: another agent may use the same text
    rounds.submit("R1", "A02", [shift(0)], key="retry-me")


@pytest.mark.parametrize(("item", "field", "value"), [
    (dict(kind="shift", date=day(0), shift="X", points=1), "items[0].shift", "X"),
    (dict(kind="tag", date=day(0), tag="night", points=1), "items[0].tag", "night"),
    (dict(kind="shift", date=day(14), shift="E", points=1), "items[0].date", "2026-03-16"),
    (dict(kind="day_off", date=day(-1), points=1), "items[0].date", "2026-03-01"),
    (dict(kind="avoid_tag", week=2, tag="split", points=1), "items[0].week", 2),
    (dict(kind="shift", date=day(5), shift="S", points=1), "items[0].date", "2026-03-07"),  # split: weekdays only
    (dict(kind="day_off", date=day(2), points=4, mode="exchange"), "items[0].points", 4),  # posted price is 5
    (dict(kind="tag", date=day(2), tag="late", points=4, mode="exchange"), "items[0].mode", "exchange"),
    (dict(kind="shift", date=day(2), shift="E", points=0), "items[0].points", 0),
    (dict(kind="shift", date=day(2), shift="E", points=-2), "items[0].points", -2),
    (dict(kind="shift", date=day(2), shift="E", points=1.5), "items[0].points", 1.5),
    (dict(kind="shift", date=day(2), points=1), "items[0]", None),
    (dict(kind="lunch", date=day(2), points=1), "items[0].kind", "lunch"),
])
def test_bad_items_name_the_field_and_value_and_write_nothing(setup, item, field, value):
    ledger, rounds = setup
    before = ledger.journal()
    with pytest.raises(InvalidParameterError) as err:
        rounds.submit("R1", "A01", [item], key="k")
    assert err.value.field == field
    if value is not None:
        assert err.value.value == value
    assert ledger.journal() == before and rounds.submissions("R1", status=None) == []


def test_duplicates_contracts_unknown_agents_and_rounds(setup):
    ledger, rounds = setup
    with pytest.raises(InvalidParameterError) as err:
        rounds.submit("R1", "A01", [shift(0), shift(1), shift(0, points=9)], key="k")
    assert err.value.field == "items[2]" and "items[0]" in str(err.value)
    with pytest.raises(InvalidParameterError) as err:  # A06's contract may not work split shifts
        rounds.submit("R1", "A06", [shift(0, "S")], key="k")
    assert err.value.field == "items[0].shift"
    with pytest.raises(NotFoundError) as nf:
        rounds.submit("R1", "Z9", [shift(0)], key="k")
    assert (nf.value.field, nf.value.value) == ("agent", "Z9")
    with pytest.raises(NotFoundError) as nf:
        rounds.submit("R2", "A01", [shift(0)], key="k")
    assert (nf.value.field, nf.value.value) == ("round", "R2")
    with pytest.raises(InvalidParameterError):
        rounds.submit("R1", "A01", [], key="k")
    with pytest.raises(InvalidParameterError):
        rounds.submit("bad name!", "A01", [shift(0)], key="k")
    assert rounds.submissions("R1", status=None) == []


def test_lifecycle_open_closed_awarded_published(setup):
    ledger, rounds = setup
    rounds.submit("R1", "A01", [shift(0, points=6), BidItem(kind="day_off", date=day(3), points=5,
                                                             mode="exchange")], key="a")
    rounds.submit("R1", "A02", [shift(0, points=4)], key="b")
    with pytest.raises(ConflictError):
        rounds.settle("R1", {})  # still open
    assert rounds.close("R1").status == "closed"
    n = len(ledger.journal())
    with pytest.raises(ConflictError) as err:
        rounds.submit("R1", "A03", [shift(0)], key="late")
    assert err.value.field == "round" and err.value.value == "closed"
    with pytest.raises(ConflictError):
        rounds.withdraw("R1", "A01")
    with pytest.raises(ConflictError):
        rounds.close("R1")
    assert len(ledger.journal()) == n
    bids = {(b.agent, b.item.kind): b for b in rounds.open_bids("R1")}
    assert len(bids) == 3
    won = {bids["A01", "shift"].id: 6, bids["A01", "day_off"].id: 5}
    with pytest.raises(InvalidParameterError):  # more than held
        rounds.settle("R1", {bids["A02", "shift"].id: 5})
    with pytest.raises(NotFoundError):
        rounds.settle("R1", {"999:0": 1})
    result = rounds.settle("R1", won)
    assert result.spent == {"A01": 11} and result.released == {"A01": 11, "A02": 4}
    assert ledger.balance("A01").model_dump() == {"agent": "A01", "balance": 9, "held": 0, "available": 9}
    assert ledger.balance("A02").model_dump() == {"agent": "A02", "balance": 20, "held": 0, "available": 20}
    assert all(b.held == 0 for b in ledger.balances())
    assert rounds.get("R1").status == "awarded" and rounds.open_bids("R1") == []
    with pytest.raises(ConflictError):
        rounds.settle("R1", won)
    assert rounds.publish("R1").status == "published"
    assert rounds.submission("R1", "A01").status == "settled"


def test_withdraw_releases_and_only_an_open_submission_can_be_withdrawn(setup):
    ledger, rounds = setup
    rounds.submit("R1", "A04", [shift(0, points=7)], key="a")
    assert rounds.withdraw("R1", "A04").status == "withdrawn"
    assert ledger.balance("A04").held == 0 and rounds.submission("R1", "A04") is None
    with pytest.raises(NotFoundError):
        rounds.withdraw("R1", "A04")


def test_submit_many_is_all_or_nothing(setup):
    ledger, rounds = setup
    before = ledger.journal()
    with pytest.raises(InsufficientPointsError):
        rounds.submit_many("R1", {"A01": [shift(0)], "A02": [shift(1, points=21)]}, keys={"A01": "x", "A02": "y"})
    assert ledger.journal() == before and rounds.submissions("R1") == []
    done = rounds.submit_many("R1", {a: [shift(2)] for a in AGENTS}, keys={a: "z" for a in AGENTS})
    assert len(done) == len(AGENTS) and all(ledger.balance(a).held == 3 for a in AGENTS)


def test_prices_most_specific_wins_and_can_change_only_before_submissions(setup):
    ledger, rounds = setup
    rnd = rounds.get("R1")
    assert rnd.price_of(BidItem(kind="day_off", date=day(5), points=1)) == 9
    assert rnd.price_of(BidItem(kind="day_off", date=day(4), points=1)) == 5
    assert rnd.price_of(BidItem(kind="shift", date=day(4), shift="E", points=1)) is None
    new = rounds.set_prices("R1", [PostedPrice(kind="shift", shift_or_tag="E", points=2)])
    assert new.price_of(BidItem(kind="shift", date=day(4), shift="E", points=1)) == 2
    with pytest.raises(InvalidParameterError) as err:
        rounds.set_prices("R1", [PostedPrice(kind="tag", shift_or_tag="night", points=2)])
    assert err.value.field == "prices[0].shift_or_tag"
    rounds.submit("R1", "A01", [BidItem(kind="shift", date=day(1), shift="E", points=2, mode="exchange")], key="k")
    with pytest.raises(ConflictError):
        rounds.set_prices("R1", [])


def test_open_refuses_a_name_twice_and_bad_prices(tmp_path):
    ledger, rounds = open_ledger(tmp_path / "o.sqlite")
    with ledger:
        with pytest.raises(ConflictError):
            rounds.open("R1", problem())
        with pytest.raises(InvalidParameterError) as err:
            rounds.open("R2", problem(), prices=[PostedPrice(kind="day_off", date=day(30), points=3)])
        assert err.value.field == "prices[0].date"
        assert [r.name for r in Rounds(ledger).list_rounds()] == ["R1"]
