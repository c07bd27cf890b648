"""Earning rules on a worked roster: rates per tag, weekend and holiday by date, the cycle grant, the
none-approved bonus, expiry; the same roster earns once."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.bidding.kit import day, open_ledger, problem
from wfm.bidding import BidItem, EarningRules, Ledger, apply_earning
from wfm.exceptions import DataFormatError
from wfm.roster import Assignment, RosterSolution


def worked(cells: list[tuple[str, int, str]]) -> RosterSolution:
    p = problem()
    out = []
    for agent, d, sid in cells:
        t = p.shift(sid)
        start = dt.datetime.combine(day(d), t.start, tzinfo=dt.UTC)
        out.append(Assignment(agent=agent, date=day(d), shift=sid, start=start,
                              end=start + dt.timedelta(minutes=t.span_minutes), paid_minutes=t.paid_minutes,
                              tags=list(t.tags)))
    return RosterSolution(status="OPTIMAL", assignments=out, objective=0, best_bound=0, gap=0, solve_time_s=0)


RULES = EarningRules(cycle_grant=10, per_tag={"split": 3, "late": 1, "weekend": 2, "holiday": 4},
                     holidays=[day(2)])


def test_rates_per_tag_weekend_and_holiday_and_the_cycle_grant(tmp_path):
    roster = worked([("A01", 0, "S"), ("A01", 2, "L"), ("A02", 5, "L"), ("A02", 6, "E"), ("A03", 1, "E")])
    with Ledger(tmp_path / "e.sqlite") as ledger:
        lines = apply_earning(ledger, roster, RULES, agents=["A04"])
        got = {b.agent: b.balance for b in ledger.balances()}
    # A01: split 3 + late 1 + holiday 4; A02: late 1 + weekend 2 + weekend 2; A03: nothing; A04: no shift
    assert got == {"A01": 10 + 3 + 1 + 4, "A02": 10 + 1 + 2 + 2, "A03": 10, "A04": 10}
    assert {t.kind for t in lines} == {"grant", "earn"}
    assert all(t.key == lines[0].key for t in lines)
    assert any(t.shift == f"{day(0)} S" and t.reason == "split shift worked" for t in lines)


def test_the_same_roster_earns_once(tmp_path):
    roster = worked([("A01", 0, "S"), ("A02", 1, "L")])
    with Ledger(tmp_path / "e.sqlite") as ledger:
        first = apply_earning(ledger, roster, RULES)
        again = apply_earning(ledger, roster.model_copy(update={"objective": 99.0}), RULES)
        assert again == first
        assert len(ledger.journal()) == len(first)
        other = apply_earning(ledger, worked([("A01", 3, "S")]), RULES)  # a new cycle earns again
        assert len(ledger.journal()) == len(first) + len(other)


def test_none_approved_bonus_goes_to_bidders_who_won_nothing(tmp_path):
    ledger, rounds = open_ledger(tmp_path / "b.sqlite", grant=20)
    with ledger:
        rounds.submit("R1", "A01", [BidItem(kind="day_off", date=day(3), points=5)], key="a")
        rounds.submit("R1", "A02", [BidItem(kind="day_off", date=day(3), points=6)], key="b")
        rounds.close("R1")
        won = next(b.id for b in rounds.open_bids("R1") if b.agent == "A02")
        rounds.settle("R1", {won: 6})
        rules = EarningRules(none_approved_bonus=4)
        lines = apply_earning(ledger, worked([("A01", 0, "E")]), rules, last_round="R1")
        assert [(t.agent, t.amount, t.round) for t in lines] == [("A01", 4, "R1")]
        assert ledger.balance("A01").balance == 24 and ledger.balance("A02").balance == 14


def test_expiry_through_the_rules(tmp_path):
    with Ledger(tmp_path / "x.sqlite") as ledger:
        ledger.register_agents(["A01"])
        ledger.grant("A01", 9, reason="long ago")
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
        lines = apply_earning(ledger, worked([("A01", 0, "E")]), EarningRules(cycle_grant=1, expire_after_days=365),
                              now=later)
        assert [(t.kind, t.amount) for t in lines] == [("grant", 1), ("expire", 10)]
        assert ledger.balance("A01").balance == 0


def test_rules_from_toml_and_their_errors(tmp_path):
    good = tmp_path / "rules.toml"
    good.write_text('cycle_grant = 10\nholidays = ["2026-03-04"]\n[per_tag]\nsplit = 3\nweekend = 2\n')
    rules = EarningRules.from_toml(good)
    assert rules.per_tag == {"split": 3, "weekend": 2} and rules.holidays == [day(2)]
    for text, field in (("cycle_grant = -1\n", "cycle_grant"), ("[per_tag]\nsplit = 1.5\n", "per_tag.split"),
                        ("bonus = 3\n", "bonus"), ("cycle_grant = \n", "file")):
        bad = tmp_path / "bad.toml"
        bad.write_text(text)
        with pytest.raises(DataFormatError) as err:
            EarningRules.from_toml(bad)
        assert str(bad) in str(err.value) and err.value.field == field
