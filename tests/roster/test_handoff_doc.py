"""The interval worked through in docs/roster.md (*From staffing to roster*) gives the figures its table states."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "roster.md"


def test_the_worked_interval_runs_and_gives_the_documented_figures() -> None:
    text = DOC.read_text()
    section = text[text.index("## From staffing to roster"):]
    block = re.search(r"```python\n(.*?)```", section, flags=re.S)
    assert block, "the hand-off section lost its example"
    ns: dict = {}
    exec(compile(block.group(1), str(DOC), "exec"), ns)  # noqa: S102 - our own documentation
    assert (ns["erlang_c"], ns["on_phone"], ns["to_schedule"], ns["cover"]) == (35, 32, 46, 42.0)
    assert ns["handoff"].service_target.shrinkage == pytest.approx(1 - 0.7 / 0.9)
    assert ns["projected"] == pytest.approx(0.866, abs=5e-4)
    assert "**42**" in section and "**86.6%**" in section
