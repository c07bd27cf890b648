"""Run every team of a manifest: on this machine's cores (a process pool) or on a Dask cluster.

Each team runs :func:`wfm.batch.team.run_team` in its own process; a team's failure (bad tables, an
infeasible roster, a crashed worker) is recorded in its result and the others go on. The summary (one row
per team: status, objective, shortfall, time) is written atomically as ``summary.csv`` and ``summary.json``.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import multiprocessing
import os
import time
import uuid
from pathlib import Path
from typing import Any

import pandas as pd

from wfm._io import atomic_write_json, atomic_write_text
from wfm.batch.manifest import Manifest, TeamSpec
from wfm.batch.team import TeamResult, already_done, run_team
from wfm.exceptions import InvalidParameterError, require_extra
from wfm.progress import Progress, ProgressCallback, emit

__all__ = ["BatchSummary", "run_batch", "solver_workers_for"]

SUMMARY_COLUMNS = ["team", "status", "solve_status", "objective", "shortfall", "assignments", "time_s", "error"]


@dataclasses.dataclass
class BatchSummary:
    """The outcome of a batch: one :class:`TeamResult` per team in manifest order, and the wall time (s)."""

    results: list[TeamResult]
    wall_s: float
    backend: str

    @property
    def failed(self) -> list[str]:
        return [r.team for r in self.results if r.status == "failed"]

    def frame(self) -> pd.DataFrame:
        """One row per team; ``error`` is the error's message (empty when none)."""
        rows = [{**r.as_dict(), "error": (r.error or {}).get("message", "")} for r in self.results]
        return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)

    def to_text(self) -> str:
        """The summary as a table for a terminal."""
        frame = self.frame().drop(columns=["error"])
        text = frame.to_string(index=False, na_rep="-", float_format=lambda x: f"{x:,.1f}")
        done = sum(r.status in ("done", "skipped") for r in self.results)
        tail = (f"\n{done}/{len(self.results)} teams done, {len(self.failed)} failed, {self.wall_s:.1f} s "
                f"({self.backend})")
        errors = "".join(f"\n  {r.team}: {(r.error or {}).get('message', '')}" for r in self.results
                         if r.status == "failed")
        return text + tail + errors


def solver_workers_for(n_teams: int, cores: int | None = None) -> int:
    """CP-SAT threads per team on a local pool: the cores shared among the teams running at once (at least 1)."""
    cores = cores or os.cpu_count() or 1
    return max(1, cores // max(1, n_teams))


def run_batch(manifest: Manifest, *, scheduler: str | None = None, force: bool = False,
              processes: int | None = None, progress: ProgressCallback | None = None) -> BatchSummary:
    """Run every team of ``manifest`` and write ``summary.csv`` / ``summary.json`` into its output folder.

    Parameters
    ----------
    scheduler:
        Address of a running Dask scheduler (``tcp://host:8786``) to run the teams on; None runs them on a
        local process pool (the ``distributed`` extra is needed only for a scheduler).
    force:
        Solve every team again even when its done marker matches its inputs.
    processes:
        Teams solved at once on the local pool; default ``min(cores, teams)``.
    progress:
        Called with a :class:`~wfm.progress.Progress` (task ``"batch"``, ``done``/``total`` teams) as each
        team finishes.
    """
    teams = manifest.teams
    t0 = time.perf_counter()
    results: dict[str, TeamResult] = {}

    def record(result: TeamResult) -> None:
        results[result.team] = result
        emit(progress, Progress(task="batch", stage=result.team, elapsed_s=time.perf_counter() - t0,
                                objective=result.objective, done=len(results), total=len(teams),
                                message=f"{result.team}: {result.status}"))

    if processes is not None and processes < 1:
        raise InvalidParameterError(f"`processes` must be >= 1; got {processes}", field="processes", value=processes)
    emit(progress, Progress(task="batch", stage="start", done=0, total=len(teams),
                            message=f"{len(teams)} teams" + (f" on {scheduler}" if scheduler else "")))
    pending = []
    for spec in teams:  # teams already done are skipped here, without starting a process for them
        done = None if force else already_done(spec)
        if done is not None:
            record(done)
        else:
            pending.append(spec)
    if scheduler is not None:
        backend = f"dask {scheduler}"
        if pending:
            _run_dask(pending, scheduler, force=force, record=record)
    else:
        cores = os.cpu_count() or 1
        n_proc = max(1, min(processes or cores, len(pending)))
        backend = f"{n_proc} local processes"
        if pending:
            _run_pool(pending, n_proc, solver_workers_for(n_proc, cores), force=force, record=record)
    summary = BatchSummary(results=[results[t.id] for t in teams], wall_s=time.perf_counter() - t0, backend=backend)
    out = manifest.out_dir
    for name in ("summary.csv", "summary.json"):  # what a batch killed while writing its summary left
        for tmp in Path(out).glob(f".{name}.*.tmp"):
            tmp.unlink(missing_ok=True)
    atomic_write_text(os.path.join(out, "summary.csv"), summary.frame().to_csv(index=False))
    atomic_write_json(os.path.join(out, "summary.json"), {
        "manifest": manifest.path, "backend": backend, "wall_s": summary.wall_s,
        "teams": [r.as_dict() for r in summary.results]})
    return summary


def _run_pool(teams: list[TeamSpec], n_proc: int, solver_workers: int, *, force: bool, record: Any) -> None:
    # spawn, not fork: the parent may hold threads (a notebook, a Dask client) that fork would copy half-way
    context = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=n_proc, mp_context=context) as pool:
        futures = {pool.submit(run_team, spec, force=force, solver_workers=solver_workers): spec
                   for spec in teams}
        for future in cf.as_completed(futures):
            record(_result_of(future, futures[future].id))


def _run_dask(teams: list[TeamSpec], scheduler: str, *, force: bool, record: Any) -> None:
    distributed = require_extra("distributed", "distributed")
    token = uuid.uuid4().hex[:8]  # keys unique per run, so a rerun never receives an old run's result
    with distributed.Client(scheduler, set_as_default=False) as client:
        futures = {client.submit(run_team, spec, force=force, solver_workers=1, pure=False, retries=0,
                                 key=f"wfm-team-{spec.id}-{token}"): spec for spec in teams}
        for future in distributed.as_completed(list(futures), loop=client.loop):
            record(_result_of(future, futures[future].id))


def _result_of(future: Any, team: str) -> TeamResult:
    """The team's result, or a failure when its process died (killed, out of memory) before returning."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - a lost worker fails that team only
        return TeamResult(team=team, status="failed", error={
            "code": type(exc).__name__, "field": None, "value": None,
            "message": f"the process running the team stopped: {exc or type(exc).__name__}"})
