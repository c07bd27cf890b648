"""Erlang staffing of an M-shaped day: Erlang C vs Erlang A, patience from real call records, a simulation check.

Run it as a plain script (``python examples/erlang_staffing.py``) or cell by cell (``# %%``). Every number it
prints is reproducible: the day is built in, the bank records are read in place, the simulation is seeded.
"""

# %% [markdown]
# ## 1. The day: 15-minute intervals, an M-shaped profile, 6,000 calls, AHT 240 s, target 80/20

# %%
import numpy as np
import pandas as pd

from wfm.erlang import (
    abandon_rate,
    estimate_aht,
    estimate_patience,
    patience_survival,
    requirements,
    service_level,
    simulate_queue,
)
from wfm.forecast import m_curve

AHT = 240.0
profile = m_curve("15min", shape="m", open_time="07:00", close_time="22:00", daily_volume=6000)
day = pd.DataFrame({"ts": pd.Timestamp("2024-01-08") + profile.index, "volume": profile.to_numpy(), "aht": AHT})
print(f"{day.volume.sum():.0f} calls, busiest 15 minutes {day.volume.max():.0f} calls "
      f"({day.volume.max() * AHT / 900:.1f} Erlangs)")

# %% [markdown]
# ## 2. How patient are callers? The bank's February 1999 records
# Callers who hang up reveal their patience; answered callers only tell us it exceeded their wait. For
# exponential patience the maximum-likelihood mean is (total waiting time of everyone) / (number who hung up).

# %%
try:
    from wfm.datasets import load_bank_calls

    calls = load_bank_calls()
except FileNotFoundError:
    calls = None
    print("shared bank data not found; using a patience of 230 s")
if calls is not None:
    est = estimate_patience(calls)
    PATIENCE = round(est.mean_seconds, 1)
    print(f"{est.calls} calls, {est.abandoned} abandoned ({est.abandoned / est.calls:.1%}); "
          f"mean patience {est.mean_seconds:.1f} s (95% CI {est.lower_seconds:.0f}-{est.upper_seconds:.0f} s); "
          f"mean handle time {estimate_aht(calls):.0f} s")
    km = patience_survival(calls)
    print(f"Kaplan-Meier restricted mean {km.attrs['restricted_mean_seconds']:.0f} s; "
          f"P(patience > 60 s) = {np.interp(60, km.seconds, km.survival):.3f} "
          f"(exponential fit: {np.exp(-60 / est.mean_seconds):.3f})")
    per_queue = estimate_patience(calls, by="queue")
    print(per_queue[["queue", "calls", "abandoned", "mean_seconds"]].round(1).to_string(index=False))
else:
    PATIENCE = 230.0

# %% [markdown]
# ## 3. Erlang C over-staffs when callers hang up
# Erlang C assumes infinitely patient callers. Real callers leave, which shortens the queue for everyone
# else: the Erlang C staffing then delivers far more than the target. Erlang A (M/M/n+M) models that.

# %%
targets = {"service_level": 0.8, "answer_seconds": 20}
req_c = requirements(day, **targets)
req_a = requirements(day, **targets, patience_seconds=PATIENCE)
req_a5 = requirements(day, **targets, patience_seconds=PATIENCE, max_abandon=0.03)
busy = day.volume > 0
rows = []
for label, req in (("Erlang C", req_c), ("Erlang A", req_a), ("Erlang A, abandon <= 3%", req_a5)):
    n = req.agents.to_numpy()
    # What the staffing really delivers when callers do hang up (Erlang A), weighted by calls.
    sl = service_level(day.volume, AHT, n, interval_seconds=900, patience_seconds=PATIENCE)
    ab = abandon_rate(day.volume, AHT, n, patience_seconds=PATIENCE, interval_seconds=900)
    w = day.volume[busy]
    rows.append({"staffing": label, "agent_hours": n.sum() / 4, "peak_agents": n.max(),
                 "service_level": float(np.average(sl[busy], weights=w)),
                 "abandon_rate": float(np.average(ab[busy], weights=w))})
summary = pd.DataFrame(rows).set_index("staffing")
print(summary.round(3).to_string())
extra = summary.agent_hours.iloc[0] / summary.agent_hours.iloc[1] - 1
print(f"Erlang C staffs {extra:.1%} more agent-hours than Erlang A needs for the same 80/20 target "
      f"(patience {PATIENCE:.0f} s).")

# %% [markdown]
# ## 4. Check the Erlang A staffing in a simulation of the non-stationary day
# The formulas are stationary; the day is not. Ten seeded replications of the day with the Erlang A staffing.

# %%
sims = [simulate_queue(day.volume.to_numpy(), req_a.agents.to_numpy(), AHT, interval_seconds=900,
                       answer_seconds=20, patience_seconds=PATIENCE, seed=s) for s in range(10)]
total = sum(s[["offered", "answered_within", "abandoned"]].sum() for s in sims)
print(f"simulated: {total.offered:.0f} calls, service level {total.answered_within / total.offered:.3f}, "
      f"abandonment {total.abandoned / total.offered:.3f} "
      f"(Erlang A projection {summary.loc['Erlang A', 'service_level']:.3f} / "
      f"{summary.loc['Erlang A', 'abandon_rate']:.3f})")
