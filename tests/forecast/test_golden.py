"""Seeded golden values: the example at the top of docs/forecast.md (tolerant to optimiser-level noise)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.forecast import forecast, generate_intervals


def test_docs_example_values() -> None:
    history = generate_intervals("2024-01-01", days=56, freq="30min", queues=2, seed=0)
    fc = forecast(history, "14D")
    assert len(fc) == 1344
    rows = fc[fc["ts"].dt.hour.between(10, 11)].head(3)
    assert rows["ts"].tolist() == list(pd.date_range("2024-02-26 10:00", periods=3, freq="30min"))
    np.testing.assert_allclose(rows["volume"], [144.3, 130.0, 94.1], rtol=0.02)
    np.testing.assert_allclose(rows["volume_q90"], [166.0, 150.0, 110.0], rtol=0.03)
    np.testing.assert_allclose(rows["aht"], [184.0, 179.4, 176.8], rtol=0.01)
