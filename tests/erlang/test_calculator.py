"""staffing_table: the Erlang calculator's rows agree with the formulas, the recommended head-count is the
fewest meeting the target, and the table never goes below one agent."""

from __future__ import annotations

import pytest

from wfm.erlang import abandon_rate, required_agents, service_level, staffing_table


def test_erlang_a_with_patience_shows_abandonment_and_a_centred_table():
    table, rec = staffing_table(100, 180, service_level=0.8, answer_seconds=20, interval_seconds=900,
                              patience_seconds=120, agents=20, spread=2)
    assert rec == required_agents(100, 180, service_level=0.8, answer_seconds=20, interval_seconds=900,
                                  patience_seconds=120)
    assert list(table["agents"]) == [18, 19, 20, 21, 22]
    assert table["abandon_rate"].to_numpy() == pytest.approx(abandon_rate(100, 180, table["agents"], 120, 900))
    assert table["abandon_rate"].is_monotonic_decreasing
    # a table centred near zero starts at one agent
    low, _ = staffing_table(1, 180, service_level=0.8, answer_seconds=20, agents=1, spread=3)
    assert list(low["agents"]) == [1, 2, 3, 4]


def test_recommended_row_is_the_first_meeting_the_target():
    table, rec = staffing_table(250, 300, service_level=0.9, answer_seconds=30, interval_seconds=1800, spread=4)
    sl = dict(zip(table["agents"], table["service_level"], strict=True))
    assert sl[rec] >= 0.9 > sl[rec - 1]
    assert sl[rec] == pytest.approx(service_level(250, 300, rec, 30, 1800))
    assert table["recommended"].sum() == 1 and table.loc[table["recommended"], "agents"].item() == rec
