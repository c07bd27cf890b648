"""How a solve splits its time: named shares of the limit and a clock that keeps the wall-clock promise.

Every slice of time a stage gets is a named field of :class:`BudgetShares` (with the measurement that chose
it), so no share is written inline in a stage. :class:`Budget` holds the clock of one solve: ``left()`` is
what remains of the caller's ``time_limit_s``, ``seconds(name)`` a share of the limit (never more than what
is left), ``deadline`` the absolute ``time.perf_counter()`` time every CP-SAT solve is capped at.

Tests inject tiny shares through :class:`~wfm.roster.solvers.options.SolveOptions` to check that a stage
out of time falls back rather than ends the solve.
"""

from __future__ import annotations

import dataclasses
import time

__all__ = ["Budget", "BudgetShares", "DEFAULT_SHARES", "NET_SLACK_S"]

# stages stop 0.05-0.25 s before a deadline (the monolithic greedy keeps ``margin_s``); a clock this close to
# the safety net means some stage may have been cut by it
NET_SLACK_S = 0.5


@dataclasses.dataclass(frozen=True)
class BudgetShares:
    """Named shares of ``time_limit_s`` (fractions) and caps (seconds) of the solve's stages.

    Monolithic path
        ``greedy_start``: the agent-by-agent start of interval-cover models; ``complete_hint``: extending
        that start to every variable; ``lns_interval`` / ``lns_shift_cover``: the share of the remaining
        time the large-neighbourhood search gets after the full model (0.5 for call-centre cover, 0.3 for
        shift-type cover, where CP-SAT's own LP search is the stronger half on Curtois 6 and 8).

    Decomposed path
        ``plan`` / ``plan_cap_s``: stage 1 (covering LP and its integer counts) when the plan is realised
        agent by agent; ``plan_for_columns`` / ``plan_for_columns_cap_s``: stage 1 when the column
        construction follows (it needs only the LP's duals, not a good integer plan); ``replan``: the
        re-planned construction; ``columns_seed``: the roster that seeds the column master (of the
        construction's budget); ``columns``: the column generation (of what is left after the seed);
        ``columns_dive``: rounding the master by diving (of the construction's budget); ``improve_nominal``:
        the sweeps' nominal budget in reproducible mode (at least ``improve_min_s``); ``seed_improve_nominal``:
        the share of the seed's budget its sweeps get in reproducible mode; ``finish`` / ``finish_min_s`` /
        ``finish_cap_s``: the reserve for break placement and extraction (1.3-3.4 s measured at 150 agents);
        ``breaks`` / ``breaks_cap_s``: the break re-placement itself, skipped unless ``breaks_min_left_s`` remain (or
        reproducible).

    Every stage
        ``margin_s``: wall-clock seconds kept back from the deadline for reading the roster out (the solve
        returns within ``time_limit_s`` plus this small margin, measured below 1 s at 150 agents);
        ``reproducible_safety``: a reproducible solve's clock deadline in multiples of the limit (its budgets
        are nominal, so one seed gives one roster on a loaded machine).
    """

    greedy_start: float = 0.3
    complete_hint: float = 0.1
    lns_interval: float = 0.5
    lns_shift_cover: float = 0.3
    plan: float = 0.15
    plan_cap_s: float = 9.0
    plan_for_columns: float = 0.05
    plan_for_columns_cap_s: float = 3.0
    replan: float = 0.3
    columns_seed: float = 0.1
    columns: float = 0.7
    columns_dive: float = 0.2
    improve_nominal: float = 0.55
    improve_min_s: float = 0.5
    seed_improve_nominal: float = 0.5
    finish: float = 0.06
    finish_min_s: float = 2.0
    finish_cap_s: float = 5.0
    breaks: float = 0.05
    breaks_cap_s: float = 3.0
    breaks_min_left_s: float = 2.5
    margin_s: float = 0.25
    reproducible_safety: float = 10.0

    def scaled(self, factor: float) -> BudgetShares:
        """Every share and cap times ``factor`` (tests starve the stages with ``factor`` far below 1)."""
        return BudgetShares(**{f.name: getattr(self, f.name) * factor for f in dataclasses.fields(self)})


DEFAULT_SHARES = BudgetShares()


class Budget:
    """The clock of one solve: ``time_limit_s`` seconds of wall clock from construction, split by ``shares``.

    Parameters
    ----------
    time_limit_s:
        The caller's wall-clock limit, seconds.
    shares:
        Named shares of the limit (default :data:`DEFAULT_SHARES`).
    safety_factor:
        The clock's deadline in multiples of the limit: 1 (a wall-clock limit), or the reproducible mode's
        safety net.
    """

    def __init__(self, time_limit_s: float, shares: BudgetShares = DEFAULT_SHARES, *,
                 safety_factor: float = 1.0) -> None:
        self.time_limit_s = float(time_limit_s)
        self.shares = shares
        self.t0 = time.perf_counter()
        self.safety_factor = float(safety_factor)
        # a reproducible solve's budgets are nominal; its clock only stops a machine far slower than usual
        self.deadline = self.t0 + self.time_limit_s * safety_factor

    def elapsed(self) -> float:
        """Seconds since the solve began."""
        return time.perf_counter() - self.t0

    def left(self) -> float:
        """Seconds left before the caller's limit (never negative)."""
        return max(self.deadline - time.perf_counter(), 0.0)

    def share(self, name: str) -> float:
        """The named share (a fraction, or seconds for the ``*_s`` caps)."""
        return float(getattr(self.shares, name))

    def seconds(self, name: str, *, of: float | None = None, cap: str | None = None, floor: float = 0.0,
                nominal: bool = False) -> float:
        """Share ``name`` of ``of`` seconds (default the whole limit), capped by the ``cap`` share (seconds),
        at least ``floor`` seconds, and never more than what is left on the clock unless ``nominal`` (a
        reproducible solve's budgets come from the limit, not the clock, so one seed gives one roster)."""
        total = self.time_limit_s if of is None else of
        s = max(self.share(name) * total, floor)
        if cap is not None:
            s = min(s, self.share(cap))
        return s if nominal else min(s, self.left())

    def net_reached(self) -> bool:
        """Whether a reproducible solve's clock came within ``NET_SLACK_S`` of its safety net: some stage may
        then have been stopped by the clock rather than by its work budget, so the roster may depend on the
        machine's load (always False for a wall-clock solve, whose limit is the promise itself)."""
        return self.safety_factor > 1.0 and time.perf_counter() >= self.deadline - NET_SLACK_S

    def sub_deadline(self, seconds: float) -> float:
        """Absolute ``perf_counter`` time ``seconds`` from now, never past the solve's deadline."""
        return min(time.perf_counter() + max(seconds, 0.0), self.deadline)
