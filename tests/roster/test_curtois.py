"""The Curtois & Qu benchmark: loader, independent scorer, and the same engine reaching Instance1's optimum."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from wfm.exceptions import InvalidParameterError
from wfm.roster.checker import check
from wfm.roster.curtois import load_curtois, read_curtois, score_curtois

from .rosterkit import solve_checked

DATA = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "curtois"
pytestmark = pytest.mark.skipif(not (DATA / "Instance1.txt").exists(), reason="shared Curtois data not found")


def test_loader_maps_every_section() -> None:
    p = load_curtois(DATA / "Instance2.txt", start=dt.date(2024, 1, 1))
    raw = read_curtois(DATA / "Instance2.txt")
    assert p.horizon.days == 14 and [s.id for s in p.shifts] == ["E", "L"]
    assert [a.id for a in p.agents] == list(raw.staff)
    d = next(a for a in p.agents if a.id == "D")
    assert d.max_shifts == {"E": 14, "L": 0}
    c = p.contract_of(d)
    assert (c.max_paid_minutes, c.min_paid_minutes, c.max_consecutive_working_days,
            c.min_consecutive_working_days, c.min_consecutive_days_off, c.max_weekends) == (4320, 3360, 5, 2, 2, 1)
    assert [(f.first.shift, f.second.shift) for f in c.forbidden_successions] == [("L", "E")]
    assert d.leave == [dt.date(2024, 1, 13)]
    assert len(p.shift_demands) == 28 and p.shift_demands[0].under_weight == 100


def test_start_must_be_monday() -> None:
    with pytest.raises(InvalidParameterError, match="Monday"):
        load_curtois(DATA / "Instance1.txt", start=dt.date(2024, 1, 2))


def test_instance1_reaches_the_optimum_and_scores_agree() -> None:
    p = load_curtois(DATA / "Instance1.txt", start=dt.date(2024, 1, 1))
    sol = solve_checked(p, time_limit_s=30, workers=2)
    assert sol.objective == 607
    # the benchmark's own objective, read afresh from the file, agrees with the solver and the checker
    assert score_curtois(DATA / "Instance1.txt", sol) == 607
    assert score_curtois(p, sol) == 607
    assert check(p, sol).objective == 607


def test_scorer_counts_requests_and_cover() -> None:
    from .rosterkit import roster

    p = load_curtois(DATA / "Instance1.txt")
    empty = roster(p, [])
    # nobody works: every on-request unmet, every cover unit short (100 each), no off-request violated
    raw = read_curtois(DATA / "Instance1.txt")
    expected = sum(w for *_, w in raw.on_requests) + sum(100 * req for _, _, req, _, _ in raw.cover)
    assert score_curtois(p, empty) == expected == check(p, empty).objective
