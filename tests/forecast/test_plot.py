"""Plots draw without error (matplotlib Agg backend); skipped without the plot extra."""

from __future__ import annotations

import pandas as pd
import pytest

from wfm.forecast import forecast, generate_intervals

matplotlib = pytest.importorskip("matplotlib", reason="plot extra (matplotlib) not installed")
matplotlib.use("Agg")


def test_plot_forecast_and_profiles() -> None:
    import matplotlib.pyplot as plt

    from wfm.forecast.plot import plot_forecast, plot_profiles

    df = generate_intervals(days=21, freq="1h", seed=2)
    train, test = df[df["ts"] < "2024-01-21"], df[df["ts"] >= "2024-01-21"]
    fc = forecast(train, "1D", model="seasonal_naive")
    ax = plot_forecast(fc, test)
    assert len(ax.lines) == 2 and len(ax.collections) == 1
    ax2 = plot_profiles(train)
    assert len(ax2.lines) == 7
    plt.close("all")
    with pytest.raises(ValueError, match="`level`"):
        plot_forecast(fc, level=1.2)
    with pytest.raises(ValueError, match="`queue`"):
        plot_forecast(fc, queue="nope")
    assert isinstance(fc, pd.DataFrame)
