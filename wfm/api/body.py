"""A cap on the size of HTTP request bodies, enforced before the application reads them.

A body declared larger than the cap (``Content-Length``) is refused at once with 413; a chunked body is
counted as it arrives and refused as soon as it passes the cap. Either way the service never holds more
than the cap in memory: the refused rest is read and dropped (so the client sees the 413 rather than a
reset connection), up to :data:`DRAIN_FACTOR` times the cap, after which the connection is closed.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from wfm.api.errors import BodyTooLargeError, error_body

__all__ = ["BodyLimitMiddleware", "DRAIN_FACTOR"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

#: How much of a refused body is read and dropped (multiples of the cap) before the connection is closed.
DRAIN_FACTOR = 8


class BodyLimitMiddleware:
    """ASGI middleware: request bodies above ``max_bytes()`` bytes get 413 in the one error shape."""

    def __init__(self, app: Any, max_bytes: Callable[[], int]) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = int(self.max_bytes())
        declared = _content_length(scope)
        if declared is not None and declared > cap:
            await _drain(receive, DRAIN_FACTOR * cap)
            await _refuse(send, declared, cap)
            return
        if declared is not None:
            # The server (h11) holds the client to its Content-Length: nothing more can arrive.
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away before sending its body
            body = message.get("body", b"")
            total += len(body)
            if total > cap:
                if message.get("more_body", False):
                    await _drain(receive, DRAIN_FACTOR * cap)
                await _refuse(send, total, cap)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _drain(receive: Receive, budget: int) -> None:
    """Read and drop the rest of the body, at most ``budget`` bytes."""
    seen = 0
    while seen <= budget:
        message = await receive()
        if message["type"] != "http.request":
            return
        seen += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


async def _refuse(send: Send, size: int, cap: int) -> None:
    err = BodyTooLargeError(f"request body must be <= {cap} bytes (limit `max_body_bytes`, set "
                            f"WFM_MAX_BODY_BYTES to change it); got {size} bytes or more",
                            field="body", value=size)
    payload = json.dumps(error_body(err)).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": payload})
