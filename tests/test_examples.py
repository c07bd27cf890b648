"""The roster example runs end to end on the bank data: forecast, requirements, a checked roster, the
explanation of its short intervals (skipped where the data is absent)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from wfm.datasets import find_data_dir

ROOT = Path(__file__).resolve().parents[1]


def _has_data() -> bool:
    try:
        find_data_dir()
    except FileNotFoundError:
        return False
    return True


@pytest.mark.skipif(not _has_data(), reason="the bank data is not beside the checkout")
@pytest.mark.slow  # a 30-s roster solve plus forecasting: about a minute
def test_roster_example_runs_end_to_end() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "roster_bank.py")], capture_output=True,
                         text=True, timeout=900, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "every hard rule holds" in out.stdout and "short intervals:" in out.stdout
