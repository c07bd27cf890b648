"""Roster routes of the HTTP service: the synchronous solve, solve jobs, and the shortfall explainer.

Imported only with the ``server`` extra installed (it needs FastAPI).

``POST /v1/roster`` stays for short solves (``time_limit_s`` up to ``limits().max_sync_time_limit_s``): it
runs in the same worker pool as the jobs and is cancelled if the client disconnects. Longer solves are jobs:
``POST /v1/roster/jobs`` → 202 with the job's id; ``GET /v1/roster/jobs/{id}`` its state, the best objective
and bound so far, and the roster once done; ``DELETE`` cancels it and ends its process.
"""

import asyncio
import time
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from wfm.api.errors import ErrorInfo, ServiceBusyError, error_body, responses
from wfm.api.jobs import FINAL, JobManager, roster_options
from wfm.api.schemas import ShortfallRequest
from wfm.limits import limits
from wfm.roster.models import RosterProblem, RosterSolution
from wfm.roster.shortfall import ShortInterval

__all__ = ["roster_router", "JobState"]

#: How often a waiting synchronous solve looks at its job and at the client's connection (seconds).
POLL_S = 0.05


class JobState(BaseModel):
    """A roster job: where it is, how good its best roster is so far, and its result or error once final."""

    id: str = Field(description="Job id (32 hex digits).")
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    options: dict[str, Any] = Field(description="Solve options: time_limit_s (seconds), workers, seed.")
    created_at: float = Field(description="Submission time (Unix seconds).")
    started_at: float | None = Field(None, description="Start of the solve (Unix seconds).")
    finished_at: float | None = Field(None, description="End of the solve (Unix seconds).")
    elapsed_s: float | None = Field(None, description="Seconds solving so far (or in total once final).")
    objective: float | None = Field(None, description="Best roster's objective so far (lower is better).")
    bound: float | None = Field(None, description="Best proven lower bound on the objective so far.")
    gap: float | None = Field(None, description="(objective - bound) / max(|objective|, 1).")
    stage: str | None = Field(None, description="Solver stage of the last progress event.")
    worker_pid: int | None = Field(None, description="Process id of the solve's worker, once started.")
    result: RosterSolution | None = Field(None, description="The roster, once `status` is `succeeded`.")
    error: ErrorInfo | None = Field(None, description="Why the job failed (`status` `failed`).")


def _options_params(cap_name: str) -> Callable[..., dict[str, Any]]:
    """A FastAPI dependency reading and validating ``time_limit_s``, ``workers``, ``seed`` from the query."""
    cap = float(getattr(limits(), cap_name))
    w_cap = limits().max_workers

    def params(time_limit_s: float = Query(min(60.0, cap), gt=0, le=cap, allow_inf_nan=False,
                                           description=f"Solver time limit (seconds), at most {cap:g} "
                                                       f"(limit `{cap_name}`)."),
               workers: int | None = Query(None, ge=1, le=w_cap,
                                           description="CP-SAT workers (default: all cores)."),
               seed: int = Query(0, ge=0, le=2**31 - 1, description="Random seed of the search.")
               ) -> dict[str, Any]:
        return roster_options(time_limit_s, workers, seed, max_time_limit_s=cap, limit_name=cap_name)

    return params


def roster_router(jobs: Callable[[], JobManager]) -> Any:
    """The roster routes, solving through the :class:`JobManager` that ``jobs()`` returns."""
    router = APIRouter()
    sync_options = _options_params("max_sync_time_limit_s")
    job_options = _options_params("max_time_limit_s")

    @router.post("/v1/roster", response_model=RosterSolution, responses=responses(409, 413, 422, 503, 504))
    async def roster(problem: RosterProblem, request: Request,
                     options: Annotated[dict[str, Any], Depends(sync_options)]) -> Any:
        """Solve a roster and wait for it (short limits; use the jobs for long solves)."""
        manager = jobs()
        job = manager.submit(problem.model_dump_json(), options)
        # A synchronous caller waits at most the sync cap for a free slot, then the solve's own limit: its
        # answer comes within about twice the cap, however long the jobs ahead of it run.
        queue_deadline = time.monotonic() + limits().max_sync_time_limit_s
        while not job.done.is_set():
            if await request.is_disconnected():
                manager.cancel(job.id)  # nobody will read the answer: free the cores now
                return Response(status_code=499)
            if job.status == "queued" and time.monotonic() > queue_deadline:
                manager.cancel(job.id)
                err = ServiceBusyError("no solve slot came free within the synchronous limit; retry later or "
                                       "submit a job (POST /v1/roster/jobs)", field="queue")
                return JSONResponse(status_code=503, content=error_body(err))
            await asyncio.sleep(POLL_S)
        if job.status == "succeeded":
            return Response(content=job.result_json, media_type="application/json")
        if job.status == "cancelled":
            err = ServiceBusyError("the solve was cancelled (service shutting down); retry", field=None)
            return JSONResponse(status_code=503, content=error_body(err))
        return JSONResponse(status_code=job.error_status or 500, content=job.error)

    @router.post("/v1/roster/jobs", status_code=202, response_model=JobState, responses=responses(413, 422, 503))
    def submit(problem: RosterProblem, options: Annotated[dict[str, Any], Depends(job_options)]) -> Any:
        """Queue a roster solve; poll ``GET /v1/roster/jobs/{id}`` for its progress and result."""
        job = jobs().submit(problem.model_dump_json(), options)
        return JSONResponse(status_code=202, content=job.as_dict(),
                            headers={"Location": f"/v1/roster/jobs/{job.id}"})

    @router.get("/v1/roster/jobs/{job_id}", response_model=JobState, responses=responses(404, 422))
    def status(job_id: str) -> Any:
        """A job's state, best objective and bound so far, and its roster once it succeeded."""
        return JSONResponse(content=jobs().get(job_id).as_dict())

    @router.delete("/v1/roster/jobs/{job_id}", response_model=JobState, responses=responses(404, 422))
    def cancel(job_id: str) -> Any:
        """Cancel a queued or running job (its worker process is ended); a finished job is returned as is."""
        job = jobs().cancel(job_id)
        state = job.as_dict()
        if job.status not in FINAL:  # pragma: no cover - cancel always ends a queued or running job
            state["status"] = "cancelled"
        return JSONResponse(content=state)

    @router.post("/v1/roster/shortfall", response_model=list[ShortInterval], responses=responses(413, 422))
    def shortfall(req: ShortfallRequest) -> list[ShortInterval]:
        """Why each short interval of a roster is short, agent by agent."""
        from wfm.roster import explain_shortfall

        return explain_shortfall(req.problem, req.solution, day=req.day, interval=req.interval)

    return router
