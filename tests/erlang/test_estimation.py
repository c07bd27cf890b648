"""Patience and handle-time estimation from call records."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wfm.erlang.estimation import estimate_aht, estimate_patience, patience_survival
from wfm.erlang.simulation import simulate_calls
from wfm.exceptions import DataFormatError, InvalidParameterError


def test_recovers_simulated_patience() -> None:
    rec = simulate_calls(np.full(60, 220.0), 19, 180, patience_seconds=240, seed=4)
    est = estimate_patience(rec)
    assert est.lower_seconds < 240 < est.upper_seconds
    assert est.abandoned == int(rec.abandoned.sum())
    # Handle times are seen only for answered calls.
    assert abs(estimate_aht(rec) - 180) < 4


def test_mle_formula_by_hand() -> None:
    rec = pd.DataFrame({"wait_seconds": [10.0, 30, 0, 60, 100], "abandoned": [True, False, False, True, False],
                        "answered": [False, True, True, False, False], "queue": list("aabbb")})
    # The last row is neither answered nor abandoned and is left out: (10 + 30 + 0 + 60) / 2.
    assert estimate_patience(rec).mean_seconds == 50.0
    by = estimate_patience(rec, by="queue").set_index("queue")
    assert by.loc["a", "mean_seconds"] == 40.0 and by.loc["b", "mean_seconds"] == 60.0
    # a categorical queue column (with a category no call has) groups the same way
    cat = rec.assign(queue=rec["queue"].astype(pd.CategoricalDtype(["a", "b", "c"])))
    assert estimate_patience(cat, by="queue")["mean_seconds"].tolist() == [40.0, 60.0]
    assert estimate_aht(cat.assign(handle_seconds=[0.0, 100, 200, 0, 0]), by="queue").tolist() == [100.0, 200.0]


def test_kaplan_meier_matches_exponential_for_exponential_patience() -> None:
    rec = simulate_calls(np.full(40, 250.0), 18, 180, patience_seconds=200, seed=9)
    km = patience_survival(rec)
    assert (np.diff(km.survival) <= 0).all()
    t = km.seconds.to_numpy()
    pick = (t > 20) & (t < 150)
    assert np.max(np.abs(km.survival[pick] - np.exp(-t[pick] / 200))) < 0.05


def test_bank_february_patience() -> None:
    from wfm.datasets import load_bank_calls

    try:
        calls = load_bank_calls()
    except FileNotFoundError:  # pragma: no cover - shared data absent
        pytest.skip("shared bank data not available")
    est = estimate_patience(calls)
    # Brown et al. (2005) report abandonment of about 18% and mean patience of a few minutes.
    assert 150 < est.mean_seconds < 350
    assert est.abandoned == int(calls.abandoned.sum())
    by = estimate_patience(calls, by="queue")
    assert set(by.queue) <= set(calls.queue)


def test_bad_records() -> None:
    with pytest.raises(DataFormatError, match="wait_seconds"):
        estimate_patience(pd.DataFrame({"abandoned": [True]}))
    with pytest.raises(DataFormatError, match=r"`wait_seconds`.*\[1\]"):
        estimate_patience(pd.DataFrame({"wait_seconds": [1.0, -4.0], "abandoned": [True, True],
                                        "answered": [False, False]}))
    with pytest.raises(InvalidParameterError, match="abandoned"):
        estimate_patience(pd.DataFrame({"wait_seconds": [1.0], "abandoned": [False], "answered": [True]}))
