"""The registry's rules in combination, and by hypothesis, on both solve paths, each roster through the checker;
and the contract graph's feasibility agreeing with CP-SAT's on one agent."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wfm.exceptions import InfeasibleError
from wfm.roster import (
    Agent,
    Contract,
    ForbiddenSuccession,
    Horizon,
    Requirement,
    RosterProblem,
    ShiftRef,
    ShiftTemplate,
    solve,
)
from wfm.roster.solvers.decomposed import pricing as C
from wfm.roster.solvers.decomposed.contract_graph import PricerPool
from wfm.roster.solvers.decomposed.data import flatten
from wfm.roster.solvers.options import SolveOptions

from .rosterkit import MONDAY, PATHS, solve_path, worked

SHIFTS = [ShiftTemplate(id="E", start=dt.time(6), length_minutes=480, tags=["early"]),
          ShiftTemplate(id="L", start=dt.time(14), length_minutes=480, tags=["late"]),
          ShiftTemplate(id="S", start=dt.time(9), length_minutes=300, tags=["short"])]


def _problem(days: int, contract: Contract, agents: list[Agent], week_start: int | None = None,
             need: float = 1.0) -> RosterProblem:
    reqs = [Requirement(day=d, interval=t, agents=need) for d in range(days) for t in (16, 22, 36)]
    return RosterProblem(horizon=Horizon(start=MONDAY, days=days, week_start=week_start), shifts=SHIFTS,
                         contracts=[contract], agents=agents, requirements=reqs)


@pytest.mark.parametrize("path", PATHS)
def test_new_and_old_rules_together(path: str) -> None:
    contract = Contract(
        id="C", min_paid_minutes_per_week=4 * 480, max_paid_minutes_per_week=5 * 480, max_working_days_per_week=5,
        min_working_days_per_week=4, min_consecutive_days_off_in_week=2, max_consecutive_working_days=5,
        min_rest_hours=11, max_tag_per_week={"late": 3}, max_weekends_per_4_weeks=1, leave_credit_minutes=480,
        leave_counts_as_working_day=True, forbidden_successions=[
            ForbiddenSuccession(first=ShiftRef(tag="late"), second=ShiftRef(tag="early"))])
    leave = [MONDAY + dt.timedelta(days=d) for d in (8, 9, 10)]  # Tue-Thu of the first Sunday week
    agents = [Agent(id=f"a{i}", contract="C", leave=leave if i == 0 else []) for i in range(3)]
    p = _problem(20, contract, agents, week_start=6, need=2.0)
    sol = solve_path(p, path, time_limit_s=3.0)
    w = worked(sol, "a0")
    assert not {8, 9, 10} & set(w)
    assert sum(6 <= d <= 12 for d in w) >= 1  # 3 credited leave days + at least 1 worked reach the 4 days


@st.composite
def contracts(draw) -> Contract:  # noqa: ANN001
    maybe = st.none()
    return Contract(
        id="C",
        min_paid_minutes_per_week=draw(maybe | st.sampled_from([480, 960])),
        max_paid_minutes_per_week=draw(maybe | st.sampled_from([1920, 2400])),
        max_working_days_per_week=draw(maybe | st.integers(4, 6)),
        min_working_days_per_week=draw(maybe | st.integers(1, 3)),
        min_days_off_per_week=draw(maybe | st.integers(1, 2)),
        min_consecutive_days_off_in_week=draw(maybe | st.integers(1, 2)),
        max_consecutive_working_days=draw(maybe | st.integers(3, 6)),
        min_consecutive_working_days=draw(maybe | st.integers(1, 2)),
        min_consecutive_days_off=draw(maybe | st.integers(1, 2)),
        min_rest_hours=draw(maybe | st.sampled_from([11.0])),
        max_tag_per_week=draw(st.sampled_from([{}, {"late": 2}])),
        max_weekends=draw(maybe | st.integers(1, 2)),
        leave_credit_minutes=draw(st.sampled_from([0, 480])),
        leave_counts_as_working_day=draw(st.booleans()))


@st.composite
def problems(draw) -> RosterProblem:  # noqa: ANN001
    days = draw(st.integers(7, 14))
    agents = [Agent(id=f"a{i}", contract="C",
                    leave=[MONDAY + dt.timedelta(days=d)
                           for d in sorted(set(draw(st.lists(st.integers(0, days - 1), max_size=3))))])
              for i in range(draw(st.integers(1, 3)))]
    return _problem(days, draw(contracts()), agents, week_start=draw(st.none() | st.integers(0, 6)))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_generated_contracts_on_both_paths(problem: RosterProblem) -> None:
    """Both paths return a checker-valid roster, or both prove the problem infeasible."""
    outcome = {}
    for path in PATHS:
        try:
            solve_path(problem, path)
            outcome[path] = "roster"
        except InfeasibleError:
            outcome[path] = "infeasible"
    assert outcome["monolithic"] == outcome["decomposed"], outcome


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.integers(0, 2**31 - 1))
def test_contract_graph_feasibility_agrees_with_cp_sat(problem: RosterProblem, seed: int) -> None:
    fp = flatten(problem)
    table = C.VariantTable(fp)
    values = np.random.default_rng(seed).integers(-10, 5, size=len(table.keys)).astype(float)
    variants = np.zeros(len(table.keys), dtype=np.int64)
    for a in range(fp.n_agents):
        dp = PricerPool(fp, table, method="dp")[a].solve(values, variants)
        cp = C.AgentPricer(fp, a, table).solve(values, variants, hint=None, time_limit_s=20.0, seed=0)
        assert (dp is None) == (cp is None)
        if dp is not None:
            assert dp[2] == pytest.approx(cp[2]) or not PricerPool(fp, table)[a].exact


def test_infeasible_is_infeasible_on_both_paths() -> None:
    # five working days a week but at most four: no roster on either path
    c = Contract(id="C", min_working_days_per_week=5, max_working_days_per_week=4)
    p = _problem(7, c, [Agent(id="a0", contract="C")])
    for path in PATHS:
        with pytest.raises(InfeasibleError):
            solve(p, strategy=path, explain_time_s=2,
                  options=SolveOptions(time_limit_s=2, workers=1, seed=0, reproducible=True))
