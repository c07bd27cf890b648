"""Hypothesis strategies of bad input: the values a careless caller or a hostile client sends."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

#: Numbers that break naive code: NaN, ±inf, huge, tiny, negative, zero.
BAD_NUMBERS = st.sampled_from([math.nan, math.inf, -math.inf, 1e300, -1e300, 1e15, 1e9, -1.0, 0.0, 5e-324, -0.0])
#: Bad numbers mixed with ordinary ones.
NUMBERS = st.one_of(BAD_NUMBERS, st.floats(0, 500, allow_nan=False))

QUICK = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def finite_ints(values) -> bool:
    arr = np.asarray(values)
    return bool(np.issubdtype(arr.dtype, np.integer) and (arr >= 0).all())
