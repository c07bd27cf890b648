"""A RosterProblem from a scheduler's tables: the sample set reads as written, and every bad cell is named
by its file, row and column."""

from __future__ import annotations

import datetime as dt
import tomllib

import pandas as pd
import pytest

from wfm.exceptions import DataFormatError
from wfm.roster import Horizon, solve
from wfm.roster.checker import check
from wfm.roster.sample_tables import SAMPLE_DAYS, SAMPLE_START, write_sample_tables
from wfm.roster.tables import problem_from_tables, read_contracts, read_leave, read_shifts

HORIZON = Horizon(start=SAMPLE_START, days=SAMPLE_DAYS)


@pytest.fixture()
def tables(tmp_path):
    write_sample_tables(tmp_path)
    return tmp_path


def _problem(d, **over):
    kw = {"agents": d / "agents.csv", "shifts": d / "shifts.csv", "contracts": d / "contracts.toml",
          "requirements": d / "requirements.csv", "leave": d / "leave.csv", "horizon": HORIZON}
    return problem_from_tables(**{**kw, **over})


def _replace_line(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_sample_tables_read_as_written(tables):
    p = _problem(tables)
    assert [a.id for a in p.agents][:3] == ["ana", "ben", "chloe"] and len(p.agents) == 12
    ana = p.agents[0]
    assert ana.contract == "FT" and ana.skills == ["service", "sales"] and ana.hire_date == dt.date(2019, 4, 1)
    leave = {a.id: a.leave for a in p.agents if a.leave}
    assert leave == {"ben": [dt.date(2026, 3, 4)], "fay": [dt.date(2026, 3, 5), dt.date(2026, 3, 6)]}
    shifts = {s.id: s for s in p.shifts}
    e = shifts["E0700"]
    assert e.start == dt.time(7) and e.length_minutes == 510 and e.paid_minutes == 480
    assert (e.breaks[0].earliest_offset_minutes, e.breaks[0].latest_offset_minutes) == (180, 300)
    x = shifts["X0800"]  # 08:00-12:00 and 17:00-21:00: a split shift, weekdays only
    assert [(s.offset_minutes, s.minutes) for s in x.segments] == [(0, 240), (540, 240)]
    assert x.weekdays == [0, 1, 2, 3, 4] and x.paid_minutes == 480 and x.tags == ["split"]
    ft = p.contract_of(ana)
    assert ft.min_paid_minutes_per_week == 1920 and ft.max_tag_per_week == {"split": 1}
    assert ft.forbidden_successions[0].first.tag == "late" and ft.allowed_shifts[-1] == "X0800"
    staffed = pd.read_csv(tables / "requirements.csv")
    assert len(p.requirements) == len(staffed)  # one interval requirement per row of 'wfm staff' output
    assert sum(r.agents for r in p.requirements) == staffed["agents"].sum()


def test_frames_and_a_dict_give_the_same_problem_as_the_files(tables):
    from_files = _problem(tables)
    contracts = tomllib.loads((tables / "contracts.toml").read_text())
    frames = _problem(tables, agents=pd.read_csv(tables / "agents.csv", comment="#"),
                      shifts=pd.read_csv(tables / "shifts.csv", comment="#"),
                      leave=pd.read_csv(tables / "leave.csv", comment="#", dtype=str), contracts=contracts,
                      requirements=pd.read_csv(tables / "requirements.csv"))
    assert frames == from_files


def test_sample_tables_give_a_checked_roster(tables):
    p = _problem(tables)
    solution = solve(p, time_limit_s=3, workers=1, seed=0)
    assert check(p, solution).ok
    assert not any(x.agent == "ben" and x.date == dt.date(2026, 3, 4) for x in solution.assignments)


@pytest.mark.parametrize(("file", "old", "new", "field", "value"), [
    ("agents.csv", "gus,FT,", "gus,XX,", "agents.csv:row 13:contract", "XX"),
    ("agents.csv", "ben,FT,service,2020-01-13", "ben,FT,service,13/01/2020", "agents.csv:row 8:hire_date",
     "13/01/2020"),
    ("agents.csv", "chloe,FT", "ana,FT", "agents.csv:row 9:id", "ana"),
    ("agents.csv", "id,contract,skills,hire_date", "id,contract,skills,hired", "agents.csv:hired", "hired"),
    ("leave.csv", "ben,2026-03-04", "bob,2026-03-04", "leave.csv:row 6:agent", "bob"),
    ("leave.csv", "fay,,2026-03-05,2026-03-06", "fay,,2026-03-05,2026-03-01", "leave.csv:row 7:end",
     "2026-03-01"),
    ("leave.csv", "ben,2026-03-04,,", "ben,,,", "leave.csv:row 6:date", ""),
    ("shifts.csv", "D0900,09:00,", "D0900,9h00,", "shifts.csv:row 14:start", "9h00"),
    ("shifts.csv", "P0900,09:00,390,", "P0900,09:00,390,09:00-15:30", "shifts.csv:row 16:length_minutes", "390"),
    ("shifts.csv", "16:30-18:30", "16:30-23:30", "shifts.csv:row 15:break_window", None),
    ("shifts.csv", "split,Mon-Fri", "split,Mon-Fry", "shifts.csv:row 19:weekdays", "Mon-Fry"),
    ("shifts.csv", "E0700,07:00,510", "E0700,07:00,-5", "shifts.csv:row 13:length_minutes", "-5"),
    ("contracts.toml", "max_working_days_per_week = 5", "max_work_days = 5", "contracts.toml:[FT]:max_work_days",
     5),
    ("contracts.toml", "min_rest_hours = 11                      #", "min_rest_hours = \"eleven\" #",
     "contracts.toml:[FT]:min_rest_hours", "eleven"),
    ("contracts.toml", '"S1800"]', '"S1900"]', "contracts.toml:[PT]:allowed_shifts", "S1900"),
])
def test_a_bad_cell_is_named_by_file_row_and_column(tables, file, old, new, field, value):
    _replace_line(tables / file, old, new)
    with pytest.raises(DataFormatError) as info:
        _problem(tables)
    assert info.value.field == field, str(info.value)
    if value is not None:
        assert info.value.value == value
    assert field in str(info.value)


def test_rows_are_the_line_numbers_a_spreadsheet_shows(tables):
    """Comment lines count: row 6 is the sixth line of the file, whatever comes before it."""
    lines = (tables / "leave.csv").read_text().splitlines()
    assert lines[5].startswith("ben,")  # line 6
    with pytest.raises(DataFormatError, match="leave.csv:row 6:agent"):
        _problem(tables, agents=pd.read_csv(tables / "agents.csv", comment="#").iloc[2:])


def test_leave_ranges_are_clipped_to_the_horizon(tables):
    (tables / "leave.csv").write_text("agent,start,end\nana,2026-02-20,2026-03-03\nben,2026-04-01,2026-04-30\n")
    p = _problem(tables)
    assert p.agents[0].leave == [dt.date(2026, 3, 2), dt.date(2026, 3, 3)] and p.agents[1].leave == []
    rows = read_leave(tables / "leave.csv")
    assert (rows[0].agent, rows[0].first, rows[0].last, rows[0].row) == ("ana", dt.date(2026, 2, 20),
                                                                         dt.date(2026, 3, 3), "row 2")


@pytest.mark.parametrize(("text", "days"), [("Mon-Fri", [0, 1, 2, 3, 4]), ("Sat;Sun", [5, 6]),
                                            ("Fri-Mon", [0, 4, 5, 6]), ("0-2", [0, 1, 2]), ("", list(range(7)))])
def test_weekdays_are_read_as_a_scheduler_writes_them(text, days):
    frame = pd.DataFrame({"id": ["A"], "start": ["22:00"], "length_minutes": ["480"], "weekdays": [text]})
    assert read_shifts(frame)[0].weekdays == days


def test_a_night_shift_and_a_frame_row_are_named_by_index():
    frame = pd.DataFrame({"id": ["N", "M"], "start": ["22:00", "23:00"], "segments": ["", "23:00-03:00;04:00-07:00"],
                          "length_minutes": ["480", ""], "break_minutes": ["30", ""],
                          "break_window": ["01:00-02:00", ""]}, index=[10, 11])
    night, split = read_shifts(frame)
    assert night.breaks[0].earliest_offset_minutes == 180  # 01:00 is three hours after 22:00
    assert [(s.offset_minutes, s.minutes) for s in split.segments] == [(0, 240), (300, 180)]
    with pytest.raises(DataFormatError) as info:
        read_shifts(frame.assign(start=["22:00", "25:00"]))
    assert info.value.field == "shifts:row 11:start" and info.value.value == "25:00"


def test_requirements_outside_the_horizon_and_missing_files_are_named(tables):
    with pytest.raises(DataFormatError) as info:
        _problem(tables, horizon=Horizon(start=dt.date(2027, 1, 4), days=7))
    assert info.value.field == "requirements.csv:ts"
    with pytest.raises(DataFormatError) as info:
        _problem(tables, agents=tables / "nope.csv")
    assert info.value.field == "nope.csv"
    pd.read_csv(tables / "requirements.csv").drop(columns=["agents"]).to_csv(tables / "requirements.csv")
    with pytest.raises(DataFormatError) as info:
        _problem(tables)
    assert info.value.field.startswith("requirements.csv") and "agents" in str(info.value)


def test_contracts_toml_errors_name_the_section_and_rule(tmp_path):
    (tmp_path / "c.toml").write_text("[FT]\nmax_weekends = 2\nmax_tag_per_week = { split = \"two\" }\n")
    with pytest.raises(DataFormatError) as info:
        read_contracts(tmp_path / "c.toml")
    assert info.value.field == "c.toml:[FT]:max_tag_per_week.split" and info.value.value == "two"
    (tmp_path / "c.toml").write_text("[FT\nmax_weekends = 2\n")
    with pytest.raises(DataFormatError, match="not valid TOML"):
        read_contracts(tmp_path / "c.toml")
    (tmp_path / "c.toml").write_text("max_weekends = 2\n")
    with pytest.raises(DataFormatError) as info:
        read_contracts(tmp_path / "c.toml")
    assert info.value.field == "c.toml:[max_weekends]"


def test_a_skill_column_gives_per_skill_requirements(tables):
    p = _problem(tables, requirement_columns={"skill_col": "queue"})
    assert {r.skill for r in p.requirements} == {"service"}
    with pytest.raises(DataFormatError) as info:
        _problem(tables, requirement_columns={"skill_col": "skill"})
    assert info.value.field.startswith("requirements.csv") and "skill" in str(info.value)


def test_a_row_limit_and_a_non_integral_length_are_refused(tables):
    from wfm.exceptions import LimitExceededError
    from wfm.limits import set_limits

    previous = set_limits(max_rows=5)
    try:
        with pytest.raises(LimitExceededError) as info:
            _problem(tables)
        assert info.value.field == "shifts.csv" and info.value.value == 7
    finally:
        set_limits(previous)
    with pytest.raises(DataFormatError) as info:
        read_shifts(pd.DataFrame({"id": ["A"], "start": ["07:00"], "length_minutes": [480.5]}))
    assert info.value.field == "shifts:row 0:length_minutes" and info.value.value == "480.5"
