"""``wfm init`` then ``wfm roster --agents ...``: from the sample files to a checked roster, and bad input
as one line (or one JSON object) naming the file, the row and the column."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from wfm.api.cli import main
from wfm.roster import RosterProblem, RosterSolution, check


def _roster_args(d, out, *extra):
    return ["roster", "--agents", str(d / "agents.csv"), "--shifts", str(d / "shifts.csv"),
            "--contracts", str(d / "contracts.toml"), "--requirements", str(d / "requirements.csv"),
            "--leave", str(d / "leave.csv"), "--start", "2026-03-02", "--days", "7", "--out-dir", str(out),
            "--time-limit", "3", "--workers", "1", *extra]


def test_init_then_roster_gives_a_checked_roster(tmp_path, capsys):
    d = tmp_path / "starter"
    assert main(["init", str(d)]) == 0
    assert "wfm roster --agents" in capsys.readouterr().out
    # requirements.csv is what 'wfm staff intervals.csv' writes
    assert main(["staff", str(d / "intervals.csv"), "-o", str(tmp_path / "req.csv")]) == 0
    staffed, written = pd.read_csv(tmp_path / "req.csv"), pd.read_csv(d / "requirements.csv")
    assert list(staffed.columns) == list(written.columns) and (staffed["agents"] == written["agents"]).all()
    out = tmp_path / "rosters"
    assert main(_roster_args(d, out, "--quiet", "--explain", "--report")) == 0
    err = capsys.readouterr().err
    assert "roster: " in err and "checker ok" in err and "objective" in err
    problem = RosterProblem.model_validate_json((out / "roster.problem.json").read_text())
    solution = RosterSolution.model_validate_json((out / "roster.solution.json").read_text())
    assert check(problem, solution).ok and json.loads((out / "roster.check.json").read_text())["ok"]
    roster = pd.read_csv(out / "roster.assignments.csv")
    assert len(roster) == len(solution.assignments) > 0
    assert not ((roster["agent"] == "ben") & (roster["date"] == "2026-03-04")).any()  # ben's leave day
    assert (out / "roster.shortfall.txt").exists() and (out / "roster.coverage.csv").exists()
    # the second command's --report: the roster's page, its timeline naming every agent of the tables
    page = (out / "roster.report.html").read_text()
    assert "<svg" in page and all(f">{a.id}<" in page or f">{a.id} " in page for a in problem.agents)
    # the problem JSON written beside the roster feeds 'wfm explain'
    assert main(["explain", str(out / "roster.problem.json"), str(out / "roster.solution.json")]) == 0


def test_init_does_not_overwrite_a_schedulers_files(tmp_path, capsys):
    assert main(["init", str(tmp_path)]) == 0
    (tmp_path / "agents.csv").write_text("id,contract\nme,FT\n")
    assert main(["init", str(tmp_path)]) == 2
    assert "already holds" in capsys.readouterr().err
    assert (tmp_path / "agents.csv").read_text() == "id,contract\nme,FT\n"
    assert main(["init", str(tmp_path), "--force"]) == 0
    assert "ana,FT" in (tmp_path / "agents.csv").read_text()


def test_roster_log_json_writes_only_json_lines(tmp_path, capsys):
    assert main(["init", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(_roster_args(tmp_path, tmp_path / "out", "--log-json", "--days", "2")) == 0
    lines = capsys.readouterr().err.splitlines()
    rows = [json.loads(line) for line in lines]  # every line is one JSON object
    assert rows[0]["event"] == "progress" and rows[-1]["event"] == "result"
    assert rows[-1]["status"] == "done" and rows[-1]["objective"] is not None
    assert any(r["event"] == "progress" and r.get("stage") == "finish" and r["gap"] is not None for r in rows)


@pytest.mark.parametrize("log_json", [False, True])
def test_roster_bad_cell_is_named_by_file_row_and_column(tmp_path, capsys, log_json):
    assert main(["init", str(tmp_path)]) == 0
    capsys.readouterr()
    text = (tmp_path / "agents.csv").read_text().replace("gus,FT,", "gus,FX,")
    (tmp_path / "agents.csv").write_text(text)
    extra = ["--log-json"] if log_json else []
    assert main(_roster_args(tmp_path, tmp_path / "out", *extra)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    if log_json:
        row = json.loads(err[0])
        assert row["event"] == "error" and row["field"] == "agents.csv:row 13:contract" and row["value"] == "FX"
    else:
        assert "agents.csv:row 13:contract" in err[0] and "'FX'" in err[0]
    assert not (tmp_path / "out" / "roster.solution.json").exists()


def test_roster_needs_all_tables_and_no_mixing(tmp_path, capsys):
    assert main(["roster", "--agents", "a.csv", "--out-dir", str(tmp_path)]) == 2
    assert "--shifts" in capsys.readouterr().err
    assert main(["roster", "--out-dir", str(tmp_path)]) == 2
    assert "problem JSON files" in capsys.readouterr().err
    assert main(["roster", "p.json", "--agents", "a.csv", "--shifts", "s.csv", "--contracts", "c.toml",
                 "--requirements", "r.csv", "--start", "2026-03-02", "--days", "7", "--out-dir", str(tmp_path)]) == 2
    assert "cannot be mixed" in capsys.readouterr().err


def test_roster_problem_files_with_log_json_are_json_lines(tmp_path, capsys):
    from wfm.roster.instances import call_centre_instance

    problem = call_centre_instance(n_agents=3, weeks=1, seed=1, source="synthetic")
    (tmp_path / "p.json").write_text(problem.model_dump_json())
    code = main(["roster", str(tmp_path / "p.json"), "--out-dir", str(tmp_path / "o"), "--time-limit", "2",
                 "--workers", "1", "--log-json"])
    assert code == 0
    rows = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert rows and all(r["event"] == "log" for r in rows) and "p:" in rows[-1]["message"]
    assert main(["roster", str(tmp_path / "missing.json"), "--out-dir", str(tmp_path / "o"), "--log-json"]) == 2
    rows = [json.loads(line) for line in capsys.readouterr().err.strip().splitlines()]
    errors = [r for r in rows if r["event"] == "error"]
    assert len(errors) == 1 and "missing.json" in errors[0]["message"]
