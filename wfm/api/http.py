"""HTTP service for the rest of the system (FastAPI; ``pip install 'wfm[server]'``).

    uvicorn --factory wfm.api.http:create_app     # or: wfm serve --port 8000

It only translates: request model → one domain call → response model. Every error has one shape,
``{"error": {code, field, message, value}}`` (:mod:`wfm.api.errors`): bad input → 422, a body over
``max_body_bytes`` → 413, infeasible roster → 409 (with the clashing rules), no roster within the time limit
→ 504, solve queue full → 503. Roster solves run in worker processes (:mod:`wfm.api.jobs`), never in the
event loop; ``/docs`` serves Swagger UI from the installed ``fastapi-offline`` package, so it works offline.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wfm.api.errors import install_error_handlers, responses
from wfm.api.http_bid import bid_router
from wfm.api.schemas import (
    ForecastRequest,
    ForecastResponse,
    StaffingRequest,
    StaffingResponse,
    StaffingRow,
)
from wfm.exceptions import require_extra
from wfm.limits import check_count, limits
from wfm.times import parse_timestamps

__all__ = ["create_app"]


def _frame(rows: list[Any], where: str, tz: str | None) -> pd.DataFrame:
    frame = pd.DataFrame([r.model_dump() for r in rows])
    frame["ts"] = parse_timestamps(frame["ts"], field=f"{where}.ts", tz=tz)
    if frame["aht"].isna().all():
        frame = frame.drop(columns="aht")
    return frame


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts, NaN and infinite values as None (JSON has no NaN)."""
    numeric = frame.select_dtypes("number").columns
    out = frame.astype({c: object for c in numeric})
    for c in numeric:
        col = pd.to_numeric(frame[c], errors="coerce")
        out[c] = col.astype(object).where(np.isfinite(col.to_numpy(dtype=float)), None)
    return out.to_dict(orient="records")


def _install_docs(app: Any) -> None:
    """``/docs``: Swagger UI from local files (the ``fastapi-offline`` package's copy), no CDN."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse
    from fastapi.staticfiles import StaticFiles

    try:
        import fastapi_offline
    except ImportError:  # pragma: no cover - the server extra installs it
        return
    static = Path(fastapi_offline.__file__).parent / "static"
    app.mount("/docs-static", StaticFiles(directory=str(static)), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="wfm - Swagger UI",
                                   swagger_js_url="/docs-static/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-static/swagger-ui.css",
                                   swagger_favicon_url="/docs-static/favicon.png")


def create_app() -> Any:
    """Build the FastAPI application (limits are read once, here, from :func:`wfm.limits.limits`)."""
    fastapi = require_extra("fastapi", "server")

    from wfm.api.body import BodyLimitMiddleware
    from wfm.api.jobs import JobManager
    from wfm.api.roster_http import roster_router

    manager: JobManager | None = None

    def jobs() -> JobManager:
        nonlocal manager
        if manager is None:  # started on first use, so an app that never solves forks nothing
            manager = JobManager()
        return manager

    @contextlib.asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        yield
        if manager is not None:  # SIGTERM / shutdown: running solves are cancelled, their processes ended
            manager.shutdown()

    app = fastapi.FastAPI(title="wfm", description="Forecast, staff and roster a contact centre.",
                          version=__import__("wfm").__version__, docs_url=None, redoc_url=None,
                          lifespan=lifespan)
    app.add_middleware(BodyLimitMiddleware, max_bytes=lambda: limits().max_body_bytes)
    install_error_handlers(app)
    _install_docs(app)

    app.include_router(bid_router())

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/staffing", response_model=StaffingResponse, responses=responses(413, 422))
    def staffing(req: StaffingRequest) -> StaffingResponse:
        from wfm.erlang import requirements

        check_count("intervals", len(req.intervals), "max_rows")
        frame = _frame(req.intervals, "intervals", req.timezone)
        result = requirements(frame, aht=req.aht, interval_seconds=req.interval_seconds, id_cols=["queue"],
                              **req.targets.model_dump())
        keep = [c for c in StaffingRow.model_fields if c in result.columns]
        return StaffingResponse(rows=[StaffingRow(**r) for r in _records(result[keep])])

    @app.post("/v1/forecast", response_model=ForecastResponse, responses=responses(413, 422))
    def forecast(req: ForecastRequest) -> ForecastResponse:
        from wfm.forecast import forecast as run_forecast

        check_count("history", len(req.history), "max_rows")
        result = run_forecast(_frame(req.history, "history", req.timezone), req.horizon, model=req.model,
                              holidays=req.holidays, quantiles=tuple(req.quantiles))
        result["ts"] = result["ts"].astype(str)
        return ForecastResponse(rows=_records(result))

    app.include_router(roster_router(jobs))
    return app
