"""One options object that travels down every solve path.

>>> SolveOptions(time_limit_s=5, workers=1, reproducible=True).n_workers
1
>>> SolveOptions(time_limit_s=float("nan"))
Traceback (most recent call last):
...
wfm.exceptions.InvalidParameterError: `time_limit_s` must be a finite number; got nan
"""

from __future__ import annotations

import dataclasses
import os

from wfm.exceptions import InvalidParameterError
from wfm.limits import check_number, limits
from wfm.progress import Progress, ProgressCallback, emit
from wfm.roster.models import RosterSolution
from wfm.roster.solvers.budget import DEFAULT_SHARES, Budget, BudgetShares

__all__ = ["SolveOptions"]


@dataclasses.dataclass(frozen=True)
class SolveOptions:
    """How to solve: time, threads, seed, logging, a starting roster, reproducibility, progress.

    Attributes
    ----------
    time_limit_s:
        Wall-clock limit of the whole solve, seconds: finite, > 0 and at most ``limits().max_time_limit_s``.
        The roster is returned within it plus ``shares.margin_s`` (a quarter second by default).
    workers:
        CP-SAT search workers (threads), 1 to ``limits().max_workers``; default all cores.
    seed:
        Random seed of every stage (whole, >= 0).
    log:
        Print one line per stage and improvement, and the CP-SAT search log of the monolithic path's searches.
    hint:
        A roster to start from (last week's, a previous solve's).
    reproducible:
        One worker, and every stage bounded by deterministic work (CP-SAT's deterministic time, counted
        rounds) instead of the clock, so one seed gives one roster on any machine, loaded or not. The limit
        is then nominal: about ``time_limit_s`` on an idle machine, and the wall clock only a safety net at
        ``shares.reproducible_safety`` (10) times it on a loaded one (2 cores shared by 7 processes ran
        reproducible solves at 4-6 times their limit). A solve that reaches the net is cut by the clock and
        is then not reproducible: ``solution.info["safety_net_hit"]`` says so (False when it was not).
        Without it ``time_limit_s`` is wall
        clock, also with one worker.
    progress:
        Called with a :class:`~wfm.progress.Progress` event at each stage boundary and improvement.
    shares:
        The named shares of the time limit (:class:`~wfm.roster.solvers.budget.BudgetShares`); tests
        starve stages through it.
    """

    time_limit_s: float = 60.0
    workers: int | None = None
    seed: int = 0
    log: bool = False
    hint: RosterSolution | None = None
    reproducible: bool = False
    progress: ProgressCallback | None = None
    shares: BudgetShares = DEFAULT_SHARES

    def __post_init__(self) -> None:
        lim = limits()
        check_number("time_limit_s", self.time_limit_s, low=0, low_open=True, high=lim.max_time_limit_s,
                     limit_name="max_time_limit_s")
        if self.workers is not None:
            check_number("workers", self.workers, low=1, high=lim.max_workers, integer=True,
                         limit_name="max_workers")
            if self.reproducible and self.workers != 1:
                raise InvalidParameterError("`workers` must be 1 (or unset) when `reproducible` is set; "
                                            f"got {self.workers}", field="workers", value=self.workers)
        check_number("seed", self.seed, low=0, integer=True)
        if self.hint is not None and not isinstance(self.hint, RosterSolution):
            raise InvalidParameterError(f"`hint` must be a RosterSolution; got {type(self.hint).__name__}",
                                        field="hint", value=str(type(self.hint).__name__))
        if self.progress is not None and not callable(self.progress):
            raise InvalidParameterError("`progress` must be callable", field="progress", value=repr(self.progress))

    @property
    def n_workers(self) -> int:
        """Threads actually used: 1 when reproducible, else ``workers`` or every core."""
        if self.reproducible:
            return 1
        return int(self.workers or os.cpu_count() or 1)

    def budget(self) -> Budget:
        """A fresh clock for one solve of ``time_limit_s``, split by ``shares``; a reproducible solve's
        clock is only a safety net, ``shares.reproducible_safety`` times the limit."""
        return Budget(self.time_limit_s, self.shares,
                      safety_factor=self.shares.reproducible_safety if self.reproducible else 1.0)

    def note_safety_net(self, solution: RosterSolution, budget: Budget) -> None:
        """In reproducible mode, record in ``solution.info["safety_net_hit"]`` whether the clock came to the
        safety net (``shares.reproducible_safety`` times the limit): a stage it cut stopped on the machine's
        load, not on its work, so that roster is *not* reproducible (logged too; raise the factor through
        ``shares`` on a slower machine)."""
        if not self.reproducible:
            return
        hit = budget.net_reached()
        solution.info["safety_net_hit"] = hit
        if hit and self.log:
            print(f"[roster] reproducible solve reached its safety net ({budget.safety_factor:g} x "
                  f"{self.time_limit_s:g} s): a stage was stopped by the clock, this roster may differ "
                  "on another run", flush=True)

    def report(self, stage: str, budget: Budget, objective: float | None = None,
               bound: float | None = None) -> None:
        """Send one progress event (stage boundary or improvement) to the callback, if any."""
        event = Progress(task="roster", stage=stage, elapsed_s=budget.elapsed(), objective=objective, bound=bound)
        if self.log:  # the stage lines of the search log (CP-SAT prints its own search in between)
            print(f"[roster] {event.elapsed_s:7.2f} s  {stage:<9} objective={objective}  bound={bound}", flush=True)
        emit(self.progress, event)
