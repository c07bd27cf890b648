"""The dynamic-programming pricer against the one-agent CP-SAT model it replaces: the same optimum under
every contract rule, on generated contracts and on the bank call-centre instance."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from wfm.roster import (
    Agent,
    Contract,
    ForbiddenSuccession,
    Horizon,
    LockedAssignment,
    ObjectiveWeights,
    Preference,
    Requirement,
    RosterProblem,
    ShiftRef,
    ShiftTemplate,
)
from wfm.roster.instances import call_centre_instance
from wfm.roster.solvers.decomposed import pricing as C
from wfm.roster.solvers.decomposed.agent_model import agent_personal_cost
from wfm.roster.solvers.decomposed.contract_graph import DPPricer, PricerPool
from wfm.roster.solvers.decomposed.data import flatten

from .rosterkit import MONDAY

SHIFTS = [ShiftTemplate(id="E", start=dt.time(6), length_minutes=480, tags=["early"]),
          ShiftTemplate(id="E7", start=dt.time(7), length_minutes=360, tags=["early", "short"]),
          ShiftTemplate(id="L", start=dt.time(14), length_minutes=480, tags=["late"]),
          ShiftTemplate(id="N", start=dt.time(22), length_minutes=600, tags=["night"], weekdays=[0, 1, 2, 3, 4])]


@st.composite
def contracts(draw) -> Contract:  # noqa: ANN001
    """A contract drawing every rule the stage-2 model states, each present or not."""
    maybe = st.none()
    return Contract(
        id="C",
        min_paid_minutes_per_week=draw(maybe | st.sampled_from([480, 960, 1440])),
        max_paid_minutes_per_week=draw(maybe | st.sampled_from([1440, 1920, 2400])),
        min_paid_minutes=draw(maybe | st.sampled_from([960, 1920])),
        max_paid_minutes=draw(maybe | st.sampled_from([2880, 4800])),
        max_working_days_per_week=draw(maybe | st.integers(2, 6)),
        min_days_off_per_week=draw(maybe | st.integers(1, 3)),
        max_consecutive_working_days=draw(maybe | st.integers(2, 6)),
        min_consecutive_working_days=draw(maybe | st.integers(1, 3)),
        min_consecutive_days_off=draw(maybe | st.integers(1, 3)),
        min_rest_hours=draw(maybe | st.sampled_from([8.0, 11.0, 16.0])),
        max_tag_per_week=draw(st.sampled_from([{}, {"late": 2}, {"early": 3, "night": 1}])),
        max_tag_per_horizon=draw(st.sampled_from([{}, {"late": 3}, {"short": 2}])),
        forbidden_successions=draw(st.sampled_from(
            [[], [ForbiddenSuccession(first=ShiftRef(tag="late"), second=ShiftRef(tag="early"))],
             [ForbiddenSuccession(first=ShiftRef(shift="N"), second=ShiftRef(shift="E7"))]])),
        max_weekends=draw(maybe | st.integers(0, 2)),
        max_weekends_per_4_weeks=draw(maybe | st.integers(0, 3)),
        allowed_shifts=draw(st.sampled_from([None, ["E", "L"], ["E", "E7", "N"]])),
        shift_start_consistency=draw(st.booleans()),
        exempt_edge_runs=draw(st.booleans()),
        min_working_days_per_week=draw(maybe | st.integers(1, 5)),
        min_consecutive_days_off_in_week=draw(maybe | st.integers(1, 3)),
        leave_credit_minutes=draw(st.sampled_from([0, 240, 480])),
        leave_counts_as_working_day=draw(st.booleans()))


@st.composite
def problems(draw) -> RosterProblem:  # noqa: ANN001
    days = draw(st.integers(5, 16))
    contract = draw(contracts())
    sids = [s.id for s in SHIFTS]
    agents = []
    for i in range(draw(st.integers(1, 3))):
        leave = sorted(set(draw(st.lists(st.integers(0, days - 1), max_size=3))))
        locked = []
        if draw(st.booleans()):
            d = draw(st.integers(0, days - 1))
            if d not in leave:
                locked.append(LockedAssignment(date=MONDAY + dt.timedelta(days=d),
                                               shift=draw(st.none() | st.sampled_from(["E", "L"]))))
        prefs = [Preference(date=MONDAY + dt.timedelta(days=draw(st.integers(0, days - 1))),
                            shift=draw(st.none() | st.sampled_from(sids)), kind=draw(st.sampled_from(["on", "off"])),
                            weight=draw(st.integers(1, 3)))
                 for _ in range(draw(st.integers(0, 3)))]
        caps = draw(st.sampled_from([{}, {"L": 2}, {"E": 1, "N": 0}]))
        agents.append(Agent(id=f"a{i}", contract="C", leave=[MONDAY + dt.timedelta(days=d) for d in leave],
                            locked=locked, preferences=prefs, max_shifts=caps))
    # the values come from the test: requirements only need every shift to cover some interval
    reqs = [Requirement(day=d, interval=t, agents=1) for d in range(days) for t in (16, 30, 46)]
    week_start = draw(st.none() | st.integers(0, 6))
    return RosterProblem(horizon=Horizon(start=MONDAY, days=days, week_start=week_start), shifts=SHIFTS,
                         contracts=[contract],
                         agents=agents, requirements=reqs, weekend_days=draw(st.sampled_from([[5, 6], [4, 5]])),
                         weights=ObjectiveWeights(start_consistency=draw(st.sampled_from([0.0, 2.0]))))


def _both(fp, a: int, key_value: np.ndarray):  # noqa: ANN202
    table = C.VariantTable(fp)
    key_variant = np.zeros(len(table.keys), dtype=np.int64)
    dp = PricerPool(fp, table)[a]
    cp = C.AgentPricer(fp, a, table)
    return (dp, dp.solve(key_value, key_variant), cp.solve(key_value, key_variant, hint=None, time_limit_s=20.0,
                                                            seed=0))


def _true_cost(fp, table: C.VariantTable, a: int, key_value: np.ndarray, row: np.ndarray) -> float:
    keys = [table.key_index[d, int(s)] for d, s in enumerate(row) if s >= 0]
    return float(key_value[keys].sum()) + agent_personal_cost(fp, a, row)


@pytest.mark.slow
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.integers(0, 2**31 - 1))
def test_dynamic_programming_finds_the_cp_sat_optimum(problem: RosterProblem, value_seed: int) -> None:
    fp = flatten(problem)
    table = C.VariantTable(fp)
    rng = np.random.default_rng(value_seed)
    for a in range(fp.n_agents):
        key_value = rng.integers(-12, 6, size=len(table.keys)).astype(float)
        dp, got, ref = _both(fp, a, key_value)
        assert isinstance(dp, DPPricer)  # every rule of the generator is in the graph
        event("infeasible agent" if ref is None else "exact" if dp.exact else "start consistency")
        if ref is None:
            assert got is None, "CP-SAT proved no roster, the graph found one"
            continue
        assert got is not None, "the graph found no roster where CP-SAT did"
        row = got[0]
        assert got[2] == pytest.approx(_true_cost(fp, table, a, key_value, row))
        if dp.exact:
            assert got[2] == pytest.approx(ref[2])
        else:  # start consistency is outside the graph: a bound below the optimum, a roster at or above it
            assert got[3] <= ref[2] + 1e-9 <= got[2] + 2e-9


@pytest.fixture(scope="module")
def bank() -> RosterProblem:
    return call_centre_instance(40, weeks=2, seed=3)


def test_every_bank_agent_priced_exactly_and_checker_valid(bank: RosterProblem) -> None:
    """On the bank instance (leave, locks, wishes, two contracts and their leave variants) the graph's
    roster is the CP-SAT optimum, and a roster of every agent's best response passes the checker's rules."""
    problem = bank.model_copy(update={"weights": bank.weights.model_copy(update={"start_consistency": 0.0})})
    fp = flatten(problem)
    table = C.VariantTable(fp)
    rng = np.random.default_rng(0)
    value = rng.normal(0, 30, size=len(fp.required))
    key_value, key_variant = table.best(value)
    key_value = np.round(key_value)
    pool = PricerPool(fp, table)
    for a in range(fp.n_agents):
        got = pool[a].solve(key_value, key_variant)
        ref = C.AgentPricer(fp, a, table).solve(key_value, key_variant, hint=None, time_limit_s=20.0, seed=0)
        assert isinstance(pool[a], DPPricer)
        assert got[2] == pytest.approx(ref[2]), fp.problem.agents[a].id


@pytest.mark.slow
def test_sweeps_with_either_pricer_give_valid_rosters(bank: RosterProblem) -> None:
    from wfm.roster import solve_decomposed
    from wfm.roster.checker import check

    sol = solve_decomposed(bank, time_limit_s=8, workers=1, seed=0)
    assert check(bank, sol).ok


def _fair_cost(fp, table: C.VariantTable, a: int, key_value: np.ndarray, row: np.ndarray,  # noqa: ANN001
               others: dict[str, tuple[int, int]]) -> float:
    """The agent's true cost with the spread of each tag at weight 60, counted from the roster."""
    spread = 0.0
    for tag, (top, bottom) in others.items():
        c = sum(1 for d, s in enumerate(row) if s >= 0 and C.counts_for(fp, tag, d, int(s)))
        spread += 60.0 * (max(top, c) - min(bottom, c))
    return _true_cost(fp, table, a, key_value, row) + spread


def test_fairness_is_priced_by_the_graph_with_a_valid_bound(bank: RosterProblem) -> None:
    """With fairness weighted the graph prices each tag's spread by slopes: its bound never exceeds the
    one-agent CP-SAT optimum (which prices the spread exactly), its roster's reported cost is that roster's
    true cost, and the roster is never dearer than the path that ignores fairness."""
    weights = bank.weights.model_copy(update={"fairness": 60.0, "fairness_tags": ["late", "weekend"],
                                              "start_consistency": 0.0})
    fp = flatten(bank.model_copy(update={"weights": weights}))
    table = C.VariantTable(fp)
    pool = PricerPool(fp, table)
    assert pool.uses_dp
    members = C.fairness_members(fp)
    rng = np.random.default_rng(1)
    moved = 0
    for a in range(0, fp.n_agents, 3):
        key_value, key_variant = table.best(rng.normal(-10, 30, size=len(fp.required)))
        key_value = np.round(key_value)
        # others' counts: a narrow band the agent's unpriced best roster tends to leave
        others = {t: (int(rng.integers(1, 4)), 0) for t, m in members.items() if a in m and len(m) >= 2}
        dp = pool[a]
        assert isinstance(dp, DPPricer)
        got = dp.solve(key_value, key_variant, others=others)
        ref = C.AgentPricer(fp, a, table).solve(key_value, key_variant, hint=None, time_limit_s=20.0, seed=0,
                                                others=others)
        plain = dp.solve(key_value, key_variant)
        assert got is not None and ref is not None and plain is not None

        mine, unpriced = (_fair_cost(fp, table, a, key_value, r, others) for r in (got[0], plain[0]))
        assert got[2] == pytest.approx(mine)
        assert got[3] <= ref[2] + 1e-6 <= got[2] + 2e-6
        assert got[2] <= unpriced + 1e-9
        moved += got[2] < unpriced - 1e-9
    assert moved > 0  # the slopes changed some agent's roster


def test_pricer_pool_rejects_an_unknown_method(bank: RosterProblem) -> None:
    fp = flatten(bank)
    with pytest.raises(ValueError, match="method"):
        PricerPool(fp, C.VariantTable(fp), method="labels")


def test_a_contract_graph_too_large_keeps_the_cp_sat_pricer(bank: RosterProblem) -> None:
    fp = flatten(bank)
    table = C.VariantTable(fp)
    pool = PricerPool(fp, table, max_states=5)
    assert isinstance(pool[0], C.AgentPricer)
    assert not any(g.ok for g in fp.graphs.values())
    key_value, key_variant = table.best(np.zeros(len(fp.required)))
    assert pool[0].solve(key_value, key_variant, hint=None, time_limit_s=5.0, seed=0) is not None
