"""The benchmark's baselines on the decomposed path: earlier constructions kept to measure progress against.

* ``replan_cpsat`` — the plan realised agent by agent with re-planning, agents priced by one-agent CP-SAT
  models (the construction before contract graphs), then the same improvement stage;
* ``greedy_construction`` — the re-planned construction alone, no improvement.
"""

from __future__ import annotations

from wfm.roster.models import RosterProblem, RosterSolution
from wfm.roster.solvers.decomposed.solver import run_decomposed
from wfm.roster.solvers.options import SolveOptions

__all__ = ["greedy_construction", "replan_cpsat"]


def replan_cpsat(problem: RosterProblem, options: SolveOptions) -> RosterSolution:
    """Plan, re-planned construction and sweeps, every agent priced by one-agent CP-SAT."""
    return run_decomposed(problem, options, construction="replan", pricing="cp-sat")


def greedy_construction(problem: RosterProblem, options: SolveOptions) -> RosterSolution:
    """Plan and re-planned construction only (``strategy="decomposed-greedy"``)."""
    return run_decomposed(problem, options, construction="replan", search=False)
