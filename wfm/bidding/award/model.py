"""The award model: the roster's own CP-SAT model plus one literal per bid, a cost cap and the award objectives.

It is built from the monolithic roster model (:class:`wfm.roster.solvers.monolithic.model.RosterModel`)
unchanged — every hard rule and every objective term the roster solve uses — so "the roster's cost" here
is exactly the roster solve's objective (in the model's integer units, ``objective_scale`` per cost unit). On top of it:

* ``won[b]``: true exactly when bid ``b``'s item holds in the roster (:mod:`wfm.bidding.award.targets`);
* ``cost <= cap``: the coverage stage's optimum, never given up (times ``1 + coverage_tolerance``);
* the objectives of the later stages (points, least-satisfied share, tie-breaks) set by the pipeline.

Symmetry: the roster model orders interchangeable agents by paid minutes; bids make agents different, so the
award model orders only the interchangeable agents who bid nothing (the roster's own rule, restricted).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model
from ortools.sat.python.cp_model_helper import FlatIntExpr

from wfm.bidding.award.targets import item_holds
from wfm.bidding.models import HeldBid
from wfm.exceptions import WfmError
from wfm.roster.models import RosterProblem, RosterSolution
from wfm.roster.solvers.monolithic.model import RosterModel

__all__ = ["AwardModel", "Outcome", "SolveOptions", "STATUS_NAMES", "WallNet"]

STATUS_NAMES = {cp_model.OPTIMAL: "OPTIMAL", cp_model.FEASIBLE: "FEASIBLE", cp_model.INFEASIBLE: "INFEASIBLE",
                cp_model.MODEL_INVALID: "MODEL_INVALID", cp_model.UNKNOWN: "UNKNOWN"}


class WallNet:
    """One wall-clock deadline shared by every solve of an award's pipeline, and a record of what it cut.

    In deterministic mode each solve is bounded by work units, and a loaded machine stretches their wall
    time (2-9 wall seconds per unit measured at 60 agents x 4 weeks on a shared 2-core machine). The net
    caps the wall clock of all the solves together: a solve never runs past ``deadline``, one that starts
    after it does not run at all. A solve the clock stopped before its work budget or its proof is counted
    in :attr:`cuts`; then the award may differ from a run on a quiet machine (the award reports it).

    Parameters
    ----------
    seconds : float
        Wall seconds from now to the deadline.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = float(seconds)
        self.deadline = time.perf_counter() + self.seconds
        self.cuts = 0

    def left(self) -> float:
        """Wall seconds to the deadline (negative past it)."""
        return self.deadline - time.perf_counter()

    @property
    def hit(self) -> bool:
        """Whether the net cut some solve."""
        return self.cuts > 0


@dataclass(frozen=True)
class SolveOptions:
    """How every CP-SAT solve of an award runs.

    ``deterministic`` (the default) runs one worker under a *deterministic* time limit (CP-SAT's work
    units, about a second each on a current core), so the same input gives the same award on any machine
    load; the wall-clock limit of one solve is then only a safety net at ten times its budget, and ``net``
    (when set) caps all the solves of a pipeline together (:class:`WallNet`).
    """

    seed: int = 0
    workers: int = 1
    deterministic: bool = True
    log: bool = False
    net: WallNet | None = field(default=None, compare=False)

    def solver(self, time_limit_s: float) -> cp_model.CpSolver:
        """A CP-SAT solver configured for a budget of ``time_limit_s`` seconds."""
        s = cp_model.CpSolver()
        budget = max(0.05, float(time_limit_s))
        s.parameters.random_seed = int(self.seed)
        s.parameters.log_search_progress = bool(self.log)
        # the full LP relaxation: on the capped model the default one leaves the points bound far off
        # (6 agents x 2 weeks: bound 32 vs optimum 28 after 20 s; with it, proven optimal in 0.02 s)
        s.parameters.linearization_level = 2
        if self.deterministic:
            s.parameters.num_workers = 1
            s.parameters.max_deterministic_time = budget
            s.parameters.max_time_in_seconds = 10 * budget
        else:
            s.parameters.num_workers = int(self.workers)
            s.parameters.max_time_in_seconds = budget
        if self.net is not None:
            # never past the pipeline's deadline (a solve due after it is not started: AwardModel.run)
            s.parameters.max_time_in_seconds = max(0.01, min(s.parameters.max_time_in_seconds, self.net.left()))
        return s


@dataclass
class Outcome:
    """One solve: status name, the full solution vector (empty without one), objective, bound, wall seconds and
    CP-SAT's deterministic work units (about seconds)."""

    status: str
    values: list[int] = field(default_factory=list)
    objective: float | None = None
    bound: float | None = None
    time_s: float = 0.0
    work_s: float = 0.0
    cut: bool = False  # stopped by the wall clock (a safety net) before its work budget or its proof

    @property
    def found(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")

    @property
    def optimal(self) -> bool:
        return self.status == "OPTIMAL"


class AwardModel:
    """The roster model of ``problem`` with a literal ``won[b]`` per bid of ``bids`` (see the module doc)."""

    def __init__(self, problem: RosterProblem, bids: Sequence[HeldBid], *,
                 gaps: dict[tuple[int, int, int], float] | None = None) -> None:
        # -- data --------------------------------------------------------------------------------------
        self.problem = problem
        self.bids = list(bids)
        self.rm = RosterModel(problem, symmetry=False, gaps=gaps)  # gaps: a shared rest-gap cache (same shifts)
        self.model: cp_model.CpModel = self.rm.model
        self.scale: int = self.rm.objective_scale
        index = {a.id: i for i, a in enumerate(problem.agents)}
        # -- variables: one literal per bid, equal to "the item holds" ----------------------------------
        self.won = [item_holds(self.rm, index[b.agent], b.item, f"won(bid={b.id}, agent={b.agent})")
                    for b in self.bids]
        self.points = [int(b.item.points) for b in self.bids]
        # -- the roster's own objective, in the model's integer units -----------------------------------
        self.cost = sum(round(w * self.scale) * e for e, w in self.rm.objective_terms if round(w * self.scale))
        self.classes = self._break_symmetry({b.agent for b in self.bids})

    # -- expressions -------------------------------------------------------------------------------------
    def points_expr(self, skip: Iterable[int] = ()) -> Any:
        """Points of the awarded bids (exchange items at their posted price), without the bids in ``skip``."""
        out = set(skip)
        return sum(p * w for i, (p, w) in enumerate(zip(self.points, self.won, strict=True)) if i not in out)

    def cap_cost(self, cap: int) -> None:
        """The roster's cost may not exceed ``cap`` (model units): coverage is never given up for bids."""
        self.model.add(self.cost <= cap)

    def to_units(self, cost: float) -> float:
        """A checker cost in the model's integer units."""
        return cost * self.scale

    # -- symmetry ----------------------------------------------------------------------------------------
    def _break_symmetry(self, bidders: set[str]) -> list[list[int]]:
        """Order interchangeable agents that bid nothing by paid minutes (the roster model's own rule).

        Two agents are interchangeable when they share contract, skills and shift maxima and have no leave,
        locks, preferences or bids: any roster relabelled among them costs the same and awards the same.
        """
        rm = self.rm
        classes: dict[tuple, list[int]] = {}
        for a, agent in enumerate(rm.agents):
            if agent.leave or agent.locked or agent.preferences or agent.id in bidders:
                continue
            key = (agent.contract, tuple(sorted(agent.skills)), tuple(sorted(agent.max_shifts.items())))
            classes.setdefault(key, []).append(a)
        groups = [m for m in classes.values() if len(m) > 1]
        for members in groups:
            for a, b in zip(members, members[1:], strict=False):
                self.model.add(rm.minutes(a, range(rm.n_days)) >= rm.minutes(b, range(rm.n_days)))
        return groups

    def cells(self, roster: RosterSolution) -> set[tuple[str, int, str]]:
        """``(agent, day, shift)`` cells of ``roster``, relabelled among interchangeable agents to meet the
        symmetry order (same cost, same award)."""
        rows: dict[str, list[tuple[int, str]]] = {}
        for x in roster.assignments:
            rows.setdefault(x.agent, []).append((self.problem.horizon.day_of(x.date), x.shift))
        return self.relabel(rows)

    def relabel(self, rows: dict[str, list[tuple[int, str]]]) -> set[tuple[str, int, str]]:
        """``(agent, day, shift)`` cells of ``rows`` (agent id -> its ``(day, shift id)`` pairs), relabelled
        among interchangeable agents to meet the symmetry order (same cost, same award)."""
        rm = self.rm
        rows = dict(rows)
        paid = {t.id: t.paid_minutes or 0 for t in rm.shifts}
        for members in self.classes:
            ids = [rm.agents[a].id for a in members]
            ranked = sorted(ids, key=lambda i: -sum(paid[s] for _, s in rows.get(i, [])))
            rows.update({new: rows.get(old, []) for new, old in zip(ids, ranked, strict=True)})
        return {(agent, d, s) for agent, cells in rows.items() for d, s in cells}

    # -- solving -----------------------------------------------------------------------------------------
    def complete(self, roster: RosterSolution, options: SolveOptions, *, time_limit_s: float) -> Outcome:
        """Fix the work of ``roster`` and minimise the cost over the rest (break placements, shortfall
        tiers, bid literals): a complete solution vector to hint the stages with, and the model's cost of
        that roster (its breaks placed at best)."""
        return self.complete_cells(self.cells(roster), options, time_limit_s=time_limit_s)

    def complete_cells(self, chosen: set[tuple[str, int, str]], options: SolveOptions, *,
                       time_limit_s: float) -> Outcome:
        """As :meth:`complete`, for the ``(agent, day, shift)`` cells ``chosen`` (already in symmetry order)."""
        fixed = self.model.clone()
        rm = self.rm
        for (a, d, s), x in rm.work.items():
            v = int((rm.agents[a].id, d, rm.shifts[s].id) in chosen)
            fixed.add(fixed.get_bool_var_from_proto_index(x.index) == v)
        fixed.clear_hints()
        fixed.minimize(self.cost)
        return self.run(options, time_limit_s=time_limit_s, model=fixed)

    def hint(self, values: Sequence[int]) -> None:
        """Start the next solve from a complete solution vector."""
        self.model.clear_hints()
        # the proto's repeated fields directly: the same hint as add_hint per variable, 150x faster (0.5 s a
        # call at 150 agents x 4 weeks, 100 k variables)
        hint = self.model.proto.solution_hint
        hint.vars.extend(range(len(values)))
        hint.values.extend(int(v) for v in values)

    def run(self, options: SolveOptions, *, time_limit_s: float, model: cp_model.CpModel | None = None) -> Outcome:
        """Solve ``model`` (default: this one) with its current objective; every status is reported as is."""
        model = model or self.model
        net = options.net
        if net is not None and net.left() <= 0:
            # past the pipeline's wall-clock net: not searched, and its whole budget counts as spent (so a
            # caller that loops on spent work, such as the neighbourhood search, stops); the start stands
            net.cuts += 1
            return self._start_as_is(model, options, elapsed=0.0, work=float(time_limit_s))
        solver = options.solver(time_limit_s)
        t0 = time.perf_counter()
        status = solver.solve(model)
        elapsed = time.perf_counter() - t0
        name = STATUS_NAMES.get(status, "UNKNOWN")
        if name == "MODEL_INVALID":
            raise WfmError(f"internal error: the award model is invalid: {model.validate()}")
        work = solver.deterministic_time
        # a deterministic solve that neither finished nor spent its work budget was stopped by the clock
        cut = (options.deterministic and name not in ("OPTIMAL", "INFEASIBLE")
               and work < 0.98 * max(0.05, float(time_limit_s)))
        if cut and net is not None:
            net.cuts += 1
            if name == "UNKNOWN":  # the net stopped it before any solution: the start stands
                return self._start_as_is(model, options, elapsed=elapsed, work=work)
        if name not in ("OPTIMAL", "FEASIBLE"):
            return Outcome(status=name, time_s=elapsed, work_s=work, cut=cut)
        return Outcome(status=name, values=list(solver.response_proto.solution), objective=solver.objective_value,
                       bound=solver.best_objective_bound, time_s=elapsed, work_s=work, cut=cut)

    @staticmethod
    def _start_as_is(model: cp_model.CpModel, options: SolveOptions, *, elapsed: float, work: float) -> Outcome:
        """A solve the wall-clock net cut before it found anything: the start it was given (its hint) when
        the model accepts it, else UNKNOWN; ``cut`` either way.

        Every stage of the pipeline is hinted with the previous stage's solution, which its new constraints
        keep feasible, so the award goes on with what it had instead of failing. CP-SAT checks the hint with
        every hinted variable fixed to it (propagation, and the few variables a stage adds: the fairness
        shares; well under a second at 60 agents x 4 weeks); the bound is the objective's range over the
        variables' domains (valid, however loose: nothing was proven).
        """
        proto = model.proto
        if not len(proto.solution_hint.vars) or not proto.has_objective():
            return Outcome(status="UNKNOWN", time_s=elapsed, work_s=work, cut=True)
        solver = cp_model.CpSolver()
        solver.parameters.fix_variables_to_their_hinted_value = True
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = int(options.seed)
        # a check, not a search: the net has no time left to give
        solver.parameters.max_deterministic_time = 2.0
        solver.parameters.max_time_in_seconds = 20.0
        t0 = time.perf_counter()
        status = solver.solve(model)
        elapsed += time.perf_counter() - t0
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return Outcome(status="UNKNOWN", time_s=elapsed, work_s=work, cut=True)
        obj = proto.objective
        low = obj.offset  # CP-SAT minimises sum(coeff x) + offset, then scales (-1 for a maximisation)
        for v, c in zip(obj.vars, obj.coeffs, strict=True):
            dom = proto.variables[v].domain  # [lo, hi, ...]; the wrapped container reads dom[-1] as dom[0]
            low += min(c * dom[0], c * dom[len(dom) - 1])
        scale = obj.scaling_factor or 1.0
        return Outcome(status="FEASIBLE", values=list(solver.response_proto.solution),
                       objective=solver.objective_value, bound=scale * low, time_s=elapsed, work_s=work, cut=True)

    @staticmethod
    def value(values: Sequence[int], expr: Any) -> int:
        """Value of a linear expression (or literal) of the model under a solution vector."""
        if isinstance(expr, int):
            return expr
        flat = FlatIntExpr(expr)
        return int(sum(c * values[v.index] for v, c in zip(flat.vars, flat.coeffs, strict=True)) + flat.offset)


def ceil_units(x: float) -> int:
    """Round a cost in model units up, tolerating float noise."""
    return math.ceil(x - 1e-6)
