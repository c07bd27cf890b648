"""Roster solves as jobs, run in a bounded pool of worker processes.

A solve is CPU-bound native code for up to an hour, so it never runs in the service's event loop or its
threads: each job runs in a child process of its own (forked from a pre-loaded fork server, so a start costs
milliseconds, not the seconds of importing OR-tools). At most ``limits().max_concurrent_solves`` run at once;
up to ``limits().max_queued_solves`` more wait in a queue, and beyond that a submission is refused with
:class:`~wfm.api.errors.ServiceBusyError` (503). Cancelling a running job terminates its process, which frees
its cores at once. Finished jobs are kept (result or error) for :data:`KEEP_FINISHED` jobs, oldest dropped
first, so memory stays bounded.

A dispatcher thread starts queued jobs, reads the children's messages (progress events, the result, an
error) and notices a child that died (killed, out of memory).
"""

from __future__ import annotations

import collections
import dataclasses
import json
import multiprocessing
import threading
import time
import uuid
from multiprocessing.connection import Connection, wait
from typing import Any

from wfm.api.errors import ServiceBusyError, error_body, status_for
from wfm.exceptions import NotFoundError, WfmError
from wfm.limits import check_number, limits

__all__ = ["Job", "JobManager", "roster_options", "run_solve", "KEEP_FINISHED", "FINAL"]

#: Finished jobs kept for ``GET``; older ones are forgotten (404).
KEEP_FINISHED = 256
#: States a job does not leave.
FINAL = frozenset({"succeeded", "failed", "cancelled"})
#: Least time between two progress messages a child sends (seconds): a solve may report thousands.
PROGRESS_EVERY_S = 0.25


def roster_options(time_limit_s: Any, workers: Any, seed: Any, *, max_time_limit_s: float | None = None,
                   limit_name: str = "max_time_limit_s") -> dict[str, Any]:
    """Validated solve options for :func:`wfm.roster.solve`, checked against the limits before any work.

    ``time_limit_s`` must be finite, > 0 and at most ``max_time_limit_s`` (default
    ``limits().max_time_limit_s``; the synchronous HTTP endpoint passes ``max_sync_time_limit_s``),
    ``workers`` a whole number in 1..``limits().max_workers`` or None (all cores), ``seed`` a whole number >= 0.
    """
    cap = limits().max_time_limit_s if max_time_limit_s is None else max_time_limit_s
    t = float(check_number("time_limit_s", time_limit_s, low=0, low_open=True, high=cap, limit_name=limit_name))
    w = None if workers is None else check_number("workers", workers, low=1, high=limits().max_workers,
                                                  integer=True, limit_name="max_workers")
    s = check_number("seed", seed, low=0, high=2**31 - 1, integer=True)
    return {"time_limit_s": t, "workers": w, "seed": s}


def run_solve(problem_json: str, options: dict[str, Any], conn: Connection) -> None:
    """Child-process entry: solve, and send ``("progress", dict)`` events then ``("result", json)`` or
    ``("error", status, body)`` through ``conn``."""
    try:
        from wfm.roster import RosterProblem, solve

        problem = RosterProblem.model_validate_json(problem_json)
        kwargs = dict(options)
        last = [0.0]

        def report(event: Any) -> None:
            now = time.monotonic()
            if now - last[0] >= PROGRESS_EVERY_S:
                last[0] = now
                conn.send(("progress", event.as_dict()))

        kwargs["progress"] = report
        solution = solve(problem, **kwargs)
        conn.send(("result", solution.model_dump_json()))
    except BaseException as err:  # noqa: BLE001 - every failure goes back to the service as data
        conn.send(("error", status_for(err), error_body(err)))
    finally:
        conn.close()


@dataclasses.dataclass(eq=False)
class Job:
    """One roster solve: its state, the last progress event, and its result or error."""

    id: str
    problem_json: str
    options: dict[str, Any]
    status: str = "queued"  # queued, running, succeeded, failed, cancelled
    created_at: float = dataclasses.field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    progress: dict[str, Any] | None = None
    result_json: str | None = None
    error: dict[str, Any] | None = None  # {"error": {...}}
    error_status: int | None = None
    done: threading.Event = dataclasses.field(default_factory=threading.Event)
    process: Any = None
    worker_pid: int | None = None
    conn: Connection | None = None

    def as_dict(self) -> dict[str, Any]:
        """The job's public state (``GET /v1/roster/jobs/{id}``), with the result once it succeeded."""
        p = self.progress or {}
        end = self.finished_at if self.finished_at is not None else time.time()
        return {
            "id": self.id, "status": self.status, "options": self.options,
            "created_at": self.created_at, "started_at": self.started_at, "finished_at": self.finished_at,
            "elapsed_s": None if self.started_at is None else round(end - self.started_at, 3),
            "objective": p.get("objective"), "bound": p.get("bound"), "gap": p.get("gap"),
            "stage": p.get("stage"),
            "worker_pid": self.worker_pid,
            "result": None if self.result_json is None else json.loads(self.result_json),
            "error": None if self.error is None else self.error["error"],
        }


class JobManager:
    """Queue, run, watch and cancel roster solves in worker processes (see the module docstring)."""

    def __init__(self, *, max_running: int | None = None, max_queued: int | None = None,
                 keep: int = KEEP_FINISHED) -> None:
        self.max_running = max_running if max_running is not None else limits().max_concurrent_solves
        self.max_queued = max_queued if max_queued is not None else limits().max_queued_solves
        self.keep = keep
        self._ctx = multiprocessing.get_context("forkserver")
        self._ctx.set_forkserver_preload(["wfm.api.jobs", "wfm.roster"])
        self._jobs: collections.OrderedDict[str, Job] = collections.OrderedDict()
        self._queue: collections.deque[Job] = collections.deque()
        self._running: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = self._ctx.Pipe(duplex=False)
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="wfm-jobs", daemon=True)
        self._thread.start()

    # ---- public -----------------------------------------------------------------------------------------
    def submit(self, problem_json: str, options: dict[str, Any]) -> Job:
        """Queue a solve; raises :class:`ServiceBusyError` when the queue is full."""
        with self._lock:
            if self._closed:
                raise ServiceBusyError("the service is shutting down; no new solves", field=None)
            if len(self._queue) >= self.max_queued:
                raise ServiceBusyError(
                    f"{len(self._running)} solves running and {len(self._queue)} queued (limits "
                    f"`max_concurrent_solves`, `max_queued_solves`); retry later", field="queue",
                    value=len(self._queue))
            job = Job(id=uuid.uuid4().hex, problem_json=problem_json, options=dict(options))
            self._jobs[job.id] = job
            self._queue.append(job)
            self._wake()
        return job

    def get(self, job_id: str) -> Job:
        """The job ``job_id``; :class:`NotFoundError` if unknown or forgotten."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"no roster job `{job_id}` (unknown, or finished long ago and forgotten)",
                                field="job_id", value=job_id)
        return job

    def cancel(self, job_id: str) -> Job:
        """Cancel a queued or running job (its process is terminated); a finished job is left as it is."""
        job = self.get(job_id)
        with self._lock:
            if job.status == "queued":
                self._queue.remove(job)
                self._finish(job, "cancelled")
                return job
            if job.status != "running":
                return job
            process = job.process
            self._finish(job, "cancelled")
        _stop(process)
        self._wake()
        return job

    def counts(self) -> dict[str, int]:
        """Jobs running and queued now."""
        with self._lock:
            return {"running": len(self._running), "queued": len(self._queue)}

    def shutdown(self) -> None:
        """Cancel everything and stop the dispatcher (on service shutdown, e.g. SIGTERM)."""
        with self._lock:
            self._closed = True
            queued, self._queue = list(self._queue), collections.deque()
            running = list(self._running.values())
            for job in queued + running:
                self._finish(job, "cancelled")
        for job in running:
            _stop(job.process)
        self._wake()
        self._thread.join(timeout=5)

    # ---- dispatcher -------------------------------------------------------------------------------------
    def _wake(self) -> None:
        try:
            self._wake_w.send_bytes(b".")
        except OSError:  # pragma: no cover - closed at shutdown
            pass

    def _start_queued(self) -> None:
        with self._lock:
            while self._queue and len(self._running) < self.max_running and not self._closed:
                job = self._queue.popleft()
                recv, send = self._ctx.Pipe(duplex=False)
                process = self._ctx.Process(target=run_solve, args=(job.problem_json, job.options, send),
                                            name=f"wfm-solve-{job.id[:8]}", daemon=True)
                process.start()
                send.close()  # the child holds the only sending end: EOF when it exits
                job.process, job.conn, job.worker_pid = process, recv, process.pid
                job.status, job.started_at = "running", time.time()
                self._running[job.id] = job

    def _loop(self) -> None:
        while True:
            self._start_queued()
            with self._lock:
                if self._closed and not self._running:
                    return
                running = list(self._running.values())
            waitables: list[Any] = [self._wake_r]
            for job in running:
                waitables += [job.conn, job.process.sentinel]
            for ready in wait(waitables, timeout=1.0):
                if ready is self._wake_r:
                    while self._wake_r.poll():
                        self._wake_r.recv_bytes()
            for job in running:
                self._read(job)
                if not job.process.is_alive():
                    self._reap(job)

    def _read(self, job: Job) -> None:
        conn = job.conn
        try:
            while conn is not None and not conn.closed and conn.poll():
                self._message(job, conn.recv())
        except (EOFError, OSError):
            pass

    def _message(self, job: Job, message: tuple) -> None:
        kind = message[0]
        with self._lock:
            if job.status in FINAL:
                return
            if kind == "progress":
                job.progress = message[1]
            elif kind == "result":
                job.result_json = message[1]
                self._finish(job, "succeeded")
            elif kind == "error":
                job.error_status, job.error = message[1], message[2]
                self._finish(job, "failed")

    def _reap(self, job: Job) -> None:
        job.process.join(timeout=1)
        self._read(job)
        with self._lock:
            if job.status not in FINAL:
                code = job.process.exitcode
                err = WfmError(f"the solve's worker process ended without an answer (exit code {code}); it may "
                               "have run out of memory", code="worker_died", value=code)
                job.error_status, job.error = 500, {"error": err.to_dict()}
                self._finish(job, "failed")
            self._running.pop(job.id, None)
        if job.conn is not None:
            job.conn.close()
        job.process.close()

    def _finish(self, job: Job, status: str) -> None:
        """Record a final state (lock held); idempotent. Drops the oldest finished jobs beyond ``keep``."""
        if job.status in FINAL:
            return
        job.status, job.finished_at = status, time.time()
        job.problem_json = ""  # the input is not needed any more
        job.done.set()
        finished = [j for j in self._jobs.values() if j.status in FINAL]
        for old in finished[: max(0, len(finished) - self.keep)]:
            del self._jobs[old.id]


def _stop(process: Any) -> None:
    """Terminate a solve's process and make sure it is gone (CP-SAT ends on SIGTERM; SIGKILL if not)."""
    if process is None:
        return
    try:
        process.terminate()
        process.join(timeout=3)
        if process.is_alive():
            process.kill()
            process.join(timeout=3)
    except ValueError:  # already closed by the dispatcher
        pass
