"""``wfm bid award|publish|report`` end to end on files: the award's files agree with the ledger."""

from __future__ import annotations

import json

import pandas as pd

from tests.bidding.award_kit import AGENTS, ITEMS, problem
from wfm.api.cli import main
from wfm.bidding import Ledger, Rounds
from wfm.bidding.award import stored_award


def _bids_csv() -> str:
    rows = ["agent,kind,date,shift_or_tag,points,mode"]
    for agent in AGENTS:
        for it in ITEMS[agent]:
            when = it.week if it.kind == "avoid_tag" else it.date
            rows.append(f"{agent},{it.kind},{when},{it.shift or it.tag or ''},{it.points},{it.mode}")
    return "\n".join(rows) + "\n"


def test_award_publish_report(tmp_path, capsys) -> None:
    db = str(tmp_path / "wfm.sqlite")
    (tmp_path / "problem.json").write_text(problem().model_dump_json())
    (tmp_path / "prices.csv").write_text("kind,shift_or_tag,date,points\nday_off,,,5\navoid_tag,split,,4\n")
    (tmp_path / "bids.csv").write_text(_bids_csv())
    assert main(["bid", "open", str(tmp_path / "problem.json"), "--round", "R1", "--prices",
                 str(tmp_path / "prices.csv"), "--db", db]) == 0
    for a in AGENTS:
        assert main(["bid", "grant", a, "20", "--reason", "grant", "--db", db]) == 0
    assert main(["bid", "submit", "R1", str(tmp_path / "bids.csv"), "--db", db]) == 0
    assert main(["bid", "close", "R1", "--db", db]) == 0
    out = tmp_path / "award"
    capsys.readouterr()
    assert main(["bid", "award", "R1", "--time-limit", "10", "--seed", "0", "--out-dir", str(out), "--db", db]) == 0
    text = capsys.readouterr().out
    assert "roster cost 20 (bid-free 20, cap 20)" in text and "labour_rule 1" in text
    results = pd.read_csv(out / "results.csv")
    assert len(results) == sum(len(v) for v in ITEMS.values())
    assert set(results["reason"]) == {"awarded", "coverage", "outbid", "crowded_out", "labour_rule"}
    charges = pd.read_csv(out / "charges.csv")
    with Ledger(db) as ledger:
        award = stored_award(ledger, "R1")
        spent = {t.bid: t.amount for t in ledger.journal(round="R1") if t.kind == "spend"}
        assert Rounds(ledger).get("R1").status == "awarded"
    assert dict(zip(charges["bid"], charges["points"], strict=True)) == spent == award.charges
    fairness = json.loads((out / "fairness.json").read_text())
    assert fairness["least_share"] == award.min_share
    assert (out / "roster.json").exists() and (out / "clearing_prices.csv").exists()
    assert main(["bid", "publish", "R1", "--db", db]) == 0
    assert main(["bid", "report", "R1", "--db", db]) == 0
    report = capsys.readouterr().out
    assert "least satisfied" in report and "over 1 awarded round(s)" in report
    # an awarded round cannot be awarded again: one line, exit 2
    assert main(["bid", "award", "R1", "--db", db]) == 2
