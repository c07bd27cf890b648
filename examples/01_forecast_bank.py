# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 1. Forecast the bank's calls
#
# The "Anonymous Bank" (an Israeli bank's call centre, January–September 1999) in 30-minute intervals:
#
# 1. load the history and the holiday calendar a scheduler knows in advance,
# 2. backtest the models on the last weeks (how wrong would last month's forecasts have been?),
# 3. forecast next week with an 80% band,
# 4. update today's forecast at 11:00 from the calls seen so far.
#
# The bank data is read in place (`$WFM_DATA` or `../shared/data`). On the command line the same forecast is
# `wfm forecast history.csv --horizon 7D --holidays IL,1999-05-17 -o forecast.csv`, and the backtest
# `wfm backtest history.csv --horizon 7D --folds 3 --holidays IL,1999-05-17 --model auto,topdown,week_mean`.

# %%
import matplotlib.pyplot as plt
import pandas as pd

from wfm.datasets import load_bank_arrivals
from wfm.forecast import cross_validation, evaluate, forecast, normalize_holidays, reforecast_intraday
from wfm.forecast.plot import plot_forecast

history = load_bank_arrivals(freq="30min")[["queue", "ts", "volume"]]
print(f"{len(history)} intervals from {history.ts.min()} to {history.ts.max()}, {history.volume.sum():,.0f} calls")

# %% [markdown]
# ## 1. The holiday calendar
# `"IL"` takes Israel's days from the `holidays` package: public holidays (`holiday`), the day before each
# (`eve`: Jewish holidays begin at sunset, so their eves are short days) and optional holidays such as Purim
# and the intermediate days of Passover and Sukkot (`reduced`). The package cannot know one-off days such as
# the general election of 17 May 1999, a public rest day: it is added as the scheduler's own event.

# %%
holidays = normalize_holidays({"country": "IL", "events": {"1999-05-17": "holiday"}})
in_data = {d: label for d, label in holidays.items() if pd.Timestamp("1999-01-01") <= d <= pd.Timestamp("1999-10-07")}
pd.Series(in_data, name="label").rename_axis("date").to_frame()

# %% [markdown]
# ## 2. Backtest: the last three weeks as forecast origins
# Each model is refit at each origin on the history before it and forecasts the week after. WAPE is the
# absolute error as a share of the calls; coverage is the share of intervals inside the 80% band.

# %%
cv = cross_validation(history, "7D", n_windows=3, models=["auto", "topdown", "week_mean", "seasonal_naive"],
                      holidays=holidays, quantiles=(0.1, 0.9))
evaluate(cv, metrics=["wape", "bias", "coverage"]).set_index("metric").round(3)

# %% [markdown]
# ## 3. Next week, with a 10%–90% band per interval
# The week after the data starts with Hoshana Raba (an eve) and Shemini Atzeret (a holiday).

# %%
fc = forecast(history, "7D", holidays=holidays)
daily = fc.groupby(fc.ts.dt.date)[["volume", "volume_q10", "volume_q90"]].sum().round(0)
ax = plot_forecast(fc, history[history.ts >= pd.Timestamp("1999-09-17")])
ax.set_title("Two weeks of history and next week's forecast")
plt.show()
daily.astype(int)

# %% [markdown]
# ## 4. Intraday re-forecast
# The last day of the data, pretending it is 11:00 and the morning ran 20% above forecast: the rest of the day
# is scaled by a credibility-weighted ratio of observed to forecast calls.

# %%
day = history.ts.max().normalize()
past, today = history[history.ts < day], history[history.ts >= day]
fc_today = forecast(past, "1D", holidays=holidays, model="topdown")
morning = today[today.ts < day + pd.Timedelta("11h")].assign(volume=lambda d: (d.volume * 1.2).round())
updated = reforecast_intraday(fc_today, morning)
rest = updated.ts >= day + pd.Timedelta("11h")
print(f"rest of {day.date()}: forecast {fc_today.loc[rest, 'volume'].sum():.0f} calls, updated "
      f"{updated.loc[rest, 'volume'].sum():.0f} (factor {updated.loc[rest, 'intraday_factor'].max():.3f})")
