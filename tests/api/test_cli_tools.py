"""wfm erlang, forecast (column options, quantiles, calendars), backtest, schema and --version: good input end to
end, bad input as one line naming the option and the value with exit status 2."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from wfm import __version__
from wfm.api.cli import main
from wfm.api.cli_tools import parse_holidays_option, schema_models
from wfm.erlang import asa, occupancy, required_agents, service_level
from wfm.forecast import cross_validation, evaluate, generate_intervals


def _one_error_line(capsys, *fragments: str) -> None:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    for f in fragments:
        assert f in err[0], (f, err[0])


@pytest.fixture(scope="module")
def history_csv(tmp_path_factory):
    """Six weeks of a synthetic queue with the user's own column names."""
    df = generate_intervals("2024-01-01", days=42, freq="30min", seed=1, aht=None)
    df = df.rename(columns={"queue": "team", "ts": "start", "volume": "calls"})
    path = tmp_path_factory.mktemp("cli") / "history.csv"
    df.to_csv(path, index=False)
    return path


# -- erlang ------------------------------------------------------------------------------------------------
def test_erlang_table_marks_the_fewest_agents_meeting_the_target(capsys, tmp_path):
    out = tmp_path / "table.csv"
    assert main(["erlang", "--calls", "100", "--aht", "180", "--target", "80/20", "--range", "3", "-o",
                 str(out)]) == 0
    text = capsys.readouterr().out
    rec = required_agents(100, 180, service_level=0.8, answer_seconds=20, interval_seconds=1800)
    assert rec == 14 and "recommended: 14 agents" in text
    marked = [line for line in text.splitlines() if "<- recommended" in line]
    assert len(marked) == 1 and marked[0].split()[0] == "14"
    table = pd.read_csv(out)
    assert list(table["agents"]) == list(range(11, 18))
    for row in table.itertuples():
        assert row.service_level == pytest.approx(service_level(100, 180, row.agents, 20, 1800))
        assert row.asa_seconds == pytest.approx(asa(100, 180, row.agents, 20, 1800))
        assert row.occupancy == pytest.approx(occupancy(100, 180, row.agents, 20, 1800))
    # the recommended row is the first to meet the target, the one above it misses it
    assert table.loc[table["agents"] == 14, "service_level"].item() >= 0.8 > table.loc[
        table["agents"] == 13, "service_level"].item()
    assert f"{100 * table.loc[table['agents'] == 14, 'service_level'].item():.1f}%" in marked[0]


def test_erlang_cli_interval_and_patience(capsys):
    assert main(["erlang", "--calls", "50", "--aht", "240", "--target", "0.9/15", "--interval", "15min",
                 "--patience", "90"]) == 0
    text = capsys.readouterr().out
    rec = required_agents(50, 240, service_level=0.9, answer_seconds=15, interval_seconds=900,
                          patience_seconds=90)
    assert f"recommended: {rec} agents" in text and "abandoned" in text and "Erlang A" in text


@pytest.mark.parametrize(("args", "fragments"), [
    (["--calls", "abc", "--aht", "180"], ["--calls", "'abc'"]),
    (["--calls", "-5", "--aht", "180"], ["--calls", "-5"]),
    (["--calls", "100", "--aht", "0"], ["--aht", "0"]),
    (["--calls", "100", "--aht", "180", "--target", "80"], ["--target", "'80'"]),
    (["--calls", "100", "--aht", "180", "--target", "120/20"], ["--target", "'120/20'"]),
    (["--calls", "100", "--aht", "180", "--interval", "half an hour"], ["--interval", "'half an hour'"]),
    (["--calls", "100", "--aht", "180", "--patience", "0"], ["--patience", "0"]),
    (["--calls", "100", "--aht", "180", "--agents", "2.5"], ["--agents", "2.5"]),
    (["--calls", "100", "--aht", "180", "--range", "-1"], ["--range", "-1"]),
])
def test_erlang_bad_input_is_one_line_and_exit_2(capsys, args, fragments):
    assert main(["erlang", *args]) == 2
    _one_error_line(capsys, "wfm erlang: error:", *fragments)


# -- forecast ----------------------------------------------------------------------------------------------
def test_forecast_with_own_column_names_quantiles_freq_and_a_calendar(history_csv, tmp_path):
    out = tmp_path / "fc.csv"
    assert main(["forecast", str(history_csv), "--horizon", "2D", "--time-col", "start", "--target-col", "calls",
                 "--id-col", "team", "--quantiles", "0.25,0.75", "--freq", "30min", "--model", "topdown",
                 "--holidays", "US,2024-02-13", "-o", str(out)]) == 0
    fc = pd.read_csv(out, parse_dates=["start"])
    assert list(fc.columns) == ["team", "start", "calls", "calls_q25", "calls_q75"]
    assert len(fc) == 96 and fc["start"].min() == pd.Timestamp("2024-02-12")
    assert (fc["calls_q25"] <= fc["calls_q75"]).all()


def test_forecast_quantiles_none_gives_the_mean_only(history_csv, capsys):
    assert main(["forecast", str(history_csv), "--horizon", "4", "--time-col", "start", "--target-col", "calls",
                 "--id-col", "none", "--quantiles", "none", "--model", "week_mean"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "start,calls" and len(lines) == 5


@pytest.mark.parametrize(("args", "fragments"), [
    (["--time-col", "when"], ["--time-col", "when"]),
    (["--time-col", "start", "--target-col", "calls", "--quantiles", "0.5,1.5"], ["--quantiles", "1.5"]),
    (["--time-col", "start", "--target-col", "calls", "--holidays", "XX"], ["country", "XX"]),
    (["--time-col", "start", "--target-col", "calls", "--holidays", "IL,US"], ["--holidays", "US"]),
    (["--time-col", "start", "--target-col", "calls", "--holidays", "2024-13-45"], ["--holidays", "2024-13-45"]),
    (["--time-col", "start", "--target-col", "volume"], ["volume"]),
    (["--time-col", "start", "--target-col", "calls", "--jobs", "0"], ["--jobs", "0"]),
])
def test_forecast_bad_input_is_one_line_and_exit_2(history_csv, capsys, args, fragments):
    assert main(["forecast", str(history_csv), "--horizon", "1D", "--model", "week_mean", *args]) == 2
    _one_error_line(capsys, "wfm forecast: error:", *fragments)


def test_holidays_option_mixes_a_calendar_dates_and_files(tmp_path):
    events = tmp_path / "events.csv"
    pd.DataFrame({"date": ["1999-05-17", "1999-12-31"], "label": ["holiday", "eve"]}).to_csv(events, index=False)
    spec = parse_holidays_option(f"IL,1999-06-01,{events}")
    assert spec["country"] == "IL"
    assert spec["events"] == {pd.Timestamp("1999-06-01"): "holiday", pd.Timestamp("1999-05-17"): "holiday",
                              pd.Timestamp("1999-12-31"): "eve"}
    assert parse_holidays_option("2024-01-01") == {pd.Timestamp("2024-01-01"): "holiday"}
    assert parse_holidays_option(None) is None


# -- backtest ----------------------------------------------------------------------------------------------
def test_backtest_writes_the_library_metrics(history_csv, tmp_path):
    out, cv_out = tmp_path / "metrics.csv", tmp_path / "cv.csv"
    assert main(["backtest", str(history_csv), "--horizon", "7D", "--folds", "2", "--model", "topdown",
                 "--model", "week_mean", "--time-col", "start", "--target-col", "calls", "--id-col", "team",
                 "-o", str(out), "--cv-out", str(cv_out)]) == 0
    metrics = pd.read_csv(out)
    hist = pd.read_csv(history_csv, parse_dates=["start"])
    cv = cross_validation(hist, "7D", n_windows=2, models=["topdown", "week_mean"], id_col="team",
                          time_col="start", target_col="calls")
    expected = evaluate(cv, metrics=["wape", "bias", "coverage", "pinball"], target_col="calls", time_col="start")
    assert list(metrics.columns) == list(expected.columns)
    assert metrics[["TopDown", "WeekMean"]].to_numpy() == pytest.approx(expected[["TopDown", "WeekMean"]]
                                                                        .to_numpy())
    assert pd.read_csv(cv_out)["cutoff"].nunique() == 2


@pytest.mark.parametrize(("args", "fragments"), [
    (["--folds", "0"], ["--folds", "0"]),
    (["--folds", "two"], ["--folds", "'two'"]),
    (["--folds", "40"], ["40 windows"]),
    (["--model", "prophet"], ["prophet"]),
    (["--metrics", "accuracy"], ["accuracy"]),
])
def test_backtest_bad_input_is_one_line_and_exit_2(history_csv, capsys, args, fragments):
    base = ["backtest", str(history_csv), "--horizon", "7D", "--time-col", "start", "--target-col", "calls"]
    if "--model" not in args:
        base += ["--model", "week_mean"]
    assert main([*base, *args]) == 2
    _one_error_line(capsys, "wfm backtest: error:", *fragments)


# -- schema and version ------------------------------------------------------------------------------------
def test_schema_writes_every_input_and_output_model(tmp_path, capsys):
    assert main(["schema", "-o", str(tmp_path / "schemas")]) == 0
    files = {p.name for p in (tmp_path / "schemas").iterdir()}
    for name in ("RosterProblem", "RosterSolution", "ShortInterval", "StaffingRequest", "StaffingResponse",
                 "ForecastRequest", "ForecastResponse", "ShortfallRequest", "ErrorResponse", "BidItem", "Round"):
        assert f"{name}.schema.json" in files
    assert len(files) == len(schema_models())
    problem = json.loads((tmp_path / "schemas" / "RosterProblem.schema.json").read_text())
    assert problem["title"] == "RosterProblem" and {"agents", "shifts", "horizon"} <= set(problem["properties"])
    capsys.readouterr()
    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["RosterProblem"] == problem


def test_schema_into_a_file_is_refused(tmp_path, capsys):
    target = tmp_path / "taken.txt"
    target.write_text("keep me")
    assert main(["schema", "-o", str(target)]) == 2
    _one_error_line(capsys, "--out", "taken.txt")
    assert target.read_text() == "keep me"


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and capsys.readouterr().out.strip() == f"wfm {__version__}"
