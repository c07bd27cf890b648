"""One error shape for the whole HTTP service, and the one mapping from exception class to HTTP status.

Every error response — a request that does not match the schema, a domain error from the library, a body
too large, a full solve queue, a route that does not exist — has the body::

    {"error": {"code": "invalid_parameter", "field": "targets.service_level",
               "message": "`service_level` must be in (0, 1); got 1.5", "value": 1.5}}

built from the exception's structured data (:meth:`wfm.exceptions.WfmError.to_dict`), never parsed from
its message, and bounded in size (a 10 MB junk field comes back as its first 200 characters). An
infeasible roster adds ``conflicts``, a list of JSON objects.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from wfm.exceptions import (
    AuthenticationError,
    ConflictError,
    InfeasibleError,
    LimitExceededError,
    NoSolutionError,
    NotFoundError,
    PermissionDeniedError,
    WfmError,
    bounded_value,
)

__all__ = ["ErrorInfo", "ErrorResponse", "ServiceBusyError", "BodyTooLargeError", "status_for", "error_body",
           "validation_error", "responses", "install_error_handlers"]


class ServiceBusyError(WfmError):
    """Every solve slot is busy and the queue is full: try again later (HTTP 503)."""

    code = "busy"


class BodyTooLargeError(LimitExceededError):
    """The request body is larger than ``limits().max_body_bytes`` (HTTP 413)."""


#: Exception class → HTTP status, most specific first (the first ``isinstance`` match wins).
STATUS: tuple[tuple[type[BaseException], int], ...] = (
    (BodyTooLargeError, 413),
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (InfeasibleError, 409),
    (LimitExceededError, 422),
    (NoSolutionError, 504),
    (ServiceBusyError, 503),
    (WfmError, 422),
    (ValueError, 422),
)

_DESCRIPTIONS = {
    401: "No credentials, or credentials that match nobody.",
    403: "Valid credentials that do not allow this operation.",
    404: "No such resource (e.g. an unknown or expired job id).",
    409: "Infeasible: no roster satisfies the hard rules; `conflicts` names the clashing rules, agents and days.",
    413: "Request body larger than the `max_body_bytes` limit.",
    422: "Bad input: the request does not match the schema, or a value is outside what is allowed "
         "(`field` names it, `value` is the bad value).",
    500: "Internal error (a bug): the message names the exception class only.",
    503: "Every solve slot is busy and the queue is full; retry later.",
    504: "The time limit passed before any roster was found (not a proof of infeasibility).",
}


class ErrorInfo(BaseModel):
    """What went wrong, as data a program can use."""

    code: str = Field(description="Stable machine-readable name, e.g. `invalid_parameter`, `limit_exceeded`, "
                                  "`invalid_request`, `infeasible`, `no_solution`, `busy`, `not_found`.")
    field: str | None = Field(None, description="Parameter, column or dotted JSON path at fault, when known "
                                                "(`intervals.3.aht`, `time_limit_s`).")
    message: str = Field(description="One line for a person, naming the field, what is allowed and what was given.")
    value: Any = Field(None, description="The bad value (a JSON scalar, or its repr cut to 200 characters).")
    conflicts: list[Any] | None = Field(None, description="Infeasible roster only: the clashing rules, agents "
                                                          "and days, as JSON objects.")


class ErrorResponse(BaseModel):
    """The body of every error response."""

    error: ErrorInfo


def status_for(err: BaseException) -> int:
    """The HTTP status of an exception (500 for anything that is not bad input: a bug)."""
    for cls, status in STATUS:
        if isinstance(err, cls):
            return status
    return 500


def error_body(err: BaseException) -> dict[str, Any]:
    """``{"error": {...}}`` for any exception: a :class:`WfmError`'s own data, else the class name only."""
    if isinstance(err, WfmError):
        info = err.to_dict()
    elif isinstance(err, ValueError):
        # A library error not (yet) in wfm's tree: still bad input, but without a known field.
        info = WfmError(str(err).splitlines()[0] if str(err) else type(err).__name__,
                        code="invalid_parameter").to_dict()
    else:
        # A bug: no traceback, no internals — the log has them.
        info = {"code": "internal", "field": None, "message": f"internal error ({type(err).__name__})",
                "value": None}
    return {"error": info}


def _dotted(loc: tuple[Any, ...] | list[Any]) -> str | None:
    """pydantic's error location as a dotted path, without the request part (``body``, ``query``, ``path``)."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or None


def validation_error(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """The one error shape from pydantic's list of errors: the first error, with the count of the others."""
    first = errors[0] if errors else {"loc": (), "msg": "invalid request", "input": None}
    field = _dotted(first.get("loc", ()))
    message = str(first.get("msg", "invalid request"))
    if field:
        message = f"`{field}`: {message}"
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})"
    err = WfmError(message, field=field, value=_scalar_input(first.get("input")), code="invalid_request")
    return {"error": err.to_dict()}


def _scalar_input(value: Any) -> Any:
    """The bad input, bounded: a whole problem (dict or list) is summarised, never echoed."""
    if isinstance(value, dict):
        return f"<object with {len(value)} keys>"
    if isinstance(value, list):
        return f"<array of {len(value)} items>"
    if isinstance(value, bytes):
        value = value[:200].decode("utf-8", "replace")
    return bounded_value(value)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` for a route: each status with the error model and its meaning."""
    return {s: {"model": ErrorResponse, "description": _DESCRIPTIONS[s]} for s in statuses}


def install_error_handlers(app: Any) -> None:
    """Map every exception the service can meet to the one shape, once, on ``app``."""
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from starlette.exceptions import HTTPException

    def reply(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        return JSONResponse(status_code=status, content=body, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _schema(_: Any, err: RequestValidationError) -> Any:
        return reply(422, validation_error(list(err.errors())))

    @app.exception_handler(HTTPException)
    async def _http(_: Any, err: HTTPException) -> Any:
        detail = err.detail if isinstance(err.detail, str) else "error"
        if err.status_code == 400:
            # FastAPI's "error parsing the body" (not UTF-8, not JSON): bad input like any other, so 422
            return reply(422, {"error": {"code": "invalid_request", "field": "body", "message": detail,
                                         "value": None}})
        code = {404: "not_found", 405: "method_not_allowed"}.get(err.status_code, "http_error")
        return reply(err.status_code, {"error": {"code": code, "field": None, "message": detail, "value": None}},
                     getattr(err, "headers", None))

    @app.exception_handler(WfmError)
    async def _wfm(_: Any, err: WfmError) -> Any:
        status = status_for(err)
        # RFC 9110: a 401 names the scheme the client should use
        return reply(status, error_body(err), {"WWW-Authenticate": "Bearer"} if status == 401 else None)

    @app.exception_handler(ValueError)
    async def _value(_: Any, err: ValueError) -> Any:
        return reply(422, error_body(err))

    @app.exception_handler(Exception)
    async def _bug(_: Any, err: Exception) -> Any:
        return reply(500, error_body(err))
