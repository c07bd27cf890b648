"""Progress of long work (a roster solve, a batch of teams), reported through one callback type.

The library never prints progress itself: a long call takes ``progress=callback`` and calls it with
:class:`Progress` events; the command line renders them in the terminal (or as JSON lines with
``--log-json``), a notebook shows them however it likes, and the nightly batch logs them.

    >>> events = []
    >>> report = events.append                      # any callable taking a Progress
    >>> report(Progress(task="roster", stage="construct", elapsed_s=1.5, objective=410.0, bound=380.0))
    >>> round(events[0].gap, 3)
    0.073
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

__all__ = ["Progress", "ProgressCallback", "emit"]


@dataclasses.dataclass(frozen=True)
class Progress:
    """One progress event.

    ``task`` names the work ("roster", "batch"); ``stage`` the step within it ("plan", "construct",
    "improve", "finish", or a team id); ``elapsed_s`` the wall-clock seconds since the work began;
    ``objective`` and ``bound`` the best solution's cost and the best proven lower bound so far (a solve);
    ``done`` / ``total`` counts of finished units (a batch's teams); ``message`` free text for a person.
    """

    task: str
    stage: str = ""
    elapsed_s: float = 0.0
    objective: float | None = None
    bound: float | None = None
    done: int | None = None
    total: int | None = None
    message: str = ""

    @property
    def gap(self) -> float | None:
        """Relative gap ``(objective - bound) / max(|objective|, 1)``, or None when either is unknown."""
        if self.objective is None or self.bound is None:
            return None
        return max(0.0, self.objective - self.bound) / max(abs(self.objective), 1.0)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict, with the gap."""
        out = dataclasses.asdict(self)
        out["gap"] = self.gap
        return out


ProgressCallback = Callable[[Progress], None]


def emit(callback: ProgressCallback | None, event: Progress) -> None:
    """Call ``callback`` with ``event`` if there is one; a failing callback never breaks the work."""
    if callback is None:
        return
    try:
        callback(event)
    except Exception:  # noqa: BLE001 - a display error must not lose a solve
        pass
