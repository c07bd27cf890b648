"""The everyday commands of a scheduler: forecast, backtest, an Erlang calculator, and the JSON Schemas.

    wfm forecast history.csv --horizon 14D --holidays IL --quantiles 0.1,0.5,0.9 -o forecast.csv
    wfm backtest history.csv --horizon 7D --folds 12 --model auto,week_mean -o metrics.csv
    wfm erlang --calls 100 --aht 180 --target 80/20 [--interval 30min] [--patience 120] [--agents N] [--range 5]
    wfm schema -o schemas/                     # JSON Schema of every input and output model

Option values are checked here, not by argparse, so a bad one is reported like any other bad input: one line
naming the option and the value, exit status 2 (:func:`wfm.api.cli.main` prints it).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from wfm._io import atomic_write_text
from wfm.api.cli_errors import output_file, reading
from wfm.erlang import staffing_table
from wfm.exceptions import DataFormatError, InvalidParameterError
from wfm.limits import check_number

__all__ = ["METRICS", "cmd_backtest", "cmd_erlang", "cmd_forecast", "cmd_schema", "parse_holidays_option", "register",
           "schema_models"]


#: metric names ``wfm backtest --metrics`` accepts (those of :func:`wfm.forecast.evaluate`)
METRICS = ("wape", "bias", "coverage", "pinball")


# -- option parsing -----------------------------------------------------------------------------------------
def _number(option: str, text: str, *, low: float | None = None, low_open: bool = False,
            high: float | None = None, integer: bool = False) -> Any:
    """``text`` of command-line ``option`` as a checked number (InvalidParameterError naming both if bad)."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"`{option}` must be a number; got {text!r}", field=option,
                                    value=text) from None
    return check_number(option, int(value) if integer and value.is_integer() else value, low=low,
                        low_open=low_open, high=high, integer=integer)


def _optional(option: str, text: str | None, **kw: Any) -> Any:
    return None if text is None else _number(option, text, **kw)


def parse_target(text: str) -> tuple[float, float]:
    """``"80/20"`` (or ``"0.8/20"``) as (service level in (0, 1), answer threshold in seconds)."""
    sl_text, sep, secs_text = str(text).partition("/")
    if not sep:
        raise InvalidParameterError(f"`--target` must be SERVICE_LEVEL/SECONDS such as 80/20; got {text!r}",
                                    field="--target", value=text)
    try:
        sl, secs = float(sl_text), float(secs_text)
    except ValueError:
        raise InvalidParameterError(f"`--target` must be SERVICE_LEVEL/SECONDS such as 80/20; got {text!r}",
                                    field="--target", value=text) from None
    sl = sl / 100.0 if sl > 1 else sl  # "80/20" means 80%
    if not (0 < sl < 1) or not math.isfinite(secs) or secs < 0:
        raise InvalidParameterError(f"`--target` needs a service level in (0, 100)% and seconds >= 0; got {text!r}",
                                    field="--target", value=text)
    return sl, secs


def parse_interval(text: str) -> float:
    """Interval length in seconds from ``"30min"``, ``"15min"``, ``"1h"`` or a number of seconds."""
    try:
        secs = float(text) if str(text).replace(".", "", 1).isdigit() else pd.Timedelta(text).total_seconds()
    except (ValueError, TypeError):
        raise InvalidParameterError(f"`--interval` must be a duration such as 30min or 900 (seconds); got {text!r}",
                                    field="--interval", value=text) from None
    if not math.isfinite(secs) or secs <= 0:
        raise InvalidParameterError(f"`--interval` must be longer than 0 seconds; got {text!r}",
                                    field="--interval", value=text)
    return secs


def _quantiles(text: str | None) -> tuple[float, ...] | None:
    if text is None:
        return None
    if text.strip().lower() in ("", "none"):
        return ()
    out = []
    for part in text.split(","):
        out.append(_number("--quantiles", part.strip(), low=0.0, low_open=True, high=1.0))
        if out[-1] >= 1.0:
            raise InvalidParameterError(f"`--quantiles` must each be in (0, 1); got {part.strip()!r}",
                                        field="--quantiles", value=part.strip())
    return tuple(out)


def _id_cols(text: str) -> str | list[str] | None:
    names = [c.strip() for c in text.split(",") if c.strip()]
    if not names or names == ["none"]:
        return None
    return names[0] if len(names) == 1 else names


def parse_holidays_option(text: str | None) -> Any:
    """``--holidays`` as a ``holidays`` argument of :func:`wfm.forecast.forecast`.

    A comma-separated list of: at most one calendar name (``IL``, ``US-CA``: the holidays package), dates
    (each a ``holiday``), and CSV files with a ``date`` column and an optional ``label`` column. Dates and files
    are the user's own events, merged over the calendar.
    """
    from wfm.forecast.holidays import is_calendar_name, normalize_holidays

    if text is None or not text.strip():
        return None
    calendar: str | None = None
    events: dict[pd.Timestamp, str] = {}
    for token in (t.strip() for t in text.split(",")):
        if not token:
            continue
        if is_calendar_name(token):
            if calendar is not None:
                raise InvalidParameterError(f"`--holidays` takes one calendar; got {calendar!r} and {token!r}",
                                            field="--holidays", value=token)
            calendar = token
        elif token.lower().endswith(".csv") or Path(token).is_file():
            frame = pd.read_csv(token)
            if "date" not in frame.columns:
                raise DataFormatError(f"`--holidays` file {token} needs a `date` column (and optionally `label`); "
                                      f"has {list(frame.columns)}", field="--holidays", value=token)
            events.update(normalize_holidays(frame))
        else:
            try:
                day = pd.Timestamp(token)
            except ValueError:
                day = pd.NaT
            if pd.isna(day):
                raise InvalidParameterError(f"`--holidays` entries must be a country code (IL, US-CA), a date or a "
                                            f"CSV file; got {token!r}", field="--holidays", value=token)
            events[day.normalize()] = "holiday"
    if calendar is None:
        return events
    return {"country": calendar, "events": events}


def read_history(path: Path, time_col: str, tz: str | None = None) -> pd.DataFrame:
    """A history CSV with ``time_col`` parsed as ISO 8601 timestamps in zone ``tz`` (offsets may change across a
    daylight-saving day); a missing file, a folder, an empty file or a missing column names the file and field."""
    from wfm.times import parse_timestamps

    if path.is_dir():
        raise InvalidParameterError(f"{path} is a directory; give a CSV file", field="path", value=str(path))
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise DataFormatError("the file is empty (no header row)", field="path", value=str(path)) from None
    if time_col not in frame.columns:
        raise DataFormatError(f"{path} lacks the time column `{time_col}` (set it with --time-col); has "
                              f"{list(frame.columns)}", field="--time-col", value=time_col)
    if frame.empty:
        raise DataFormatError(f"the file has a header ({', '.join(map(str, frame.columns))}) but no rows",
                              field="path", value=str(path))
    frame[time_col] = parse_timestamps(frame[time_col], field=time_col, tz=tz)
    return frame


def _write(frame: pd.DataFrame, path: Path | None) -> None:
    if path is None:
        sys.stdout.write(frame.to_csv(index=False))
    else:
        atomic_write_text(path, frame.to_csv(index=False))
        print(f"wrote {len(frame)} rows to {path}", file=sys.stderr)


def _horizon(text: str) -> int | str:
    return int(text) if text.strip().isdigit() else text.strip()


def _add_series_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tz", default=None, help="IANA zone of the times (default: the one their UTC offsets fit)")
    p.add_argument("--horizon", required=True, help="intervals ahead, or a duration such as 7D or 6h")
    p.add_argument("--holidays", default=None, metavar="SPEC",
                   help="special days: a calendar (IL, US-CA; needs the 'calendars' extra), dates and/or CSV files "
                        "(date[,label]), comma-separated; dates and files are added over the calendar")
    p.add_argument("--freq", default=None, help="interval length (15min, 30min); inferred from the times by default")
    p.add_argument("--time-col", default="ts", help="column of interval start times (default ts)")
    p.add_argument("--target-col", default="volume", help="column of calls per interval (default volume)")
    p.add_argument("--id-col", default="queue",
                   help="queue id column(s), comma-separated; 'none' for one series (default queue, if present)")
    p.add_argument("--jobs", default="1", help="queues forecast in parallel processes")


# -- commands -----------------------------------------------------------------------------------------------
def cmd_forecast(args: argparse.Namespace) -> int:
    """Forecast calls (and AHT) per interval from a history CSV."""
    from wfm.forecast import forecast

    quantiles = _quantiles(args.quantiles)
    jobs = _number("--jobs", args.jobs, low=1, integer=True)
    output_file(args.out)
    with reading(args.history):
        history = read_history(args.history, args.time_col, tz=args.tz)
    result = forecast(history, _horizon(args.horizon), freq=args.freq, model=args.model,
                      holidays=parse_holidays_option(args.holidays),
                      quantiles=(0.1, 0.5, 0.9) if quantiles is None else quantiles, id_col=_id_cols(args.id_col),
                      time_col=args.time_col, target_col=args.target_col, aht_col=args.aht_col, n_jobs=jobs)
    _write(result, args.out)
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    """Rolling-origin backtest of one or more models; writes one row per metric (and group), one column per
    model, and optionally every forecast beside its actual."""
    from wfm.forecast import cross_validation, evaluate

    quantiles = _quantiles(args.quantiles)
    folds = _number("--folds", args.folds, low=1, integer=True)
    metrics = [m.strip() for m in args.metrics.split(",") if m.strip()]
    unknown = [m for m in metrics if m not in METRICS] or ([] if metrics else [args.metrics])
    if unknown:
        raise InvalidParameterError(f"`--metrics` must be among {list(METRICS)}; got {unknown[0]!r}",
                                    field="--metrics", value=unknown[0])
    jobs = _number("--jobs", args.jobs, low=1, integer=True)
    models = [m.strip() for m in ",".join(args.model or ["auto"]).split(",") if m.strip()]
    if not models:
        raise InvalidParameterError("`--model` must name at least one model; got none", field="--model", value="")
    output_file(args.out)
    with reading(args.history):
        history = read_history(args.history, args.time_col, tz=args.tz)
    cv = cross_validation(history, _horizon(args.horizon), n_windows=folds,
                          step=None if args.step is None else _horizon(args.step), models=models, freq=args.freq,
                          holidays=parse_holidays_option(args.holidays),
                          quantiles=(0.1, 0.9) if quantiles is None else quantiles, id_col=_id_cols(args.id_col),
                          time_col=args.time_col, target_col=args.target_col, n_jobs=jobs)
    table = evaluate(cv, metrics=metrics, by=args.by, target_col=args.target_col, time_col=args.time_col)
    if args.cv_out is not None:
        atomic_write_text(args.cv_out, cv.to_csv(index=False))
        print(f"wrote {len(cv)} forecast rows ({folds} folds) to {args.cv_out}", file=sys.stderr)
    _write(table, args.out)
    return 0


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def cmd_erlang(args: argparse.Namespace) -> int:
    """An Erlang calculator: service level, ASA, occupancy (and abandonment) for N-k..N+k agents."""
    calls = _number("--calls", args.calls, low=0)
    aht = _number("--aht", args.aht, low=0, low_open=True)
    sl, answer = parse_target(args.target)
    interval = parse_interval(args.interval)
    patience = _optional("--patience", args.patience, low=0, low_open=True)
    agents = _optional("--agents", args.agents, low=1, integer=True)
    spread = _number("--range", args.range, low=0, high=1000, integer=True)
    table, rec = staffing_table(calls, aht, service_level=sl, answer_seconds=answer, interval_seconds=interval,
                              patience_seconds=patience, agents=agents, spread=spread)
    if args.out is not None:
        atomic_write_text(args.out, table.to_csv(index=False))
    traffic = calls * aht / interval
    model = f"Erlang A, mean patience {patience:g} s" if patience is not None else "Erlang C"
    print(f"{calls:g} calls in {interval / 60:g} min, AHT {aht:g} s: {traffic:.2f} Erlangs of work; "
          f"target {sl:.0%} answered within {answer:g} s ({model})")
    header = f"{'agents':>7}  {'service level':>13}  {'ASA (s)':>9}  {'occupancy':>9}"
    header += f"  {'abandoned':>9}" if patience is not None else ""
    print(header)
    for row in table.itertuples(index=False):
        line = (f"{row.agents:>7d}  {_pct(row.service_level):>13}  "
                f"{row.asa_seconds:>9.1f}  {_pct(row.occupancy):>9}")
        if patience is not None:
            line += f"  {_pct(row.abandon_rate):>9}"
        print(line + ("  <- recommended" if row.recommended else ""))
    print(f"recommended: {rec} agents (fewest meeting the target)")
    return 0


def schema_models() -> dict[str, tuple[type, str]]:
    """Every top-level input and output model by name, with the JSON Schema mode that fits its role.

    Roster problems and solutions and the shortfall explanation (:mod:`wfm.roster`), and every public model of
    the HTTP service (:mod:`wfm.api.schemas`; new request and response models appear without a change here).
    Inputs use pydantic's ``validation`` mode, outputs (solutions, responses, rows, errors) ``serialization``.
    """
    from pydantic import BaseModel

    from wfm.api import schemas
    from wfm.api.errors import ErrorResponse
    from wfm.bidding import models as bidding
    from wfm.roster import RosterProblem, RosterSolution, ShortInterval

    found: dict[str, type] = {"RosterProblem": RosterProblem, "RosterSolution": RosterSolution,
                              "ShortInterval": ShortInterval, "ErrorResponse": ErrorResponse}
    for module, names in ((schemas, dir(schemas)), (bidding, bidding.__all__)):
        for name in names:
            obj = getattr(module, name)
            if (isinstance(obj, type) and issubclass(obj, BaseModel) and not name.startswith("_")
                    and obj.__module__ == module.__name__):
                found[name] = obj
    outputs = ("Solution", "Response", "Row", "Detail", "ShortInterval", "Transaction", "Balance")
    return {name: (cls, "serialization" if name.endswith(outputs) else "validation")
            for name, cls in sorted(found.items())}


def cmd_schema(args: argparse.Namespace) -> int:
    """Write NAME.schema.json for every model into ``--out`` (or print one JSON object of them)."""
    schemas = {name: cls.model_json_schema(mode=mode) for name, (cls, mode) in schema_models().items()}
    if args.out is None:
        sys.stdout.write(json.dumps(schemas, indent=2, sort_keys=True) + "\n")
        return 0
    if args.out.exists() and not args.out.is_dir():
        raise InvalidParameterError(f"`--out` must be a folder; got the file {str(args.out)!r}", field="--out",
                                    value=str(args.out))
    args.out.mkdir(parents=True, exist_ok=True)
    for name, schema in schemas.items():
        atomic_write_text(args.out / f"{name}.schema.json", json.dumps(schema, indent=2, sort_keys=True) + "\n")
    print(f"wrote {len(schemas)} schemas to {args.out}: {', '.join(schemas)}", file=sys.stderr)
    return 0


# -- registration -------------------------------------------------------------------------------------------
def register(sub: Any) -> None:
    """Add ``forecast``, ``backtest``, ``erlang`` and ``schema`` to the ``wfm`` subcommands ``sub``."""
    p = sub.add_parser("forecast", help="forecast volume (and aht) per interval from a history CSV")
    p.add_argument("history", type=Path, help="CSV with ts, volume[, aht][, queue] (names set by the --*-col options)")
    _add_series_options(p)
    p.add_argument("--model", default="auto", help="auto, topdown, svd, mstl, week_mean or seasonal_naive")
    p.add_argument("--quantiles", default=None,
                   help="quantile levels, comma-separated (default 0.1,0.5,0.9; 'none' for the mean only)")
    p.add_argument("--aht-col", default="aht", help="column of handle times in seconds, if any (default aht)")
    p.add_argument("-o", "--out", type=Path, default=None, help="output CSV (default: stdout)")
    p.set_defaults(func=cmd_forecast)

    p = sub.add_parser("backtest", help="rolling-origin backtest of forecast models on a history CSV")
    p.add_argument("history", type=Path, help="CSV with ts, volume[, queue]")
    _add_series_options(p)
    p.add_argument("--folds", default="4", help="number of forecast origins (default 4)")
    p.add_argument("--step", default=None, help="distance between origins (default: the horizon)")
    p.add_argument("--model", action="append", default=None,
                   help="model(s) to compare, comma-separated or repeated (default auto)")
    p.add_argument("--quantiles", default=None, help="quantile levels kept per model (default 0.1,0.9)")
    p.add_argument("--metrics", default="wape,bias,coverage,pinball", help="metrics, comma-separated")
    p.add_argument("--by", default=None, help="group the metrics: lead_day, lead, cutoff or an id column")
    p.add_argument("--cv-out", type=Path, default=None, help="also write every forecast beside its actual here")
    p.add_argument("-o", "--out", type=Path, default=None, help="metrics CSV (default: stdout)")
    p.set_defaults(func=cmd_backtest)

    p = sub.add_parser("erlang", help="Erlang calculator: service level, ASA, occupancy, abandonment for N agents")
    p.add_argument("--calls", required=True, help="calls offered in one interval")
    p.add_argument("--aht", required=True, help="average handle time (seconds)")
    p.add_argument("--target", default="80/20", help="service level / answer seconds, e.g. 80/20 (default)")
    p.add_argument("--interval", default="30min", help="interval length, e.g. 30min, 15min or seconds")
    p.add_argument("--patience", default=None, metavar="SECONDS", help="mean caller patience: Erlang A")
    p.add_argument("--agents", default=None, metavar="N", help="centre the table here (default: recommended)")
    p.add_argument("--range", default="5", metavar="K", help="rows either side of the centre (default 5)")
    p.add_argument("-o", "--out", type=Path, default=None, help="also write the table as CSV")
    p.set_defaults(func=cmd_erlang)

    p = sub.add_parser("schema", help="write the JSON Schema of every input and output model")
    p.add_argument("-o", "--out", type=Path, default=None, help="folder for NAME.schema.json (default: print)")
    p.set_defaults(func=cmd_schema)

