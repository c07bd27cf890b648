"""The bank example runs end to end (only where the shared data is present)."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

from wfm.datasets import find_data_dir

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "forecast_bank.py"


def test_forecast_bank_example_runs(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        find_data_dir()
    except FileNotFoundError as exc:
        pytest.skip(f"shared bank data not found: {exc}")
    monkeypatch.setattr(sys, "argv", [str(EXAMPLE)])
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    out = capsys.readouterr().out
    assert "Backtest" in out and "wape" in out and "Auto" in out
    assert "Next week, calls per day" in out and "abandoned" in out
