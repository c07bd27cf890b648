"""The command line: each command end to end on small files, and bad input as one clear line."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

from wfm.api.cli import main
from wfm.erlang import required_agents


def test_demo_runs_forecast_staffing_and_roster_end_to_end(capsys, tmp_path):
    args = ["demo", "--history-weeks", "5", "--agents", "24", "--time-limit", "3", "--workers", "1",
            "--out-dir", str(tmp_path)]
    assert main(args) == 0  # non-zero would mean the checker found a broken hard rule
    text = capsys.readouterr().out
    for section in ("1. forecast", "2. requirements", "3. roster", "all hard rules hold"):
        assert section in text
    req = pd.read_csv(tmp_path / "requirements.csv")
    # the written requirements are exactly Erlang C's answer per interval
    expected = required_agents(req["volume"].to_numpy(), req["aht"].to_numpy(), service_level=0.8,
                               answer_seconds=20, interval_seconds=1800)
    assert (req["agents"].to_numpy() == expected).all()
    roster = pd.read_csv(tmp_path / "roster.csv")
    assert len(roster) > 0 and roster.groupby(["agent", "date"]).size().max() == 1
    cov = pd.read_csv(tmp_path / "coverage.csv")
    assert (cov["shortfall"] == (cov["required"] - cov["scheduled"]).clip(lower=0)).all()


def test_staff_reads_a_csv_and_writes_requirements(tmp_path):
    src = tmp_path / "intervals.csv"
    pd.DataFrame({"queue": ["a", "a", "b", "b"],
                  "ts": ["2024-01-08 09:00", "2024-01-08 09:30"] * 2,
                  "volume": [100, 0, 50, 10], "aht": [180, 180, 240, 240]}).to_csv(src, index=False)
    out = tmp_path / "req.csv"
    assert main(["staff", str(src), "-o", str(out), "--service-level", "0.9"]) == 0
    req = pd.read_csv(out)
    expected = required_agents(req["volume"].to_numpy(), req["aht"].to_numpy(), service_level=0.9,
                               answer_seconds=20, interval_seconds=1800)
    assert list(req["agents"]) == list(expected)


def test_bad_input_is_one_line_naming_the_field(tmp_path, capsys):
    src = tmp_path / "intervals.csv"
    pd.DataFrame({"ts": ["2024-01-08 09:00", "2024-01-08 09:30"], "volume": [100, -3],
                  "aht": [180, 180]}).to_csv(src, index=False)
    assert main(["staff", str(src)]) == 2
    err = capsys.readouterr().err
    assert "volume" in err and "-3" in err
    good = tmp_path / "good.csv"
    pd.read_csv(src).assign(volume=[100, 3]).to_csv(good, index=False)
    assert main(["staff", str(good), "--service-level", "1.5"]) == 2
    assert "service_level" in capsys.readouterr().err


def test_console_entry_point_runs_as_module():
    out = subprocess.run([sys.executable, "-m", "wfm", "--help"], capture_output=True, text=True, check=False)
    assert out.returncode == 0 and "demo" in out.stdout


def test_explain_prints_why_each_short_interval_is_short(tmp_path, capsys):
    import json

    from ..roster.test_shortfall import AT_15, WED, _reasons_problem

    problem, solution = _reasons_problem()
    (tmp_path / "p.json").write_text(problem.model_dump_json())
    (tmp_path / "s.json").write_text(solution.model_dump_json())
    assert main(["explain", str(tmp_path / "p.json"), str(tmp_path / "s.json"), "--day", str(WED),
                 "--interval", str(AT_15)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "kept off by min_rest_hours" in out[0] and "1 on leave" in out[0]
    assert main(["explain", str(tmp_path / "p.json"), str(tmp_path / "s.json"), "-o", str(tmp_path / "why")]) == 0
    rows = json.loads((tmp_path / "why.json").read_text())
    assert len(rows) == 2 == len((tmp_path / "why.txt").read_text().splitlines())  # 08:00 and 15:00
    assert rows[1]["reasons"]["leave"] == ["a0"] and rows[1]["cheapest"]["agent"] == "a2"
    # the nightly batch writes the same files beside each roster
    assert main(["roster", str(tmp_path / "p.json"), "--out-dir", str(tmp_path / "out"), "--time-limit", "2",
                 "--workers", "1", "--explain"]) == 0
    assert isinstance(json.loads((tmp_path / "out" / "p.shortfall.json").read_text()), list)
