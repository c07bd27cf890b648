"""Hypothesis properties: monotonicity, minimality of required_agents, shrinkage, zero calls."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wfm.erlang.staffing as staffing
from wfm.erlang import (
    abandon_rate,
    apply_shrinkage,
    erlang_b,
    erlang_c,
    occupancy,
    required_agents,
    service_level,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
calls_st = st.floats(0.01, 5000.0)
aht_st = st.floats(5.0, 1200.0)
target_st = st.floats(0.05, 0.99)
answer_st = st.floats(0.0, 120.0)
patience_st = st.floats(5.0, 1800.0)


@SETTINGS
@given(calls=calls_st, aht=aht_st, n=st.integers(0, 3000), answer=answer_st)
def test_service_level_rises_with_agents(calls: float, aht: float, n: int, answer: float) -> None:
    sl = service_level(calls, aht, np.array([n, n + 1, n + 5]), answer_seconds=answer)
    assert np.all(np.diff(sl) >= -1e-12)


@SETTINGS
@given(calls=calls_st, aht=aht_st, n=st.integers(1, 3000), answer=answer_st, patience=patience_st)
def test_erlang_a_service_level_rises_with_agents_abandonment_falls(calls: float, aht: float, n: int,
                                                                    answer: float, patience: float) -> None:
    agents = np.array([n, n + 1, n + 4])
    sl = service_level(calls, aht, agents, answer_seconds=answer, patience_seconds=patience)
    ab = abandon_rate(calls, aht, agents, patience_seconds=patience)
    assert np.all(np.diff(sl) >= -1e-12)
    assert np.all(np.diff(ab) <= 1e-12)


@SETTINGS
@given(calls=calls_st, aht=aht_st, n=st.integers(1, 3000), answer=answer_st,
       patience=st.one_of(st.none(), patience_st))
def test_service_level_falls_with_aht(calls: float, aht: float, n: int, answer: float,
                                      patience: float | None) -> None:
    sl = service_level(calls, np.array([aht, aht * 1.1, aht * 2]), n, answer_seconds=answer,
                       patience_seconds=patience)
    assert np.all(np.diff(sl) <= 1e-12)


@SETTINGS
@given(a=st.floats(0.001, 2000.0), n=st.integers(0, 2500))
def test_erlang_c_dominates_erlang_b(a: float, n: int) -> None:
    b, c = erlang_b(a, n), erlang_c(a, n)
    assert 0.0 <= b <= c <= 1.0


@SETTINGS
@given(calls=calls_st, aht=aht_st, target=target_st, answer=answer_st,
       occ=st.one_of(st.none(), st.floats(0.5, 1.0)), asa_t=st.one_of(st.none(), st.floats(1.0, 300.0)))
def test_required_agents_is_smallest_meeting_every_target(calls: float, aht: float, target: float,
                                                          answer: float, occ: float | None,
                                                          asa_t: float | None) -> None:
    from wfm.erlang import asa

    n = required_agents(calls, aht, service_level=target, answer_seconds=answer, max_occupancy=occ,
                        asa_seconds=asa_t)

    def meets(k: int) -> bool:
        ok = service_level(calls, aht, k, answer_seconds=answer) >= target
        if occ is not None:
            ok &= occupancy(calls, aht, k) <= occ
        if asa_t is not None:
            ok &= asa(calls, aht, k) <= asa_t
        # Erlang C staffing never accepts an unstable queue.
        return bool(ok) and k > calls * aht / 1800

    assert meets(n)
    assert n == 0 or not meets(n - 1)


@SETTINGS
@given(calls=st.floats(0.01, 2000.0), aht=aht_st, target=st.one_of(st.none(), target_st), answer=answer_st,
       patience=patience_st, max_ab=st.one_of(st.none(), st.floats(0.005, 0.5)),
       occ=st.one_of(st.none(), st.floats(0.5, 1.0)), asa_t=st.one_of(st.none(), st.floats(1.0, 300.0)))
def test_erlang_a_required_agents_is_smallest(calls: float, aht: float, target: float | None, answer: float,
                                              patience: float, max_ab: float | None, occ: float | None,
                                              asa_t: float | None) -> None:
    from wfm.erlang import asa

    if target is None and max_ab is None:
        max_ab = 0.05
    n = required_agents(calls, aht, service_level=target, answer_seconds=answer, patience_seconds=patience,
                        max_abandon=max_ab, max_occupancy=occ, asa_seconds=asa_t)

    def meets(k: int) -> bool:
        if k == 0:
            return False
        ok = True
        if target is not None:
            ok &= service_level(calls, aht, k, answer_seconds=answer, patience_seconds=patience) >= target
        if max_ab is not None:
            ok &= abandon_rate(calls, aht, k, patience_seconds=patience) <= max_ab
        if occ is not None:
            ok &= occupancy(calls, aht, k, patience_seconds=patience) <= occ
        if asa_t is not None:
            ok &= asa(calls, aht, k, patience_seconds=patience) <= asa_t
        return bool(ok)

    assert n >= 1
    assert meets(n)
    assert not meets(n - 1)


@SETTINGS
@given(n=st.integers(0, 5000), s=st.floats(0.0, 0.95))
def test_shrinkage_formula(n: int, s: float) -> None:
    m = int(apply_shrinkage(n, s))
    # The smallest whole number of scheduled agents leaving at least n on the phones.
    assert m * (1 - s) >= n * (1 - 1e-12)
    assert m == 0 or (m - 1) * (1 - s) < n * (1 - 1e-12)


@SETTINGS
@given(calls=calls_st, aht=aht_st, s=st.floats(0.0, 0.9))
def test_required_agents_with_shrinkage(calls: float, aht: float, s: float) -> None:
    net = required_agents(calls, aht)
    gross = required_agents(calls, aht, shrinkage=s)
    assert gross == int(apply_shrinkage(net, s))


def test_zero_calls_need_zero_agents() -> None:
    calls = np.array([0.0, 0.0, 10.0, 0.0])
    assert required_agents(calls, 300).tolist()[0] == 0
    assert required_agents(calls, 300, patience_seconds=60, max_abandon=0.01).tolist()[3] == 0
    assert required_agents(0, 0) == 0  # no calls: a zero handle time is harmless
    assert service_level(0, 300, 0) == 1.0


@SETTINGS
@given(calls=st.lists(st.floats(0.0, 800.0), min_size=1, max_size=60), aht=aht_st, target=target_st,
       answer=answer_st, asa_t=st.one_of(st.none(), st.floats(2.0, 120.0)))
def test_threshold_lookup_equals_stepping_search(calls: list[float], aht: float, target: float, answer: float,
                                                 asa_t: float | None) -> None:
    arr = np.array(calls)
    old = staffing._LOOKUP_MIN, staffing._LOOKUP_COST
    calls_made = []
    real_lookup = staffing._erlang_c_lookup

    def spy(*args: object) -> object:
        out = real_lookup(*args)
        calls_made.append(out is not None)
        return out

    try:
        staffing._LOOKUP_MIN, staffing._LOOKUP_COST = 1, 0.0
        staffing._erlang_c_lookup = spy
        fast = required_agents(arr, aht, service_level=target, answer_seconds=answer, asa_seconds=asa_t)
        staffing._LOOKUP_MIN = 10**12
        slow = required_agents(arr, aht, service_level=target, answer_seconds=answer, asa_seconds=asa_t)
    finally:
        staffing._LOOKUP_MIN, staffing._LOOKUP_COST = old
        staffing._erlang_c_lookup = real_lookup
    assert calls_made in ([True], [])  # the table was really used (unless no interval had calls)
    assert np.array_equal(fast, slow)


def test_tiny_loads() -> None:
    # Far below one Erlang a single agent meets any ordinary target.
    assert required_agents(0.001, 180) == 1
    assert required_agents(np.array([1e-6, 0.05]), 30, service_level=0.99).tolist() == [1, 1]


def test_erlang_a_tends_to_erlang_c_with_endless_patience() -> None:
    n = np.arange(12, 20)
    c = service_level(100, 180, n)
    a = service_level(100, 180, n, patience_seconds=1e9)
    assert np.max(np.abs(a - c)) < 1e-5


@SETTINGS
@given(calls=st.lists(st.floats(0.0, 5000.0), min_size=1, max_size=80), aht=aht_st, target=target_st,
       answer=answer_st)
def test_scalar_fast_path_equals_general_search(calls: list[float], aht: float, target: float,
                                                answer: float) -> None:
    arr = np.array(calls)
    fast = required_agents(arr, aht, service_level=target, answer_seconds=answer)
    # A non-binding ASA target sends the same question through the general stepping search.
    general = required_agents(arr, aht, service_level=target, answer_seconds=answer, asa_seconds=1e12)
    per_interval_aht = required_agents(arr, np.full(arr.size, aht), service_level=target, answer_seconds=answer)
    assert np.array_equal(fast, general)
    assert np.array_equal(fast, per_interval_aht)
