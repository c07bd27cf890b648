"""A small, valid, commented set of a scheduler's tables to start from (``wfm init DIR``).

Twelve agents on two contracts, seven shift templates (early, day, late, part-time, short evening and a
split shift), two leave rows, one week of seeded synthetic calls at 30-minute intervals and the Erlang C
requirements computed from them. :func:`wfm.roster.tables.problem_from_tables` reads the set as it is.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from wfm._io import atomic_write_text
from wfm.exceptions import ConflictError

__all__ = ["write_sample_tables", "SAMPLE_START", "SAMPLE_DAYS", "SAMPLE_FILES"]

SAMPLE_START = dt.date(2026, 3, 2)  # a Monday clear of daylight-saving changes
SAMPLE_DAYS = 7
SAMPLE_FILES = ("agents.csv", "leave.csv", "shifts.csv", "contracts.toml", "intervals.csv", "requirements.csv",
                "README.md")

AGENTS = """\
# agents.csv — one row per agent.
#   id        unique id (any text without commas)
#   contract  a section name of contracts.toml
#   skills    separated by ';' (used by skill-based requirements; head-count rosters ignore them)
#   hire_date YYYY-MM-DD, optional: seniority (earlier is more senior)
id,contract,skills,hire_date
ana,FT,service;sales,2019-04-01
ben,FT,service,2020-01-13
chloe,FT,service;sales,2020-06-02
dev,FT,service,2021-02-15
eli,FT,service,2021-09-01
fay,FT,sales,2022-03-07
gus,FT,service,2022-11-21
hana,FT,service;sales,2023-05-02
ivan,PT,service,2023-09-18
jo,PT,service,2024-01-08
kai,PT,sales,2024-06-03
lee,PT,service,2025-02-10
"""

LEAVE = """\
# leave.csv — days an agent cannot work (approved leave, training, unavailability).
#   agent  an id of agents.csv
#   date   one day, YYYY-MM-DD; or leave it empty and give start and end (both days included)
#   note   free text, ignored
agent,date,start,end,note
ben,2026-03-04,,,dentist
fay,,2026-03-05,2026-03-06,two days off
"""

SHIFTS = """\
# shifts.csv — the shift templates the roster may use.
#   id              unique id
#   start           wall-clock start HH:MM
#   length_minutes  length from start to end, minutes  (or instead: segments)
#   segments        wall-clock work blocks, e.g. 08:00-12:00;16:00-20:00 (two make a split shift)
#   paid_minutes    optional; default: worked minutes less unpaid breaks
#   break_minutes   break length, minutes (several breaks: separate with ';')
#   break_window    earliest and latest wall-clock break START, e.g. 11:00-13:00
#   break_paid      true or false (default false)
#   tags            labels used by contract rules and fairness, separated by ';'
#   weekdays        days the shift may be used: Mon-Fri, Sat;Sun, 0-4 (0 = Monday); empty = every day
id,start,length_minutes,segments,paid_minutes,break_minutes,break_window,break_paid,tags,weekdays
E0700,07:00,510,,,30,10:00-12:00,false,early;full,
D0900,09:00,510,,,30,12:00-14:00,false,day;full,
L1330,13:30,510,,,30,16:30-18:30,false,late;full,
P0900,09:00,390,,,30,11:30-12:30,false,part,
P1530,15:30,390,,,30,18:00-19:00,false,part;late,
S1800,18:00,240,,,,,,short;late,
X0800,08:00,,08:00-12:00;17:00-21:00,,,,,split,Mon-Fri
"""

CONTRACTS = """\
# contracts.toml — one [section] per contract; the section name is the contract id used in agents.csv.
# Every rule is optional and named as in wfm.roster.Contract; leave a rule out to have no such rule.
# Minutes for paid time, hours for rest; "per week" rules count weeks from the first rostered day.

[FT]
# full time: 32 to 40 paid hours and at most 5 days a week
min_paid_minutes_per_week = 1920
max_paid_minutes_per_week = 2400
max_working_days_per_week = 5
max_consecutive_working_days = 6
min_rest_hours = 11                      # from the end of one shift to the start of the next day's
max_tag_per_week = { split = 1 }         # at most one split shift a week
allowed_shifts = ["E0700", "D0900", "L1330", "X0800"]
# a late shift may not be followed by an early one the next day
forbidden_successions = [ { first = { tag = "late" }, second = { tag = "early" } } ]

[PT]
# part time: 12 to 26 paid hours a week
min_paid_minutes_per_week = 720
max_paid_minutes_per_week = 1560
max_working_days_per_week = 4
min_rest_hours = 11
allowed_shifts = ["P0900", "P1530", "S1800"]
max_weekends = 1                         # weekends worked in the horizon
"""

README = """\
# A starter set of roster tables

Written by `wfm init`. Edit the files, then:

    wfm staff intervals.csv -o requirements.csv          # agents needed per interval (Erlang C)
    wfm roster --agents agents.csv --shifts shifts.csv --contracts contracts.toml \\
               --requirements requirements.csv --leave leave.csv \\
               --start 2026-03-02 --days 7 --out-dir rosters --time-limit 20

`rosters/` then holds the roster (`roster.assignments.csv`), its coverage per interval, the solution and
problem JSON (for `wfm explain`) and the checker's verdict. Each file's first lines say what its columns
mean.
"""


def write_sample_tables(directory: str | os.PathLike[str], *, overwrite: bool = False, seed: int = 0) -> list[Path]:
    """Write the sample set into ``directory`` (created if needed) and return the paths written.

    ``intervals.csv`` holds one week of seeded synthetic calls (``seed``) from :data:`SAMPLE_START`;
    ``requirements.csv`` is its Erlang C staffing (80 % of calls answered in 20 s), as ``wfm staff`` writes it.

    Raises
    ------
    ConflictError
        A sample file already exists in ``directory`` and ``overwrite`` is False (a scheduler's edits are
        never overwritten silently).
    """
    from wfm.erlang import requirements
    from wfm.forecast import generate_intervals

    target = Path(directory)
    existing = [name for name in SAMPLE_FILES if (target / name).exists()]
    if existing and not overwrite:
        raise ConflictError(f"{target} already holds {existing}; choose an empty folder or pass --force",
                            field="directory", value=str(target))
    intervals = generate_intervals(SAMPLE_START.isoformat(), days=SAMPLE_DAYS, freq="30min",
                                   queues=["service"], daily_volume=500.0, open_time="07:00", close_time="22:00",
                                   aht=180.0, seed=seed)
    staffed = requirements(intervals, service_level=0.8, answer_seconds=20.0)
    texts = {"agents.csv": AGENTS, "leave.csv": LEAVE, "shifts.csv": SHIFTS, "contracts.toml": CONTRACTS,
             "intervals.csv": intervals.to_csv(index=False), "requirements.csv": staffed.to_csv(index=False),
             "README.md": README}
    return [atomic_write_text(target / name, texts[name]) for name in SAMPLE_FILES]
