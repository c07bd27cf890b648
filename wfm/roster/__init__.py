"""Rostering with CP-SAT: which agent works which shift on which day.

Schema in :mod:`wfm.roster.models`; ``solve`` builds and solves the CP-SAT model; ``check`` is the
solver-independent checker (the executable specification); ``load_curtois`` reads the public benchmark.
"""

from wfm.roster.models import (
    Agent,
    Assignment,
    Break,
    Contract,
    ForbiddenSuccession,
    Horizon,
    LockedAssignment,
    ObjectiveWeights,
    Penalty,
    Period,
    Preference,
    Requirement,
    RosterProblem,
    RosterSolution,
    Segment,
    ShiftDemand,
    ShiftRef,
    ShiftTemplate,
)

__all__ = [
    "Agent",
    "Assignment",
    "Break",
    "Contract",
    "ForbiddenSuccession",
    "Horizon",
    "LockedAssignment",
    "ObjectiveWeights",
    "Penalty",
    "Period",
    "Preference",
    "Requirement",
    "RosterProblem",
    "RosterSolution",
    "Segment",
    "ShiftDemand",
    "ShiftRef",
    "ShiftTemplate",
]
