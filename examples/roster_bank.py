"""From the bank's call history to a checked roster and why its short intervals are short.

history → forecast (2 weeks) → Erlang C requirements → roster (CP-SAT, decomposed) → coverage and projected
service level → explanation of each short interval. Run it as a script (``python examples/roster_bank.py``)
or cell by cell (``# %%``). It reads the shared bank data in place (``$WFM_DATA`` or ``../shared/data``);
pass another folder as the first argument. About a minute: the roster gets 30 s (``seed=0``; with
``options=SolveOptions(time_limit_s=30, reproducible=True)`` every number it prints is the same on every run).
"""

# %% Forecast two weeks of 30-minute call volume from the bank's history (Jan–Sep 1999)
import math
import sys

from wfm.datasets import load_bank_arrivals, load_bank_calls
from wfm.erlang import estimate_aht, requirements
from wfm.forecast import forecast
from wfm.roster import (
    Agent,
    Horizon,
    check,
    explain_shortfall,
    solve,
    staffing_handoff,
)
from wfm.roster.instances import OPEN_HOUR, call_centre_contracts, call_centre_shifts

data_dir = sys.argv[1] if len(sys.argv) > 1 else None
history = load_bank_arrivals(data_dir, freq="30min")[["queue", "ts", "volume"]]
history = history.groupby("ts", as_index=False)["volume"].sum()  # one head-count for every queue
fc = forecast(history, "14D", holidays="IL", id_col=None)  # the holidays package's Israeli calendar
aht = float(estimate_aht(load_bank_calls(data_dir)))  # seconds, from the February call records
print(f"forecast {fc.ts.min()} to {fc.ts.max()}: {fc.volume.sum():.0f} calls, handle time {aht:.0f} s")

# %% Agents needed on the phones per interval: 80% of calls answered within 20 s (Erlang C)
# the bank staffs 07:00-24:00; the few calls of the night go to the voice response unit, and no shift
# template covers them (explain_shortfall below would say so: "no shift they may work covers it")
fc = fc[fc.ts.dt.hour >= OPEN_HOUR]
req = requirements(fc, aht=aht, service_level=0.8, answer_seconds=20)
print(f"busiest interval {req.loc[req.agents.idxmax(), 'ts']}: {req.agents.max()} agents")

# %% The workforce: full-timers (36-40 h, five days) and part-timers, sized lean (5% over the need) so that
# some peaks run short; with LOAD = 0.85 nothing is short
start = fc.ts.min().date()
horizon = Horizon(start=start, days=14, interval_minutes=30, timezone="Asia/Jerusalem")
shifts = call_centre_shifts()
contracts = call_centre_contracts(shifts)
need = float(req.agents.sum())  # agent-intervals over the two weeks
per_agent = 2 * (0.7 * 5 * 16 + 0.3 * 50)  # on-phone intervals an average agent gives in two weeks
LOAD = 0.95
n_agents = math.ceil(need / per_agent / LOAD)
agents = [Agent(id=f"A{i:03d}", contract="PT" if i % 10 < 3 else "FT") for i in range(n_agents)]
# the hand-off carries the 80/20 target staffing used, so the projected service level below uses it too
problem = staffing_handoff(req.assign(aht=aht), horizon).problem(
    name="bank-2-weeks", shifts=shifts, contracts=contracts, agents=agents,
    weekend_days=[4, 5])  # the bank's weekend is Friday and Saturday
print(f"{n_agents} agents, {len(shifts)} shift templates, {len(problem.requirements)} interval requirements")

# %% Roster: 30 s, checked by the solver-independent checker
solution = solve(problem, time_limit_s=30, seed=0)
report = check(problem, solution)
assert report.ok, str(report)
print(f"\n{solution.status} ({solution.strategy}): objective {solution.objective:,.0f}, "
      f"bound {solution.best_bound:,.0f}, {len(solution.assignments)} shifts, every hard rule holds")
print(solution.to_frame().groupby("shift").size().sort_values(ascending=False).head(8).to_string())

# %% Coverage and projected service level per day
cov = solution.coverage_frame(problem)
daily = cov.groupby(cov.ts.dt.date).agg(required=("required", "sum"), scheduled=("scheduled", "sum"),
                                        short=("shortfall", "sum"), over=("over", "sum"),
                                        service_level=("service_level", "mean"))
print("\nagent-intervals per day, mean projected service level:")
print(daily.round(3).to_string())

# %% Why the short intervals are short: agent by agent, with the cheapest single change
explained = explain_shortfall(problem, solution)
print(f"\nshort intervals: {len(explained)}, agent-intervals short: {sum(e.short for e in explained):g}")
for e in sorted(explained, key=lambda e: -e.short)[:3]:
    print(f"- {e}")
