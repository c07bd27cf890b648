"""A :class:`~wfm.roster.models.RosterProblem` from a scheduler's own tables.

A scheduler keeps four tables and one staffing output; :func:`problem_from_tables` assembles them:

* ``agents.csv`` — ``id, contract, skills, hire_date`` (skills separated by ``;``; ``hire_date`` ISO, optional;
  a ``name`` column is allowed and ignored).
* ``leave.csv`` (optional) — ``agent`` and either ``date`` or ``start, end`` (an inclusive range); a ``note``
  column is allowed and ignored. Days outside the horizon are left out, so one leave table serves a year.
* ``shifts.csv`` — ``id, start`` (``HH:MM``), ``length_minutes`` *or* ``segments`` (wall-clock ranges
  ``08:00-12:00;16:00-20:00``: two make a split shift), ``paid_minutes`` (optional; default the worked minutes
  less unpaid breaks), ``break_minutes, break_window, break_paid`` (a break of ``break_minutes`` starting
  between the two wall-clock times of ``break_window``, e.g. ``11:00-13:00``; several breaks separated by
  ``;``), ``tags`` (``;``), ``weekdays`` (``Mon-Fri``, ``Mon;Wed;Sat`` or ``0-4``; empty means every day).
* ``contracts.toml`` — one section per contract, the section name is its id and every key is a field of
  :class:`~wfm.roster.models.Contract` by its schema name (``max_paid_minutes_per_week = 2400``).
* the requirements — ``wfm staff`` output (``ts, agents[, volume, aht]``), through
  :func:`wfm.roster.requirements_from_frame`.

CSV files may hold comment lines starting with ``#`` and blank lines. Every error is a
:class:`~wfm.exceptions.DataFormatError` whose ``field`` is ``"<file>:row <n>:<column>"`` (``n`` is the line
number in the file, the header being row 1, as a spreadsheet shows it) and whose ``value`` is the bad cell.
Tables may also be given as DataFrames (rows named by their index label) and contracts as a dict.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pydantic

from wfm.exceptions import DataFormatError, LimitExceededError
from wfm.limits import limits
from wfm.roster.frames import requirements_from_frame
from wfm.roster.models import (
    Agent,
    Break,
    Contract,
    Horizon,
    ObjectiveWeights,
    RosterProblem,
    Segment,
    ShiftTemplate,
)

__all__ = ["problem_from_tables", "read_agents", "read_leave", "read_shifts", "read_contracts",
           "read_requirements", "infer_interval_minutes", "LeaveRow", "TableSource"]

#: A table: a CSV path, or a DataFrame already in memory.
TableSource = str | os.PathLike[str] | pd.DataFrame

_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_AGENT_COLUMNS = {"id", "contract", "skills", "hire_date", "name"}
_LEAVE_COLUMNS = {"agent", "date", "start", "end", "note"}
_SHIFT_COLUMNS = {"id", "start", "length_minutes", "segments", "paid_minutes", "break_minutes", "break_window",
                  "break_paid", "tags", "weekdays", "note"}


class _Cell:
    """Where a value came from, for error messages: ``file:row n:column``."""

    def __init__(self, source: str, row: str) -> None:
        self.source, self.row = source, row

    def error(self, column: str, message: str, value: Any) -> DataFormatError:
        where = f"{self.source}:{self.row}:{column}"
        return DataFormatError(f"{where}: {message}; got {value!r}", field=where, value=value)


def _rows(table: TableSource, default_name: str, *, required: set[str],
          allowed: set[str]) -> Iterator[tuple[_Cell, dict[str, str]]]:
    """Yield (location, row as stripped strings) from a CSV path or a DataFrame, checking the header."""
    if isinstance(table, pd.DataFrame):
        name = default_name
        header = [str(c) for c in table.columns]
        records: list[tuple[str, dict[str, str]]] = [
            (f"row {idx}", {str(k): "" if pd.isna(v) else str(v).strip() for k, v in rec.items()})
            for idx, rec in zip(table.index, table.to_dict("records"), strict=True)]
    else:
        path = Path(table)
        name = path.name
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError as exc:
            raise DataFormatError(f"{name}: file not found: {path}", field=name, value=str(path)) from exc
        lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1)
                 if line.strip() and not line.lstrip().startswith("#")]
        if not lines:
            raise DataFormatError(f"{name}: the file has no header row", field=name, value=str(path))
        if len(lines) - 1 > limits().max_rows:
            raise LimitExceededError(f"{name}: {len(lines) - 1} rows exceed the limit of {limits().max_rows} "
                                     "(`max_rows`, WFM_MAX_ROWS)", field=name, value=len(lines) - 1)
        parsed = [next(csv.reader([line])) for _, line in lines]  # one record per line: rows keep their number
        header = [h.strip() for h in parsed[0]]
        records = []
        for (n, _), cells in zip(lines[1:], parsed[1:], strict=True):
            if len(cells) > len(header):
                raise DataFormatError(f"{name}:row {n}: {len(cells)} cells for {len(header)} columns",
                                      field=f"{name}:row {n}", value=",".join(cells))
            records.append((f"row {n}", {h: (cells[i].strip() if i < len(cells) else "")
                                         for i, h in enumerate(header)}))
    missing = sorted(required - set(header))
    if missing:
        raise DataFormatError(f"{name}:{missing[0]}: missing column(s) {missing}; the header has {header}",
                              field=f"{name}:{missing[0]}", value=header)
    unknown = [h for h in header if h not in allowed]
    if unknown:
        raise DataFormatError(f"{name}:{unknown[0]}: unknown column(s) {unknown}; allowed: {sorted(allowed)}",
                              field=f"{name}:{unknown[0]}", value=unknown[0])
    for row, rec in records:
        yield _Cell(name, row), rec


def _date(cell: _Cell, column: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise cell.error(column, "must be a date YYYY-MM-DD", text) from None


def _clock(cell: _Cell, column: str, text: str) -> dt.time:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if m is None or int(m[1]) > 23 or int(m[2]) > 59:
        raise cell.error(column, "must be a wall-clock time HH:MM", text)
    return dt.time(int(m[1]), int(m[2]))


def _minutes_after(origin: dt.time, t: dt.time) -> int:
    """Wall-clock minutes from ``origin`` to ``t``, past midnight when ``t`` is earlier."""
    delta = (t.hour * 60 + t.minute) - (origin.hour * 60 + origin.minute)
    return delta if delta >= 0 else delta + 24 * 60


def _int(cell: _Cell, column: str, text: str, *, low: int = 0) -> int:
    try:
        number = float(text)  # a DataFrame column with gaps holds 510.0 for 510
    except ValueError:
        raise cell.error(column, f"must be a whole number >= {low}", text) from None
    if not number.is_integer():
        raise cell.error(column, f"must be a whole number >= {low}", text)
    value = int(number)
    if value < low:
        raise cell.error(column, f"must be a whole number >= {low}", text)
    return value


def _list(text: str) -> list[str]:
    return [p.strip() for p in text.split(";") if p.strip()]


def _weekdays(cell: _Cell, text: str) -> list[int]:
    if not text:
        return list(range(7))

    def day(token: str) -> int:
        key = token.strip().lower()[:3]
        if key in _WEEKDAYS:
            return _WEEKDAYS[key]
        if key.isdigit() and 0 <= int(key) <= 6:
            return int(key)
        raise cell.error("weekdays", "must be days such as Mon-Fri, Mon;Wed;Sat or 0-4 (0 = Monday)", text)

    out: set[int] = set()
    for part in _list(text.replace(",", ";")):
        if "-" in part:
            a, b = (day(x) for x in part.split("-", 1))
            out |= {(a + k) % 7 for k in range((b - a) % 7 + 1)}
        else:
            out.add(day(part))
    return sorted(out)


def _bool(cell: _Cell, column: str, text: str) -> bool:
    low = text.lower()
    if low in ("", "false", "no", "0", "unpaid"):
        return False
    if low in ("true", "yes", "1", "paid"):
        return True
    raise cell.error(column, "must be true or false", text)


def _validation(cell: _Cell, exc: pydantic.ValidationError, rec: Mapping[str, str]) -> DataFormatError:
    """A pydantic error on a row, reported against the column (and cell) it came from.

    Field errors carry their field; a rule across fields (a break window outside the work) is matched to
    the column its message names.
    """
    first = exc.errors()[0]
    message = first["msg"].removeprefix("Value error, ")
    field = str(first["loc"][0]) if first["loc"] else ""
    if not field:
        field = next((c for c in ("break", "segments", "weekdays", "length_minutes") if c in message), "id")
    column = {"break": "break_window", "breaks": "break_window"}.get(field, field)
    return cell.error(column, message, rec.get(column, first.get("input")))


# ---------------------------------------------------------------------------------------------- readers

def read_agents(table: TableSource) -> list[Agent]:
    """Agents from ``agents.csv`` (``id, contract, skills, hire_date``); see the module docstring."""
    return [agent for _, agent in _located_agents(table)]


def _located_agents(table: TableSource) -> list[tuple[_Cell, Agent]]:
    agents: list[tuple[_Cell, Agent]] = []
    seen: dict[str, str] = {}
    for cell, rec in _rows(table, "agents", required={"id", "contract"}, allowed=_AGENT_COLUMNS):
        if not rec["id"]:
            raise cell.error("id", "must not be empty", rec["id"])
        if rec["id"] in seen:
            raise cell.error("id", f"duplicate agent id (first at {seen[rec['id']]})", rec["id"])
        seen[rec["id"]] = cell.row
        if not rec["contract"]:
            raise cell.error("contract", "must name a contract", rec["contract"])
        hire = rec.get("hire_date", "")
        agents.append((cell, Agent(id=rec["id"], contract=rec["contract"], skills=_list(rec.get("skills", "")),
                                   hire_date=_date(cell, "hire_date", hire) if hire else None)))
    return agents


@dataclasses.dataclass(frozen=True)
class LeaveRow:
    """One row of a leave table: ``agent`` is away from ``first`` to ``last`` (both days included);
    ``source`` and ``row`` say where it was read (``leave.csv``, ``row 4``)."""

    agent: str
    first: dt.date
    last: dt.date
    source: str
    row: str


def read_leave(table: TableSource) -> list[LeaveRow]:
    """Leave rows from a leave table (``agent`` and ``date``, or ``start`` and ``end`` inclusive)."""
    out: list[LeaveRow] = []
    for cell, rec in _rows(table, "leave", required={"agent"}, allowed=_LEAVE_COLUMNS):
        if not rec["agent"]:
            raise cell.error("agent", "must name an agent", rec["agent"])
        day, start, end = rec.get("date", ""), rec.get("start", ""), rec.get("end", "")
        if day and (start or end):
            raise cell.error("date", "give either `date` or `start` and `end`, not both", day)
        if day:
            first = last = _date(cell, "date", day)
        elif start and end:
            first, last = _date(cell, "start", start), _date(cell, "end", end)
            if last < first:
                raise cell.error("end", f"must not be before start {first}", end)
        else:
            column = "end" if start else "start" if end else "date"
            raise cell.error(column, "a leave row needs `date`, or both `start` and `end`", "")
        out.append(LeaveRow(rec["agent"], first, last, cell.source, cell.row))
    return out


def read_shifts(table: TableSource) -> list[ShiftTemplate]:
    """Shift templates from ``shifts.csv``; see the module docstring for the columns."""
    shifts: list[ShiftTemplate] = []
    seen: dict[str, str] = {}
    for cell, rec in _rows(table, "shifts", required={"id"}, allowed=_SHIFT_COLUMNS):
        sid = rec["id"]
        if not sid:
            raise cell.error("id", "must not be empty", sid)
        if sid in seen:
            raise cell.error("id", f"duplicate shift id (first at {seen[sid]})", sid)
        seen[sid] = cell.row
        length, seg_text, start_text = rec.get("length_minutes", ""), rec.get("segments", ""), rec.get("start", "")
        if bool(length) == bool(seg_text):
            raise cell.error("length_minutes", "give either `length_minutes` or `segments` (not both)",
                             length or seg_text)
        segments: list[Segment] = []
        if seg_text:
            ranges = []
            for part in _list(seg_text):
                bounds = part.split("-")
                if len(bounds) != 2:
                    raise cell.error("segments", "must be wall-clock ranges such as 08:00-12:00;16:00-20:00",
                                     seg_text)
                ranges.append(tuple(_clock(cell, "segments", b.strip()) for b in bounds))
            if len(ranges) > 2:
                raise cell.error("segments", "a shift has one or two segments", seg_text)
            start = _clock(cell, "start", start_text) if start_text else ranges[0][0]
            for a, b in ranges:
                segments.append(Segment(offset_minutes=_minutes_after(start, a), minutes=_minutes_after(a, b)))
        else:
            if not start_text:
                raise cell.error("start", "must be a wall-clock time HH:MM", start_text)
            start = _clock(cell, "start", start_text)
        breaks = _breaks(cell, rec, start)
        paid = rec.get("paid_minutes", "")
        fields: dict[str, Any] = {
            "id": sid, "start": start, "tags": _list(rec.get("tags", "")),
            "weekdays": _weekdays(cell, rec.get("weekdays", "")), "breaks": breaks,
            "paid_minutes": _int(cell, "paid_minutes", paid) if paid else None,
        }
        if segments:
            fields["segments"] = segments
        else:
            fields["length_minutes"] = _int(cell, "length_minutes", length, low=1)
        try:
            shifts.append(ShiftTemplate(**fields))
        except pydantic.ValidationError as exc:
            raise _validation(cell, exc, rec) from None
    return shifts


def _breaks(cell: _Cell, rec: dict[str, str], start: dt.time) -> list[Break]:
    minutes, windows = _list(rec.get("break_minutes", "")), _list(rec.get("break_window", ""))
    paid = _list(rec.get("break_paid", "")) or ["false"] * len(minutes)
    if len(minutes) != len(windows):
        raise cell.error("break_window", f"one window per break: {len(minutes)} break(s) in `break_minutes`",
                         rec.get("break_window", ""))
    if len(paid) != len(minutes):
        raise cell.error("break_paid", f"one value per break: {len(minutes)} break(s)", rec.get("break_paid", ""))
    out = []
    for m, w, p in zip(minutes, windows, paid, strict=True):
        bounds = w.split("-")
        if len(bounds) != 2:
            raise cell.error("break_window", "must be the earliest and latest break start, e.g. 11:00-13:00", w)
        lo, hi = (_minutes_after(start, _clock(cell, "break_window", b.strip())) for b in bounds)
        try:
            out.append(Break(minutes=_int(cell, "break_minutes", m, low=1), earliest_offset_minutes=lo,
                             latest_offset_minutes=hi, paid=_bool(cell, "break_paid", p)))
        except pydantic.ValidationError as exc:
            raise _validation(cell, exc, rec) from None
    return out


def read_contracts(source: str | os.PathLike[str] | Mapping[str, Mapping[str, Any]]) -> list[Contract]:
    """Contracts from a TOML file (or its parsed dict): one section per contract, keys named as in
    :class:`~wfm.roster.models.Contract`; the section name is the contract id."""
    if isinstance(source, Mapping):
        name, data = "contracts", dict(source)
    else:
        path = Path(source)
        name = path.name
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise DataFormatError(f"{name}: file not found: {path}", field=name, value=str(path)) from exc
        except tomllib.TOMLDecodeError as exc:
            raise DataFormatError(f"{name}: not valid TOML: {exc}", field=name, value=str(exc)) from None
    if not data:
        raise DataFormatError(f"{name}: no contract sections", field=name, value=None)
    contracts = []
    for cid, section in data.items():
        where = f"{name}:[{cid}]"
        if not isinstance(section, Mapping):
            raise DataFormatError(f"{where}: each contract is a [section] of rules; got a plain value",
                                  field=where, value=section)
        if "id" in section and section["id"] != cid:
            raise DataFormatError(f"{where}:id: the section name is the id; got id = {section['id']!r}",
                                  field=f"{where}:id", value=section["id"])
        try:
            contracts.append(Contract.model_validate({**section, "id": cid}))
        except pydantic.ValidationError as exc:
            first = exc.errors()[0]
            key = ".".join(str(p) for p in first["loc"]) or "?"
            message = first["msg"].removeprefix("Value error, ")
            if first["type"] == "extra_forbidden":
                message = f"unknown rule; the rules are {sorted(Contract.model_fields)}"
            raise DataFormatError(f"{where}:{key}: {message}; got {first.get('input')!r}",
                                  field=f"{where}:{key}", value=first.get("input")) from None
    return contracts


def read_requirements(table: TableSource, horizon: Horizon, **columns: Any) -> list[Any]:
    """Interval requirements from ``wfm staff`` output inside ``horizon`` (``columns`` are passed to
    :func:`wfm.roster.requirements_from_frame`, e.g. ``skill_col="queue"``)."""
    name = "requirements" if isinstance(table, pd.DataFrame) else Path(table).name
    frame = table if isinstance(table, pd.DataFrame) else _read_csv(Path(table))
    try:
        out = requirements_from_frame(frame, horizon, **columns)
    except DataFormatError as err:
        field = f"{name}:{err.field}" if err.field else name
        raise DataFormatError(f"{name}: {err}", field=field, value=err.value) from None
    except (ValueError, TypeError) as err:  # unparsable timestamps, time-zone gaps
        raise DataFormatError(f"{name}: {err}", field=f"{name}:{columns.get('time_col', 'ts')}",
                              value=str(err)) from None
    if not out:
        raise DataFormatError(f"{name}: no requirement falls inside the horizon {horizon.start} + "
                              f"{horizon.days} days; check --start and the file's dates",
                              field=f"{name}:{columns.get('time_col', 'ts')}", value=str(horizon.start))
    return out


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, comment="#")
    except FileNotFoundError as exc:
        raise DataFormatError(f"{path.name}: file not found: {path}", field=path.name, value=str(path)) from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataFormatError(f"{path.name}: not a readable CSV: {exc}", field=path.name, value=str(exc)) from None


def infer_interval_minutes(table: TableSource, *, time_col: str = "ts") -> int:
    """The interval length (15 or 30 minutes) of a requirements table, from the spacing of ``time_col``."""
    name = "requirements" if isinstance(table, pd.DataFrame) else Path(table).name
    frame = table if isinstance(table, pd.DataFrame) else _read_csv(Path(table))
    if time_col not in frame.columns:
        raise DataFormatError(f"{name}: missing column {time_col!r}; it has {list(frame.columns)}",
                              field=f"{name}:{time_col}", value=list(frame.columns))
    ts = pd.Series(pd.to_datetime(frame[time_col], errors="coerce")).dropna().drop_duplicates().sort_values()
    steps = ts.diff().dropna()
    step = int(steps.min().total_seconds() // 60) if len(steps) else 30
    if step not in (15, 30):
        raise DataFormatError(f"{name}: intervals must be 15 or 30 minutes apart; the closest are {step} minutes",
                              field=f"{name}:{time_col}", value=step)
    return step


# ---------------------------------------------------------------------------------------------- assembly

def problem_from_tables(*, agents: TableSource, shifts: TableSource,
                        contracts: str | os.PathLike[str] | Mapping[str, Mapping[str, Any]],
                        requirements: TableSource, horizon: Horizon, leave: TableSource | None = None,
                        name: str = "roster", weights: ObjectiveWeights | None = None,
                        weekend_days: list[int] | None = None, answer_seconds: float = 20.0,
                        requirement_columns: Mapping[str, Any] | None = None) -> RosterProblem:
    """Assemble a :class:`RosterProblem` from a scheduler's tables (paths, DataFrames or a dict).

    Parameters
    ----------
    agents, shifts, leave:
        ``agents.csv``, ``shifts.csv`` and the optional leave table (columns in the module docstring).
    contracts:
        ``contracts.toml`` path, or its parsed dict ``{contract_id: {rule: value}}``.
    requirements:
        ``wfm staff`` output (``ts`` interval start, local time when naive; ``agents`` agents needed).
    horizon:
        The days to roster and the interval length (minutes) and time zone of the site.
    name, weights, weekend_days, answer_seconds:
        As in :class:`RosterProblem` (``answer_seconds``: service-level threshold, seconds).
    requirement_columns:
        Keyword arguments for :func:`wfm.roster.requirements_from_frame` (``agents_col``, ``skill_col``...).

    Raises
    ------
    DataFormatError
        A bad cell or a broken reference; ``field`` is ``"<file>:row <n>:<column>"`` and ``value`` the cell.
    """
    shift_list = read_shifts(shifts)
    contract_list = read_contracts(contracts)
    located = _located_agents(agents)
    agent_list = [a for _, a in located]
    contract_ids = {c.id for c in contract_list}
    shift_ids = {s.id for s in shift_list}
    for c in contract_list:
        for sid in c.allowed_shifts or []:
            if sid not in shift_ids:
                where = f"{_name(contracts, 'contracts')}:[{c.id}]:allowed_shifts"
                raise DataFormatError(f"{where}: unknown shift {sid!r}; shifts are {sorted(shift_ids)}",
                                      field=where, value=sid)
    for cell, a in located:
        if a.contract not in contract_ids:
            raise cell.error("contract", f"unknown contract; contracts are {sorted(contract_ids)}", a.contract)
    if leave is not None:
        by_id = {a.id: a for a in agent_list}
        last_day = horizon.date_of(horizon.days - 1)
        for row in read_leave(leave):
            if row.agent not in by_id:
                raise _Cell(row.source, row.row).error("agent", "unknown agent (not in the agents table)", row.agent)
            first, last = max(row.first, horizon.start), min(row.last, last_day)
            kept = {first + dt.timedelta(days=k) for k in range((last - first).days + 1)}
            by_id[row.agent].leave = sorted(set(by_id[row.agent].leave) | kept)
    reqs = read_requirements(requirements, horizon, **dict(requirement_columns or {}))
    try:
        return RosterProblem(name=name, horizon=horizon, shifts=shift_list, contracts=contract_list,
                             agents=agent_list, requirements=reqs, weights=weights or ObjectiveWeights(),
                             weekend_days=[5, 6] if weekend_days is None else weekend_days,
                             answer_seconds=answer_seconds)
    except pydantic.ValidationError as exc:  # a rule across tables (e.g. a forbidden succession's shift)
        first = exc.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        raise DataFormatError(f"the tables do not fit together: {message}", field="tables",
                              value=first.get("input") if not isinstance(first.get("input"), dict) else None) \
            from None


def _name(source: Any, default: str) -> str:
    return default if isinstance(source, Mapping | pd.DataFrame) else Path(source).name
