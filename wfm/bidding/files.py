"""Reading bids and posted prices from CSV files, with errors naming the file, line, column and value.

``BIDS.csv``: ``agent, kind, date, shift_or_tag, points, mode`` — one item per line; ``kind`` is ``shift``,
``tag``, ``day_off`` or ``avoid_tag``; ``date`` is an ISO date, or for ``avoid_tag`` the week (its index,
0 = the round's first week, or any date inside it); ``mode`` is ``exchange`` or ``compete`` (blank:
compete). ``PRICES.csv``: ``kind, shift_or_tag, date, points`` — blank ``shift_or_tag``/``date`` match any.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from wfm.bidding.ledger import check_points
from wfm.bidding.models import BidItem, PostedPrice
from wfm.exceptions import DataFormatError, WfmError
from wfm.limits import limits
from wfm.roster.rules.calendar import first_week_day, week_of

__all__ = ["BID_COLUMNS", "PRICE_COLUMNS", "read_bids_csv", "read_prices_csv", "parse_bids_csv", "read_text_file"]

BID_COLUMNS = ("agent", "kind", "date", "shift_or_tag", "points", "mode")
PRICE_COLUMNS = ("kind", "shift_or_tag", "date", "points")
_KINDS = ("shift", "tag", "day_off", "avoid_tag")


def _rows(text: str, source: str, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in columns if c not in header]
    if missing:
        raise DataFormatError(f"{source}: missing column `{missing[0]}`; the columns are {', '.join(columns)}; got "
                              f"{', '.join(header) or 'no header'}", field=missing[0], value=",".join(header))
    reader.fieldnames = header
    out = []
    for row in reader:
        line = reader.line_num
        if len(out) >= limits().max_rows:
            raise DataFormatError(f"{source}: more than {limits().max_rows} rows (limit `max_rows`)", field="rows",
                                  value=len(out))
        if None in row:
            raise DataFormatError(f"{source} line {line}: more fields than the header", field="line",
                                  value=line)
        clean = {k: (v or "").strip() for k, v in row.items()}
        if any(clean.values()):
            out.append((line, clean))
    return out


def _when(kind: str, text: str, start: dt.date | None, where: str, column: str,
          week_start: int | None = None) -> dict[str, Any]:
    if not text:
        return {}
    if kind == "avoid_tag":
        if text.lstrip("-").isdigit():
            return {"week": int(text)}
        date = _date(text, where, column)
        if start is None:
            raise DataFormatError(f"{where}: `{column}` of an avoid_tag item must be a week index here; got {text!r}",
                                  field=column, value=text)
        return {"week": week_of((date - start).days, first_week_day(start, week_start))}
    return {"date": _date(text, where, column)}


def _date(text: str, where: str, column: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DataFormatError(f"{where}: `{column}` must be an ISO date (YYYY-MM-DD); got {text!r}", field=column,
                              value=text) from None


def _model_error(exc: ValidationError, where: str) -> DataFormatError:
    err = exc.errors()[0]
    field = ".".join(str(x) for x in err["loc"]) or "row"
    return DataFormatError(f"{where}: `{field}`: {err['msg']}; got {err.get('input')!r}", field=field,
                           value=err.get("input"))


def _points(text: str, where: str) -> int:
    try:
        return check_points("points", text)
    except WfmError as exc:
        raise DataFormatError(f"{where}: {exc}", field="points", value=text) from None


def parse_bids_csv(text: str, *, source: str = "BIDS.csv", start: dt.date | None = None,
                   lines: dict[tuple[str, int], int] | None = None,
                   week_start: int | None = None) -> dict[str, list[BidItem]]:
    """Items per agent (in file order) from CSV text; ``start`` (the round's first day) and ``week_start``
    (the horizon's, 0 = Monday; None: weeks from ``start``) turn avoid_tag dates into the roster's weeks;
    ``lines``, if given, is filled with the file line of each (agent, item index)."""
    out: dict[str, list[BidItem]] = {}
    for line, row in _rows(text, source, BID_COLUMNS):
        where = f"{source} line {line}"
        agent, kind = row["agent"], row["kind"]
        if not agent:
            raise DataFormatError(f"{where}: `agent` is empty", field="agent", value=agent)
        if kind not in _KINDS:
            raise DataFormatError(f"{where}: `kind` must be one of {', '.join(_KINDS)}; got {kind!r}", field="kind",
                                  value=kind)
        mode = row["mode"] or "compete"
        if mode not in ("exchange", "compete"):
            raise DataFormatError(f"{where}: `mode` must be exchange or compete; got {mode!r}", field="mode",
                                  value=mode)
        what = row["shift_or_tag"]
        fields: dict[str, Any] = {"kind": kind, "mode": mode, "points": _points(row["points"], where)}
        fields.update(_when(kind, row["date"], start, where, "date", week_start))
        if what:
            fields["shift" if kind == "shift" else "tag"] = what
        try:
            out.setdefault(agent, []).append(BidItem.model_validate(fields))
            if lines is not None:
                lines[agent, len(out[agent]) - 1] = line
        except ValidationError as exc:
            raise _model_error(exc, where) from None
    if not out:
        raise DataFormatError(f"{source}: no bids", field="rows", value=0)
    return out


def read_bids_csv(path: str | os.PathLike[str], *, start: dt.date | None = None,
                  week_start: int | None = None) -> dict[str, list[BidItem]]:
    """Items per agent from a ``BIDS.csv`` file (see the module docstring and :func:`parse_bids_csv`)."""
    return parse_bids_csv(read_text_file(path), source=str(path), start=start, week_start=week_start)


def read_prices_csv(path: str | os.PathLike[str], *, start: dt.date | None = None,
                    week_start: int | None = None) -> list[PostedPrice]:
    """Posted prices from a ``PRICES.csv`` file (see the module docstring)."""
    source = str(path)
    prices = []
    for line, row in _rows(read_text_file(path), source, PRICE_COLUMNS):
        where = f"{source} line {line}"
        kind = row["kind"]
        if kind not in _KINDS:
            raise DataFormatError(f"{where}: `kind` must be one of {', '.join(_KINDS)}; got {kind!r}", field="kind",
                                  value=kind)
        fields: dict[str, Any] = {"kind": kind, "points": _points(row["points"], where),
                                  "shift_or_tag": row["shift_or_tag"] or None}
        fields.update(_when(kind, row["date"], start, where, "date", week_start))
        try:
            prices.append(PostedPrice.model_validate(fields))
        except ValidationError as exc:
            raise _model_error(exc, where) from None
    return prices


def read_text_file(path: str | os.PathLike[str]) -> str:
    """A UTF-8 text file (a BOM is dropped) no larger than ``max_body_bytes``; errors name the file."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise DataFormatError(f"{p}: cannot be read: {exc.strerror}", field="file", value=str(p)) from None
    if len(data) > limits().max_body_bytes:
        raise DataFormatError(f"{p}: larger than {limits().max_body_bytes} bytes (limit `max_body_bytes`)",
                              field="file", value=len(data))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"{p}: not UTF-8 text (byte {exc.start})", field="file", value=str(p)) from None
