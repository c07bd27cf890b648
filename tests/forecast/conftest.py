"""Shared small synthetic histories for the forecast tests (seeded, built on the fly)."""

from __future__ import annotations

import pandas as pd
import pytest

from wfm.forecast import generate_intervals


@pytest.fixture(scope="session")
def history() -> pd.DataFrame:
    """Six weeks of hourly M-shaped arrivals for one queue, closed hours as zeros, with AHT."""
    return generate_intervals("2024-01-01", days=42, freq="1h", daily_volume=1500.0, seed=1)


@pytest.fixture(scope="session")
def series(history: pd.DataFrame) -> pd.Series:
    y = pd.Series(history["volume"].to_numpy(), index=pd.DatetimeIndex(history["ts"]))
    y.index.freq = "1h"
    return y
