"""The examples in docs/roster.md run as written, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wfm.roster import SolveStatus, check

DOC = Path(__file__).resolve().parents[2] / "docs" / "roster.md"


def test_doc_example_runs() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    assert blocks, "docs/roster.md lost its example"
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    solution, problem = namespace["solution"], namespace["problem"]
    assert solution.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    report = check(problem, solution)  # the documented roster keeps every hard rule and prices as reported
    assert report.ok, str(report)
    assert solution.objective == pytest.approx(report.objective)
    assert len(solution.coverage_frame(problem)) == 7 * 14
    # the solving example: progress ends with the final roster, options solve the same problem
    assert namespace["events"][-1].stage == "done"
    assert namespace["same"].status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert check(problem, namespace["same"]).ok
