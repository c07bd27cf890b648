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
# # 2. Staff the day: Erlang C against Erlang A
#
# How many agents must be on the phones in each interval so that 80% of calls are answered within 20 seconds?
# Erlang C answers as if callers never hang up; Erlang A (M/M/n+M) knows they do, and needs fewer agents for the
# same target. This notebook
#
# 1. reads one interval the way an Erlang calculator does (`wfm erlang` on the command line),
# 2. measures how patient the bank's callers are from their February 1999 call records,
# 3. staffs an M-shaped day both ways, and
# 4. checks the Erlang A staffing in a seeded simulation of the whole, non-stationary day.
#
# Times are in seconds throughout. The bank data is read in place (`$WFM_DATA` or `../shared/data`); without
# it the notebook uses a patience of 230 s.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from wfm.erlang import (
    abandon_rate,
    asa,
    estimate_aht,
    estimate_patience,
    occupancy,
    patience_survival,
    required_agents,
    requirements,
    service_level,
    simulate_queue,
)
from wfm.forecast import m_curve

# %% [markdown]
# ## 1. One interval, as an Erlang calculator shows it
# 100 calls in half an hour, 180 s each: 10 Erlangs of work. The table is what
# `wfm erlang --calls 100 --aht 180 --target 80/20 --patience 120` prints.

# %%
calls, aht, patience = 100, 180.0, 120.0
n = np.arange(10, 19)
calculator = pd.DataFrame({
    "agents": n,
    "SL Erlang C": service_level(calls, aht, n, answer_seconds=20),
    "ASA Erlang C (s)": asa(calls, aht, n),
    "SL Erlang A": service_level(calls, aht, n, answer_seconds=20, patience_seconds=patience),
    "abandoned": abandon_rate(calls, aht, n, patience_seconds=patience),
    "occupancy": occupancy(calls, aht, n, patience_seconds=patience),
}).set_index("agents")
print(f"Erlang C needs {required_agents(calls, aht)} agents, Erlang A "
      f"{required_agents(calls, aht, patience_seconds=patience)} for 80/20")
calculator.round(3)

# %% [markdown]
# ## 2. How patient are the bank's callers?
# Callers who hang up reveal their patience; answered callers only tell us it exceeded their wait. For
# exponential patience the maximum-likelihood mean is (total waiting time of everyone) / (number who hung up).

# %%
try:
    from wfm.datasets import load_bank_calls

    records = load_bank_calls()
except FileNotFoundError:
    records = None
    print("bank data not found; using a patience of 230 s")
if records is not None:
    est = estimate_patience(records)
    PATIENCE = round(est.mean_seconds, 1)
    km = patience_survival(records)
    print(f"{est.calls} calls, {est.abandoned} abandoned ({est.abandoned / est.calls:.1%}); mean patience "
          f"{est.mean_seconds:.1f} s (95% CI {est.lower_seconds:.0f}-{est.upper_seconds:.0f} s); "
          f"mean handle time {estimate_aht(records):.0f} s; P(patience > 60 s) = "
          f"{np.interp(60, km.seconds, km.survival):.3f} (exponential fit {np.exp(-60 / est.mean_seconds):.3f})")
else:
    PATIENCE = 230.0

# %% [markdown]
# ## 3. An M-shaped day: 6,000 calls, 15-minute intervals 07:00–22:00, AHT 240 s

# %%
AHT = 240.0
profile = m_curve("15min", shape="m", open_time="07:00", close_time="22:00", daily_volume=6000)
day = pd.DataFrame({"ts": pd.Timestamp("2024-01-08") + profile.index, "volume": profile.to_numpy(), "aht": AHT})
targets = {"service_level": 0.8, "answer_seconds": 20}
req_c = requirements(day, **targets)
req_a = requirements(day, **targets, patience_seconds=PATIENCE)
req_a3 = requirements(day, **targets, patience_seconds=PATIENCE, max_abandon=0.03)
busy = (day.volume > 0).to_numpy()
rows = []
for label, req in (("Erlang C", req_c), ("Erlang A", req_a), ("Erlang A, abandon <= 3%", req_a3)):
    agents = req.agents.to_numpy()
    # what the staffing really delivers when callers do hang up (Erlang A), weighted by calls
    sl = service_level(day.volume, AHT, agents, interval_seconds=900, patience_seconds=PATIENCE)
    ab = abandon_rate(day.volume, AHT, agents, patience_seconds=PATIENCE, interval_seconds=900)
    w = day.volume[busy]
    rows.append({"staffing": label, "agent_hours": agents.sum() / 4, "peak_agents": agents.max(),
                 "service_level": float(np.average(sl[busy], weights=w)),
                 "abandon_rate": float(np.average(ab[busy], weights=w))})
summary = pd.DataFrame(rows).set_index("staffing")
extra = summary.agent_hours.iloc[0] / summary.agent_hours.iloc[1] - 1
print(f"Erlang C staffs {extra:.1%} more agent-hours than Erlang A needs for the same target "
      f"(patience {PATIENCE:.0f} s)")
summary.round(3)

# %%
fig, ax = plt.subplots(figsize=(10, 3.5))
ax.step(req_c.ts, req_c.agents, where="post", label="Erlang C")
ax.step(req_a.ts, req_a.agents, where="post", label=f"Erlang A (patience {PATIENCE:.0f} s)")
ax.set_ylabel("agents on the phones")
ax.legend()
ax.set_title("Agents needed per 15 minutes for 80/20")
plt.show()

# %% [markdown]
# ## 4. Check the Erlang A staffing in a simulation of the non-stationary day
# The formulas are stationary; the day is not. Ten seeded replications of the day with the Erlang A staffing:
# the simulated service level and abandonment should land near the projection.

# %%
sims = [simulate_queue(day.volume.to_numpy(), req_a.agents.to_numpy(), AHT, interval_seconds=900,
                       answer_seconds=20, patience_seconds=PATIENCE, seed=s) for s in range(10)]
total = sum(s[["offered", "answered_within", "abandoned"]].sum() for s in sims)
print(f"simulated: {total.offered:.0f} calls, service level {total.answered_within / total.offered:.3f}, "
      f"abandonment {total.abandoned / total.offered:.3f} (Erlang A projection "
      f"{summary.loc['Erlang A', 'service_level']:.3f} / {summary.loc['Erlang A', 'abandon_rate']:.3f})")
