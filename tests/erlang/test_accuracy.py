"""Accuracy against arbitrary precision (mpmath): Erlang B, C, service level and Erlang A to 1e-9 absolute."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from wfm.erlang import abandon_rate, asa, service_level
from wfm.erlang import erlang_b as wb
from wfm.erlang import erlang_c as wc
from wfm.erlang._mp_reference import asa_c, erlang_a, erlang_b, erlang_c, service_level_c

TOL = 1e-9
TRAFFIC = [0.01, 0.37, 1.0, 7.5, 42.0, 170.5, 999.0, 5000.0, 9999.5, 10000.0]
AGENTS = [1, 2, 5, 10, 31, 100, 171, 172, 200, 500, 1000, 1050, 2000, 5000, 5120, 9000, 9990, 10000, 10001,
          10050, 10300, 12000, 20000]
GRID = list(itertools.product(TRAFFIC, AGENTS))


@pytest.fixture(scope="module")
def grid_arrays() -> tuple[np.ndarray, np.ndarray]:
    a, n = np.array(GRID, dtype=float).T
    return a, n


def test_erlang_b_grid(grid_arrays: tuple[np.ndarray, np.ndarray]) -> None:
    a, n = grid_arrays
    got = wb(a, n)
    ref = np.array([float(erlang_b(x, int(k))) for x, k in GRID])
    assert np.isfinite(got).all()
    assert np.max(np.abs(got - ref)) < TOL


def test_erlang_c_grid(grid_arrays: tuple[np.ndarray, np.ndarray]) -> None:
    a, n = grid_arrays
    got = wc(a, n)
    ref = np.array([float(erlang_c(x, int(k))) for x, k in GRID])
    assert np.max(np.abs(got - ref)) < TOL


@pytest.mark.parametrize("t_over_aht", [0.0, 20 / 180, 1.0])
def test_service_level_and_asa_grid(grid_arrays: tuple[np.ndarray, np.ndarray], t_over_aht: float) -> None:
    a, n = grid_arrays
    aht, interval = 180.0, 1800.0
    calls = a * interval / aht
    got = service_level(calls, aht, n, answer_seconds=t_over_aht * aht, interval_seconds=interval)
    ref = np.array([float(service_level_c(x, int(k), t_over_aht)) for x, k in GRID])
    assert np.max(np.abs(got - ref)) < TOL
    stable = n > a
    w = asa(calls, aht, n, interval_seconds=interval)
    assert np.isinf(w[~stable]).all()
    ref_w = np.array([float(asa_c(x, int(k))) * aht for (x, k), s in zip(GRID, stable, strict=True) if s])
    # ASA is in seconds and can be large; compare relatively, to 1e-9.
    assert np.max(np.abs(w[stable] - ref_w) / np.maximum(ref_w, 1.0)) < TOL


ERLANG_A_SL_CASES = [
    # (traffic, agents, patience / aht, answer / aht)
    (0.05, 1, 0.5, 0.1), (0.8, 1, 3.0, 0.2), (5.0, 4, 1.0, 0.1), (5.0, 7, 0.3, 0.5), (50.0, 45, 2.0, 0.1),
    (50.0, 60, 0.2, 0.1), (120.0, 110, 3.0, 0.11), (120.0, 135, 1.0, 0.05), (20.0, 2, 0.5, 0.2),
]
ERLANG_A_BIG_CASES = [(1000.0, 990, 2.0), (1000.0, 1040, 0.5), (5000.0, 5000, 2.0), (5000.0, 4000, 1.0),
                      (9999.5, 10100, 3.0), (0.01, 3, 1.0)]


@pytest.mark.parametrize(("a", "n", "r", "t"), ERLANG_A_SL_CASES)
def test_erlang_a_against_birth_death(a: float, n: int, r: float, t: float) -> None:
    aht, interval = 100.0, 1800.0
    calls = a * interval / aht
    ref = erlang_a(a, n, r, t)
    sl = service_level(calls, aht, n, answer_seconds=t * aht, interval_seconds=interval,
                       patience_seconds=r * aht)
    ab = abandon_rate(calls, aht, n, patience_seconds=r * aht, interval_seconds=interval)
    w = asa(calls, aht, n, interval_seconds=interval, patience_seconds=r * aht)
    assert abs(sl - float(ref["sl"])) < TOL
    assert abs(ab - float(ref["p_ab"])) < TOL
    assert abs(w / aht - float(ref["asa"])) < TOL * max(1.0, float(ref["asa"]))


@pytest.mark.parametrize(("a", "n", "r"), ERLANG_A_BIG_CASES)
def test_erlang_a_large_centres(a: float, n: int, r: float) -> None:
    aht, interval = 300.0, 900.0
    calls = a * interval / aht
    ref = erlang_a(a, n, r, 0.0, with_sl=False)
    ab = abandon_rate(calls, aht, n, patience_seconds=r * aht, interval_seconds=interval)
    # answer_seconds = 0: answered without waiting = 1 - P(wait > 0).
    sl0 = service_level(calls, aht, n, answer_seconds=0, interval_seconds=interval, patience_seconds=r * aht)
    w = asa(calls, aht, n, interval_seconds=interval, patience_seconds=r * aht)
    assert abs(ab - float(ref["p_ab"])) < TOL
    assert abs(sl0 - (1 - float(ref["p_wait"]))) < TOL
    assert abs(w / aht - float(ref["asa"])) < TOL * max(1.0, float(ref["asa"]))


def test_extreme_arguments_stay_finite_without_warnings() -> None:
    a = np.array([1e-6, 0.01, 10_000.0, 10_000.0, 10_000.0, 20_000.0])
    n = np.array([20_000, 1, 1, 100, 20_000, 20_000])
    for f in (wb, wc):
        out = f(a, n)
        assert np.isfinite(out).all() and ((out >= 0) & (out <= 1)).all()
    sl = service_level(a * 1800 / 300, 300, n, patience_seconds=60)
    assert np.isfinite(sl).all() and ((sl >= 0) & (sl <= 1)).all()
