"""Rostering with CP-SAT: which agent works which shift on which day.

Schema in :mod:`wfm.roster.models`; ``solve`` builds and solves the CP-SAT model; ``check`` is the
solver-independent checker (the executable specification); ``explain_shortfall`` says why an interval is
short; ``load_curtois`` reads the public benchmark.
"""

from wfm.roster.checker import CheckReport, Violation, check
from wfm.roster.curtois import load_curtois, score_curtois
from wfm.roster.frames import StaffingHandoff, requirements_from_frame, staffing_handoff
from wfm.roster.instances import call_centre_instance
from wfm.roster.models import (
    Agent,
    Assignment,
    Break,
    Contract,
    DecompositionReport,
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
    ServiceTarget,
    ShiftDemand,
    ShiftRef,
    ShiftTemplate,
    SolveStatus,
)
from wfm.roster.shortfall import Change, ShortInterval, explain_shortfall
from wfm.roster.solvers.budget import BudgetShares
from wfm.roster.solvers.decomposed.bounds import cover_lower_bound, shortfall_lower_bound
from wfm.roster.solvers.decomposed.solver import solve_decomposed
from wfm.roster.solvers.dispatch import solve
from wfm.roster.solvers.options import SolveOptions

__all__ = [
    "BudgetShares",
    "DecompositionReport",
    "SolveOptions",
    "SolveStatus",
    "shortfall_lower_bound",
    "call_centre_instance",
    "cover_lower_bound",
    "requirements_from_frame",
    "staffing_handoff",
    "StaffingHandoff",
    "ServiceTarget",
    "solve_decomposed",
    "solve",
    "check",
    "CheckReport",
    "explain_shortfall",
    "Change",
    "ShortInterval",
    "Violation",
    "load_curtois",
    "score_curtois",
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
