"""The report page without a browser: which sections it shows, that its numbers are the checker's and the
explainer's, that it is self-contained and deterministic, and that bad input is refused by name."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.report import reportkit as kit
from wfm.exceptions import DataFormatError, InvalidParameterError
from wfm.report import render_report, write_report
from wfm.report.frames import coverage_with_calls, daily_coverage
from wfm.roster import explain_shortfall

pytest.importorskip("matplotlib", reason="plot extra (matplotlib) not installed")


@pytest.fixture(scope="module")
def roster():  # noqa: ANN201
    p = kit.problem()
    return p, kit.solution(p)


@pytest.fixture(scope="module")
def page(roster) -> str:  # noqa: ANN001
    p, s = roster
    history, fc = kit.history_and_forecast(p)
    return render_report(history=history, forecast=fc, problem=p, solution=s, title="Team <A>")


def _section(page: str, anchor: str) -> str:
    m = re.search(rf'<section id="{anchor}"[^>]*>(.*?)</section>', page, re.S)
    assert m, f"section {anchor} missing"
    return m.group(1)


def test_every_section_is_there_with_its_charts(page: str) -> None:
    for anchor in ("summary", "forecast", "staffing", "service-level", "roster", "short"):
        assert 'class="missing"' not in re.search(rf'<section id="{anchor}"[^>]*>', page).group(0)
    assert _section(page, "forecast").count('<svg') == 1
    assert _section(page, "staffing").count('class="chart"') == 1
    assert _section(page, "service-level").count('class="chart"') == 2  # per day and per interval
    assert _section(page, "roster").count('class="timeline"') == 2  # two weeks
    assert "<title>Team &lt;A&gt;</title>" in page  # the title is escaped


def test_the_page_is_self_contained(page: str) -> None:
    assert "<script" not in page.lower()
    # no fetch of any kind: every src/href is a fragment, and the policy forbids the rest
    refs = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert refs and all(r.startswith("#") for r in refs), [r for r in refs if not r.startswith("#")][:5]
    assert "default-src 'none'" in page
    assert "url(http" not in page and "@import" not in page
    # ids are unique, so each chart clips to its own rectangles
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_the_summary_and_day_table_are_the_coverage_and_the_checker(roster, page: str) -> None:  # noqa: ANN001
    p, s = roster
    cov = s.coverage_frame(p)
    n_short = int((cov["shortfall"] > 0).sum())
    summary = _section(page, "summary")
    assert re.search(rf'short intervals</div><div class="v bad">{n_short}<', summary)
    assert "every hard rule holds" in summary
    paid = sum(x.paid_minutes for x in s.assignments) / 60
    assert f'paid hours</div><div class="v ">{paid:,.0f}<' in summary
    daily = daily_coverage(coverage_with_calls(p, s), interval_minutes=30)
    assert daily["short_h"].sum() == pytest.approx(cov["shortfall"].sum() / 2)
    assert daily["short_intervals"].sum() == n_short
    table = _section(page, "service-level").split('<table class="daily">')[1]
    assert table.count("<tr>") == p.horizon.days + 1


def test_short_intervals_are_the_explainer_s(roster, page: str) -> None:  # noqa: ANN001
    p, s = roster
    found = explain_shortfall(p, s)
    assert found  # the kit is built with holes
    short = _section(page, "short")
    assert short.count("<tr>") == len(found) + 1
    first = found[0]
    assert f"{first.ts:%a %d %b %H:%M}" in short and str(first.cheapest).replace(">", "&gt;") in short


def test_the_timeline_draws_every_shift_leave_and_fixed_day_off(roster, page: str) -> None:  # noqa: ANN001
    p, s = roster
    tl = _section(page, "roster")
    for x in s.assignments:  # one tooltip per assignment naming agent, day and shift
        assert f"{x.agent} {x.date:%a %d %b}: {x.shift} " in tl
    bars = len(re.findall(r'<rect [^>]*fill="#[0-9a-f]{6}" rx="2"/>', tl))
    assert bars == sum(len(x.segments) for x in s.assignments)
    leave_day = p.horizon.date_of(kit.LEAVE[1])
    assert f"{kit.LEAVE[0]} {leave_day:%a %d %b}: leave" in tl
    assert tl.count("fixed day off") == 1
    assert tl.count('stroke-dasharray="2 2"') == sum(1 for x in s.assignments if len(x.segments) == 2)


def test_sections_without_inputs_are_replaced_by_a_note(roster) -> None:  # noqa: ANN001
    p, _ = roster
    history, fc = kit.history_and_forecast(p)
    page = render_report(history=history, forecast=fc)
    for anchor in ("staffing", "service-level", "roster"):
        assert re.search(rf'<section id="{anchor}" class="missing">', page)
    assert "--problem" in page and 'id="forecast"><h2>' in page
    req = fc.assign(agents=np.ceil(fc["volume"] / 8))
    page = render_report(requirements=req)
    assert 'class="chart"' in _section(page, "staffing") and 'id="forecast" class="missing"' in page


def test_same_input_same_bytes_written_atomically(roster, page: str, tmp_path) -> None:  # noqa: ANN001
    p, s = roster
    history, fc = kit.history_and_forecast(p)
    path = write_report(tmp_path / "r.html", history=history, forecast=fc, problem=p, solution=s, title="Team <A>")
    assert path.read_text(encoding="utf-8") == page
    assert [x.name for x in tmp_path.iterdir()] == ["r.html"]  # no temporary file left beside it


def test_daily_service_level_weights_intervals_by_calls() -> None:
    cov = pd.DataFrame({"ts": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:30", "2026-03-02 10:00"]),
                        "skill": [None] * 3, "required": [2.0, 3.0, 0.0], "scheduled": [2, 1, 1],
                        "shortfall": [0.0, 2.0, 0.0], "over": [0.0, 0.0, 1.0],
                        "service_level": [0.9, 0.5, np.nan], "volume": [30.0, 10.0, np.nan]})
    d = daily_coverage(cov, interval_minutes=30).iloc[0]
    assert d["service_level"] == pytest.approx((0.9 * 30 + 0.5 * 10) / 40)
    assert d["worst_service_level"] == 0.5 and d["short_intervals"] == 1
    assert (d["required_h"], d["scheduled_h"], d["short_h"], d["over_h"]) == (2.5, 2.0, 1.0, 0.5)


def test_bad_input_is_refused_by_name(roster) -> None:  # noqa: ANN001
    p, s = roster
    with pytest.raises(InvalidParameterError) as e:
        render_report(problem=p)
    assert e.value.field == "solution"
    with pytest.raises(InvalidParameterError) as e:
        render_report()
    assert "at least one input" in str(e.value)
    with pytest.raises(InvalidParameterError) as e:
        render_report(problem=p, solution=s, target_service_level=1.5)
    assert e.value.field == "target_service_level" and e.value.value == 1.5
    with pytest.raises(InvalidParameterError) as e:
        render_report(problem=p, solution=s, max_short_rows=-1)
    assert e.value.field == "max_short_rows"
    with pytest.raises(DataFormatError) as e:
        render_report(forecast=pd.DataFrame({"ts": ["2026-03-02"], "calls": [3]}))
    assert e.value.field == "forecast" and "volume" in str(e.value)


def test_the_package_imports_without_matplotlib_and_the_page_names_the_extra(tmp_path) -> None:
    code = textwrap.dedent(f"""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "matplotlib":
                    raise ImportError(f"blocked {{name}}")
        sys.meta_path.insert(0, Block())
        import pandas as pd
        from wfm.exceptions import MissingExtraError
        from wfm.report import write_report
        try:
            write_report({str(tmp_path / "r.html")!r}, forecast=pd.DataFrame({{"ts": ["2026-03-02"], "volume": [1.0]}}))
        except MissingExtraError as err:
            print(err)
        """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert "wfm[plot]" in out.stdout and not (tmp_path / "r.html").exists()


def test_the_doc_example_runs(roster, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    doc = Path(__file__).resolve().parents[2] / "docs" / "report.md"
    block = re.findall(r"```python\n(.*?)```", doc.read_text(encoding="utf-8"), flags=re.S)[0]
    p, s = roster
    history, fc = kit.history_and_forecast(p)
    monkeypatch.chdir(tmp_path)
    exec(compile(block, str(doc), "exec"), {"history": history, "fc": fc, "problem": p, "solution": s})  # noqa: S102
    assert "Team A, weeks 10-11" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_the_timeline_keeps_the_wall_clock_on_a_daylight_saving_day() -> None:
    import datetime as dt

    from tests.roster.rosterkit import roster as hand_roster
    from wfm.report.roster_svg import roster_week_svgs
    from wfm.roster import Agent, Contract, Horizon, RosterProblem, RosterSolution

    # Europe/Paris springs forward on Sunday 2024-03-31: an 08:00 shift there starts 7 elapsed hours in
    p = RosterProblem(horizon=Horizon(start=dt.date(2024, 3, 30), days=2, timezone="Europe/Paris"),
                      shifts=kit.SHIFTS[:1], contracts=[Contract(id="C")], agents=[Agent(id="a0", contract="C")])
    # through JSON, as `wfm report` reads it: the times come back with fixed UTC offsets
    sol = RosterSolution.model_validate_json(hand_roster(p, [("a0", 0, "E0800"), ("a0", 1, "E0800")]).model_dump_json())
    svg = roster_week_svgs(p, sol)[0][1]
    starts = [float(x) for x in re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="[\d.]+" height="[\d.]+" '
                                           r'fill="#0ea5e9"', svg)]
    assert len(starts) == 2
    block = (1240 - 86 - 52 - 6 * 4) / 7 + 4  # one day block and its gap, px
    assert starts[1] - starts[0] == pytest.approx(block, abs=0.11)
