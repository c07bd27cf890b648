"""Bad input raises InvalidParameterError (a ValueError) naming the argument and the bad value."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from wfm.erlang import (
    abandon_rate,
    apply_shrinkage,
    asa,
    erlang_b,
    erlang_c,
    occupancy,
    required_agents,
    service_level,
)
from wfm.erlang.simulation import simulate_queue
from wfm.exceptions import InvalidParameterError

CASES: list[tuple[Callable[..., Any], tuple, dict, str]] = [
    (service_level, (-5, 180, 10), {}, r"`calls`.*-5"),
    (service_level, (math.nan, 180, 10), {}, r"`calls`.*nan"),
    (service_level, (10, -1, 10), {}, r"`aht`.*-1"),
    (service_level, (10, math.nan, 10), {}, r"`aht`.*nan"),
    (service_level, (10, 0, 10), {}, r"`aht`.*calls=10"),
    (service_level, (10, 180, 2.5), {}, r"`agents`.*2\.5"),
    (service_level, (10, 180, -1), {}, r"`agents`.*-1"),
    (service_level, (10, 180, 3), {"answer_seconds": -2}, r"`answer_seconds`.*-2"),
    (service_level, (10, 180, 3), {"interval_seconds": 0}, r"`interval_seconds`.*0"),
    (service_level, (10, 180, 3), {"patience_seconds": 0}, r"`patience_seconds`.*0"),
    (asa, (10, 180, 3.5), {}, r"`agents`.*3\.5"),
    (occupancy, ([1, -2], 180, 3), {}, r"`calls`.*-2"),
    (abandon_rate, (10, 180, 3, None), {}, r"`patience_seconds`.*None"),
    (erlang_b, (-1, 3), {}, r"`traffic`.*-1"),
    (erlang_c, (1, 0.5), {}, r"`agents`.*0\.5"),
    (required_agents, (10, 180), {"service_level": 1.5}, r"`service_level`.*\(0, 1\).*1\.5"),
    (required_agents, (10, 180), {"service_level": 0}, r"`service_level`.*0"),
    (required_agents, (10, 180), {"max_occupancy": 1.2}, r"`max_occupancy`.*1\.2"),
    (required_agents, (10, 180), {"max_abandon": 0.05}, r"`max_abandon`.*patience_seconds"),
    (required_agents, (10, 180), {"patience_seconds": 60, "max_abandon": 1.0}, r"`max_abandon`.*1\.0"),
    (required_agents, (10, 180), {"asa_seconds": -3}, r"`asa_seconds`.*-3"),
    (required_agents, (10, 180), {"shrinkage": 1.0}, r"`shrinkage`.*\[0, 1\).*1\.0"),
    (required_agents, (10, 180), {"shrinkage": -0.1}, r"`shrinkage`.*-0\.1"),
    (required_agents, (10, 180), {"service_level": None}, r"target"),
    (required_agents, (-10, 180), {}, r"`calls`.*-10"),
    (required_agents, ("many", 180), {}, r"`calls`.*many"),
    (apply_shrinkage, (10, 1.2), {}, r"`shrinkage`.*1\.2"),
    (simulate_queue, ([10, 10], [2, 2, 2], 180), {}, r"`agents`.*one value per interval"),
    (simulate_queue, ([10], 2, 180), {"service": "gamma"}, r"`service`.*gamma"),
]


@pytest.mark.parametrize(("func", "args", "kwargs", "pattern"), CASES)
def test_bad_input_names_argument_and_value(func: Callable[..., Any], args: tuple, kwargs: dict,
                                            pattern: str) -> None:
    with pytest.raises(InvalidParameterError, match=pattern) as info:
        func(*args, **kwargs)
    assert isinstance(info.value, ValueError)


def test_nothing_is_clipped() -> None:
    # A value just outside a range is an error, never silently moved inside it.
    with pytest.raises(InvalidParameterError):
        required_agents(10, 180, service_level=1.0)
    with pytest.raises(InvalidParameterError):
        service_level(10, 180, 3, answer_seconds=math.inf)
