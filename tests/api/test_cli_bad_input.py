"""Issue 19 on the command line: every bad input is one line naming the file, the field and the value (exit 2),
a batch goes on past a bad file, outputs honour the umask and never create a mistyped folder."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from wfm.api.cli import main
from wfm.forecast import generate_intervals

from ..roster.rosterkit import tiny


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "Traceback" not in err[0]
    return err[0]


@pytest.fixture
def ok_csv(tmp_path):
    path = tmp_path / "ok.csv"
    pd.DataFrame({"ts": ["2024-01-08 09:00", "2024-01-08 09:30"], "volume": [10, 12],
                  "aht": [180, 180]}).to_csv(path, index=False)
    return path


@pytest.mark.parametrize(("content", "needle"), [
    ("ts,volume,aht\n13/01/2024 09:00,10,180\n13/01/2024 09:30,10,180\n", "'13/01/2024 09:00'"),
    ("", "empty"),
    ("ts,volume,aht\n", "no rows"),
    ("ts,volume,aht\n2024-01-08 09:00,10,180\n2024-01-08 09:17,10,180\n2024-01-08 10:00,10,180\n", "`ts`"),
    ("ts,volume,aht\n2024-01-08 09:00,10,180\n2024-01-08 09:00,10,180\n", "duplicated"),
])
def test_bad_csv_is_one_line_naming_the_file(tmp_path, capsys, content, needle):
    src = tmp_path / "in.csv"
    src.write_text(content)
    assert main(["staff", str(src)]) == 2
    line = _one_line(capsys)
    assert str(src) in line and needle in line, line


def test_huge_aht_is_refused_at_once(ok_csv, capsys):
    assert main(["staff", str(ok_csv), "--aht", "1e300"]) == 2
    line = _one_line(capsys)
    assert "`aht`" in line and "1e+300" in line


def test_directory_as_input_is_one_line(tmp_path, capsys):
    assert main(["staff", str(tmp_path)]) == 2
    assert str(tmp_path) in _one_line(capsys)
    assert main(["forecast", str(tmp_path), "--horizon", "7D"]) == 2
    assert "directory" in _one_line(capsys)


def test_mistyped_output_folder_is_not_created(ok_csv, tmp_path, capsys):
    typo = tmp_path / "typo" / "fc.csv"
    assert main(["staff", str(ok_csv), "-o", str(typo)]) == 2
    assert "does not exist" in _one_line(capsys) and not typo.parent.exists()


def test_out_dir_naming_a_file_is_one_line(ok_csv, tmp_path, capsys):
    problem = tmp_path / "p.json"
    problem.write_text(tiny().model_dump_json())
    assert main(["roster", str(problem), "--out-dir", str(ok_csv)]) == 2
    assert "is a file" in _one_line(capsys)


def test_outputs_honour_the_umask(ok_csv, tmp_path):
    old = os.umask(0o022)
    try:
        out = tmp_path / "req.csv"
        assert main(["staff", str(ok_csv), "-o", str(out)]) == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o644
        os.umask(0o002)
        out2 = tmp_path / "req2.csv"
        assert main(["staff", str(ok_csv), "-o", str(out2)]) == 0
        assert stat.S_IMODE(out2.stat().st_mode) == 0o664
    finally:
        os.umask(old)


@pytest.mark.parametrize(("args", "field"), [
    (["--seed", "-1"], "seed"), (["--time-limit", "inf"], "time_limit_s"), (["--time-limit", "nan"], "time_limit_s"),
    (["--workers", "10000"], "workers")])
def test_roster_options_are_checked_before_any_solve(tmp_path, capsys, args, field):
    problem = tmp_path / "p.json"
    problem.write_text(tiny().model_dump_json())
    assert main(["roster", str(problem), "--out-dir", str(tmp_path / "out"), *args]) == 2
    assert f"`{field}`" in _one_line(capsys)


@pytest.mark.parametrize(("args", "field"), [(["--agents", "0"], "agents"), (["--seed", "-1"], "seed")])
def test_demo_arguments_are_checked(capsys, args, field):
    assert main(["demo", *args]) == 2
    line = _one_line(capsys)
    assert f"`{field}`" in line and args[1] in line


def test_batch_goes_on_past_a_bad_file_and_sums_up(tmp_path, capsys):
    bad, good = tmp_path / "a.json", tmp_path / "b.json"
    bad.write_text("{}")
    good.write_text(tiny(days=7, agents=3).model_dump_json())
    out = tmp_path / "out"
    assert main(["roster", str(bad), str(good), "--out-dir", str(out), "--time-limit", "5", "--workers", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert any(str(bad) in line and "`horizon`" in line for line in err), err
    assert "1 of 2 solved" in err[-1] and "a.json: bad input" in err[-1]
    assert (out / "b.solution.json").exists()


def test_empty_object_problem_is_one_line(tmp_path, capsys):
    bad = tmp_path / "p.json"
    bad.write_text("{}")
    assert main(["explain", str(bad), str(bad)]) == 2
    line = _one_line(capsys)
    assert str(bad) in line and "field `horizon`" in line and "more errors" in line


def test_explain_with_an_unknown_shift_names_it(tmp_path, capsys):
    from ..roster.test_shortfall import _reasons_problem

    problem, solution = _reasons_problem()
    solution = solution.model_copy(update={"assignments": [
        solution.assignments[0].model_copy(update={"shift": "NOPE"}), *solution.assignments[1:]]})
    (tmp_path / "p.json").write_text(problem.model_dump_json())
    (tmp_path / "s.json").write_text(solution.model_dump_json())
    assert main(["explain", str(tmp_path / "p.json"), str(tmp_path / "s.json")]) == 2
    line = _one_line(capsys)
    assert "solution.assignments.0.shift" in line and "'NOPE'" in line


def test_infeasible_file_holds_conflicts_as_json_objects(tmp_path):
    import json

    problem = tiny(days=7, agents=1, leave=[tiny(days=7, agents=1).horizon.date_of(0)])
    problem.contracts[0].min_paid_minutes_per_week = 7 * 480
    (tmp_path / "p.json").write_text(problem.model_dump_json())
    assert main(["roster", str(tmp_path / "p.json"), "--out-dir", str(tmp_path / "out"), "--time-limit", "5",
                 "--workers", "1"]) == 1
    saved = json.loads((tmp_path / "out" / "p.infeasible.json").read_text())
    assert saved["conflicts"] and all(isinstance(c, dict) and "rule" in c for c in saved["conflicts"])


def test_dst_csv_forecast_feeds_staffing(tmp_path):
    hist = generate_intervals(pd.Timestamp("2024-02-19"), days=42, freq="30min", seed=1)
    hist["ts"] = pd.date_range("2024-02-19", periods=len(hist), freq="30min", tz="UTC").tz_convert("Europe/Berlin")
    src = tmp_path / "history.csv"
    hist.to_csv(src, index=False)
    assert {s[-6:] for s in pd.read_csv(src)["ts"]} == {"+01:00", "+02:00"}
    fc = tmp_path / "fc.csv"
    assert main(["forecast", str(src), "--horizon", "7D", "-o", str(fc)]) == 0
    assert main(["staff", str(fc), "-o", str(tmp_path / "req.csv")]) == 0
    assert len(pd.read_csv(tmp_path / "req.csv")) == 7 * 48


def test_forecast_of_a_history_with_zero_aht_is_staffable(tmp_path):
    hist = generate_intervals(pd.Timestamp("2024-01-01"), days=35, freq="30min", seed=2)
    ts = pd.to_datetime(hist["ts"])
    # every Monday 09:00 with calls but no handle time recorded (as three intervals of the bank's February)
    slot = (ts.dt.day_of_week == 0) & (ts.dt.hour == 9) & (ts.dt.minute == 0) & (hist["volume"] > 0)
    assert slot.sum() == 5
    hist.loc[slot, "aht"] = 0.0
    src = tmp_path / "history.csv"
    hist.to_csv(src, index=False)
    fc = tmp_path / "fc.csv"
    assert main(["forecast", str(src), "--horizon", "7D", "-o", str(fc)]) == 0
    out = pd.read_csv(fc, parse_dates=["ts"])
    monday_9 = out[(out["ts"].dt.day_of_week == 0) & (out["ts"].dt.hour == 9) & (out["ts"].dt.minute == 0)]
    assert (monday_9["volume"] > 0).all() and (monday_9["aht"] > 0).all()
    assert main(["staff", str(fc), "-o", str(tmp_path / "req.csv")]) == 0
