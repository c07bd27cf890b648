"""The scheduler's workflow on the command line: ``wfm init``, ``wfm roster`` from tables, ``wfm batch``.

    wfm init starter/                                     # a small, commented set of tables to edit
    wfm roster --agents starter/agents.csv --shifts starter/shifts.csv --contracts starter/contracts.toml \\
               --requirements starter/requirements.csv --leave starter/leave.csv \\
               --start 2026-03-02 --days 7 --out-dir rosters/
    wfm batch nightly.toml [--scheduler tcp://host:8786] [--force]

``--quiet`` hides progress; ``--log-json`` writes progress, results and errors as one JSON object per line on
stderr. :mod:`wfm.api.cli` registers these options with :func:`add_workflow_commands` and
:func:`add_roster_table_options`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wfm._io import atomic_write_json, atomic_write_text
from wfm.api.console import Console, Mode
from wfm.exceptions import InfeasibleError, NoSolutionError, WfmError

__all__ = ["add_workflow_commands", "add_roster_table_options", "add_output_options", "console_mode"]

_TABLES = ("agents", "shifts", "contracts", "requirements", "leave")


def add_output_options(p: argparse.ArgumentParser) -> None:
    """``--quiet`` and ``--log-json``."""
    group = p.add_mutually_exclusive_group()
    group.add_argument("--quiet", action="store_true", help="no progress display (results and errors still print)")
    group.add_argument("--log-json", action="store_true",
                       help="progress, results and errors as one JSON object per line on stderr")


def console_mode(args: argparse.Namespace) -> Mode:
    """The :class:`Console` mode the options ask for."""
    return "json" if getattr(args, "log_json", False) else "quiet" if getattr(args, "quiet", False) else "auto"


# ------------------------------------------------------------------------------------------------ roster

def add_roster_table_options(p: argparse.ArgumentParser, fallback: Callable[[argparse.Namespace], int]) -> None:
    """Add the table inputs to ``wfm roster``; problem JSON files still go to ``fallback``."""
    g = p.add_argument_group("roster from a scheduler's tables (instead of problem JSON files)")
    g.add_argument("--agents", type=Path, help="agents.csv: id, contract, skills, hire_date")
    g.add_argument("--shifts", type=Path, help="shifts.csv: id, start, length_minutes or segments, breaks, ...")
    g.add_argument("--contracts", type=Path, help="contracts.toml: one [section] of rules per contract")
    g.add_argument("--requirements", type=Path, help="'wfm staff' output: ts, agents[, volume, aht]")
    g.add_argument("--leave", type=Path, help="leave.csv: agent, date or start and end (optional)")
    g.add_argument("--start", help="first day of the roster, YYYY-MM-DD")
    g.add_argument("--days", type=int, help="days to roster")
    g.add_argument("--timezone", default="UTC", help="IANA time zone of the site (default UTC)")
    g.add_argument("--interval-minutes", type=int, choices=(15, 30), default=None,
                   help="requirement interval (default: from the requirements' spacing)")
    g.add_argument("--skill-column", default=None, metavar="COLUMN",
                   help="requirements column naming the skill (e.g. queue): cover per skill, not a head count")
    g.add_argument("--name", default="roster", help="output file names start with it (default 'roster')")
    add_output_options(p)
    p.set_defaults(func=lambda args: cmd_roster(args, fallback))


def cmd_roster(args: argparse.Namespace, fallback: Callable[[argparse.Namespace], int]) -> int:
    """``wfm roster``: from tables when ``--agents`` ... are given, else the problem JSON files."""
    mode = console_mode(args)
    given = [k for k in _TABLES if getattr(args, k) is not None]
    with Console(mode) as console:
        if not given:
            if not args.problems:
                console.error(WfmError("give problem JSON files, or --agents, --shifts, --contracts, "
                                       "--requirements, --start and --days", field="problems"), prefix="wfm roster: ")
                return 2
            if mode != "json":
                return fallback(args)
            try:
                with _json_lines(sys.stderr):  # the problem-file path prints plain lines: make them JSON too
                    return fallback(args)
            except (WfmError, ValueError, OSError) as err:
                console.error(err, prefix="wfm roster: ")
                return 2
        missing = [f"--{k}" for k in ("agents", "shifts", "contracts", "requirements", "start", "days")
                   if getattr(args, k) is None]
        if args.problems or missing:
            why = "problem files and tables cannot be mixed" if args.problems else f"missing {missing}"
            console.error(WfmError(f"roster from tables: {why}", field=(missing or ["problems"])[0],
                                   value=[str(p) for p in args.problems] or None), prefix="wfm roster: ")
            return 2
        return _roster_from_tables(args, console)


def _roster_from_tables(args: argparse.Namespace, console: Console) -> int:
    from wfm.batch.team import horizon_from, solve_and_write
    from wfm.roster.tables import problem_from_tables

    try:
        horizon = horizon_from({"start": args.start, "days": args.days, "timezone": args.timezone,
                                "interval_minutes": args.interval_minutes}, args.requirements)
        problem = problem_from_tables(agents=args.agents, shifts=args.shifts, contracts=args.contracts,
                                      requirements=args.requirements, leave=args.leave, horizon=horizon,
                                      name=args.name, requirement_columns={"skill_col": args.skill_column})
        result = solve_and_write(problem, args.out_dir, args.name, time_limit_s=args.time_limit,
                                 workers=args.workers, seed=args.seed, progress=console)
    except InfeasibleError as err:
        atomic_write_json(args.out_dir / f"{args.name}.infeasible.json",
                          err.to_dict())
        console.error(err, prefix=f"{args.name}: INFEASIBLE — ")
        return 1
    except NoSolutionError as err:
        console.error(err, prefix=f"{args.name}: NO SOLUTION — ")
        return 1
    except (WfmError, ValueError, OSError) as err:
        console.error(err, prefix="wfm roster: ")
        return 2
    if args.explain and result.status == "done":
        _explain(args.out_dir, args.name)
    if args.report and result.status == "done":
        from wfm.api.cli_report import write_roster_report

        write_roster_report(args.out_dir / f"{args.name}.report.html", problem, solution_of(args.out_dir, args.name))
    console.result(f"{args.name}: {result.solve_status} objective {result.objective:g}, shortfall "
                   f"{result.shortfall:g} agent-intervals, {result.assignments} shifts, checker "
                   f"{'ok' if result.status == 'done' else 'FAILED'} -> {args.out_dir}", **result.as_dict())
    return 0 if result.status == "done" else 1


def solution_of(out_dir: Path, stem: str) -> Any:
    """The roster ``stem`` written to ``out_dir``."""
    from wfm.roster import RosterSolution

    return RosterSolution.model_validate_json((out_dir / f"{stem}.solution.json").read_text())


def _explain(out_dir: Path, stem: str) -> None:
    from wfm.roster import RosterProblem, RosterSolution, explain_shortfall

    problem = RosterProblem.model_validate_json((out_dir / f"{stem}.problem.json").read_text())
    solution = RosterSolution.model_validate_json((out_dir / f"{stem}.solution.json").read_text())
    found = explain_shortfall(problem, solution)
    atomic_write_text(out_dir / f"{stem}.shortfall.txt", "".join(f"{e}\n" for e in found))
    atomic_write_text(out_dir / f"{stem}.shortfall.json",
                      "[" + ",\n".join(e.model_dump_json(exclude={"changes"}) for e in found) + "]\n")


class _JsonLineWriter(io.TextIOBase):
    """A text stream that turns each plain line written to it into ``{"event": "log", "message": ...}``.

    The problem-file path reports a bad file as ``wfm roster: error: ...`` (and goes on with the next file);
    such a line becomes an ``error`` event, so a log reader need not match text to find the failures.
    """

    def __init__(self, target: Any) -> None:
        self.target, self.buffer_ = target, ""

    def write(self, text: str) -> int:
        self.buffer_ += text
        while "\n" in self.buffer_:
            line, self.buffer_ = self.buffer_.split("\n", 1)
            if line.strip():
                event = "error" if ": error: " in line else "log"
                self.target.write(json.dumps({"event": event, "message": line}) + "\n")
        return len(text)

    def flush(self) -> None:
        self.target.flush()


@contextlib.contextmanager
def _json_lines(target: Any) -> Any:
    writer = _JsonLineWriter(target)
    with contextlib.redirect_stderr(writer):
        yield
    writer.write("\n")


# ------------------------------------------------------------------------------------------------ init, batch

def add_workflow_commands(sub: Any) -> None:
    """Register ``wfm init`` and ``wfm batch`` on the top-level subparsers."""
    p = sub.add_parser("init", help="write a small, commented set of roster tables to start from")
    p.add_argument("directory", type=Path)
    p.add_argument("--force", action="store_true", help="overwrite sample files already in the folder")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("batch", help="the nightly batch: every team of a manifest, in parallel")
    p.add_argument("manifest", type=Path, help="TOML or JSON manifest: one [[teams]] entry per team")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run on this Dask scheduler, e.g. tcp://host:8786 (pip install 'wfm[distributed]')")
    p.add_argument("--force", action="store_true", help="solve every team again, even those already done")
    p.add_argument("--out-dir", type=Path, default=None, help="override the manifest's out_dir")
    p.add_argument("--processes", type=int, default=None, help="teams solved at once locally (default: cores)")
    add_output_options(p)
    p.set_defaults(func=cmd_batch)


def cmd_init(args: argparse.Namespace) -> int:
    """``wfm init DIR``: write the sample tables and say what to run next."""
    from wfm.roster.sample_tables import SAMPLE_DAYS, SAMPLE_START, write_sample_tables

    try:
        paths = write_sample_tables(args.directory, overwrite=args.force)
    except WfmError as err:
        print(f"wfm init: error: {err}", file=sys.stderr)
        return 2
    d = args.directory
    print(f"wrote {len(paths)} files to {d}: {', '.join(p.name for p in paths)}\nnext:\n"
          f"  wfm roster --agents {d / 'agents.csv'} --shifts {d / 'shifts.csv'} "
          f"--contracts {d / 'contracts.toml'} --requirements {d / 'requirements.csv'} --leave {d / 'leave.csv'} "
          f"--start {SAMPLE_START} --days {SAMPLE_DAYS} --out-dir {d / 'rosters'} --time-limit 20")
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    """``wfm batch MANIFEST``: 0 when every team is done, 1 when any failed, 2 for a bad manifest."""
    from wfm.batch import load_manifest, run_batch

    with Console(console_mode(args)) as console:
        try:
            manifest = load_manifest(args.manifest, out_dir=args.out_dir)
            summary = run_batch(manifest, scheduler=args.scheduler, force=args.force, processes=args.processes,
                                progress=console)
        except (WfmError, ValueError, OSError) as err:
            console.error(err, prefix="wfm batch: ")
            return 2
        console.close()
        if console.mode == "json":
            for r in summary.results:
                console.result("", **r.as_dict())
        print(summary.to_text())
        print(f"summary: {Path(manifest.out_dir) / 'summary.csv'}", file=sys.stderr if console.mode != "json"
              else sys.stdout)
    return 1 if summary.failed else 0
