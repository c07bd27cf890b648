"""Request and response models of the HTTP service (pydantic), units in every description.

Roster requests and responses are :class:`wfm.roster.RosterProblem` / :class:`wfm.roster.RosterSolution`
themselves; staffing and forecasting carry interval rows.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from wfm.roster.models import RosterProblem, RosterSolution


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IntervalIn(_Model):
    """One interval of one queue."""

    queue: str = Field("default", max_length=200, description="Queue (series) id.", examples=["retail"])
    ts: dt.datetime = Field(description="Interval start; with a UTC offset, every row of a series should have one "
                                        "(offsets may change across a daylight-saving day).",
                            examples=["2024-01-08T09:00:00"])
    volume: float = Field(ge=0, allow_inf_nan=False, description="Calls offered in the interval (calls).",
                          examples=[120.0])
    aht: float | None = Field(None, ge=0, allow_inf_nan=False, description="Average handle time (seconds).",
                              examples=[180.0])


class StaffingTargets(_Model):
    """Service targets; the answer is the smallest head-count meeting every one that is given."""

    service_level: float = Field(0.8, gt=0, lt=1, allow_inf_nan=False,
                                  description="Fraction answered within `answer_seconds`.")
    answer_seconds: float = Field(20.0, ge=0, allow_inf_nan=False, description="Service-level threshold (seconds).")
    max_occupancy: float | None = Field(None, gt=0, le=1, allow_inf_nan=False,
                                  description="Cap on agent occupancy (fraction).")
    asa_seconds: float | None = Field(None, gt=0, allow_inf_nan=False,
                                  description="Cap on average speed of answer (seconds).")
    patience_seconds: float | None = Field(None, gt=0, allow_inf_nan=False,
                                  description="Mean caller patience (seconds): Erlang A.")
    max_abandon: float | None = Field(None, gt=0, lt=1, allow_inf_nan=False,
                                  description="Cap on abandonment rate (fraction).")
    shrinkage: float = Field(0.0, ge=0, lt=1, allow_inf_nan=False, description="Fraction of paid time off the phones.")


class StaffingRequest(_Model):
    intervals: list[IntervalIn] = Field(min_length=1, description="Intervals to staff (any number of queues).")
    aht: float | None = Field(None, gt=0, allow_inf_nan=False,
                              description="One handle time for all rows (seconds), else per row.")
    interval_seconds: float | None = Field(None, gt=0, allow_inf_nan=False,
                                           description="Interval length (seconds); inferred if omitted.")
    targets: StaffingTargets = Field(default_factory=StaffingTargets)
    timezone: str | None = Field(None, max_length=64, description="IANA zone of the times (e.g. 'Europe/London'); "
                                 "by default the one their UTC offsets fit.")


class StaffingRow(_Model):
    queue: str
    ts: dt.datetime
    volume: float = Field(description="Calls offered (calls).")
    agents: int = Field(description="Agents to schedule (after shrinkage).")
    service_level: float | None = Field(description="Projected fraction answered within the threshold.")
    occupancy: float | None = Field(description="Projected agent occupancy (fraction).")
    asa: float | None = Field(description="Projected average speed of answer (seconds); null if unbounded.")
    abandon_rate: float | None = Field(None, description="Projected abandonment (fraction), Erlang A only.")


class StaffingResponse(_Model):
    rows: list[StaffingRow]


class ForecastRequest(_Model):
    history: list[IntervalIn] = Field(min_length=1, description="Past intervals, long format.")
    horizon: int | str = Field(description="Intervals ahead, or a duration such as '14D' (limit "
                                           "`max_horizon_intervals`).", examples=["14D"])
    model: str = Field("auto", max_length=64, description="Model name, or 'auto' to pick by backtest.")
    holidays: list[dt.date] | None = Field(None, max_length=10_000, description="Special days, in history and horizon.")
    quantiles: list[float] = Field([0.1, 0.5, 0.9], max_length=99, description="Quantile levels in (0, 1).")
    timezone: str | None = Field(None, max_length=64, description="IANA zone of the times (e.g. 'Europe/London'); "
                                 "by default the one their UTC offsets fit.")


class ForecastResponse(_Model):
    rows: list[dict[str, object]] = Field(description="One row per queue and future interval: queue, ts, "
                                                      "volume (calls), quantile columns, aht (seconds).")


class ShortfallRequest(_Model):
    """A roster to explain: why each of its short intervals is short."""

    problem: RosterProblem
    solution: RosterSolution
    day: int | None = Field(None, description="Only this day (index from the horizon start).")
    interval: int | None = Field(None, description="Only this interval of the day (index from local midnight).")
