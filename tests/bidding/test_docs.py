"""The example in docs/bidding.md runs as written and prints what the page says it prints."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "bidding.md"


def test_doc_example_prints_its_documented_output() -> None:
    text = DOC.read_text()
    code = re.findall(r"```python\n(.*?)```", text, flags=re.S)[0]
    expected = re.findall(r"```text\n(.*?)```", text, flags=re.S)[0]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(DOC), "exec"), {})  # noqa: S102 - our own documentation
    assert out.getvalue() == expected


def test_award_story_prints_its_documented_output() -> None:
    text = DOC.read_text()
    part2 = text[text.index("# Part 2"):]
    code = re.findall(r"```python\n(.*?)```", part2, flags=re.S)[0]
    expected = re.findall(r"```text\n(.*?)```", part2, flags=re.S)[0]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(DOC), "exec"), {})  # noqa: S102 - our own documentation
    assert out.getvalue() == expected
