"""``wfm report`` and ``wfm demo --out-dir``: files in, one page out; bad input is one line with status 2."""

from __future__ import annotations

import pytest

from tests.report import reportkit as kit
from wfm.api.cli import main

pytest.importorskip("matplotlib", reason="plot extra (matplotlib) not installed")


@pytest.fixture(scope="module")
def files(tmp_path_factory):  # noqa: ANN201
    d = tmp_path_factory.mktemp("report")
    p = kit.problem(days=7)
    history, fc = kit.history_and_forecast(p)
    (d / "problem.json").write_text(p.model_dump_json())
    (d / "solution.json").write_text(kit.solution(p).model_dump_json())
    history.to_csv(d / "history.csv", index=False)
    fc.to_csv(d / "forecast.csv", index=False)
    return d


def test_report_from_files(files, capsys) -> None:  # noqa: ANN001
    out = files / "report.html"
    assert main(["report", "--problem", str(files / "problem.json"), "--solution", str(files / "solution.json"),
                 "--history", str(files / "history.csv"), "--forecast", str(files / "forecast.csv"),
                 "--title", "Team A", "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "<h1>Team A</h1>" in page and 'class="missing"' not in page
    assert page.count('class="chart"') == 4 and page.count('class="timeline"') == 1
    assert str(out) in capsys.readouterr().err


@pytest.mark.parametrize(("args", "needle"), [
    (["--problem", "{d}/problem.json"], "--solution"),
    (["--problem", "{d}/nope.json", "--solution", "{d}/solution.json"], "nope.json"),
    (["--problem", "{d}/history.csv", "--solution", "{d}/solution.json"], "JSON"),
    (["--forecast", "{d}/problem.json"], "forecast"),
    (["--forecast", "{d}/forecast.csv", "--target-service-level", "80"], "target_service_level"),
    ([], "at least one input"),
])
def test_bad_input_is_one_line_with_status_2(files, capsys, args, needle) -> None:  # noqa: ANN001
    argv = ["report", *(a.format(d=files) for a in args), "-o", str(files / "bad.html")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("wfm report: error:") and needle in err
    assert not (files / "bad.html").exists()


def test_demo_writes_the_report_and_the_solution_explain_follows_on(tmp_path, capsys) -> None:  # noqa: ANN001
    assert main(["demo", "--history-weeks", "4", "--calls", "800", "--agents", "12", "--time-limit", "2",
                 "--workers", "1", "--out-dir", str(tmp_path)]) == 0
    for name in ("report.html", "solution.json", "problem.json", "history.csv", "forecast.csv"):
        assert (tmp_path / name).exists(), name
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'class="missing"' not in page and page.count('class="chart"') == 4
    capsys.readouterr()
    assert main(["explain", str(tmp_path / "problem.json"), str(tmp_path / "solution.json")]) == 0
    assert main(["report", "--problem", str(tmp_path / "problem.json"), "--solution",
                 str(tmp_path / "solution.json"), "-o", str(tmp_path / "again.html")]) == 0
