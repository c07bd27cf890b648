"""HTTP service for the rest of the system (FastAPI; ``pip install 'wfm[server]'``).

    uvicorn --factory wfm.api.http:create_app     # or: wfm serve --port 8000

It only translates: request model → one domain call → response model. Domain errors map once to HTTP:
bad input → 422, infeasible roster → 409 (with the clashing rules), no roster within the time limit → 504,
all with the :class:`~wfm.api.schemas.ErrorDetail` shape.
"""

import re
from typing import Any

import pandas as pd

from wfm.api.http_bid import bid_router
from wfm.api.schemas import (
    ErrorDetail,
    ForecastRequest,
    ForecastResponse,
    ShortfallRequest,
    StaffingRequest,
    StaffingResponse,
    StaffingRow,
)
from wfm.exceptions import (
    AuthenticationError,
    ConflictError,
    InfeasibleError,
    NoSolutionError,
    NotFoundError,
    PermissionDeniedError,
    WfmError,
    require_extra,
)

__all__ = ["create_app", "error_detail"]

_FIELD = re.compile(r"`([A-Za-z_][\w.]*)`")


def error_detail(err: Exception) -> ErrorDetail:
    """The structured shape of a domain error: the first `quoted` name in the message is the field."""
    message = str(err)
    match = _FIELD.search(message)
    got = message.rsplit("got ", 1)[1].strip() if "got " in message else None
    return ErrorDetail(field=match.group(1) if match else None, message=message, value=got)


def _frame(rows: list[Any]) -> pd.DataFrame:
    frame = pd.DataFrame([r.model_dump() for r in rows])
    frame["ts"] = pd.to_datetime(frame["ts"])
    if frame["aht"].isna().all():
        frame = frame.drop(columns="aht")
    return frame


def create_app() -> Any:
    """Build the FastAPI application."""
    fastapi = require_extra("fastapi", "server")
    from fastapi.responses import JSONResponse

    from wfm.roster import RosterProblem, RosterSolution, ShortInterval

    app = fastapi.FastAPI(title="wfm", description="Forecast, staff and roster a contact centre.",
                          version=__import__("wfm").__version__)

    @app.exception_handler(InfeasibleError)
    async def _infeasible(_: Any, err: InfeasibleError) -> Any:
        detail = error_detail(err).model_dump()
        detail["conflicts"] = [str(c) for c in err.conflicts]
        return JSONResponse(status_code=409, content={"detail": detail})

    @app.exception_handler(NoSolutionError)
    async def _timeout(_: Any, err: NoSolutionError) -> Any:
        return JSONResponse(status_code=504, content={"detail": error_detail(err).model_dump()})

    @app.exception_handler(WfmError)
    async def _wfm_error(_: Any, err: WfmError) -> Any:
        return JSONResponse(status_code=422, content={"detail": error_detail(err).model_dump(mode="json")})

    @app.exception_handler(ValueError)
    async def _value_error(_: Any, err: ValueError) -> Any:
        return JSONResponse(status_code=422, content={"detail": error_detail(err).model_dump(mode="json")})

    def _status(code: int) -> Any:
        async def handler(_: Any, err: WfmError) -> Any:
            headers = {"WWW-Authenticate": "Bearer"} if code == 401 else None
            return JSONResponse(status_code=code, content={"error": err.to_dict()}, headers=headers)

        return handler

    for cls, code in ((NotFoundError, 404), (ConflictError, 409), (AuthenticationError, 401),
                      (PermissionDeniedError, 403)):
        app.add_exception_handler(cls, _status(code))
    app.include_router(bid_router())

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/staffing", response_model=StaffingResponse)
    def staffing(req: StaffingRequest) -> StaffingResponse:
        from wfm.erlang import requirements

        frame = _frame(req.intervals)
        result = requirements(frame, aht=req.aht, interval_seconds=req.interval_seconds, id_cols=["queue"],
                              **req.targets.model_dump())
        keep = [c for c in StaffingRow.model_fields if c in result.columns]
        return StaffingResponse(rows=[StaffingRow(**r) for r in result[keep].to_dict(orient="records")])

    @app.post("/v1/forecast", response_model=ForecastResponse)
    def forecast(req: ForecastRequest) -> ForecastResponse:
        from wfm.forecast import forecast as run_forecast

        result = run_forecast(_frame(req.history), req.horizon, model=req.model, holidays=req.holidays,
                              quantiles=tuple(req.quantiles))
        result["ts"] = result["ts"].astype(str)
        return ForecastResponse(rows=result.to_dict(orient="records"))

    @app.post("/v1/roster", response_model=RosterSolution)
    def roster(problem: RosterProblem, time_limit_s: float = 60.0, seed: int = 0,
               workers: int | None = None) -> RosterSolution:
        from wfm.roster import solve

        return solve(problem, time_limit_s=time_limit_s, workers=workers, seed=seed)

    @app.post("/v1/roster/shortfall", response_model=list[ShortInterval])
    def shortfall(req: ShortfallRequest) -> list[ShortInterval]:
        from wfm.roster import explain_shortfall

        return explain_shortfall(req.problem, req.solution, day=req.day, interval=req.interval)

    return app
