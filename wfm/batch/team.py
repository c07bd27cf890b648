"""One team's pipeline: its inputs → a :class:`RosterProblem` → a solved, checked roster → files on disk.

Files, all written atomically (:mod:`wfm._io`) into the output folder, named after the team (``stem``):
``<stem>.problem.json``, ``<stem>.solution.json``, ``<stem>.assignments.csv``, ``<stem>.coverage.csv``,
``<stem>.check.json`` and, last, the done marker ``<stem>.done.json`` (the hash of the inputs and settings
and the team's summary). A team whose marker matches its current hash is skipped; a failed team writes
``<stem>.error.json`` instead of a marker and runs again next time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import time
import traceback
from pathlib import Path
from typing import Any

from wfm._io import atomic_write_json, atomic_write_text
from wfm.batch.manifest import TeamSpec
from wfm.exceptions import InvalidParameterError, WfmError
from wfm.limits import check_number, limits
from wfm.progress import Progress, ProgressCallback, emit
from wfm.roster.models import Horizon, RosterProblem

__all__ = ["TeamResult", "run_team", "already_done", "build_problem", "solve_and_write", "horizon_from", "done_marker",
           "OUTPUT_KINDS"]

#: The files a team writes, ``<stem>.<kind>``; ``done.json`` comes last.
OUTPUT_KINDS = ("problem.json", "solution.json", "assignments.csv", "coverage.csv", "check.json", "error.json",
                "done.json")


@dataclasses.dataclass
class TeamResult:
    """What happened to one team.

    ``status``: ``done`` (solved now), ``skipped`` (already done with the same inputs) or ``failed``;
    ``solve_status``: OPTIMAL or FEASIBLE; ``objective``: the roster's cost; ``shortfall``: agent-intervals
    short over the horizon; ``time_s``: wall seconds spent on the team in this run (0 when skipped);
    ``error``: the structured error (``code``, ``field``, ``message``, ``value``) of a failed team.
    """

    team: str
    status: str
    solve_status: str | None = None
    objective: float | None = None
    shortfall: float | None = None
    assignments: int | None = None
    time_s: float = 0.0
    error: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def done_marker(out_dir: str | os.PathLike[str], stem: str) -> Path:
    """Path of a team's done marker."""
    return Path(out_dir) / f"{stem}.done.json"


def horizon_from(settings: dict[str, Any], requirements: str | os.PathLike[str] | None) -> Horizon:
    """The horizon of a team from tables: ``start``, ``days``, ``timezone`` and ``interval_minutes``
    (inferred from the requirements' spacing when not given)."""
    from wfm.roster.tables import infer_interval_minutes

    minutes = settings.get("interval_minutes")
    if minutes is None:
        minutes = infer_interval_minutes(requirements) if requirements is not None else 30
    try:
        return Horizon(start=dt.date.fromisoformat(str(settings["start"])), days=int(settings["days"]),
                       interval_minutes=minutes, timezone=str(settings.get("timezone", "UTC")))
    except (ValueError, TypeError) as exc:
        raise InvalidParameterError(f"the horizon (start, days, interval_minutes, timezone) is invalid: {exc}",
                                    field="horizon", value={k: settings.get(k) for k in
                                                            ("start", "days", "interval_minutes", "timezone")}) \
            from None


def build_problem(spec: TeamSpec) -> RosterProblem:
    """The team's :class:`RosterProblem`, from its problem JSON or its tables."""
    if spec.problem is not None:
        import pydantic

        from wfm.exceptions import DataFormatError

        path = Path(spec.problem)
        try:
            return RosterProblem.model_validate_json(path.read_bytes())
        except pydantic.ValidationError as exc:
            first = exc.errors()[0]
            where = f"{path.name}:" + ".".join(str(p) for p in first["loc"])
            raise DataFormatError(f"{where}: {first['msg']}", field=where, value=first.get("input")) from None
    from wfm.roster.tables import problem_from_tables

    t = spec.tables
    kwargs: dict[str, Any] = {}
    if "weekend_days" in spec.settings:
        kwargs["weekend_days"] = spec.settings["weekend_days"]
    if "answer_seconds" in spec.settings:
        kwargs["answer_seconds"] = float(spec.settings["answer_seconds"])
    if "skill_column" in spec.settings:
        kwargs["requirement_columns"] = {"skill_col": spec.settings["skill_column"]}
    return problem_from_tables(agents=t["agents"], shifts=t["shifts"], contracts=t["contracts"],
                               requirements=t["requirements"], leave=t.get("leave"),
                               horizon=horizon_from(spec.settings, t["requirements"]), name=spec.id, **kwargs)


def _solver_progress(progress: ProgressCallback | None) -> dict[str, Any]:
    """``progress=`` for the solver (none when nobody listens)."""
    return {"progress": progress} if progress is not None else {}


def solve_and_write(problem: RosterProblem, out_dir: str | os.PathLike[str], stem: str, *, time_limit_s: float,
                    workers: int | None, seed: int, strategy: str = "auto",
                    progress: ProgressCallback | None = None, reproducible: bool = False) -> TeamResult:
    """Solve ``problem`` (``time_limit_s`` seconds, ``workers`` CP-SAT threads, ``seed``), check the roster
    with the solver-independent checker and write every output; the result's status is ``done``, or
    ``failed`` when the checker finds a broken hard rule (then ``<stem>.check.json`` lists them).

    Raises whatever the solver raises (:class:`~wfm.exceptions.InfeasibleError`, ``NoSolutionError``).
    """
    from wfm.roster import check, solve

    check_number("time_limit_s", time_limit_s, low=0, low_open=True, high=limits().max_time_limit_s,
                 limit_name="max_time_limit_s")
    if workers is not None:
        check_number("workers", workers, low=1, high=limits().max_workers, integer=True, limit_name="max_workers")
    out = Path(out_dir)
    t0 = time.perf_counter()
    emit(progress, Progress(task="roster", stage="solve", elapsed_s=0.0,
                            message=f"{problem.name}: {len(problem.agents)} agents, {problem.horizon.days} days, "
                                    f"time limit {time_limit_s:g} s"))
    if reproducible:
        # the same roster on any machine and pool (the local one or Dask): one worker, budgets counted in work
        from wfm.roster import SolveOptions

        options = SolveOptions(time_limit_s=time_limit_s, workers=1, seed=seed, reproducible=True,
                               progress=progress)
        solution = solve(problem, strategy=strategy, options=options)
    else:
        solution = solve(problem, time_limit_s=time_limit_s, workers=workers, seed=seed, strategy=strategy,
                         **_solver_progress(progress))
    report = check(problem, solution)
    coverage = solution.coverage_frame(problem)
    shortfall = float(coverage["shortfall"].sum()) if len(coverage) else 0.0
    atomic_write_text(out / f"{stem}.problem.json", problem.model_dump_json(indent=2))
    atomic_write_text(out / f"{stem}.solution.json", solution.model_dump_json(indent=2))
    atomic_write_text(out / f"{stem}.assignments.csv", solution.to_frame().to_csv(index=False))
    atomic_write_text(out / f"{stem}.coverage.csv", coverage.to_csv(index=False))
    atomic_write_json(out / f"{stem}.check.json", {
        "ok": report.ok, "objective": report.objective, "violations": [str(v) for v in report.violations]})
    elapsed = time.perf_counter() - t0
    emit(progress, Progress(task="roster", stage="finish", elapsed_s=elapsed, objective=solution.objective,
                            bound=solution.best_bound, message=f"{solution.status}, shortfall {shortfall:g} "
                                                               "agent-intervals"))
    result = TeamResult(team=stem, status="done" if report.ok else "failed", solve_status=solution.status,
                        objective=solution.objective, shortfall=shortfall, assignments=len(solution.assignments),
                        time_s=elapsed)
    if not report.ok:
        result.error = {"code": "check_failed", "field": None, "value": None,
                        "message": f"the checker found {len(report.violations)} broken hard rule(s): "
                                   f"{report.violations[0]}"}
    return result


def run_team(spec: TeamSpec, *, force: bool = False, solver_workers: int | None = None,
             progress: ProgressCallback | None = None) -> TeamResult:
    """Run one team's pipeline unless its done marker matches its inputs; never raises for the team's own
    failures (they come back as ``status="failed"`` with the structured error, and in ``<id>.error.json``).

    ``solver_workers`` (CP-SAT threads) is used when the team's settings do not give ``workers``.
    """
    t0 = time.perf_counter()
    out = Path(spec.out_dir)
    used_workers = spec.settings.get("workers", solver_workers)
    marker = done_marker(out, spec.id)
    try:
        out.mkdir(parents=True, exist_ok=True)
        _remove_partial_writes(out, spec.id)
        digest = spec.input_hash()
        done = None if force else already_done(spec, digest)
        if done is not None:
            return done
        # an old marker must not outlive the outputs it vouched for
        marker.unlink(missing_ok=True)
        problem = build_problem(spec)
        result = solve_and_write(problem, out, spec.id, time_limit_s=spec.time_limit_s, workers=used_workers,
                                 seed=spec.seed, strategy=str(spec.settings.get("strategy", "auto")),
                                 progress=progress, reproducible=bool(spec.settings.get("reproducible", False)))
    except Exception as exc:  # noqa: BLE001 - one team's failure must not stop the batch
        error = exc.to_dict() if isinstance(exc, WfmError) else {
            "code": type(exc).__name__, "field": None, "message": str(exc) or repr(exc), "value": None}
        if not isinstance(exc, WfmError | ValueError | OSError):
            error["traceback"] = traceback.format_exc(limit=20)
        result = TeamResult(team=spec.id, status="failed", time_s=time.perf_counter() - t0, error=error)
    result.time_s = time.perf_counter() - t0
    if result.status == "done":
        (out / f"{spec.id}.error.json").unlink(missing_ok=True)
        atomic_write_json(marker, {"hash": digest, "finished": dt.datetime.now(dt.UTC).isoformat(),
                                   "result": result.as_dict()})
    else:
        try:
            atomic_write_json(out / f"{spec.id}.error.json", result.as_dict())
        except OSError:  # an unwritable folder is already the reported error
            pass
    return result


def already_done(spec: TeamSpec, digest: str | None = None) -> TeamResult | None:
    """The team's stored result (status ``skipped``) when its done marker matches its current inputs and
    settings, else None (no marker, another hash, an unreadable input or marker)."""
    marker = done_marker(spec.out_dir, spec.id)
    if not marker.exists():
        return None
    try:
        digest = digest if digest is not None else spec.input_hash()
    except OSError:
        return None
    done = _read_marker(marker)
    if done is None or done.get("hash") != digest:
        return None
    summary = {k: v for k, v in done.get("result", {}).items() if k in TeamResult.__dataclass_fields__}
    return TeamResult(**{**summary, "team": spec.id, "status": "skipped", "time_s": 0.0})


def _read_marker(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _remove_partial_writes(out: Path, stem: str) -> None:
    """Temporary files a killed run left behind (``.<stem>.<kind>.<random>.tmp`` from :mod:`wfm._io`)."""
    for kind in OUTPUT_KINDS:
        for tmp in out.glob(f".{stem}.{kind}.*.tmp"):
            tmp.unlink(missing_ok=True)
