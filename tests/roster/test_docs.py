"""The example in docs/roster.md runs as written."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "roster.md"


def test_doc_example_runs() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    assert blocks, "docs/roster.md lost its example"
    namespace: dict = {}
    exec(compile(blocks[0], str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    solution, problem = namespace["solution"], namespace["problem"]
    assert solution.status in ("OPTIMAL", "FEASIBLE")
    assert len(solution.coverage_frame(problem)) == 7 * 14
