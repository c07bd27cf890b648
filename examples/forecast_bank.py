"""Forecasting the bank's calls: backtest, forecast next week, update today, and call records to intervals.

Run it as a script (``python examples/forecast_bank.py``) or cell by cell (``# %%``) in an editor. It reads
the shared bank data in place (``$WFM_DATA`` or ``../shared/data``); pass another folder as the first argument.
"""

# %% Load 30-minute arrivals (Jan–Sep 1999) and the Israeli holiday calendar a scheduler knows in advance: the
# holidays package's "IL" (holidays, their eves, reduced days) with the one-off 1999 election day added on top
import sys

import pandas as pd

from wfm.datasets import load_bank_arrivals, load_bank_calls
from wfm.forecast import (
    calls_to_intervals,
    cross_validation,
    evaluate,
    forecast,
    normalize_holidays,
    reforecast_intraday,
)

data_dir = sys.argv[1] if len(sys.argv) > 1 else None
history = load_bank_arrivals(data_dir, freq="30min")[["queue", "ts", "volume"]]
holidays = normalize_holidays({"country": "IL", "events": {"1999-05-17": "holiday"}})
print(f"{len(history)} intervals from {history.ts.min()} to {history.ts.max()}")

# %% Rolling-origin backtest: 1-week horizon, the last 3 weeks as origins
cv = cross_validation(history, "7D", n_windows=3, models=["auto", "topdown", "week_mean", "seasonal_naive"],
                      holidays=holidays, quantiles=(0.1, 0.9))
table = evaluate(cv, metrics=["wape", "bias", "coverage"]).set_index("metric")
print("\nBacktest (last 3 weeks, 30-min intervals):")
print(table.round(3).to_string())

# %% Forecast the week after the data, with 10%/50%/90% quantiles per interval
fc = forecast(history, "7D", holidays=holidays)
daily = fc.groupby(fc.ts.dt.date)["volume"].sum().round(0)
print("\nNext week, calls per day:")
print(daily.to_string())
peak = fc.loc[fc.volume.idxmax()]
print(f"busiest interval {peak.ts}: {peak.volume:.0f} calls (80% interval {peak.volume_q10:.0f}-{peak.volume_q90:.0f})")

# %% Intraday re-forecast: the last day of the data, pretending it is 11:00 and the morning ran 20% hot
day = history.ts.max().normalize()
past, today = history[history.ts < day], history[history.ts >= day]
fc_today = forecast(past, "1D", holidays=holidays, model="topdown")
morning = today[today.ts < day + pd.Timedelta("11h")].assign(volume=lambda d: (d.volume * 1.2).round())
updated = reforecast_intraday(fc_today, morning)
rest = updated.ts >= day + pd.Timedelta("11h")
print(f"\nRest of {day.date()}: forecast {fc_today.loc[rest, 'volume'].sum():.0f} calls, "
      f"updated {updated.loc[rest, 'volume'].sum():.0f} (factor {updated.loc[rest, 'intraday_factor'].max():.3f})")

# %% Raw call records (February 1999) to an interval frame with arrivals, answered, abandoned and AHT
calls = load_bank_calls(data_dir)
intervals = calls_to_intervals(calls, freq="30min", id_col=None)
print(f"\nFebruary: {intervals.volume.sum():.0f} calls, {intervals.abandoned.sum() / intervals.volume.sum():.1%} "
      f"abandoned, mean handle time {calls.handle_seconds.mean():.0f} s")
