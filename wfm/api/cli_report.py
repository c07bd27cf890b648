"""``wfm report``: the HTML report of a roster (and its forecast) from the files the other commands write.

    wfm report --problem problem.json --solution solution.json --forecast forecast.csv \\
               --history history.csv -o report.html

Registered on the main parser by :func:`add_report_parser`; errors (a missing file, a bad JSON, a column
missing) reach ``wfm.api.cli.main``, which prints them as one line with exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from wfm.exceptions import InvalidParameterError

__all__ = ["add_report_parser", "cmd_report", "read_table", "write_demo_report"]


def read_table(path: Path | None, time_col: str = "ts") -> pd.DataFrame | None:
    """A CSV written by ``wfm forecast``/``wfm staff``/``wfm demo`` with ``time_col`` parsed (None: no file)."""
    if path is None:
        return None
    frame = pd.read_csv(path)
    if time_col in frame.columns:
        frame[time_col] = pd.to_datetime(frame[time_col])
    return frame


def cmd_report(args: argparse.Namespace) -> int:
    """Read the given files and write the report page; print where it went."""
    from wfm.report import write_report
    from wfm.roster import RosterProblem, RosterSolution

    if (args.problem is None) != (args.solution is None):
        missing = "--solution" if args.solution is None else "--problem"
        raise InvalidParameterError(f"`{missing}` is needed too: a roster is read against its problem",
                                    field=missing.lstrip("-"), value=None)
    problem = RosterProblem.model_validate_json(args.problem.read_text()) if args.problem else None
    solution = RosterSolution.model_validate_json(args.solution.read_text()) if args.solution else None
    kwargs: dict[str, Any] = {"history": read_table(args.history), "forecast": read_table(args.forecast),
                              "requirements": read_table(args.requirements), "problem": problem,
                              "solution": solution, "title": args.title,
                              "target_service_level": args.target_service_level}
    path = write_report(args.out, **kwargs)
    print(f"wrote the report to {path}", file=sys.stderr)
    return 0


def write_demo_report(out_dir: Path, *, history: pd.DataFrame, forecast: pd.DataFrame, problem: Any,
                      solution: Any) -> None:
    """What ``wfm demo --out-dir`` adds beside its tables: ``history.csv``, ``solution.json`` (so ``wfm explain
    DIR/problem.json DIR/solution.json`` and ``wfm report`` follow on) and ``report.html``.

    Without the ``plot`` extra the report is skipped with a note; the other files are still written.
    """
    from wfm._io import atomic_write_text
    from wfm.exceptions import MissingExtraError
    from wfm.report import write_report

    atomic_write_text(out_dir / "history.csv", history.to_csv(index=False))
    atomic_write_text(out_dir / "solution.json", solution.model_dump_json(indent=2))
    try:
        write_report(out_dir / "report.html", history=history, forecast=forecast, problem=problem,
                     solution=solution, title="wfm demo: a synthetic week")
    except MissingExtraError as err:
        print(f"report.html skipped: {err}", file=sys.stderr)
        return
    print(f"wrote history, solution and report.html to {out_dir} (then: wfm explain {out_dir / 'problem.json'} "
          f"{out_dir / 'solution.json'})")


def write_roster_report(path: Path, problem: Any, solution: Any) -> None:
    """``wfm roster --report``: the roster's page (coverage, service level, timeline, why short intervals are
    short) at ``path``; without the ``plot`` extra it is skipped with a note and the roster files stand."""
    from wfm.exceptions import MissingExtraError
    from wfm.report import write_report
    from wfm.roster import explain_shortfall

    try:
        write_report(path, problem=problem, solution=solution, shortfall=explain_shortfall(problem, solution),
                     title=f"Roster {problem.name}")
    except MissingExtraError as err:
        print(f"{path.name} skipped: {err}", file=sys.stderr)
        return
    print(f"wrote {path}", file=sys.stderr)


def add_report_parser(sub: Any) -> None:
    """Add ``wfm report`` to the sub-command parsers ``sub`` of the main parser."""
    p = sub.add_parser("report", help="write a self-contained HTML report of a roster and its forecast")
    p.add_argument("--problem", type=Path, default=None, help="RosterProblem JSON")
    p.add_argument("--solution", type=Path, default=None, help="RosterSolution JSON (from 'wfm roster' or demo)")
    p.add_argument("--history", type=Path, default=None, help="CSV of past calls: ts, volume[, queue]")
    p.add_argument("--forecast", type=Path, default=None, help="'wfm forecast' output CSV (band from quantiles)")
    p.add_argument("--requirements", type=Path, default=None,
                   help="'wfm staff' output CSV, drawn when there is no roster")
    p.add_argument("--title", default="Workforce plan", help="page heading")
    p.add_argument("--target-service-level", type=float, default=0.8,
                   help="service-level target drawn on the charts, in (0, 1)")
    p.add_argument("-o", "--out", type=Path, required=True, help="HTML file to write")
    p.set_defaults(func=cmd_report)
