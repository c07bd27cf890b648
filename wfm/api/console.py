"""What long commands show while they work: progress, results and errors, for a person or for a log.

One :class:`Console` per command run, in one of four modes:

* ``rich`` — a live status in the terminal (the ``cli`` extra: ``pip install 'wfm[cli]'``); one line per task
  ("roster": elapsed, objective, bound, gap; "batch": teams done of total), results printed above it.
* ``plain`` — one line of text per event; what ``auto`` picks when rich is missing or stderr is not a terminal.
* ``json`` — one JSON object per line (``--log-json``): ``{"event": "progress", "task": ..., "gap": ...}``,
  ``{"event": "result", ...}``, ``{"event": "error", "code": ..., "field": ..., "message": ..., "value": ...}``.
* ``quiet`` — no progress; results and errors still print (an unattended run still says what failed).

Its :meth:`Console.progress` is a :data:`wfm.progress.ProgressCallback`, so the library calls it directly.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, Literal, TextIO

from wfm.exceptions import InvalidParameterError, WfmError, require_extra
from wfm.progress import Progress

__all__ = ["Console", "Mode", "describe", "rich_available"]

Mode = Literal["auto", "rich", "plain", "json", "quiet"]
MODES = ("auto", "rich", "plain", "json", "quiet")


def rich_available() -> bool:
    """Whether the ``cli`` extra (rich) can be imported."""
    try:
        import rich  # noqa: F401
    except ImportError:
        return False
    return True


def describe(event: Progress) -> str:
    """One human line for an event: ``roster improve  12.3 s  objective 1 850  bound 1 443  gap 21.9%``."""
    parts = [event.task + (f" {event.stage}" if event.stage else ""), f"{event.elapsed_s:6.1f} s"]
    if event.done is not None and event.total is not None:
        parts.append(f"{event.done}/{event.total} done")
    if event.objective is not None:
        parts.append(f"objective {event.objective:,.6g}")
    if event.bound is not None:
        parts.append(f"bound {event.bound:,.6g}")
    if event.gap is not None:
        parts.append(f"gap {event.gap:.1%}")
    if event.message:
        parts.append(event.message)
    return "  ".join(parts)


class Console:
    """Progress, results and errors of one command, rendered for ``mode`` on ``stream`` (stderr by default).

    Use it as a context manager so a live display is closed even when the command fails.
    """

    def __init__(self, mode: Mode = "auto", stream: TextIO | None = None) -> None:
        if mode not in MODES:
            raise InvalidParameterError(f"`mode` must be one of {MODES}; got {mode!r}", field="mode", value=mode)
        self.stream = stream if stream is not None else sys.stderr
        if mode == "auto":
            tty = bool(getattr(self.stream, "isatty", lambda: False)())
            mode = "rich" if tty and rich_available() else "plain"
        self.mode: Mode = mode
        self._live: Any = None  # rich.progress.Progress, created at the first event
        self._tasks: dict[str, Any] = {}
        self._t0 = time.perf_counter()

    # -- the ProgressCallback -------------------------------------------------------------------------
    def progress(self, event: Progress) -> None:
        """Show one progress event (a :data:`wfm.progress.ProgressCallback`)."""
        if self.mode == "quiet":
            return
        if self.mode == "json":
            self._json({"event": "progress", **event.as_dict()})
        elif self.mode == "plain":
            self._line(describe(event))
        else:
            self._rich(event)

    __call__ = progress

    # -- results and errors ---------------------------------------------------------------------------
    def result(self, text: str, **fields: Any) -> None:
        """A finished unit of work: ``text`` for a person, ``fields`` for the JSON log."""
        if self.mode == "json":
            self._json({"event": "result", **fields})
        elif self._live is not None:
            self._live.console.print(text, markup=False, highlight=False)
        else:
            self._line(text)

    def error(self, err: BaseException, *, prefix: str = "") -> None:
        """An error: one line naming the field and the value, or its structured form in the JSON log."""
        if self.mode == "json":
            body = err.to_dict() if isinstance(err, WfmError) else {
                "code": type(err).__name__, "field": None, "message": str(err), "value": None}
            self._json({"event": "error", **({"where": prefix} if prefix else {}), **body})
        else:
            self.result(f"{prefix}error: {err}")

    def close(self) -> None:
        """Stop the live display (idempotent)."""
        if self._live is not None:
            self._live.stop()
            self._live = None

    def __enter__(self) -> Console:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- renderers ------------------------------------------------------------------------------------
    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def _json(self, obj: dict[str, Any]) -> None:
        self._line(json.dumps(_finite(obj), default=str, allow_nan=False))

    def _rich(self, event: Progress) -> None:
        if self._live is None:
            progress = require_extra("rich.progress", "cli")
            rich_console = require_extra("rich.console", "cli")
            # no auto-refresh: no background thread; the display moves when an event comes
            self._live = progress.Progress(
                progress.SpinnerColumn(), progress.TextColumn("{task.description}"), progress.BarColumn(),
                progress.MofNCompleteColumn(), console=rich_console.Console(file=self.stream),
                auto_refresh=False, transient=False)
            self._live.start()
        key = event.task
        if key not in self._tasks:
            self._tasks[key] = self._live.add_task(describe(event), total=event.total)
        self._live.update(self._tasks[key], description=describe(event), total=event.total,
                          completed=event.done if event.done is not None else 0)
        self._live.refresh()


def _finite(obj: Any) -> Any:
    """NaN and infinities become null so every line stays strict JSON."""
    if isinstance(obj, float):
        return obj if obj == obj and abs(obj) != float("inf") else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj
