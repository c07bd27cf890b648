"""Stage 2, construct: a first whole roster, every agent under its full contract rules.

Two constructions:

* **columns** (the default): the roster written over whole agent rosters, every class of interchangeable
  agents priced by a shortest path through its contract's state graph
  (:mod:`~wfm.roster.solvers.decomposed.contract_graph`, about a millisecond; one-agent CP-SAT where the
  graph does not apply). A roster built by best responses seeds the master, which then starts at that
  roster's shortfall rather than at everything short; the master's fractional roster, rounded to whole
  agents by diving, is the start the improvement stage works on. Its Dantzig–Wolfe bound on cover cost is
  kept (150 agents, 60 s: about 31,000 against the plan's 24,154).
* **replan** (the benchmark's CP-SAT-priced baseline): agents, most constrained first, each take the most
  valuable planned slots their contract allows (one-agent CP-SAT); after each quarter of the remaining
  agents the plan is solved again for the agents still unplaced.

Out of time or out of luck (a master that gives no duals, a pricing solve out of time), the construction
falls back to the greedy roster: every agent placed once by best response against the cover of those placed
before. It never ends the solve while the budget lasts; only a proof (an agent whose own rules admit no
roster) does.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from wfm.exceptions import InvalidParameterError, NoSolutionError
from wfm.roster.checker import check
from wfm.roster.models import RosterProblem
from wfm.roster.solvers.budget import Budget
from wfm.roster.solvers.decomposed.column_generation import columns_roster
from wfm.roster.solvers.decomposed.contract_graph import PricerPool
from wfm.roster.solvers.decomposed.covering import solve_cover_box, solve_lp_duals
from wfm.roster.solvers.decomposed.covering_rows import slot_values
from wfm.roster.solvers.decomposed.data import FlatProblem
from wfm.roster.solvers.decomposed.extract import rows_of
from wfm.roster.solvers.decomposed.local_search import best_response_sweeps, improve
from wfm.roster.solvers.decomposed.pricing import VariantTable, agent_classes
from wfm.roster.solvers.decomposed.replan import replan_construct
from wfm.roster.solvers.decomposed.state import Plan, Roster, StageState
from wfm.roster.solvers.decomposed.variants import assign_variants, variant_counts
from wfm.roster.solvers.decomposed.windows import roster_cost
from wfm.roster.solvers.options import SolveOptions

__all__ = ["construct", "shortfall_only"]

# the column construction in reproducible mode counts rounds, not seconds: nominal costs of its steps
_COLUMNS_PRICING_S = 0.5  # deterministic CP-SAT budget of one pricing solve in the column construction
_DP_CLASS_S = 0.002  # nominal seconds to price one class by dynamic programming (about 1 ms measured)
_CPSAT_CLASS_S = 0.07  # nominal seconds to price one class by one-agent CP-SAT
_MASTER_ROUND_S = 0.3  # nominal seconds of one master LP re-solve (0.1-0.3 s at 150 agents)
# box MIPs of the re-planning rounds: CP-SAT (HiGHS through scipy is faster per round but stops on the
# wall clock, and once aborted the process with a heap corruption inside milp)
_ROUND_ENGINE = "cpsat"


def construct(state: StageState, options: SolveOptions, budget: Budget, *, seconds: float, method: str = "columns",
              pricing: str = "auto") -> StageState:
    """A first roster within ``seconds`` by ``method`` ("columns", "replan", "greedy", or "hint": the
    caller's roster), falling back to the greedy roster when the method runs out of time."""
    assert state.plan is not None
    fp, plan_ = state.fp, state.plan
    if method == "hint":
        return replace(state, roster=_from_hint(state.problem, fp, options), construction="hint",
                       construction_status="HINT")
    try:
        if method == "columns":
            roster, status, rounds, bound, first = _columns(state.problem, fp, plan_, seconds, options, budget,
                                                            pricing)
            return replace(state, roster=roster, construction="columns", construction_status=status,
                           construction_rounds=rounds, columns_bound=bound, first_roster_s=first)
        if method == "replan":
            rp = _replan(fp, plan_, seconds, options, budget)
            var = assign_variants(fp, rp.shift, variant_counts(fp, plan_.cols, plan_.result.counts))
            return replace(state, roster=Roster(rp.shift, var), construction="replan",
                           construction_status=f"REPLANNED({rp.rounds})", construction_rounds=rp.rounds,
                           unfilled=rp.unfilled, extra=rp.extra)
    except NoSolutionError:
        pass  # out of time inside the construction: the greedy roster below
    roster = greedy(fp, options)
    fallbacks = state.fallbacks + (("construct",) if method != "greedy" else ())
    return replace(state, roster=roster, construction="greedy" if method == "greedy" else "fallback",
                   construction_status="GREEDY", fallbacks=fallbacks)


def _from_hint(problem: RosterProblem, fp: FlatProblem, options: SolveOptions) -> Roster:
    """The caller's roster as the start; it must satisfy every hard rule (the improvement keeps it valid)."""
    assert options.hint is not None
    report = check(problem, options.hint)
    if not report.ok:
        first = report.violations[0]
        raise InvalidParameterError(f"`hint` breaks hard rules ({len(report.violations)} violations, first: "
                                    f"{first.rule} for {first.agent}); the decomposed path starts only from a "
                                    "valid roster", field="hint", value=first.rule)
    shift, var = rows_of(fp, options.hint)
    return Roster(shift, var)


def greedy(fp: FlatProblem, options: SolveOptions, pricing: str = "auto") -> Roster:
    """Every agent placed once, most constrained first, by best response against those placed before."""
    table = VariantTable(fp)
    empty = np.full((fp.n_agents, fp.n_days), -1, dtype=np.int64)
    shift, var, _ = best_response_sweeps(fp, empty, empty.copy(), PricerPool(fp, table, method=pricing), table,
                                         deadline=float("inf"), seed=options.seed, max_sweeps=1,
                                         unplaced=set(range(fp.n_agents)))
    return Roster(shift, var)


def shortfall_only(problem: RosterProblem) -> RosterProblem:
    """The same problem priced on agent-intervals short alone (one tier of 1, nothing else)."""
    weights = problem.weights.model_copy(update={"shortfall": [1.0], "overstaffing": 0.0, "preference": 0.0,
                                                 "start_consistency": 0.0, "fairness": 0.0})
    return problem.model_copy(update={"weights": weights})


def _placement_order(fp: FlatProblem, seed: int) -> np.ndarray:
    """Agents most constrained first (fewest days available, then fewest shifts allowed), ties by seed."""
    rng = np.random.default_rng(seed)
    freedom = fp.available.sum(axis=1) * 100 + fp.allowed.sum(axis=1) + rng.random(fp.n_agents)
    return np.argsort(freedom, kind="stable")


def _replan(fp: FlatProblem, plan_: Plan, seconds: float, options: SolveOptions, budget: Budget):  # noqa: ANN202
    """Placement with re-planning (:func:`replan_construct`), its rounds' box searches solved like the plan."""
    # the finish keeps its reserve: past this the construction gives way to the greedy roster
    # (reproducible: the safety net itself, so that a construction it cuts is reported as cut)
    deadline = budget.deadline - (0.0 if options.reproducible else budget.seconds(
        "finish", floor=budget.share("finish_min_s"), cap="finish_cap_s", nominal=True))

    def solve_round(cover, limit):  # noqa: ANN001, ANN202 - the replan callback
        return solve_cover_box(cover, limit, workers=options.n_workers, seed=options.seed, engine=_ROUND_ENGINE,
                               deterministic=options.reproducible, deadline=deadline,
                               lp_time_limit_s=max(deadline - time.perf_counter(), 0.01))

    return replan_construct(fp, _placement_order(fp, options.seed), (plan_.cover, plan_.cols, plan_.result),
                            solve_round, slot_values, time_limit_s=seconds, seed=options.seed, deadline=deadline,
                            net=options.reproducible)


def _sweep_seed(fp: FlatProblem, seconds: float, options: SolveOptions, budget: Budget) -> Roster:
    """A roster built by best responses alone, then improved by sweeps for the rest of ``seconds``."""
    t0 = budget.elapsed()
    start = greedy(fp, options)
    left = seconds - (budget.elapsed() - t0) if not options.reproducible else \
        budget.share("seed_improve_nominal") * seconds
    if left > 0.1:
        shift, var, _ = improve(fp, start.shift, start.var, time_limit_s=left, seed=options.seed,
                                reproducible=options.reproducible, threads=options.n_workers,
                                deadline=budget.deadline)
        return Roster(shift, var)
    return start


def _columns(problem: RosterProblem, fp: FlatProblem, plan_: Plan, seconds: float, options: SolveOptions,
             budget: Budget, pricing: str) -> tuple[Roster, str, int, float, float]:
    """The rounded column-generation master (its roster, account, rounds, cover-cost bound, and when the
    seed roster, the first whole roster, was ready).

    A whole roster built first (best responses from scratch, or the re-planned construction when agents are
    priced by CP-SAT) seeds the master: it then starts at a real roster's shortfall instead of everything
    short, and spends its rounds below it. With graph pricing the seed is built by best responses from
    scratch (150 agents, 60 s, seeds 0-2: 47,775 / 170, 43,696 / 150, 45,582 / 161 short against 45,640 /
    166, 46,508 / 170, 47,862 / 176 seeded with the re-planned roster), and the master's rounding is kept
    even where the seed costs less (the seed is a sweeps local optimum: keeping it gave 59,215 / 226). With
    CP-SAT pricing the re-planned roster seeds it (150 agents, 300 s: 40,257 against 42,033-43,090
    unseeded) and replaces a rounding that costs more, as a master of few rounds rounds badly.

    The master prices cover as the roster's objective does (shortfall tiers and over-staffing), not
    agent-intervals short alone: 150 agents, 60 s, seeds 0-2: objective 35,885, 35,653, 36,115 (122-129
    short) against 38,090, 38,375, 37,458 (112-120 short) on shortfall alone.
    """
    t0 = budget.elapsed()
    sweep_seed = pricing != "cp-sat"
    seed_s = max(budget.share("columns_seed") * seconds, 1.0)
    if sweep_seed:
        seed_roster = _sweep_seed(fp, seed_s, options, budget)
    else:
        rp = _replan(fp, plan_, seed_s, options, budget)
        seed_roster = Roster(rp.shift, assign_variants(fp, rp.shift, variant_counts(fp, plan_.cols,
                                                                                     plan_.result.counts)))
    first = budget.elapsed()
    left = seconds - (budget.elapsed() - t0) if not options.reproducible else \
        (1 - budget.share("columns_seed")) * seconds
    # personal costs stay out of the master (classes then group agents that differ only in their wishes)
    cover_only = replace(fp, problem=shortfall_only(problem))
    w = problem.weights
    # the master prices cover as the roster does, in units of the first shortfall tier
    unit = float(w.shortfall[0]) if w.shortfall[0] > 0 else 1.0
    cover_weights = (tuple(float(x) / unit for x in w.shortfall), float(w.overstaffing) / unit)
    _, duals = solve_lp_duals(replace(plan_.cover, short_weights=cover_weights[0], over_weight=cover_weights[1]),
                              max(budget.left() - budget.share("margin_s"), 0.05))
    if duals is None or (not options.reproducible and budget.left() < 1.0):
        # no duals to start from, or no time: the seed roster is the construction
        return seed_roster, "SEEDED(no master)", 0, -np.inf, first
    share = max(budget.share("columns") * left, 1.0)
    max_rounds = None
    if options.reproducible:
        # reproducible: rounds from the nominal budget (a round prices every class, a few milliseconds each by
        # dynamic programming, plus the master LP), the clock only a safety net
        n_classes = len(agent_classes(cover_only))
        per_class = _DP_CLASS_S if sweep_seed else _CPSAT_CLASS_S
        # (the clock: the solve's safety net alone; 4 times the share was hit on a loaded machine)
        max_rounds, share = max(1, int(share / (per_class * n_classes + _MASTER_ROUND_S))), budget.left()
    share = min(share, budget.left())
    dive_s = float("inf") if options.reproducible else budget.share("columns_dive") * left
    shift, var, got = columns_roster(cover_only, duals, time_limit_s=share, seed=options.seed,
                                     workers=options.n_workers, max_rounds=max_rounds,
                                     time_per_class=_COLUMNS_PRICING_S,
                                     rosters=(seed_roster.shift, seed_roster.var), pricing=pricing,
                                     dive_s=dive_s, cover_weights=cover_weights)
    # a master of few rounds rounds badly; a sweeps seed is a local optimum the rounding's basin beats
    if not sweep_seed and roster_cost(fp, seed_roster.shift, seed_roster.var) < roster_cost(fp, shift, var):
        shift, var = seed_roster.shift, seed_roster.var
    status = f"COLUMNS({got.rounds} rounds, master cover cost {got.master * unit:.0f}, seeded)"
    return Roster(shift, var), status, int(got.rounds), float(got.bound * unit), first
