"""Agent rosters as columns: exact pricing, best-response sweeps and the Dantzig–Wolfe bound."""

from __future__ import annotations

import numpy as np
import pytest

from wfm.roster import SolveOptions, shortfall_lower_bound, solve, solve_decomposed
from wfm.roster.checker import check
from wfm.roster.instances import call_centre_instance
from wfm.roster.solvers.decomposed import baselines
from wfm.roster.solvers.decomposed import local_search as L
from wfm.roster.solvers.decomposed import pricing as C
from wfm.roster.solvers.decomposed.agent_model import agent_personal_cost
from wfm.roster.solvers.decomposed.construct import shortfall_only
from wfm.roster.solvers.decomposed.covering import interval_cost
from wfm.roster.solvers.decomposed.data import flatten
from wfm.roster.solvers.decomposed.solver import run_decomposed


@pytest.fixture(scope="module")
def week():
    problem = call_centre_instance(10, weeks=1, seed=3, source="synthetic")
    return problem, flatten(problem)


def _value(fp, shift, var) -> float:  # noqa: ANN001
    w = fp.problem.weights
    cov = np.zeros(len(fp.required))
    for a in range(fp.n_agents):
        cov[C.agent_cover(fp, shift[a], var[a])] += 1
    personal = sum(agent_personal_cost(fp, a, shift[a]) for a in range(fp.n_agents))
    return float(interval_cost(fp.required, cov, w.shortfall, w.overstaffing).sum()) + personal


def test_variant_table_picks_the_cheapest_break_variant(week) -> None:
    _, fp = week
    table = C.VariantTable(fp)
    rng = np.random.default_rng(0)
    value = rng.normal(size=len(fp.required))
    best, which = table.best(value)
    for i, key in enumerate(table.keys):
        sums = [value[v.intervals].sum() for v in fp.variants[key]]
        assert best[i] == pytest.approx(min(sums))
        assert sums[which[i]] == pytest.approx(min(sums))


@pytest.fixture(scope="module")
def built(week):
    """A roster constructed from nothing by one sweep (every agent placed by its best response)."""
    _, fp = week
    table = C.VariantTable(fp)
    empty = np.full((fp.n_agents, fp.n_days), -1, dtype=np.int64)
    shift, var, _ = L.best_response_sweeps(fp, empty, empty.copy(), {}, table, deadline=float("inf"), seed=0,
                                           max_sweeps=1, unplaced=set(range(fp.n_agents)))
    return fp, table, shift, var


def test_sweeps_build_a_roster_from_nothing_and_only_improve_it(built) -> None:
    fp, table, shift, var = built
    assert (shift >= 0).any(axis=1).all()  # everyone placed: the contracts ask for hours
    better, var2, _ = L.best_response_sweeps(fp, shift, var, {}, table, deadline=float("inf"), seed=1,
                                             max_sweeps=3)
    assert _value(fp, better, var2) <= _value(fp, shift, var) + 1e-9


def test_threaded_sweeps_are_reproducible(built) -> None:
    fp, table, shift, var = built
    runs = [L.best_response_sweeps(fp, shift, var, {}, table, deadline=float("inf"), seed=4, max_sweeps=2,
                                   threads=2) for _ in range(2)]
    assert np.array_equal(runs[0][0], runs[1][0]) and np.array_equal(runs[0][1], runs[1][1])


def test_plateau_sweeps_never_make_the_roster_worse(built) -> None:
    fp, table, shift, var = built
    moved, var2, moves = L.best_response_sweeps(fp, shift, var, {}, table, deadline=float("inf"), seed=2,
                                                max_sweeps=4, noise=1.0)
    assert moves > 0  # plateau moves are taken
    assert _value(fp, moved, var2) <= _value(fp, shift, var) + 1e-9


@pytest.mark.slow
def test_shortfall_bound_is_below_every_roster_found() -> None:
    problem = call_centre_instance(4, weeks=1, seed=5, source="synthetic", load=1.1)
    bound = shortfall_lower_bound(problem, time_limit_s=10)
    only_short = shortfall_only(problem)
    # CP-SAT on the shortfall alone: its roster and its own proven bound bracket the optimum
    best = solve(only_short, strategy="monolithic", time_limit_s=15, workers=2, seed=0)
    shortfall = float(best.coverage_frame(only_short)["shortfall"].sum())
    assert 0.0 < bound <= shortfall + 1e-6
    assert bound >= best.best_bound - 1e-6  # stronger than what CP-SAT proved on the full model


def test_column_generation_bound_converges_above_the_stage1_lp(week) -> None:
    from wfm.roster.solvers.decomposed.column_generation import column_generation_bound
    from wfm.roster.solvers.decomposed.covering import solve_lp_duals
    from wfm.roster.solvers.decomposed.covering_rows import build_stage1

    problem, _ = week
    fp = flatten(shortfall_only(problem))
    cover, _, _ = build_stage1(fp, short_weights=(1.0,), over_weight=0.0)
    lp, duals = solve_lp_duals(cover)
    got = column_generation_bound(fp, duals, time_limit_s=60, seed=0, workers=1)
    assert got.converged and got.rounds > 1
    # on this week the full contract rules cost about 5 agent-intervals more than the aggregate rows say
    assert got.bound >= lp + 2.0
    sol = solve_decomposed(problem, time_limit_s=5, workers=1, seed=0)
    assert got.bound <= float(sol.coverage_frame(problem)["shortfall"].sum()) + 1e-6


def test_a_solution_round_trips_to_rows_and_seeds_the_bound(week) -> None:
    from wfm.roster.solvers.decomposed.extract import rows_of
    from wfm.roster.solvers.decomposed.variants import coverage

    problem, fp = week
    sol = solve_decomposed(problem, time_limit_s=5, workers=1, seed=0)
    shift, var = rows_of(fp, sol)
    frame = sol.coverage_frame(problem)
    cov = coverage(fp, shift, var)
    index = fp.day_offset[frame["day"].to_numpy()] + frame["interval"].to_numpy()
    assert np.array_equal(cov[index], frame["scheduled"].to_numpy())
    seeded = shortfall_lower_bound(problem, time_limit_s=30, solution=sol, workers=1)
    assert seeded == pytest.approx(shortfall_lower_bound(problem, time_limit_s=30, workers=1), abs=0.6)


def test_shortfall_bound_rejects_a_bad_budget(week) -> None:
    from wfm.exceptions import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="time_limit_s"):
        shortfall_lower_bound(week[0], time_limit_s=0)
    with pytest.raises(InvalidParameterError, match="workers"):
        shortfall_lower_bound(week[0], time_limit_s=5, workers=0)
    other = call_centre_instance(3, weeks=1, seed=9, source="synthetic")
    foreign = solve_decomposed(other, time_limit_s=3, workers=1, seed=0)
    renamed = foreign.model_copy(update={"assignments": [a.model_copy(update={"agent": "nobody"})
                                                         for a in foreign.assignments]})
    with pytest.raises(InvalidParameterError, match="nobody"):
        shortfall_lower_bound(week[0], time_limit_s=5, solution=renamed)


def _spread(problem, sol, tag: str) -> int:  # noqa: ANN001
    from wfm.roster.checker import check

    report = check(problem, sol)
    assert report.ok, str(report)
    return sum(p.amount for p in report.penalties if p.name == f"unfair({tag})")


@pytest.mark.slow
@pytest.mark.parametrize(("pricing", "construction"), [("cp-sat", "replan"), ("auto", "columns")])
def test_sweeps_spread_unpopular_shifts_when_fairness_is_weighted(pricing: str, construction: str) -> None:
    base = call_centre_instance(14, weeks=2, seed=1, source="synthetic")
    weights = base.weights.model_copy(update={"fairness_tags": ["split", "weekend"]})
    plain = base.model_copy(update={"weights": weights.model_copy(update={"fairness": 0.0})})
    fair = base.model_copy(update={"weights": weights.model_copy(update={"fairness": 60.0})})
    # both solves price agents the same way (one-agent CP-SAT, or the contract graph with a slope per
    # tag, the default), so only the weight differs
    sol_plain, sol_fair = (run_decomposed(p, SolveOptions(time_limit_s=20, reproducible=True),
                                          construction=construction, pricing=pricing) for p in (plain, fair))
    # the decomposed objective prices fairness exactly as the checker does
    assert sol_fair.objective == pytest.approx(check(fair, sol_fair).objective)
    judged = plain.model_copy(update={"weights": fair.weights})
    spread_plain = sum(_spread(judged, sol_plain, tag) for tag in ("split", "weekend"))
    spread_fair = sum(_spread(fair, sol_fair, tag) for tag in ("split", "weekend"))
    assert spread_fair < spread_plain


@pytest.mark.slow
def test_a_reproducible_solve_gives_one_roster_on_a_two_week_problem() -> None:
    # the box searches of stage 1 and of the re-planning rounds once stopped on the wall clock here
    problem = call_centre_instance(14, weeks=2, seed=1, source="synthetic")
    runs = [solve_decomposed(problem, options=SolveOptions(time_limit_s=8, reproducible=True)) for _ in range(2)]
    assert [a.model_dump() for a in runs[0].assignments] == [a.model_dump() for a in runs[1].assignments]
    assert runs[0].objective == runs[1].objective


@pytest.mark.slow
def test_a_seeded_master_never_starts_above_its_seed_roster(week) -> None:
    from wfm.roster.solvers.decomposed.column_generation import column_generation
    from wfm.roster.solvers.decomposed.covering import solve_lp_duals
    from wfm.roster.solvers.decomposed.covering_rows import build_stage1
    from wfm.roster.solvers.decomposed.extract import rows_of

    problem, fp = week
    # a poor roster (the construction alone) and a good one (the full solve) as seeds
    for sol in (baselines.greedy_construction(problem, SolveOptions(time_limit_s=5, reproducible=True)),
                solve_decomposed(problem, time_limit_s=5, workers=1, seed=0)):
        shift, var = rows_of(fp, sol)
        short = float(sol.coverage_frame(problem)["shortfall"].sum())
        only = flatten(shortfall_only(problem))
        cover, _, _ = build_stage1(only, short_weights=(1.0,), over_weight=0.0)
        _, duals = solve_lp_duals(cover)
        got, master = column_generation(only, duals, time_limit_s=30, seed=0, workers=1, max_rounds=1,
                                        rosters=(shift, var))
        assert master is not None and got.rounds == 1
        # the seed's own columns are in the master, so its LP can do at least as well as the seed
        assert got.bound - 1e-6 <= got.master <= short + 1e-6


def test_linked_master_prices_columns_at_its_own_duals_and_rounds_to_whole_agents(week) -> None:
    from wfm.roster.solvers.decomposed.column_generation import column_generation
    from wfm.roster.solvers.decomposed.covering import solve_lp_duals
    from wfm.roster.solvers.decomposed.covering_rows import build_stage1

    problem, _ = week
    only = flatten(shortfall_only(problem))
    cover, _, _ = build_stage1(only, short_weights=(1.0,), over_weight=0.0)
    _, duals = solve_lp_duals(cover)
    _, master = column_generation(only, duals, time_limit_s=30, seed=0, workers=1, max_rounds=4)
    lp, _, _ = master.solve()
    # LP optimality: no column prices below zero, and every column in use prices at zero
    for (k, row, _), lam in zip(master.rows, master.lams, strict=True):
        rc = master.reduced_cost(k, row)
        assert rc >= -1e-6
        if lam.solution_value() > 1e-6:
            assert rc == pytest.approx(0.0, abs=1e-6)
    # the break placements cover what the LP says: its shortfall is the requirement left uncovered
    placed = np.array([y.solution_value() for y in master.placed])
    cov = np.zeros(len(only.required))
    for j, y in enumerate(placed):
        cov[master.table.cat[master.table.starts[j]:master.table.starts[j + 1] if j + 1 < len(placed) else None]
            [:-1]] += y
    assert float(np.maximum(only.required - cov, 0.0).sum()) == pytest.approx(lp, abs=1e-5)
    shift, var = master.roster(C.agent_classes(only), only.n_days)
    classes = C.agent_classes(only)
    assert (shift >= 0).sum() > 0 and ((shift >= 0) == (var >= 0)).all()
    for members in classes:  # every agent took a column of its own class
        keys = {(k, row.tobytes()) for k, row, _ in master.rows}
        k = classes.index(members)
        assert all((k, shift[a].tobytes()) in keys for a in members)
    # the rounding hands each (day, shift)'s agents to break variants the LP placed agents on
    table = master.table
    placed_keys = {(*table.keys[table.var_key[j]], int(table.var_local[j])) for j in np.flatnonzero(placed > 1e-9)}
    for a, d in zip(*np.nonzero(shift >= 0), strict=True):
        assert (int(d), int(shift[a, d]), int(var[a, d])) in placed_keys or not any(
            (int(d), int(shift[a, d])) == key[:2] for key in placed_keys)


@pytest.mark.parametrize("how", ["dive", "out of time"])
def test_diving_rounds_the_master_to_whole_agents_of_their_own_class(week, how: str) -> None:
    from wfm.roster.solvers.decomposed.column_generation import column_generation
    from wfm.roster.solvers.decomposed.covering import solve_lp_duals
    from wfm.roster.solvers.decomposed.covering_rows import build_stage1
    from wfm.roster.solvers.decomposed.variants import coverage

    problem, _ = week
    only = flatten(shortfall_only(problem))
    cover, _, _ = build_stage1(only, short_weights=(1.0,), over_weight=0.0)
    _, duals = solve_lp_duals(cover)
    classes = C.agent_classes(only)
    rosters = []
    for _ in range(2):
        got, master = column_generation(only, duals, time_limit_s=30, seed=0, workers=1, max_rounds=6)
        rosters.append(master.dive(classes, only.n_days, per_step=2,
                                   deadline=-float("inf") if how == "out of time" else float("inf")))
    (shift, var), again = rosters
    assert np.array_equal(shift, again[0]) and np.array_equal(var, again[1])  # one answer per input
    keys = {(k, row.tobytes()) for k, row, _ in master.rows}
    for k, members in enumerate(classes):
        assert all((k, shift[a].tobytes()) in keys for a in members)
    assert ((shift >= 0) == (var >= 0)).all()
    short = float(np.maximum(only.required - coverage(only, shift, var), 0).sum())
    # the fixed master is this roster with its breaks placed at best: never worse, and never below the LP
    assert got.bound - 1e-6 <= master.solve()[0] <= short + 1e-6


@pytest.mark.slow
def test_master_priced_on_tiers_and_over_staffing_bounds_every_roster_it_rounds_to(week) -> None:
    from wfm.roster.solvers.decomposed.column_generation import column_generation
    from wfm.roster.solvers.decomposed.covering import solve_lp_duals
    from wfm.roster.solvers.decomposed.covering_rows import build_stage1
    from wfm.roster.solvers.decomposed.variants import coverage

    problem, _ = week
    tiers, over = (1.0, 1.5, 2.5, 4.0), 0.05
    only = flatten(shortfall_only(problem))
    cover, _, _ = build_stage1(only, short_weights=tiers, over_weight=over)
    _, duals = solve_lp_duals(cover)
    got, master = column_generation(only, duals, time_limit_s=30, seed=0, workers=1, max_rounds=40,
                                    cover_weights=(tiers, over))
    assert got.bound <= got.master + 1e-6
    shift, var = master.dive(C.agent_classes(only), only.n_days)
    cost = float(interval_cost(only.required, coverage(only, shift, var), tiers, over).sum())
    # the fixed master is this roster's cover cost with its breaks placed at best
    assert got.bound - 1e-6 <= master.solve()[0] <= cost + 1e-6
    sol = solve_decomposed(problem, time_limit_s=5, workers=1, seed=0)
    frame = sol.coverage_frame(problem)
    scheduled = np.zeros(len(only.required))
    scheduled[only.day_offset[frame["day"].to_numpy()] + frame["interval"].to_numpy()] = frame["scheduled"]
    assert got.bound <= float(interval_cost(only.required, scheduled, tiers, over).sum()) + 1e-6
