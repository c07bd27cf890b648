"""Infeasible large problems are explained by the one agent whose own rules clash, minimally."""

from __future__ import annotations

import datetime as dt

import pytest

from wfm.exceptions import InfeasibleError
from wfm.roster import solve
from wfm.roster.explain import explain_infeasible
from wfm.roster.instances import call_centre_instance
from wfm.roster.models import LockedAssignment


def _with_overloaded_part_timer(n_agents: int):  # noqa: ANN202
    problem = call_centre_instance(n_agents, weeks=2, seed=0, source="synthetic")
    i, agent = next((i, a) for i, a in enumerate(problem.agents) if a.contract == "PT")
    # five 8-hour day shifts in one week: 40 h against the part-time maximum of 30 h
    locks = [LockedAssignment(date=problem.horizon.start + dt.timedelta(days=d), shift="D1000")
             for d in (7, 8, 9, 10, 11)]
    agents = list(problem.agents)
    agents[i] = agent.model_copy(update={"locked": locks, "leave": [], "preferences": []})
    return problem.model_copy(update={"agents": agents}), agent.id


@pytest.mark.slow
def test_decomposed_solve_names_the_one_agent_and_a_minimal_set() -> None:
    problem, culprit = _with_overloaded_part_timer(40)
    with pytest.raises(InfeasibleError) as info:
        solve(problem, time_limit_s=20, workers=1, seed=0)
    conflicts = info.value.conflicts
    assert {c["agent"] for c in conflicts} == {culprit}
    rules = {c["rule"] for c in conflicts}
    assert "max_paid_minutes_per_week" in rules and "locked" in rules
    # 40 h locked vs 30 h allowed: any four of the five locks (32 h) already clash, so four locks + the cap
    assert len(conflicts) == 5
    assert "whatever the other agents do" in str(info.value)
    assert "may not be minimal" not in str(info.value)


def test_no_lone_agent_clash_falls_back_to_the_whole_model_and_invents_nothing() -> None:
    problem, _ = _with_overloaded_part_timer(10)
    # without the locks no agent is infeasible alone: the whole model is searched, finds a roster, and the
    # report names no conflict
    fine = problem.model_copy(update={"agents": [a.model_copy(update={"locked": []}) for a in problem.agents]})
    err = explain_infeasible(fine, time_limit_s=5)
    assert err.conflicts == []
    assert "no conflicting set was isolated" in str(err)
