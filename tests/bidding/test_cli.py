"""``wfm bid ...`` end to end on files, and bad input as one line naming the file, field and value (exit 2)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.bidding.kit import day, problem
from wfm.api.cli import main
from wfm.bidding import Ledger, Rounds
from wfm.bidding.files import parse_bids_csv
from wfm.exceptions import AuthenticationError, DataFormatError

HEADER = "agent,kind,date,shift_or_tag,points,mode\n"


@pytest.fixture
def files(tmp_path):
    (tmp_path / "problem.json").write_text(problem().model_dump_json())
    (tmp_path / "prices.csv").write_text("kind,shift_or_tag,date,points\nday_off,,,5\n"
                                         f"day_off,,{day(5)},9\navoid_tag,split,,4\n")
    (tmp_path / "bids.csv").write_text(HEADER + f"A01,day_off,{day(5)},,9,exchange\nA01,shift,{day(0)},E,3,compete\n"
                                       f"A02,avoid_tag,1,split,4,exchange\nA02,tag,{day(2)},early,2,\n"
                                       f"A03,avoid_tag,{day(9)},split,4,exchange\n")
    return tmp_path


def run(args, db):
    return main(["bid", *args, "--db", str(db)])


def test_a_round_from_the_command_line(files, capsys):
    db = files / "wfm.sqlite"
    assert run(["open", str(files / "problem.json"), "--round", "R1", "--prices", str(files / "prices.csv")], db) == 0
    for agent in ("A01", "A02", "A03"):
        assert run(["grant", agent, "10", "--reason", "monthly grant"], db) == 0
    assert run(["reward", "A01", "3", "--reason", "quality 98%"], db) == 0
    assert run(["penalty", "A02", "1", "--reason", "missed a huddle"], db) == 0
    assert run(["submit", "R1", str(files / "bids.csv")], db) == 0
    assert run(["submit", "R1", str(files / "bids.csv")], db) == 0  # the same file again: a replay
    capsys.readouterr()
    assert run(["balance"], db) == 0
    table = capsys.readouterr().out
    assert "A01       13    12          1" in table
    assert run(["balance", "A02"], db) == 0
    assert "A02        9     6          3" in capsys.readouterr().out
    assert run(["withdraw", "R1", "A03"], db) == 0
    assert run(["close", "R1"], db) == 0
    assert "2 submissions, 18 points held" in capsys.readouterr().out
    assert run(["bids", "R1"], db) == 0 and "no split shift in week 1" in capsys.readouterr().out
    assert run(["rounds"], db) == 0 and "closed" in capsys.readouterr().out
    assert run(["ledger", "-o", str(files / "journal.csv")], db) == 0
    journal = pd.read_csv(files / "journal.csv")
    assert journal.groupby("agent")["delta"].sum().to_dict() == {"A01": 13, "A02": 9, "A03": 10}
    with Ledger(db) as ledger:
        subs = Rounds(ledger).submissions("R1", status=None)
        assert [(s.agent, s.status) for s in subs] == [("A01", "open"), ("A02", "open"), ("A03", "withdrawn")]
        assert subs[2].items[0].week == 1  # a date inside week 1 names week 1


def test_tokens_and_earning(files, capsys):
    db = files / "wfm.sqlite"
    run(["open", str(files / "problem.json"), "--round", "R1"], db)
    capsys.readouterr()
    assert run(["token", "issue", "--agent", "A01"], db) == 0
    assert capsys.readouterr().out.startswith("wfm_")
    assert run(["token", "issue", "--manager"], db) == 0
    token = capsys.readouterr().out.strip()
    with Ledger(db) as ledger:
        from wfm.bidding import authenticate

        assert authenticate(ledger, token).role == "manager"
    assert run(["token", "revoke", token], db) == 0
    assert run(["token", "revoke", "wfm_never-issued"], db) == 2
    with Ledger(db) as ledger, pytest.raises(AuthenticationError):
        authenticate(ledger, token)
    from tests.bidding.test_earning import worked

    (files / "roster.json").write_text(worked([("A01", 0, "S"), ("A02", 5, "L")]).model_dump_json())
    (files / "rules.toml").write_text("cycle_grant = 2\n[per_tag]\nsplit = 3\nweekend = 1\n")
    args = ["earn", str(files / "roster.json"), "--rules", str(files / "rules.toml")]
    assert run([*args, "--problem", str(files / "problem.json")], db) == 0
    assert run(args, db) == 0
    with Ledger(db) as ledger:
        assert {b.agent: b.balance for b in ledger.balances()} == {"A01": 5, "A02": 3, "A03": 2, "A04": 2,
                                                                   "A05": 2, "A06": 2}


@pytest.mark.parametrize(("line", "says"), [
    (f"A01,shift,{day(0)},X,3,compete", ["bids.csv line 3: agent 'A01'", "items[0].shift", "'X'"]),
    (f"A01,shift,{day(0)},E,1.5,compete", ["bids.csv line 2", "points", "1.5"]),
    (f"A01,shift,{day(0)},E,0,compete", ["bids.csv line 2", "points", "0"]),
    (f"A01,shift,{day(0)},E,-4,compete", ["bids.csv line 2", "points", "-4"]),
    ("A01,shift,2026-02-30,E,3,compete", ["bids.csv line 2", "date", "2026-02-30"]),
    (f"A01,shift,{day(20)},E,3,compete", ["bids.csv", "items[0].date", str(day(20))]),
    (f"A01,lunch,{day(0)},E,3,compete", ["bids.csv line 2", "kind", "lunch"]),
    (f"A01,shift,{day(0)},E,3,auction", ["bids.csv line 2", "mode", "auction"]),
    (f"Z9,shift,{day(0)},E,3,compete", ["bids.csv", "agent", "Z9"]),
    (f"A01,shift,{day(0)},E,3,compete\nA01,shift,{day(0)},E,4,compete", ["bids.csv", "items[1]", "repeats"]),
    (f"A01,shift,{day(0)},E,30,compete", ["bids.csv", "A01", "30"]),
    (f"A01,shift,{day(0)},E,3,compete,extra", ["bids.csv line 2", "more fields"]),
])
def test_bad_bids_are_one_line_naming_file_field_and_value_and_nothing_is_written(files, capsys, line, says):
    db = files / "wfm.sqlite"
    run(["open", str(files / "problem.json"), "--round", "R1"], db)
    run(["grant", "A01", "10", "--reason", "g"], db)
    run(["grant", "A02", "10", "--reason", "g"], db)
    (files / "bids.csv").write_text(HEADER + f"A02,day_off,{day(1)},,2,compete\n" + line + "\n"
                                    if "line 2" not in says[0] else HEADER + line + "\n")
    capsys.readouterr()
    assert run(["submit", "R1", str(files / "bids.csv")], db) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("wfm bid: error: ")
    for text in says:
        assert text in err, err
    with Ledger(db) as ledger:
        assert Rounds(ledger).submissions("R1", status=None) == []
        assert [t.kind for t in ledger.journal()] == ["grant", "grant"]


def test_other_bad_input_exits_2(files, capsys):
    db = files / "wfm.sqlite"
    (files / "broken.json").write_text('{"name": "x", "horizon": {"start": "2026-03-02", "days": 0}}')
    assert run(["open", str(files / "broken.json"), "--round", "R1"], db) == 2
    assert "broken.json" in capsys.readouterr().err
    run(["open", str(files / "problem.json"), "--round", "R1"], db)
    assert run(["close", "R2"], db) == 2 and "'R2'" in capsys.readouterr().err
    assert run(["grant", "A01", "2.5", "--reason", "x"], db) == 2
    assert run(["penalty", "A01", "5", "--reason", "x"], db) == 2  # more than the agent has
    assert "has 0 points available; asked for 5" in capsys.readouterr().err
    (files / "junk.sqlite").write_bytes(b"not a database" * 200)
    assert main(["bid", "balance", "--db", str(files / "junk.sqlite")]) == 2
    assert "not a wfm ledger" in capsys.readouterr().err
    (files / "noheader.csv").write_text("who,what\nA01,x\n")
    assert run(["submit", "R1", str(files / "noheader.csv")], db) == 2
    assert "missing column `agent`" in capsys.readouterr().err


def test_csv_parser_reads_weeks_and_refuses_an_empty_file():
    got = parse_bids_csv(HEADER + "A01,avoid_tag,0,split,3,compete\n", start=day(0))
    assert got["A01"][0].week == 0
    with pytest.raises(DataFormatError):
        parse_bids_csv(HEADER)
