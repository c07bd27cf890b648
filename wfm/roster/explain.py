"""Explain an infeasible roster problem: which rules, agents and days clash.

The model is rebuilt with one assumption literal per rule group (rule × agent, or rule × agent × day for rules
that hold day by day, such as leave or locked assignments). CP-SAT returns a sufficient set of assumptions
for infeasibility; a deletion filter then drops every group whose removal keeps the rest infeasible, within a
time budget, so the report is a minimal (or near-minimal) conflicting set.

On a large problem (150 agents × 4 weeks has some 12,000 rule groups) the whole model is too big for the
deletion filter to finish in seconds. Most infeasible inputs are one agent's own rules clashing (a lock on a
seventh day in a row, leave against a minimum of hours), and such a clash holds whatever the others do, so
each agent is first checked alone (no cover, a small model each, the agents with leave or locks first); the
first agent found infeasible is explained on its own, which is fast and minimal.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from ortools.sat.python import cp_model

from wfm.exceptions import InfeasibleError
from wfm.roster.models import RosterProblem
from wfm.roster.solvers.cpsat import make_cp_solver
from wfm.roster.solvers.monolithic.model import RosterModel

__all__ = ["Conflict", "explain_infeasible"]


@dataclass(frozen=True)
class Conflict:
    """One rule group in a conflicting set."""

    rule: str
    agent: str
    day: str | None
    detail: str

    def __str__(self) -> str:
        where = f"agent {self.agent}" + (f", {self.day}" if self.day else "")
        return f"{self.rule} ({where}): {self.detail}"

    def as_dict(self) -> dict:
        return asdict(self)


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


_ALONE_FROM = 8  # agents from which each is first checked alone (below, the whole model is small anyway)


def _lone_agent(problem: RosterProblem, *, deadline: float, seed: int) -> RosterProblem | None:
    """A one-agent problem of the first agent whose own rules admit no roster, or ``None``.

    The agents with leave or locks are checked first: their data is where a clash usually is.
    """
    order = sorted(problem.agents, key=lambda a: -(len(a.locked) + len(a.leave) + len(a.max_shifts)))
    for agent in order:
        if time.perf_counter() > deadline:
            return None
        sub = problem.model_copy(update={"agents": [agent], "requirements": [], "shift_demands": []})
        solver = make_cp_solver(time_limit_s=max(0.05, min(1.0, deadline - time.perf_counter())), seed=seed)
        if solver.solve(RosterModel(sub, symmetry=False).model) == cp_model.INFEASIBLE:
            return sub
    return None


def explain_infeasible(problem: RosterProblem, *, time_limit_s: float = 10.0, seed: int = 0) -> InfeasibleError:
    """Find a small set of clashing rule groups and return (not raise) the :class:`InfeasibleError`.

    Parameters
    ----------
    problem : RosterProblem
        A problem the solver proved infeasible.
    time_limit_s : float, default 10
        Total time budget of the search for a conflict and its minimisation, seconds.
    seed : int, default 0
        Random seed of the sub-solves.

    Returns
    -------
    InfeasibleError
        ``message`` lists the clashing rules; ``conflicts`` holds :class:`Conflict` dicts
        (``rule``, ``agent``, ``day``, ``detail``).
    """
    t0 = time.perf_counter()
    t_end = t0 + time_limit_s
    alone = _lone_agent(problem, deadline=t0 + 0.5 * time_limit_s, seed=seed) \
        if len(problem.agents) >= _ALONE_FROM else None
    if alone is not None:
        problem = alone
    rm = RosterModel(problem, explain=True)
    keys = list(rm.guards)
    lits = [rm.guards[k] for k in keys]

    def infeasible(subset: list[int], budget: float) -> tuple[bool | None, list[int]]:
        rm.model.clear_assumptions()
        rm.model.add_assumptions([lits[i] for i in subset])
        # a single worker returns the assumption core
        solver = make_cp_solver(time_limit_s=max(0.05, budget), workers=1, seed=seed)
        status = solver.solve(rm.model)
        if status == cp_model.INFEASIBLE:
            core = list(solver.sufficient_assumptions_for_infeasibility())
            pos = {lits[i].index: i for i in subset}
            return True, [pos[c] for c in core if c in pos] or subset
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return False, subset
        return None, subset

    verdict, core = infeasible(list(range(len(keys))), t_end - time.perf_counter())
    minimal = verdict is True
    if verdict is True:
        # deletion filter: drop a group whenever the others still clash
        i = 0
        while i < len(core) and time.perf_counter() < t_end:
            trial = core[:i] + core[i + 1:]
            left = (t_end - time.perf_counter()) / max(1, len(core) - i)
            res, sub = infeasible(trial, left)
            if res is True:
                core = [c for c in trial if c in set(sub)] if set(sub) <= set(trial) else trial
            else:
                minimal = minimal and res is False
                i += 1
        minimal = minimal and i >= len(core)
    conflicts = []
    for i in sorted(core):
        rule, agent_id, d = keys[i]
        day = None if d is None else problem.horizon.date_of(d).isoformat()
        conflicts.append(Conflict(rule=rule, agent=agent_id, day=day, detail=_detail(problem, rule, agent_id)))
    if verdict is not True:
        head = ("the hard rules admit no roster (proved), but no conflicting set was isolated within "
                f"{time_limit_s:g} s")
        conflicts = []
    elif not conflicts:
        head = "the hard rules admit no roster: the shift templates' weekdays leave no valid assignment"
    else:
        agents = sorted({c.agent for c in conflicts})
        head = (f"no roster satisfies the hard rules: {len(conflicts)} rule group(s) clash for agent(s) "
                f"{', '.join(agents[:10])}{' ...' if len(agents) > 10 else ''}"
                f"{' (their own rules, whatever the other agents do)' if alone is not None else ''}"
                f"{'' if minimal else ' (set may not be minimal: time budget reached)'}")
    lines = [head] + [f"  - {c}" for c in conflicts[:25]]
    if len(conflicts) > 25:
        lines.append(f"  ... and {len(conflicts) - 25} more")
    if conflicts:
        lines.append("Relax any one of these rules (or the data behind it) to make the problem feasible.")
    return InfeasibleError("\n".join(lines), conflicts=[c.as_dict() for c in conflicts])
