"""The documented example runs and prints the numbers the docs quote."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "erlang_staffing.py"


def test_erlang_staffing_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    out = capsys.readouterr().out
    assert "6000 calls" in out
    assert "Erlang C staffs" in out and "more agent-hours than Erlang A" in out
    assert "simulated:" in out
    # The over-staffing is real: Erlang C uses more agent-hours than Erlang A for the same target.
    line = next(ln for ln in out.splitlines() if ln.startswith("Erlang C staffs"))
    assert float(line.split()[3].rstrip("%")) > 0


def test_docstring_examples() -> None:
    import doctest

    import wfm.erlang
    import wfm.erlang.simulation

    for module in (wfm.erlang, wfm.erlang.simulation):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.attempted > 0 and result.failed == 0, module.__name__
