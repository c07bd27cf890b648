"""The typed state the decomposed solve passes from stage to stage.

Each stage reads what earlier stages left and returns a new state with its own fields filled
(``dataclasses.replace``), so what a stage needs and what it produces is written in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from wfm.roster.models import RosterProblem
from wfm.roster.solvers.decomposed.covering import CoverProblem, CoverResult
from wfm.roster.solvers.decomposed.covering_rows import GroupColumns, Stage1Columns
from wfm.roster.solvers.decomposed.data import FlatProblem

__all__ = ["Plan", "Roster", "StageState"]


@dataclass(frozen=True)
class Plan:
    """What the plan stage leaves: the covering model, its shift counts and bounds.

    ``cover`` is the covering model (columns ``cols`` over contract ``groups``), ``result`` its integer
    counts with the LP bound on any roster's cover cost, ``shortfall_bound`` the fewest agent-intervals
    short any roster can have (LP relaxation on shortfall alone).
    """

    cover: CoverProblem
    cols: Stage1Columns
    groups: GroupColumns
    result: CoverResult
    shortfall_bound: float


@dataclass(frozen=True)
class Roster:
    """A roster in array form: ``shift[a, d]`` the shift index of agent ``a`` on day ``d`` (``-1`` off) and
    ``var[a, d]`` its break variant."""

    shift: np.ndarray
    var: np.ndarray


@dataclass(frozen=True)
class StageState:
    """Everything the stages have produced so far (fields fill up in stage order).

    ``construction`` names how the first roster was built ("columns", "replan", "hint", "greedy", "fallback") and
    ``construction_status`` gives its own account; ``columns_bound`` is the column generation's bound on
    cover cost (objective units) when it ran; ``moves`` / ``windows`` count the improving stage's kept
    moves; ``fallbacks`` lists stages that ran out of time and fell back; ``seconds`` each stage's wall time.
    """

    problem: RosterProblem
    fp: FlatProblem
    plan: Plan | None = None
    roster: Roster | None = None
    construction: str = ""
    construction_status: str = ""
    construction_rounds: int = 0
    unfilled: int = 0
    extra: int = 0
    columns_bound: float | None = None
    moves: int = 0
    windows: int = 0
    fallbacks: tuple[str, ...] = ()
    first_roster_s: float | None = None  # seconds from the start until the first whole roster existed
    seconds: dict[str, float] = field(default_factory=dict)
