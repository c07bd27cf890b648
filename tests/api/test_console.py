"""The progress display: plain lines, JSON lines, quiet and rich, on a synthetic event stream and a real solve."""

from __future__ import annotations

import io
import json
import sys

import pytest

from wfm.api.console import Console, describe, rich_available
from wfm.exceptions import DataFormatError, InvalidParameterError
from wfm.progress import Progress, emit

EVENTS = [
    Progress(task="roster", stage="construct", elapsed_s=0.5, objective=410.0, bound=380.0),
    Progress(task="roster", stage="improve", elapsed_s=2.0, objective=390.0, bound=385.0),
    Progress(task="batch", stage="north", elapsed_s=3.0, done=1, total=3, message="north: done"),
    Progress(task="batch", stage="south", elapsed_s=4.0, done=2, total=3, objective=float("nan")),
]


def test_describe_shows_elapsed_objective_bound_and_gap():
    line = describe(EVENTS[0])
    assert "roster construct" in line and "0.5 s" in line and "objective 410" in line and "bound 380" in line
    assert "gap 7.3%" in line  # (410 - 380) / 410
    assert "1/3 done" in describe(EVENTS[2]) and "north: done" in describe(EVENTS[2])


def test_plain_mode_prints_one_line_per_event():
    out = io.StringIO()
    with Console("plain", out) as console:
        for e in EVENTS:
            console(e)
        console.result("north: OPTIMAL", team="north")
    lines = out.getvalue().splitlines()
    assert len(lines) == 5 and lines[1] == describe(EVENTS[1]) and lines[-1] == "north: OPTIMAL"


def test_json_mode_writes_one_object_per_line_with_the_gap():
    out = io.StringIO()
    with Console("json", out) as console:
        for e in EVENTS:
            console(e)
        console.result("ignored text", team="north", objective=390.0)
        console.error(DataFormatError("agents.csv:row 7:contract: unknown contract; got 'XX'",
                                      field="agents.csv:row 7:contract", value="XX"), prefix="wfm roster: ")
        console.error(RuntimeError("boom"))
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["event"] for r in rows] == ["progress"] * 4 + ["result", "error", "error"]
    assert rows[0]["gap"] == pytest.approx(30 / 410) and rows[0]["task"] == "roster"
    assert rows[3]["objective"] is None  # NaN is not JSON: it becomes null
    assert rows[4] == {"event": "result", "team": "north", "objective": 390.0}
    assert rows[5]["field"] == "agents.csv:row 7:contract" and rows[5]["value"] == "XX"
    assert rows[5]["code"] == "data_format" and rows[6]["code"] == "RuntimeError"


def test_quiet_mode_hides_progress_but_not_results_or_errors():
    out = io.StringIO()
    with Console("quiet", out) as console:
        for e in EVENTS:
            console(e)
        console.result("north: OPTIMAL")
        console.error(ValueError("bad"))
    assert out.getvalue().splitlines() == ["north: OPTIMAL", "error: bad"]


def test_rich_mode_renders_the_tasks():
    pytest.importorskip("rich")
    out = io.StringIO()
    with Console("rich", out) as console:
        for e in EVENTS:
            console(e)
        console.result("north: OPTIMAL")
    text = out.getvalue()
    assert "batch south" in text and "2/3" in text and "roster improve" in text and "north: OPTIMAL" in text


def test_auto_is_plain_off_a_terminal_or_without_rich(monkeypatch):
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert Console("auto", io.StringIO()).mode == "plain"
    assert Console("auto", Tty()).mode == ("rich" if rich_available() else "plain")
    monkeypatch.setitem(sys.modules, "rich", None)  # as if the cli extra were not installed
    assert not rich_available() and Console("auto", Tty()).mode == "plain"
    with pytest.raises(InvalidParameterError):
        Console("loud")  # type: ignore[arg-type]


def test_a_failing_display_never_breaks_the_work():
    def broken(event: Progress) -> None:
        raise OSError("terminal gone")

    emit(broken, EVENTS[0])  # no exception


def test_a_real_solve_reports_start_and_finish(tmp_path):
    from wfm.batch.team import solve_and_write
    from wfm.roster import Horizon
    from wfm.roster.sample_tables import SAMPLE_START, write_sample_tables
    from wfm.roster.tables import problem_from_tables

    write_sample_tables(tmp_path)
    problem = problem_from_tables(agents=tmp_path / "agents.csv", shifts=tmp_path / "shifts.csv",
                                  contracts=tmp_path / "contracts.toml", requirements=tmp_path / "requirements.csv",
                                  horizon=Horizon(start=SAMPLE_START, days=2))
    out = io.StringIO()
    with Console("json", out) as console:
        result = solve_and_write(problem, tmp_path / "out", "r", time_limit_s=2, workers=1, seed=0,
                                 progress=console)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert rows[0]["stage"] == "solve" and rows[-1]["stage"] == "finish"
    assert rows[-1]["objective"] == result.objective and rows[-1]["elapsed_s"] > 0
    assert rows[-1]["bound"] is not None and rows[-1]["gap"] is not None
    assert all(r["event"] == "progress" and r["task"] == "roster" for r in rows)

