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
# # 4. Why is this interval short?
#
# A roster that is short at some peaks raises the scheduler's question: *why is nobody else on the phones
# then?* `explain_shortfall` answers it agent by agent for every short interval — on leave, locked, kept off
# by a hard rule of their contract (which one), or simply costlier to move than the shortage costs — and
# prices the cheapest single change that would cover the interval, exactly as the checker prices rosters.
#
# It reads the problem and the roster notebook 3 wrote to `out/` (or `$WFM_EXAMPLES_OUT`); if they are not
# there it runs notebook 3's script first. On the command line: `wfm explain out/problem.json out/solution.json`.

# %%
import os
import runpy
from collections import Counter
from pathlib import Path

import pandas as pd

from wfm.roster import RosterProblem, RosterSolution, check, explain_shortfall

OUT = Path(os.environ.get("WFM_EXAMPLES_OUT", "out"))
if not (OUT / "solution.json").exists():
    runpy.run_path("03_roster_bank.py")
problem = RosterProblem.model_validate_json((OUT / "problem.json").read_text())
solution = RosterSolution.model_validate_json((OUT / "solution.json").read_text())
assert check(problem, solution).ok
print(f"{problem.name}: {len(problem.agents)} agents, {len(solution.assignments)} shifts, objective "
      f"{solution.objective:,.0f}")

# %% [markdown]
# ## 1. Every short interval, with its reasons

# %%
explained = explain_shortfall(problem, solution)
print(f"{len(explained)} short intervals, {sum(e.short for e in explained):g} agent-intervals short")
table = pd.DataFrame([{"ts": e.ts, "required": e.required, "scheduled": e.scheduled, "short": e.short,
                       **{reason: len(who) for reason, who in e.reasons.items()},
                       "cheapest change": str(e.cheapest) if e.cheapest else None} for e in explained],
                     columns=["ts", "required", "scheduled", "short"] if not explained else None)
# a roster with no short interval leaves nothing to explain (the sections below then print nothing)
table.sort_values("short", ascending=False).head(10)

# %% [markdown]
# ## 2. What keeps agents off the phones, over all short intervals
# Each agent not on the phones in a short interval counts once per interval, under its reason.

# %%
reasons = Counter()
for e in explained:
    for reason, who in e.reasons.items():
        reasons[reason] += len(who)
pd.Series(reasons, name="agent-intervals", dtype=int).sort_values(ascending=False).to_frame()

# %% [markdown]
# ## 3. The worst three, in words

# %%
for e in sorted(explained, key=lambda e: (-e.short, e.ts))[:3]:
    print(f"- {e}\n")

# %% [markdown]
# ## 4. Only one day, or one interval
# `day` (index from the horizon start) and `interval` (index of the day) narrow the question, as `--day` and
# `--interval` do on the command line.

# %%
if explained:
    first = explained[0]
    same_day = explain_shortfall(problem, solution, day=first.day)
    print(f"day {first.day} ({first.ts:%a %Y-%m-%d}): {len(same_day)} short intervals")
    print(explain_shortfall(problem, solution, day=first.day, interval=first.interval)[0])
