"""Bad values through the roster entry points: each raises wfm's own error or returns a valid result.

(``forecast``, ``requirements`` and ``required_agents`` have theirs in tests/forecast and tests/erlang.)
"""

from __future__ import annotations

import math
import multiprocessing

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wfm.exceptions import WfmError
from wfm.roster import Horizon, check, explain_shortfall, requirements_from_frame

from .badvalues import NUMBERS, QUICK
from .roster.rosterkit import tiny
from .roster.test_shortfall import _reasons_problem

HORIZON = Horizon(start=pd.Timestamp("2024-01-08").date(), days=2, interval_minutes=30, timezone="UTC")


@QUICK
@given(agents=st.lists(NUMBERS, min_size=0, max_size=6), order=st.permutations(range(6)), dup=st.booleans())
def test_requirements_from_frame_raises_its_own_error_or_answers(agents, order, dup):
    n = len(agents)
    ts = pd.date_range("2024-01-08 08:00", periods=6, freq="30min")[list(order)][:n]
    if dup and n > 1:
        ts = ts[[0] + list(range(n - 1))]
    frame = pd.DataFrame({"ts": ts, "agents": agents})
    try:
        reqs = requirements_from_frame(frame, HORIZON, volume_col=None, aht_col=None)
    except WfmError:
        return
    assert all(math.isfinite(r.agents) and r.agents >= 0 for r in reqs)


_PROBLEM, _SOLUTION = _reasons_problem()


@QUICK
@given(which=st.integers(0, len(_SOLUTION.assignments) - 1),
       field=st.sampled_from(["shift", "agent", "date"]), junk=st.sampled_from(["", "NOPE", "a0", "D", "x" * 300]),
       day=st.none() | st.integers(-(10**12), 10**12), interval=st.none() | st.integers(-(10**12), 10**12))
def test_check_and_explain_raise_their_own_error_or_answer(which, field, junk, day, interval):
    import datetime as dt

    value = dt.date(1999, 1, 1) if field == "date" else junk
    bad = _SOLUTION.assignments[which].model_copy(update={field: value})
    solution = _SOLUTION.model_copy(update={"assignments": [*_SOLUTION.assignments[:which], bad,
                                                            *_SOLUTION.assignments[which + 1:]]})
    report = check(_PROBLEM, solution)  # the checker reports; it never raises on a foreign roster
    assert isinstance(report.ok, bool)
    try:
        found = explain_shortfall(_PROBLEM, solution, day=day, interval=interval)
    except WfmError:
        return
    assert isinstance(found, list)


def _solve_in_child(kwargs: dict, queue) -> None:  # pragma: no cover - runs in a child process
    from wfm.roster import solve

    try:
        solve(tiny(days=7, agents=2), **kwargs)
        queue.put("solved")
    except WfmError as err:
        queue.put(f"wfm:{err.field}")
    except Exception as err:  # noqa: BLE001
        queue.put(f"other:{type(err).__name__}")


@pytest.mark.parametrize(("kwargs", "field"), [({"time_limit_s": math.nan}, "time_limit_s"),
                                               ({"time_limit_s": math.inf}, "time_limit_s"),
                                               ({"time_limit_s": 1e9}, "time_limit_s"),
                                               ({"workers": 10000}, "workers"), ({"seed": -1}, "seed")])
def test_solve_refuses_bad_options_with_the_field(kwargs, field):
    # in a child process with a deadline: before the fix some of these never return
    ctx = multiprocessing.get_context("forkserver")
    queue = ctx.Queue()
    child = ctx.Process(target=_solve_in_child, args=(kwargs, queue))
    child.start()
    child.join(timeout=30)
    if child.is_alive():
        child.kill()
        child.join()
        pytest.fail(f"solve(**{kwargs}) still running after 30 s")
    assert queue.get(timeout=5) == f"wfm:{field}"
