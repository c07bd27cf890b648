"""Command line for schedulers and the nightly batch.

    wfm demo                                   # forecast → staff → roster a synthetic M-shaped week
    wfm staff intervals.csv -o req.csv         # agents per interval (Erlang C, or Erlang A with --patience)
    wfm forecast history.csv --horizon 14D -o forecast.csv
    wfm backtest history.csv --horizon 7D --folds 12 -o metrics.csv
    wfm erlang --calls 100 --aht 180 --target 80/20   # an Erlang calculator for N-5..N+5 agents
    wfm schema -o schemas/                     # JSON Schema of every input and output model
    wfm roster problems/*.json --out-dir rosters/ --time-limit 60 [--explain]
    wfm explain problem.json solution.json     # why each short interval is short, agent by agent
    wfm report --problem P.json --solution S.json -o report.html   # one self-contained HTML page
    wfm serve --port 8000                      # HTTP service (pip install 'wfm[server]')

Every command reads plain files, calls one domain function and writes its result atomically (with the
permissions the umask gives, into a folder that must exist); errors from bad input are printed as one line
naming the file, the field and the bad value, with exit status 2 (:mod:`wfm.api.cli_errors`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from wfm import __version__
from wfm._io import atomic_write_json, atomic_write_text
from wfm.api.cli_bid import add_bid_parser
from wfm.api.cli_errors import INPUT_ERRORS, describe, output_dir, output_file, reading
from wfm.api.cli_report import add_report_parser, write_demo_report, write_roster_report
from wfm.api.cli_tools import register as register_tools
from wfm.api.cli_workflow import add_roster_table_options, add_workflow_commands
from wfm.exceptions import InfeasibleError, InvalidParameterError, NoSolutionError
from wfm.limits import check_number

__all__ = ["main"]


def _add_staffing_targets(p: argparse.ArgumentParser) -> None:
    p.add_argument("--service-level", type=float, default=0.8, help="fraction answered within --answer-seconds")
    p.add_argument("--answer-seconds", type=float, default=20.0, help="service-level threshold (seconds)")
    p.add_argument("--patience", type=float, default=None, metavar="SECONDS",
                   help="mean caller patience (seconds): staff with Erlang A instead of Erlang C")
    p.add_argument("--max-abandon", type=float, default=None, help="cap on the abandonment rate (Erlang A)")
    p.add_argument("--max-occupancy", type=float, default=None, help="cap on agent occupancy, e.g. 0.85")
    p.add_argument("--shrinkage", type=float, default=0.0, help="fraction of paid time off the phones, 0 <= s < 1")


def _targets(args: argparse.Namespace) -> dict[str, float | None]:
    return {"service_level": args.service_level, "answer_seconds": args.answer_seconds,
            "patience_seconds": args.patience, "max_abandon": args.max_abandon,
            "max_occupancy": args.max_occupancy, "shrinkage": args.shrinkage}


def _read_frame(path: Path, time_col: str = "ts", tz: str | None = None) -> pd.DataFrame:
    """A CSV with ISO 8601 times in ``time_col`` (offsets may change across a daylight-saving day)."""
    from wfm.exceptions import DataFormatError
    from wfm.times import parse_timestamps

    if path.is_dir():
        raise InvalidParameterError(f"{path} is a directory; give a CSV file", field="path", value=str(path))
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise DataFormatError("the file is empty (no header row)", field="path", value=str(path)) from None
    if frame.empty:
        raise DataFormatError(f"the file has a header ({', '.join(map(str, frame.columns))}) but no rows",
                              field="path", value=str(path))
    if time_col in frame.columns:
        frame[time_col] = parse_timestamps(frame[time_col], field=time_col, tz=tz)
    return frame


def _write_frame(frame: pd.DataFrame, path: Path | None) -> None:
    if path is None:
        sys.stdout.write(frame.to_csv(index=False))
    else:
        atomic_write_text(path, frame.to_csv(index=False), parents=False)
        print(f"wrote {len(frame)} rows to {path}", file=sys.stderr)


def cmd_demo(args: argparse.Namespace) -> int:
    """History → forecast → Erlang requirements → CP-SAT roster → coverage, on seeded synthetic M-shaped data."""
    import datetime as dt

    from wfm.api.jobs import roster_options

    check_number("agents", args.agents, low=1, high=100_000, integer=True)
    check_number("history_weeks", args.history_weeks, low=3, high=520, integer=True)
    check_number("calls", args.calls, low=0, low_open=True, high=1e7)
    check_number("aht", args.aht, low=0, low_open=True, high=86_400)
    roster_options(args.time_limit, args.workers, args.seed)
    if args.out_dir is not None:
        output_dir(args.out_dir)

    from wfm.erlang import requirements
    from wfm.forecast import forecast, generate_intervals
    from wfm.roster import Agent, Horizon, RosterProblem, check, requirements_from_frame, solve
    from wfm.roster.instances import call_centre_contracts, call_centre_shifts

    step_h = pd.Timedelta(args.freq).total_seconds() / 3600.0
    start = pd.Timestamp("2026-03-02")  # a Monday
    history = generate_intervals(start - pd.Timedelta(weeks=args.history_weeks), days=7 * args.history_weeks,
                                 freq=args.freq, daily_volume=args.calls, aht=args.aht, seed=args.seed)
    print(f"wfm demo — {args.history_weeks} weeks of synthetic M-shaped history ({args.calls:.0f} calls a "
          f"weekday, AHT {args.aht:.0f} s, {args.freq} intervals, seed {args.seed})\n")

    fc = forecast(history, "7D", model="auto", seed=args.seed)
    daily = fc.groupby(fc["ts"].dt.date)[["volume", "volume_q10", "volume_q90"]].sum()
    print("1. forecast, next week (calls per day, 80% interval):")
    print(daily.round(0).to_string(), "\n")

    targets = _targets(args)
    erlang_c = requirements(fc, **{**targets, "patience_seconds": None, "max_abandon": None})
    erlang_a = requirements(fc, **{**targets, "patience_seconds": args.demo_patience})
    hours_c = erlang_c["agents"].sum() * step_h
    hours_a = erlang_a["agents"].sum() * step_h
    monday = erlang_c["ts"].dt.date == start.date()
    hourly = pd.DataFrame({
        "calls": erlang_c["volume"].to_numpy(), "agents_erlang_c": erlang_c["agents"].to_numpy(),
        "sl_erlang_c": erlang_c["service_level"].to_numpy(), "agents_erlang_a": erlang_a["agents"].to_numpy(),
        "abandon_erlang_a": erlang_a["abandon_rate"].to_numpy(),
    }, index=erlang_c["ts"].dt.strftime("%H:%M"))[monday.to_numpy()]
    hourly = hourly[hourly["calls"] > 0].iloc[:: max(1, int(round(1 / step_h)))]
    print(f"2. requirements, Monday (target {args.service_level:.0%} answered in {args.answer_seconds:.0f} s), "
          "hourly:")
    print(hourly.to_string(float_format=lambda x: f"{x:.3f}" if x < 1 else f"{x:.1f}"))
    print(f"   agent-hours in the week: Erlang C {hours_c:.0f}; Erlang A (patience {args.demo_patience:.0f} s) "
          f"{hours_a:.0f} ({(hours_c - hours_a) / hours_c:.1%} fewer)\n")

    horizon = Horizon(start=start.date(), days=7, interval_minutes=int(step_h * 60), timezone="UTC")
    shifts = call_centre_shifts()
    agents = [Agent(id=f"A{i + 1:02d}", contract="PT" if i % 4 == 3 else "FT", skills=["default"],
                    hire_date=dt.date(2020, 1, 1) + dt.timedelta(days=37 * i)) for i in range(args.agents)]
    problem = RosterProblem(name="demo", horizon=horizon, shifts=shifts, contracts=call_centre_contracts(shifts),
                            agents=agents, requirements=requirements_from_frame(erlang_c, horizon),
                            answer_seconds=args.answer_seconds)
    solution = solve(problem, time_limit_s=args.time_limit, workers=args.workers, seed=args.seed)
    report = check(problem, solution)
    cov = solution.coverage_frame(problem)
    cov["date"] = cov["ts"].dt.date
    open_ = cov[cov["required"] > 0]
    by_day = open_.groupby("date").agg(required=("required", "sum"), scheduled=("scheduled", "sum"),
                                       shortfall=("shortfall", "sum"), over=("over", "sum"),
                                       mean_sl=("service_level", "mean"), min_sl=("service_level", "min"))
    shifts_per_day = solution.to_frame().groupby("date").size()
    by_day.insert(0, "shifts", shifts_per_day.reindex(by_day.index).fillna(0).astype(int).to_numpy())
    print(f"3. roster: {args.agents} agents, {len(shifts)} shift templates (early, late, long, part-time, split), "
          f"CP-SAT {solution.status} in {solution.solve_time_s:.1f} s, checker: "
          f"{'all hard rules hold' if report.ok else report}")
    print("   agent-intervals per day (open hours) and projected service level:")
    print(by_day.to_string(float_format=lambda x: f"{x:.2f}"))
    if args.out_dir is not None:
        atomic_write_text(args.out_dir / "forecast.csv", fc.to_csv(index=False))
        atomic_write_text(args.out_dir / "requirements.csv", erlang_c.to_csv(index=False))
        atomic_write_text(args.out_dir / "problem.json", problem.model_dump_json(indent=2))
        atomic_write_text(args.out_dir / "roster.csv", solution.to_frame().to_csv(index=False))
        atomic_write_text(args.out_dir / "coverage.csv", cov.to_csv(index=False))
        print(f"\nwrote forecast, requirements, problem, roster and coverage to {args.out_dir}")
        write_demo_report(args.out_dir, history=history, forecast=fc, problem=problem, solution=solution)
    if args.bid_round:
        from wfm.api.cli_bid import demo_bid_round

        demo_bid_round(problem, solution, seed=args.seed, time_limit_s=args.time_limit)
    return 0 if report.ok else 1


def cmd_staff(args: argparse.Namespace) -> int:
    from wfm.erlang import requirements

    output_file(args.out)
    with reading(args.intervals):
        frame = _read_frame(args.intervals, tz=args.tz)
        result = requirements(frame, aht=args.aht, interval_seconds=args.interval_seconds, **_targets(args))
    _write_frame(result, args.out)
    return 0


def cmd_roster(args: argparse.Namespace) -> int:
    """Solve each problem file; a bad file is reported and skipped, and a summary closes the run."""
    from wfm.api.jobs import roster_options
    from wfm.roster import RosterProblem, solve

    options = roster_options(args.time_limit, args.workers, args.seed)
    output_dir(args.out_dir)
    outcome: dict[Path, str] = {}
    bad_input = failures = 0
    for path in args.problems:
        name = path.stem
        try:
            with reading(path):
                if path.is_dir():
                    raise InvalidParameterError(f"{path} is a directory; give RosterProblem JSON files",
                                                field="path", value=str(path))
                problem = RosterProblem.model_validate_json(path.read_bytes())
            solution = solve(problem, **options)
        except InfeasibleError as err:
            failures += 1
            outcome[path] = "infeasible"
            print(f"{name}: INFEASIBLE — {err}", file=sys.stderr)
            atomic_write_json(args.out_dir / f"{name}.infeasible.json",
                              {"problem": str(path), **err.to_dict()})
            continue
        except NoSolutionError as err:
            failures += 1
            outcome[path] = "no solution"
            print(f"{name}: NO SOLUTION within {args.time_limit} s — {err}", file=sys.stderr)
            continue
        except INPUT_ERRORS as err:
            bad_input += 1
            outcome[path] = "bad input"
            print(f"wfm roster: error: {describe(err)}", file=sys.stderr)
            continue
        atomic_write_text(args.out_dir / f"{name}.solution.json", solution.model_dump_json(indent=2))
        atomic_write_text(args.out_dir / f"{name}.assignments.csv", solution.to_frame().to_csv(index=False))
        atomic_write_text(args.out_dir / f"{name}.coverage.csv",
                          solution.coverage_frame(problem).to_csv(index=False))
        if args.explain:
            _write_explanations(problem, solution, args.out_dir / f"{name}.shortfall")
        if args.report:
            write_roster_report(args.out_dir / f"{name}.report.html", problem, solution)
        outcome[path] = solution.status.lower()
        print(f"{name}: {solution.status} objective {solution.objective:g} "
              f"({len(solution.assignments)} shifts) -> {args.out_dir}", file=sys.stderr)
    if len(args.problems) > 1 or bad_input or failures:
        solved = len(args.problems) - bad_input - failures
        print(f"wfm roster: {solved} of {len(args.problems)} solved" +
              "".join(f"; {p}: {what}" for p, what in outcome.items() if what in
                      ("bad input", "infeasible", "no solution")), file=sys.stderr)
    return 2 if bad_input else 1 if failures else 0


def _write_explanations(problem, solution, stem: Path, **where: int | None) -> int:  # noqa: ANN001
    """Write ``stem``.txt (one sentence per short interval) and ``stem``.json (the models, each agent's
    own change left out); return the number of short intervals."""
    from wfm.roster import explain_shortfall

    found = explain_shortfall(problem, solution, **where)
    atomic_write_text(Path(f"{stem}.txt"), "".join(f"{e}\n" for e in found), parents=False)
    atomic_write_text(Path(f"{stem}.json"),
                      "[" + ",\n".join(e.model_dump_json(exclude={"changes"}) for e in found) + "]\n", parents=False)
    return len(found)


def cmd_explain(args: argparse.Namespace) -> int:
    from wfm.roster import RosterProblem, RosterSolution, explain_shortfall

    output_file(args.out)
    with reading(args.problem):
        problem = RosterProblem.model_validate_json(args.problem.read_bytes())
    with reading(args.solution):
        solution = RosterSolution.model_validate_json(args.solution.read_bytes())
    if args.out is not None:
        n = _write_explanations(problem, solution, args.out, day=args.day, interval=args.interval)
        print(f"wrote {n} short intervals to {args.out}.txt and {args.out}.json", file=sys.stderr)
        return 0
    for e in explain_shortfall(problem, solution, day=args.day, interval=args.interval):
        print(e)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from wfm.exceptions import require_extra

    uvicorn = require_extra("uvicorn", "server")
    os.environ["WFM_DB"] = str(args.db)  # the bidding routes' ledger (create_app is built by uvicorn)
    check_number("port", args.port, low=0, high=65535, integer=True)
    # SIGTERM / Ctrl-C: stop accepting, let requests in flight finish (at most --grace seconds), then cancel
    # the running solves (their processes end) in the app's shutdown.
    uvicorn.run("wfm.api.http:create_app", factory=True, host=args.host, port=args.port,
                timeout_graceful_shutdown=args.grace, log_level=args.log_level)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wfm", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"wfm {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="forecast, staff and roster a week of a synthetic M-shaped centre")
    p.add_argument("--calls", type=float, default=2000.0, help="calls offered on a weekday")
    p.add_argument("--aht", type=float, default=180.0, help="average handle time (seconds)")
    p.add_argument("--freq", default="30min", help="interval length, 15min or 30min")
    p.add_argument("--history-weeks", type=int, default=8, help="weeks of synthetic history to forecast from")
    p.add_argument("--agents", type=int, default=30, help="agents to roster")
    p.add_argument("--time-limit", type=float, default=10.0, help="CP-SAT time limit (seconds)")
    p.add_argument("--workers", type=int, default=None, help="CP-SAT workers (default: all cores)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--demo-patience", type=float, default=120.0, metavar="SECONDS",
                   help="mean patience used for the Erlang A comparison (seconds)")
    p.add_argument("--out-dir", type=Path, default=None, help="write every stage's output here")
    p.add_argument("--bid-round", action="store_true", help="then award seeded bids inside the roster solve")
    _add_staffing_targets(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("staff", help="agents per interval from an interval CSV (ts, volume, aht[, queue])")
    p.add_argument("intervals", type=Path)
    p.add_argument("-o", "--out", type=Path, default=None, help="output CSV (default: stdout)")
    p.add_argument("--aht", type=float, default=None, help="one handle time (seconds) instead of the aht column")
    p.add_argument("--interval-seconds", type=float, default=None, help="interval length; inferred from ts")
    p.add_argument("--tz", default=None, help="IANA zone of the times (default: the one their UTC offsets fit)")
    _add_staffing_targets(p)
    p.set_defaults(func=cmd_staff)

    register_tools(sub)  # forecast, backtest, erlang, schema (wfm.api.cli_tools)

    p = sub.add_parser("roster", help="solve roster problems (JSON RosterProblem files) for the nightly batch")
    p.add_argument("problems", type=Path, nargs="*")
    p.add_argument("--out-dir", type=Path, required=True)
    p.add_argument("--time-limit", type=float, default=60.0, help="seconds per problem")
    p.add_argument("--workers", type=int, default=None, help="CP-SAT workers (default: all cores)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--report", action="store_true",
                   help="also write NAME.report.html: coverage, service level, the roster timeline, short intervals")
    p.add_argument("--explain", action="store_true",
                   help="also write NAME.shortfall.txt/.json: why each short interval is short")
    p.set_defaults(func=cmd_roster)
    add_roster_table_options(p, cmd_roster)

    p = sub.add_parser("explain", help="why each short interval of a roster is short (JSON problem and solution)")
    p.add_argument("problem", type=Path, help="RosterProblem JSON")
    p.add_argument("solution", type=Path, help="RosterSolution JSON (e.g. from 'wfm roster')")
    p.add_argument("--day", type=int, default=None, help="only this day (index from the horizon start)")
    p.add_argument("--interval", type=int, default=None, help="only this interval of the day (index)")
    p.add_argument("-o", "--out", type=Path, default=None,
                   help="write OUT.txt and OUT.json instead of printing the sentences")
    p.set_defaults(func=cmd_explain)

    add_report_parser(sub)

    p = sub.add_parser("serve", help="run the HTTP service (needs the 'server' extra)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0: every interface)")
    p.add_argument("--port", type=int, default=8000, help="TCP port (0: any free port)")
    p.add_argument("--grace", type=float, default=10.0, metavar="SECONDS",
                   help="on SIGTERM, how long requests in flight may take to finish")
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    p.add_argument("--db", type=Path, default=Path("wfm.sqlite"), help="bidding ledger database (SQLite file)")
    p.set_defaults(func=cmd_serve)
    add_bid_parser(sub)
    add_workflow_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; bad input (of any kind) is one line on stderr and exit status 2."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except INPUT_ERRORS as err:
        print(f"wfm {args.command}: error: {describe(err)}", file=sys.stderr)
        return 2
