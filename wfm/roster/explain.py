"""Explain an infeasible roster problem: which agents, rules and days clash.

No hard rule ties two agents together. Every rule of :data:`wfm.roster.rules.HARD_RULES` loops over
the agents and states a constraint on one agent's own ``work[a, d, s]`` / ``on[a, d]`` (leave, allowed and
capped shifts, locks, paid minutes, working days and days off, runs, rest, successions, tags, weekends), and
the one constraint the model adds across variables — at most one shift a day — is per agent too. What ties
agents together is cover (interval requirements and shift-type demands), and cover is soft: its shortfall
variables can absorb any roster. So a problem is infeasible exactly when some agent has no roster under its
own rules, leave and locks, whatever the others do, and it is explained agent by agent:

1. **Which agents.** Each agent is searched alone by the contract-graph shortest path of the decomposed
   solver (:class:`~wfm.roster.solvers.decomposed.contract_graph.DPPricer`, milliseconds per agent). A
   roster it finds is re-checked by the checker (:func:`wfm.roster.checker.agent_violations`, the executable
   specification), so a rule the graph does not know cannot make an infeasible agent look feasible. An agent
   whose contract graph is too large, or whose path the checker rejects, is decided by a one-agent CP-SAT
   model of every hard rule instead (small: one agent, no cover).
2. **Which rules.** For each infeasible agent (up to ``max_agents``; the rest are counted and named), the
   one-agent model is rebuilt with one assumption literal per rule group (rule × agent, or rule × agent × day
   for rules that hold day by day, such as leave or locks). CP-SAT returns a sufficient set of assumptions; a
   deletion filter then drops every group whose removal keeps the rest infeasible, so the set is minimal
   when the time budget allows (and says so when it does not).

The one-agent CP-SAT model also checks the graph's verdict on every agent it explains: an agent the graph
finds no roster for but CP-SAT solves is counted feasible. When no agent is infeasible the problem is
feasible, and a solver that reported otherwise was wrong (:func:`wfm.roster.solve` then raises
``NoSolutionError``, never ``InfeasibleError``).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from wfm.exceptions import InfeasibleError, NoSolutionError, WfmError
from wfm.roster.checker import agent_violations, calendar
from wfm.roster.models import Assignment, RosterProblem
from wfm.roster.solvers.cpsat import make_cp_solver
from wfm.roster.solvers.decomposed.contract_graph import DPPricer, agent_graph
from wfm.roster.solvers.decomposed.data import FlatProblem, flatten
from wfm.roster.solvers.decomposed.pricing import VariantTable
from wfm.roster.solvers.monolithic.model import RosterModel
from wfm.roster.timeline import Timeline

__all__ = ["Conflict", "Diagnosis", "diagnose", "explain_infeasible", "failure_error"]

_MAX_LISTED = 25  # conflict lines printed in the message (all of them are in ``conflicts``)


@dataclass(frozen=True)
class Conflict:
    """One rule group in a conflicting set: the rule, the agent, the day (for day-level rules) and what it says."""

    rule: str
    agent: str
    day: str | None
    detail: str

    def __str__(self) -> str:
        where = f"agent {self.agent}" + (f", {self.day}" if self.day else "")
        return f"{self.rule} ({where}): {self.detail}"

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Diagnosis:
    """What :func:`diagnose` found.

    Attributes
    ----------
    infeasible:
        Ids of the agents no roster fits (their own rules, leave and locks), in problem order.
    undecided:
        Ids of the agents neither shown feasible nor infeasible within the time budget.
    conflicts:
        The minimal conflicting rule groups of the first ``max_agents`` infeasible agents.
    explained:
        Ids of the infeasible agents whose conflicting set was isolated.
    minimal:
        Whether every isolated set was minimised to the end (False: the budget ran out first).
    seconds:
        Wall-clock time of the diagnosis, seconds.
    """

    infeasible: tuple[str, ...]
    undecided: tuple[str, ...]
    conflicts: tuple[Conflict, ...] = field(default=())
    explained: tuple[str, ...] = field(default=())
    minimal: bool = True
    seconds: float = 0.0

    @property
    def feasible(self) -> bool:
        """True when every agent has a roster alone, which (no hard rule coupling agents) means the problem has one."""
        return not self.infeasible and not self.undecided

    def error(self) -> InfeasibleError | NoSolutionError | None:
        """The error a solver that found no roster should raise: ``InfeasibleError`` naming the agents and the
        rules when some agent is infeasible, ``NoSolutionError`` when none was shown infeasible, ``None`` when
        the problem is feasible."""
        if self.infeasible:
            return self._infeasible_error()
        if self.undecided:
            names = ", ".join(self.undecided[:10]) + (" ..." if len(self.undecided) > 10 else "")
            return NoSolutionError(
                f"no roster found, and no agent was shown infeasible within the explain budget: "
                f"{len(self.undecided)} agent(s) undecided ({names})", field="agents", value=", ".join(self.undecided))
        return None

    def _infeasible_error(self) -> InfeasibleError:
        n = len(self.infeasible)
        shown = ", ".join(self.infeasible[:10]) + (" ..." if n > 10 else "")
        head = (f"no roster satisfies the hard rules: {n} agent(s) have no roster under their own rules, leave "
                f"and locks, whatever the other agents do: {shown}")
        if not self.minimal:
            head += " (a set may not be minimal: time budget reached)"
        lines = [head] + [f"  - {c}" for c in self.conflicts[:_MAX_LISTED]]
        if len(self.conflicts) > _MAX_LISTED:
            lines.append(f"  ... and {len(self.conflicts) - _MAX_LISTED} more rule groups")
        rest = [a for a in self.infeasible if a not in self.explained]
        if rest:
            lines.append(f"  ({len(rest)} more infeasible agent(s) not explained within the budget: "
                         f"{', '.join(rest[:20])}{' ...' if len(rest) > 20 else ''})")
        lines.append("Relax any one rule of an agent's set (or the data behind it) to give that agent a roster.")
        return InfeasibleError("\n".join(lines), conflicts=[c.as_dict() for c in self.conflicts], field="agents",
                               value=", ".join(self.infeasible))


def _detail(problem: RosterProblem, rule: str, agent_id: str) -> str:
    agent = next(a for a in problem.agents if a.id == agent_id)
    c = problem.contract_of(agent)
    base = rule.split("[", 1)[0]
    if base == "max_shifts":
        sid = rule[len("max_shifts["):-1]
        return f"at most {agent.max_shifts.get(sid)} shifts {sid}"
    if base in ("max_tag_per_week", "max_tag_per_horizon"):
        tag = rule[len(base) + 1:-1]
        return f"at most {getattr(c, base).get(tag)} shifts tagged {tag}"
    if base == "leave":
        return "on leave / unavailable"
    if base == "locked":
        return "locked assignment"
    if base == "forbidden_successions":
        pairs = ", ".join(f"{fs.first} -> {fs.second}" for fs in c.forbidden_successions)
        return f"forbidden: {pairs}"
    if base == "allowed_shifts":
        return f"only shifts {c.allowed_shifts}"
    value = getattr(c, base, None)
    return f"{base} = {value} (contract {c.id})" if value is not None else base


# -- step 1: each agent alone ------------------------------------------------------------------------------

def _graph_verdicts(problem: RosterProblem, max_states: int | None) -> list[bool | None]:
    """Per agent: True (a roster fits, checked by the checker), False (the graph has no path), None (ask CP-SAT).

    ``problem`` has no cover (see :func:`_hard_only`): the path then only has to exist, and any will do.
    """
    fp = flatten(problem)
    table = VariantTable(fp)
    zero = np.zeros(max(len(table.keys), 1))
    tl = Timeline(problem)
    shifts = {t.id: t for t in problem.shifts}
    contracts = {c.id: c for c in problem.contracts}
    weekends, weeks = calendar(problem)
    out: list[bool | None] = []
    for a, agent in enumerate(problem.agents):
        pricer = _dp_pricer(fp, table, a, max_states)
        if pricer is None:  # the contract's graph is too large, or a lock lies outside it: CP-SAT decides
            out.append(None)
            continue
        got = pricer.solve(zero, zero.astype(np.int64), hint=None)
        if got is None:
            out.append(False)
            continue
        mine = {}
        for d, s in enumerate(got[0]):
            if s >= 0:
                t = problem.shifts[int(s)]
                mine[d] = Assignment.model_construct(
                    agent=agent.id, date=problem.horizon.date_of(d), shift=t.id, start=tl.shift_start(d, t),
                    end=tl.shift_end(d, t), paid_minutes=t.paid_minutes or 0, tags=list(t.tags),
                    segments=[], breaks=[])  # all fields given: pydantic skips its slow default lookup
        bad = agent_violations(problem, agent, mine, shifts=shifts, contracts=contracts, weekends=weekends,
                               weeks=weeks)
        out.append(None if bad else True)  # a rule the graph does not state: CP-SAT decides
    return out


def _dp_pricer(fp: FlatProblem, table: VariantTable, a: int, max_states: int | None) -> DPPricer | None:
    """Agent ``a``'s shortest-path pricer, or ``None`` where its contract graph does not serve.

    The graph the pricer pool uses (:func:`~wfm.roster.solvers.decomposed.contract_graph.agent_graph`: per
    contract, shift caps and credited leave), without the pool's CP-SAT fallback: that one prices cover, which
    a problem without cover does not have, and :func:`_AgentCore` states every hard rule anyway.
    """
    graph = agent_graph(fp, a, max_states=max_states)
    if not graph.ok:
        return None
    try:
        return DPPricer(fp, a, table, graph)
    except ValueError:  # a lock on a shift the graph does not hold that day (e.g. not offered that weekday)
        return None


def _hard_only(problem: RosterProblem) -> RosterProblem:
    """The problem without its cover (soft, the only tie between agents): the hard rules alone."""
    return problem.model_copy(update={"requirements": [], "shift_demands": []})


def _alone(problem: RosterProblem, a: int) -> RosterProblem:
    """Agent ``a`` alone, without cover or wishes: its hard rules only."""
    agent = problem.agents[a].model_copy(update={"preferences": []})
    return problem.model_copy(update={"agents": [agent], "requirements": [], "shift_demands": []})


class _AgentCore:
    """The one-agent model with an assumption literal per rule group, and its deletion filter."""

    def __init__(self, problem: RosterProblem, seed: int) -> None:
        self.problem = problem
        self.rm = RosterModel(problem, explain=True, symmetry=False)
        self.rm.model.clear_objective()  # a feasibility question: any roster answers it
        self.keys = list(self.rm.guards)
        self.lits = [self.rm.guards[k] for k in self.keys]
        self.seed = seed

    def infeasible(self, subset: list[int], budget: float) -> tuple[bool | None, list[int]]:
        """Whether the rule groups ``subset`` clash (None: undecided) and a sufficient subset of them."""
        m = self.rm.model
        m.clear_assumptions()
        m.add_assumptions([self.lits[i] for i in subset])
        # a single worker returns the assumption core
        solver = make_cp_solver(time_limit_s=max(0.05, budget), workers=1, seed=self.seed)
        status = solver.solve(m)
        if status == cp_model.INFEASIBLE:
            core = list(solver.sufficient_assumptions_for_infeasibility())
            pos = {self.lits[i].index: i for i in subset}
            return True, [pos[c] for c in core if c in pos] or subset
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return False, subset
        return None, subset

    def minimal_set(self, deadline: float) -> tuple[list[Conflict], bool] | None:
        """A conflicting set of rule groups, minimised by deletion until ``deadline`` (perf_counter seconds),
        and whether the minimisation ended; ``None`` if the agent has a roster (no conflict at all)."""
        verdict, core = self.infeasible(list(range(len(self.keys))), deadline - time.perf_counter())
        if verdict is False:
            return None
        if verdict is None:  # undecided in the budget: nothing isolated
            return [], False
        minimal = True
        i = 0
        while i < len(core):
            left = deadline - time.perf_counter()
            if left <= 0:
                minimal = False
                break
            trial = core[:i] + core[i + 1:]
            # a trial takes some 40 ms; the share only keeps one slow trial from taking the whole budget
            res, sub = self.infeasible(trial, max(left / max(1, len(core) - i), min(left, 0.5)))
            if res is True:  # group i is not needed: keep the (possibly smaller) core of the rest
                core = [c for c in trial if c in set(sub)] if set(sub) <= set(trial) else trial
            else:
                minimal = minimal and res is False
                i += 1
        out = []
        for i in sorted(core):
            rule, agent_id, d = self.keys[i]
            day = None if d is None else self.problem.horizon.date_of(d).isoformat()
            out.append(Conflict(rule=rule, agent=agent_id, day=day, detail=_detail(self.problem, rule, agent_id)))
        return out, minimal


def diagnose(problem: RosterProblem, *, time_limit_s: float = 10.0, seed: int = 0, max_agents: int = 20,
             max_states: int | None = None) -> Diagnosis:
    """Which agents have no roster under their own rules, and a minimal set of clashing rules for each.

    Parameters
    ----------
    problem : RosterProblem
        Any roster problem (cover and wishes are ignored: they are soft).
    time_limit_s : float, default 10
        Budget of the CP-SAT checks and the minimisation, seconds (the graph pass, milliseconds per agent,
        always runs to the end: about 3 s at 600 agents × 4 weeks).
    seed : int, default 0
        Random seed of the CP-SAT checks.
    max_agents : int, default 20
        Most infeasible agents whose conflicting set is isolated; the others are named in
        :attr:`Diagnosis.infeasible` only.
    max_states : int, optional
        States on one day beyond which a contract's graph is not built and its agents are decided by CP-SAT
        (default: the decomposed solver's, 40,000; 1 sends every agent to CP-SAT).

    Returns
    -------
    Diagnosis
        ``feasible`` when every agent has a roster alone (then the problem has one).
    """
    t0 = time.perf_counter()
    hard = _hard_only(problem)
    verdicts = _graph_verdicts(hard, max_states)
    deadline = time.perf_counter() + time_limit_s  # the graph pass is not cut short: it is the fast part
    infeasible = {a for a, v in enumerate(verdicts) if v is False}
    unknown = [a for a, v in enumerate(verdicts) if v is None]
    undecided: list[int] = []
    for k, a in enumerate(unknown):  # the agents the graph cannot decide: one-agent CP-SAT
        left = deadline - time.perf_counter()
        if left <= 0:
            undecided += unknown[k:]
            break
        core = _AgentCore(_alone(hard, a), seed)
        verdict, _ = core.infeasible(list(range(len(core.keys))), left / (len(unknown) - k))
        if verdict is True:
            infeasible.add(a)
        elif verdict is None:
            undecided.append(a)
    conflicts: list[Conflict] = []
    explained: list[str] = []
    minimal = True
    todo = sorted(infeasible)[:max_agents]
    for k, a in enumerate(todo):
        left = max(deadline - time.perf_counter(), 0.0)
        found = _AgentCore(_alone(hard, a), seed).minimal_set(time.perf_counter() + left / (len(todo) - k))
        if found is None:  # CP-SAT found a roster the graph missed: the agent is feasible after all
            infeasible.discard(a)
            continue
        sets, done = found
        if sets:
            conflicts += sets
            explained.append(problem.agents[a].id)
        minimal = minimal and done
    return Diagnosis(infeasible=tuple(problem.agents[a].id for a in sorted(infeasible)),
                     undecided=tuple(problem.agents[a].id for a in undecided), conflicts=tuple(conflicts),
                     explained=tuple(explained), minimal=minimal, seconds=time.perf_counter() - t0)


def explain_infeasible(problem: RosterProblem, *, time_limit_s: float = 10.0, seed: int = 0,
                       max_agents: int = 20) -> InfeasibleError | None:
    """The :class:`InfeasibleError` (returned, not raised) naming the agents no roster fits and their rules.

    Parameters
    ----------
    problem : RosterProblem
        A problem a solver found no roster for.
    time_limit_s : float, default 10
        Budget of the CP-SAT checks and of the minimisation of each set, seconds (see :func:`diagnose`).
    seed : int, default 0
        Random seed of the CP-SAT checks.
    max_agents : int, default 20
        Most infeasible agents explained rule by rule (the others are named in the message and ``value``).

    Returns
    -------
    InfeasibleError or None
        ``conflicts`` holds one :class:`Conflict` dict (``rule``, ``agent``, ``day``, ``detail``) per clashing
        rule group, ``value`` the ids of every infeasible agent (comma-separated, bounded in size). ``None``
        when no agent was shown infeasible: then the problem is feasible (or, see :func:`diagnose`, some agent
        was left undecided).
    """
    err = diagnose(problem, time_limit_s=time_limit_s, seed=seed, max_agents=max_agents).error()
    return err if isinstance(err, InfeasibleError) else None


def failure_error(problem: RosterProblem, cause: InfeasibleError | NoSolutionError, *, time_limit_s: float = 10.0,
                  seed: int = 0) -> WfmError:
    """The error a solve that found no roster raises: the one place a claim of infeasibility is decided.

    Parameters
    ----------
    problem : RosterProblem
        The problem the solver found no roster for.
    cause : InfeasibleError or NoSolutionError
        What the solver raised: a stage's claim of infeasibility, or a time-out.
    time_limit_s : float, default 10
        Budget of :func:`diagnose`, seconds.
    seed : int, default 0
        Random seed of its CP-SAT checks.

    Returns
    -------
    WfmError
        ``InfeasibleError`` naming the agents no roster fits and their clashing rules, whatever the cause;
        else, for a time-out, ``cause`` itself; for a claim of infeasibility on a problem where every agent
        has a roster, ``NoSolutionError`` with ``code="solver_fault"`` (the claim is wrong); when agents are
        left undecided, ``NoSolutionError`` naming them.
    """
    found = diagnose(problem, time_limit_s=time_limit_s, seed=seed)
    if found.infeasible or isinstance(cause, NoSolutionError):
        err = found.error()
        return err if isinstance(err, InfeasibleError) else cause
    if found.feasible:
        return NoSolutionError(
            "no roster found, but every agent has a roster under its own rules and no hard rule ties agents "
            "together, so one exists: the solver's claim of infeasibility is wrong (please report it); retry "
            f"with another seed, more time or strategy='monolithic' (the solver said: {cause})",
            code="solver_fault")
    err = found.error()
    assert err is not None  # agents undecided: no proof either way
    return err
