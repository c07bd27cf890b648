"""Day windows: every agent re-rostered on one day by CP-SAT, the rest of the roster fixed."""

from __future__ import annotations

import numpy as np
import pytest

from wfm.roster import SolveOptions, solve_decomposed
from wfm.roster.checker import check
from wfm.roster.instances import call_centre_instance
from wfm.roster.solvers.decomposed import local_search as L
from wfm.roster.solvers.decomposed import pricing as C
from wfm.roster.solvers.decomposed.data import flatten
from wfm.roster.solvers.decomposed.extract import rows_of
from wfm.roster.solvers.decomposed.windows import roster_cost, window_move, window_pass


@pytest.fixture(scope="module")
def swept():
    """A 12-agent week after best-response sweeps ran to a standstill (no single agent can improve it)."""
    problem = call_centre_instance(12, weeks=1, seed=2, source="synthetic")
    fp = flatten(problem)
    table = C.VariantTable(fp)
    empty = np.full((fp.n_agents, fp.n_days), -1, dtype=np.int64)
    shift, var, _ = L.best_response_sweeps(fp, empty, empty.copy(), {}, table, deadline=float("inf"), seed=0,
                                           max_sweeps=1, unplaced=set(range(fp.n_agents)))
    shift, var, _ = L.best_response_sweeps(fp, shift, var, {}, table, deadline=float("inf"), seed=1,
                                           max_sweeps=100)
    return problem, fp, shift, var


@pytest.mark.slow
def test_roster_cost_is_the_checker_objective() -> None:
    problem = call_centre_instance(10, weeks=1, seed=3, source="synthetic")
    sol = solve_decomposed(problem, time_limit_s=5, workers=1, seed=0)
    fp = flatten(problem)
    shift, var = rows_of(fp, sol)
    assert roster_cost(fp, shift, var) == pytest.approx(check(problem, sol).objective)
    assert roster_cost(fp, shift, var) == pytest.approx(sol.objective)


def test_a_window_changes_only_its_day_and_never_worsens(swept) -> None:
    _, fp, shift, var = swept
    got = window_move(fp, shift, var, [3], time_limit_s=5, seed=0, deterministic=True)
    assert got is not None
    new_shift, new_var = got
    other = [d for d in range(fp.n_days) if d != 3]
    assert np.array_equal(new_shift[:, other], shift[:, other])
    assert np.array_equal(new_var[:, other], var[:, other])
    assert roster_cost(fp, new_shift, new_var) <= roster_cost(fp, shift, var) + 1e-9


@pytest.mark.slow
def test_windows_improve_a_roster_no_single_agent_can(swept) -> None:
    _, fp, shift, var = swept
    before = roster_cost(fp, shift, var)
    # the sweeps stopped because a whole sweep moved nobody: the roster is a one-agent local optimum
    again, var2, moved = L.best_response_sweeps(fp, shift, var, {}, C.VariantTable(fp), deadline=float("inf"),
                                                seed=5, max_sweeps=1)
    assert moved == 0
    work: list[float] = []
    better, var3, improved = window_pass(fp, shift, var, range(fp.n_days), deadline=float("inf"), seed=0,
                                         time_per_window=5, deterministic=True, work=work)
    assert improved > 0
    assert roster_cost(fp, better, var3) < before - 1e-9
    # each window reports the CP-SAT work it did, which stage 3 charges instead of the window's budget
    assert len(work) == fp.n_days
    assert all(0 <= w <= 5 for w in work) and sum(work) > 0


@pytest.mark.slow
def test_stage3_charges_windows_their_work_so_they_share_the_search(monkeypatch) -> None:
    # one worker: a sweep is charged a nominal cost and a window what CP-SAT reports (far under its budget),
    # so 4 s of stage 3 run three times the windows that budgets charged at face value allow
    problem = call_centre_instance(14, weeks=2, seed=4, source="synthetic")
    fp = flatten(problem)
    empty = np.full((fp.n_agents, fp.n_days), -1, dtype=np.int64)
    shift, var, _ = L.best_response_sweeps(fp, empty, empty.copy(), {}, C.VariantTable(fp), deadline=float("inf"),
                                           seed=0, max_sweeps=1, unplaced=set(range(fp.n_agents)))
    windows: list[int] = []
    original = L.window_pass

    def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        windows.append(len(args[3]))
        return original(*args, **kwargs)

    monkeypatch.setattr(L, "window_pass", counted)
    better, var2, _ = L.improve(fp, shift, var, time_limit_s=4.0, seed=0, reproducible=True)
    assert sum(windows) > 21  # charged its 0.25-s budget, a window allows 14 here (two batches)
    assert roster_cost(fp, better, var2) <= roster_cost(fp, shift, var)


@pytest.mark.slow
def test_a_solve_with_windows_passes_the_checker_and_is_reproducible() -> None:
    problem = call_centre_instance(14, weeks=2, seed=4, source="synthetic")
    runs = [solve_decomposed(problem, options=SolveOptions(time_limit_s=30, reproducible=True)) for _ in range(2)]
    info = runs[0].decomposition
    assert info.stage3_windows > 0
    report = check(problem, runs[0])
    assert report.ok, str(report)
    assert runs[0].objective == pytest.approx(report.objective)
    assert [a.model_dump() for a in runs[0].assignments] == [a.model_dump() for a in runs[1].assignments]
