"""The simulator against the stationary formulas (within simulation error), and its own bookkeeping."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.erlang import abandon_rate, asa, occupancy, service_level
from wfm.erlang.simulation import simulate_calls, simulate_queue, summarize_calls


def _steady(out: pd.DataFrame, warm: int = 2) -> pd.DataFrame:
    return out.iloc[warm:]


def test_golden_values_for_a_seed() -> None:
    a = simulate_queue([100, 120, 80], agents=[14, 16, 12], aht=180, seed=7)
    b = simulate_queue([100, 120, 80], agents=[14, 16, 12], aht=180, seed=7)
    pd.testing.assert_frame_equal(a, b)
    c = simulate_queue([100, 120, 80], agents=[14, 16, 12], aht=180, seed=8)
    assert not a.equals(c)
    assert a.offered.tolist() == np.random.default_rng(7).poisson([100, 120, 80]).tolist()


def test_erlang_c_agrees_with_simulation() -> None:
    # 10 Erlangs, 13 agents, exponential service: ~36,000 calls; batch means over intervals give the error.
    calls, aht, n = 200.0, 90.0, 13
    out = _steady(simulate_queue(np.full(180, calls), n, aht, answer_seconds=20, seed=11))
    sl = out.answered_within / out.offered
    se = sl.std() / np.sqrt(len(sl))
    assert abs(sl.mean() - service_level(calls, aht, n)) < 4 * se + 0.01
    w = (out.mean_wait * out.answered).sum() / out.answered.sum()
    assert abs(w - asa(calls, aht, n)) < 0.15 * asa(calls, aht, n)
    assert abs(out.occupancy.mean() - occupancy(calls, aht, n)) < 0.01
    assert out.abandoned.sum() == 0 and out.unserved.sum() == 0


def test_erlang_a_agrees_with_simulation() -> None:
    calls, aht, n, patience = 200.0, 90.0, 9, 60.0
    out = _steady(simulate_queue(np.full(180, calls), n, aht, answer_seconds=20, patience_seconds=patience,
                                 seed=5))
    tot = out.offered.sum()
    sl = out.answered_within.sum() / tot
    ab = out.abandoned.sum() / tot
    assert abs(sl - service_level(calls, aht, n, patience_seconds=patience)) < 0.015
    assert abs(ab - abandon_rate(calls, aht, n, patience_seconds=patience)) < 0.01
    w = (out.mean_wait * out.answered).sum() / out.answered.sum()
    assert abs(w - asa(calls, aht, n, patience_seconds=patience)) < 0.08 * asa(calls, aht, n,
                                                                                patience_seconds=patience)
    assert abs(out.occupancy.mean() - occupancy(calls, aht, n, patience_seconds=patience)) < 0.01


def test_lognormal_service_keeps_the_mean_handle_time() -> None:
    rec = simulate_calls(np.full(40, 300.0), 20, 120, service="lognormal", service_cv=0.6, seed=3)
    h = rec.handle_seconds.dropna()
    assert abs(h.mean() - 120) < 3
    assert abs(h.std() / h.mean() - 0.6) < 0.05


def test_time_varying_staffing_and_draining() -> None:
    calls = np.array([0, 50, 400, 50, 0.0])
    agents = np.array([0, 5, 5, 60, 0])
    rec = simulate_calls(calls, agents, 180, seed=2)
    out = summarize_calls(rec, agents, n_intervals=5)
    assert out.offered.sum() == len(rec)
    assert (out.answered + out.abandoned + out.unserved == out.offered).all()
    # The overload of interval 2 is worked off by the 60 agents of interval 3, nobody is left over.
    assert out.unserved.sum() == 0 and out.answered.sum() == len(rec)
    assert np.isnan(out.occupancy.iloc[0]) and out.occupancy.iloc[2] > 0.99
    # Agents never serve more calls at once than are staffed, so occupancy never exceeds 1.
    assert (out.occupancy.dropna() <= 1 + 1e-12).all()


def test_no_agents_at_the_end_leaves_callers_unserved() -> None:
    rec = simulate_calls([30.0], 0, 180, seed=1)
    assert rec.unserved.all() and not rec.answered.any()
    rec = simulate_calls([30.0], 0, 180, patience_seconds=60, seed=1)
    assert rec.abandoned.all()
