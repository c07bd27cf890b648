"""The budget helper and the CP-SAT factory: named shares, a clock that never promises more than is left."""

from __future__ import annotations

import dataclasses
import time

import pytest

from wfm.roster.solvers.budget import DEFAULT_SHARES, Budget, BudgetShares
from wfm.roster.solvers.cpsat import make_cp_solver


def test_shares_are_named_fractions_and_caps() -> None:
    for f in dataclasses.fields(BudgetShares):
        value = getattr(DEFAULT_SHARES, f.name)
        assert value > 0, f.name
        if not f.name.endswith(("_s", "_safety")):  # seconds, and the reproducible clock's multiple
            assert value <= 1, f"{f.name} is a share of a budget"
    tiny = DEFAULT_SHARES.scaled(0.001)
    assert tiny.plan == pytest.approx(DEFAULT_SHARES.plan / 1000)
    assert tiny.finish_cap_s == pytest.approx(DEFAULT_SHARES.finish_cap_s / 1000)


def test_seconds_take_the_share_capped_and_never_more_than_is_left() -> None:
    budget = Budget(100.0)
    # 15% of 100 s, capped at 9 s
    assert budget.seconds("plan", cap="plan_cap_s") == pytest.approx(9.0)
    assert budget.seconds("columns", of=10.0) == pytest.approx(7.0)
    assert budget.seconds("finish", floor=budget.share("finish_min_s"), cap="finish_cap_s") == pytest.approx(5.0)
    short = Budget(0.2)
    time.sleep(0.05)
    assert short.seconds("columns", of=100.0) <= 0.15 + 1e-3  # 0.2 s less the 0.05 s already gone
    # a reproducible solve's nominal budgets come from the limit, not the clock
    assert short.seconds("columns", of=100.0, nominal=True) == pytest.approx(70.0)
    assert short.sub_deadline(10.0) <= short.deadline


def test_factory_caps_every_search_at_the_deadline() -> None:
    solver = make_cp_solver(time_limit_s=30.0, workers=2, seed=7, deadline=time.perf_counter() + 1.0)
    p = solver.parameters
    assert p.max_time_in_seconds <= 1.0 and p.num_workers == 2 and p.random_seed == 7
    late = make_cp_solver(time_limit_s=30.0, deadline=time.perf_counter() - 5.0)
    assert 0 < late.parameters.max_time_in_seconds <= 0.01
    fixed = make_cp_solver(time_limit_s=2.0, deterministic=True, safety_factor=4.0, linearization_level=2)
    assert fixed.parameters.max_deterministic_time == pytest.approx(2.0)
    assert fixed.parameters.max_time_in_seconds == pytest.approx(8.0)
    assert fixed.parameters.linearization_level == 2
