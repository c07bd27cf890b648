"""What every benchmark suite shares: where the shared data lives, result tables, timing."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """``$WFM_SHARED`` if set, else ``../shared`` beside the project root (read in place, never copied)."""
    env = os.environ.get("WFM_SHARED")
    return Path(env) if env else PROJECT_ROOT.parent / "shared"


@dataclass
class Table:
    """One result table: a title, column names, rows of values, and free-text notes shown under it."""

    title: str
    columns: Sequence[str]
    rows: list[Sequence[Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *values: Any) -> None:
        if len(values) != len(self.columns):
            raise ValueError(f"row has {len(values)} values for {len(self.columns)} columns in {self.title!r}")
        self.rows.append(list(values))

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "columns": list(self.columns), "rows": self.rows, "notes": self.notes}

    def to_markdown(self) -> str:
        def fmt(v: Any) -> str:
            if isinstance(v, float):
                if v != v:
                    return "n/a"
                if v == 0 or 1e-3 <= abs(v) < 1e6:
                    return f"{v:.4g}"
                return f"{v:.3e}"
            return "n/a" if v is None else str(v)

        lines = [f"### {self.title}", "", "| " + " | ".join(self.columns) + " |",
                 "|" + "---|" * len(self.columns)]
        lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in self.rows]
        if self.notes:
            lines += [""] + [f"- {n}" for n in self.notes]
        return "\n".join(lines) + "\n"


def best_time(fn: Callable[[], Any], *, repeat: int = 5, number: int = 1) -> tuple[float, Any]:
    """Best-of-``repeat`` wall time in seconds of ``number`` calls of ``fn`` (divided by ``number``) and its result.

    The machine is shared, so suites compare ratios measured in the same run, and best-of-n filters noise.
    """
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            result = fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best, result
