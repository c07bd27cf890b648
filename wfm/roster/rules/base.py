"""What a hard labour rule is: one class holding its definition and every encoding of it.

A rule (:class:`HardRule`) knows

- ``check(view)``: the definition, read off one agent's roster (:class:`AgentView`) — the checker is a loop
  over the registry, and this is the executable specification;
- ``cp(ctx)``: its CP-SAT constraints, written once against :class:`CpContext`, which both the monolithic
  :class:`~wfm.roster.solvers.monolithic.model.RosterModel` and the stage-2
  :class:`~wfm.roster.solvers.decomposed.agent_model.AgentModel` implement;
- ``dp(spec)``: its part of the contract graph's state (:class:`DPComponent`), or ``None`` when the contract
  does not use it;
- ``day_cap`` / ``week_rows`` / ``horizon_rows`` / ``group_rows``: its stage-1 aggregate capacity rows
  (sums over a contract group's agents of what each agent must satisfy), or none, with the reason in the
  rule's docstring.

``names`` are the rule names the checker and :class:`~wfm.exceptions.InfeasibleError` report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from wfm.roster.models import Agent, Assignment, Contract, RosterProblem, ShiftTemplate

__all__ = ["AgentView", "CpContext", "DPComponent", "DPSpec", "HardRule", "RowContext", "Violation"]


@dataclass(frozen=True)
class Violation:
    """A broken hard rule: the rule name, the agent, the day (if the rule is about a day) and details."""

    rule: str
    agent: str | None
    day: dt.date | None
    detail: str

    def __str__(self) -> str:
        where = ", ".join(x for x in (f"agent {self.agent}" if self.agent else "",
                                      f"day {self.day}" if self.day else "") if x)
        return f"{self.rule} ({where}): {self.detail}" if where else f"{self.rule}: {self.detail}"


@dataclass
class AgentView:
    """One agent's roster as the checker reads it: day index -> assignment, plus the calendar."""

    problem: RosterProblem
    agent: Agent
    contract: Contract
    mine: dict[int, Assignment]
    shifts: dict[str, ShiftTemplate]
    weeks: list[list[int]]
    weekends: list[list[int]]

    def __post_init__(self) -> None:
        self.n_days = self.problem.horizon.days
        self.worked = [d in self.mine for d in range(self.n_days)]
        self.leave_days = {d for d in (self.problem.horizon.day_of(x) for x in self.agent.leave)
                           if 0 <= d < self.n_days}

    def date(self, d: int) -> dt.date:
        """Date of day index ``d``."""
        return self.problem.horizon.date_of(d)

    def paid(self, days: Iterable[int]) -> int:
        """Paid minutes worked on ``days``."""
        return sum(self.mine[d].paid_minutes for d in days if d in self.mine)

    def count(self, pred: Callable[[ShiftTemplate], bool], days: Iterable[int]) -> int:
        """Shifts worked on ``days`` whose template satisfies ``pred``."""
        return sum(1 for d in days if d in self.mine and pred(self.shifts[self.mine[d].shift]))


class CpContext(Protocol):
    """What a rule's CP-SAT encoding may ask of the model under construction (both models implement it).

    Days are indices, ``a`` is an agent index of ``agent_indices``. ``day_on`` / ``day_literal`` may be
    constants (0/1) and ``shift_var`` ``None`` where a model fixed the day (stage 2: leave, days outside its
    window); ``touch(days)`` is ``False`` when no day of ``days`` is free, and a rule then adds nothing for
    them.
    """

    agent_indices: Sequence[int]
    clash_rows: str  # "pairs" or "cliques": the row form of the rest clash (wfm.roster.rules.rest)
    n_days: int
    weeks: list[list[int]]
    weekends: list[list[int]]
    shifts: Sequence[ShiftTemplate]
    shift_index: dict[str, int]

    def contract(self, a: int) -> Contract: ...
    def agent(self, a: int) -> Agent: ...
    def day_of(self, date: dt.date) -> int: ...
    def day_on(self, a: int, d: int) -> Any: ...
    def day_literal(self, a: int, d: int) -> Any: ...
    def shift_var(self, a: int, d: int, s: int) -> Any: ...
    def day_shifts(self, a: int, d: int) -> list[int]: ...
    def minutes(self, a: int, days: Iterable[int]) -> Any: ...
    def tagged(self, a: int, tag: str, days: Iterable[int]) -> list: ...
    def weekend_worked(self, a: int, k: int, days: list[int]) -> Any: ...
    def gap_minutes(self, d: int, s1: int, s2: int) -> float: ...
    def false(self) -> Any: ...
    def new_bool(self, name: str) -> Any: ...
    def add(self, constraint: Any, rule: str, a: int, d: int | None = None) -> None: ...
    def add_clause(self, literals: list, rule: str, a: int, d: int | None = None) -> None: ...
    def touch(self, days: Iterable[int]) -> bool: ...


@dataclass
class DPSpec:
    """What a rule's DP component may read when a contract graph is built.

    ``options[d]`` are the shift indices the graph offers on day ``d``; ``caps`` maps a shift index to the
    most times it may be worked (an agent's ``max_shifts``); ``leave`` the agents' leave days when the contract
    credits leave (:mod:`.paid_minutes`, :mod:`.min_working_days`); ``fp`` is the flattened problem
    (:class:`~wfm.roster.solvers.decomposed.data.FlatProblem`).
    """

    fp: Any
    contract: Contract
    caps: dict[int, int]
    options: list[list[int]]
    weeks: list[list[int]]
    weekend_groups: list[list[int]]
    leave: frozenset[int] = frozenset()  # leave days the graph's agents share, where the contract credits leave

    def __post_init__(self) -> None:
        self.n_days = len(self.options)
        self.week_first = {w[0] for w in self.weeks}
        self.full_week_last = {w[-1]: w for w in self.weeks if len(w) == 7}


class DPComponent(Protocol):
    """One rule's part of the contract graph's state.

    ``feature(d, s)`` is what the rule needs to know of shift ``s`` on day ``d`` (shifts with equal
    features of every component form one edge group); ``step(state, d, feature)`` moves the rule's state
    over day ``d`` (``feature`` is ``None`` for a day off) and returns ``None`` when the day breaks the
    rule; ``final(state)`` says whether a roster may end there.
    """

    def feature(self, d: int, s: int) -> Hashable: ...
    def init(self) -> Hashable: ...
    def step(self, state: Any, d: int, feature: Any) -> Any: ...
    def final(self, state: Any) -> bool: ...


class RowContext(Protocol):
    """One contract group of stage 1, for a rule's aggregate rows: its agents and columns."""

    fp: Any
    contract: Contract
    cname: str
    members: list[int]
    weeks: list[list[int]]
    works_day: np.ndarray

    def cols_of(self, days: Iterable[int], pred: Callable[[int], bool] = ...) -> tuple[np.ndarray, list[int]]:
        ...

    def row(self, name: str, columns: np.ndarray, coefs: np.ndarray, *, lo: int | None = None,
            hi: int | None = None) -> None: ...


class HardRule:
    """Base of every hard rule: the defaults say "no such encoding" (see each rule's docstring for why)."""

    names: tuple[str, ...] = ()

    def check(self, view: AgentView) -> Iterable[Violation]:
        """The rule's violations in one agent's roster."""
        return ()

    def cp(self, ctx: CpContext) -> None:
        """Add the rule's constraints for every agent of ``ctx``."""

    def cuts(self, ctx: CpContext) -> None:
        """Redundant constraints that tighten the monolithic model's relaxation (left out in explain mode)."""

    def dp(self, spec: DPSpec) -> DPComponent | None:
        """The rule's part of the contract graph's state, or ``None`` when ``spec.contract`` does not use it."""
        return None

    def day_cap(self, contract: Contract, days: list[int]) -> int | None:
        """Most working days one agent may have among ``days`` (consecutive, one week) under this rule."""
        return None

    def week_rows(self, rc: RowContext, w: int, days: list[int], cols: np.ndarray, shifts: list[int],
                  caps: list[int]) -> None:
        """Stage-1 rows of week ``w`` (``cols`` its group's columns, ``shifts`` their shifts, ``caps`` the
        members' working-day caps)."""

    def horizon_rows(self, rc: RowContext, cols: np.ndarray, shifts: list[int]) -> None:
        """Stage-1 rows over the whole horizon."""

    def group_rows(self, rc: RowContext) -> None:
        """Other stage-1 rows of the group (runs, successive days, weekends)."""
