"""The roster schema: what a user brings (:class:`RosterProblem`) and what the solver returns
(:class:`RosterSolution`).

Both are pydantic v2 models that round-trip JSON (``model_dump_json`` / ``model_validate_json``), so the thin
API and files on disk carry exactly what the solver sees. One schema expresses two worlds:

* **Call centre** — a horizon of days cut into 15- or 30-minute intervals in the site's IANA time zone;
  ``requirements`` give the agents needed per interval (typically :mod:`wfm.erlang` output on a forecast);
  shift templates have wall-clock starts, one or two work segments (a *split* shift has an unpaid gap),
  breaks placed inside a window; contracts carry labour rules.
* **Shift-type cover** (the Curtois & Qu benchmark) — ``shift_demands`` give the number of agents wanted per
  (day, shift) with weights for under and over cover; agents have weighted shift-on/off requests
  (``preferences``), per-shift maxima (``max_shifts``) and fixed days off (``leave``).

Conventions
-----------
* Days are indexed ``d = 0 .. days-1`` from ``horizon.start``; dates in agent data must lie in the horizon.
* Time: an interval ``t`` of day ``d`` starts at local midnight of day ``d`` plus ``t * interval_minutes`` of
  *elapsed* time, so a daylight-saving day has 46 or 50 half-hour intervals (never assume 48).
  A shift starts at its wall-clock ``start`` on its day; its segments are offsets in elapsed minutes.
* An agent counts towards an interval only when at work (inside a segment, not on a break) for the whole
  interval — a conservative reading that never overstates cover.
* Skills: a requirement with ``skill=None`` is the head-count of all agents; a requirement with a skill is
  covered by every scheduled agent holding that skill (an agent's time is not split between skills).
* Week ``w`` is days ``7w .. 7w+6`` from the horizon start (a partial last week is a week too); weekend days
  are the weekdays in ``RosterProblem.weekend_days`` (default Saturday and Sunday).

Stability: fields are only ever *added* (with defaults); renaming or changing a field is announced here.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "DecompositionReport",
    "Horizon",
    "Requirement",
    "ShiftDemand",
    "Segment",
    "Break",
    "ShiftTemplate",
    "ShiftRef",
    "ForbiddenSuccession",
    "Contract",
    "LockedAssignment",
    "Preference",
    "Agent",
    "ObjectiveWeights",
    "ServiceTarget",
    "RosterProblem",
    "Period",
    "Assignment",
    "Penalty",
    "RosterSolution",
    "SolveStatus",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, validate_assignment=False)


# --------------------------------------------------------------------------------------------- horizon

class Horizon(_Model):
    """The planning window: ``days`` days from ``start`` cut into ``interval_minutes`` intervals."""

    start: dt.date = Field(description="First day of the roster (local date at the site).",
                           examples=["2026-03-02"])
    days: int = Field(ge=1, le=56, description="Number of days planned (1 to 56, i.e. up to 8 weeks).")
    interval_minutes: Literal[15, 30] = Field(30, description="Length of a requirement interval, minutes.")
    timezone: str = Field("UTC", description="IANA time zone of the site, e.g. 'Europe/Paris'.")
    week_start: int | None = Field(None, ge=0, le=6, description=(
        "Weekday the site's weeks start on (0 = Monday .. 6 = Sunday) for every weekly rule; days before the "
        "first such weekday form a partial first week. None: weeks count from `start` (7-day blocks)."))

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"`timezone` must be an IANA time zone name; got {v!r}") from exc
        return v

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def date_of(self, d: int) -> dt.date:
        """Calendar date of day index ``d``."""
        return self.start + dt.timedelta(days=d)

    def day_of(self, date: dt.date) -> int:
        """Day index of ``date`` (may fall outside ``0 .. days-1``)."""
        return (date - self.start).days

    def local_midnight(self, d: int) -> dt.datetime:
        """Tz-aware local midnight that opens day ``d`` (d may be ``days`` for the end of the horizon)."""
        return dt.datetime.combine(self.date_of(d), dt.time(0), tzinfo=self.tz)

    def intervals_in_day(self, d: int) -> int:
        """Number of intervals of day ``d``: 48 at 30 minutes, except on daylight-saving days (46 or 50)."""
        a = self.local_midnight(d).astimezone(dt.UTC)
        b = self.local_midnight(d + 1).astimezone(dt.UTC)
        return int((b - a).total_seconds() // (60 * self.interval_minutes))


# ------------------------------------------------------------------------------------------- demand

class Requirement(_Model):
    """Agents needed in one interval, given either by ``ts`` or by (``day``, ``interval``)."""

    ts: AwareDatetime | None = Field(None, description="Interval start, tz-aware.")
    day: int | None = Field(None, ge=0, description="Day index from the horizon start (with ``interval``).")
    interval: int | None = Field(None, ge=0, description="Interval index within the day (with ``day``).")
    agents: float = Field(ge=0, description="Agents needed on the phones during the interval (may be "
                                            "fractional, e.g. a smoothed Erlang figure).")
    skill: str | None = Field(None, description="Skill or queue; None means all agents.")
    volume: float | None = Field(None, ge=0, description="Calls offered in the interval, for the projected "
                                                         "service level (optional).")
    aht_seconds: float | None = Field(None, gt=0, description="Average handle time, seconds (optional).")

    @model_validator(mode="after")
    def _one_address(self) -> Requirement:
        if (self.ts is None) == (self.day is None or self.interval is None):
            raise ValueError("a requirement needs either `ts` or both `day` and `interval`; got "
                             f"ts={self.ts}, day={self.day}, interval={self.interval}")
        return self


class ShiftDemand(_Model):
    """Shift-type cover: ``required`` agents on shift ``shift`` on day ``day`` (Curtois style)."""

    day: int = Field(ge=0, description="Day index from the horizon start.")
    shift: str = Field(description="Shift template id.")
    required: int = Field(ge=0, description="Agents wanted on that shift that day.")
    under_weight: float = Field(1.0, ge=0, description="Cost per agent below ``required``.")
    over_weight: float = Field(0.0, ge=0, description="Cost per agent above ``required``.")


# ------------------------------------------------------------------------------------------- shifts

class Segment(_Model):
    """One block of work inside a shift, as elapsed minutes from the shift start."""

    offset_minutes: int = Field(0, ge=0, description="Start of the segment, minutes after the shift start.")
    minutes: int = Field(gt=0, le=24 * 60, description="Length of the segment, minutes.")


class Break(_Model):
    """A break (or lunch) of ``minutes`` starting between two offsets from the shift start.

    The solver picks the start (on the interval grid) for each agent; the agent does not count in the
    intervals the break overlaps. ``paid`` breaks count towards paid minutes.
    """

    minutes: int = Field(gt=0, description="Break length, minutes.")
    earliest_offset_minutes: int = Field(ge=0, description="Earliest break start, minutes after shift start.")
    latest_offset_minutes: int = Field(ge=0, description="Latest break start, minutes after shift start.")
    paid: bool = Field(False, description="Whether the break is paid time.")

    @model_validator(mode="after")
    def _window(self) -> Break:
        if self.latest_offset_minutes < self.earliest_offset_minutes:
            raise ValueError("`latest_offset_minutes` must be >= `earliest_offset_minutes`; got "
                             f"{self.latest_offset_minutes} < {self.earliest_offset_minutes}")
        return self


class ShiftTemplate(_Model):
    """A shift that may be assigned: wall-clock start, work segments, paid time, allowed weekdays, tags.

    Give either ``length_minutes`` (one segment) or ``segments`` (one or two; two make a split shift with an
    unpaid gap). ``paid_minutes`` defaults to the segment minutes less unpaid breaks.
    """

    id: str = Field(min_length=1, description="Shift id, unique in the problem.")
    start: dt.time = Field(dt.time(9, 0), description="Local wall-clock start time.")
    length_minutes: int | None = Field(None, gt=0, le=24 * 60,
                                       description="Length of a one-segment shift, minutes.")
    segments: list[Segment] = Field(default_factory=list, max_length=2,
                                    description="Work segments; two make a split shift.")
    paid_minutes: int | None = Field(None, ge=0, description="Paid minutes of the shift.")
    weekdays: list[int] = Field(default_factory=lambda: list(range(7)),
                                description="Weekdays the shift may be used, 0=Monday .. 6=Sunday.")
    tags: list[str] = Field(default_factory=list,
                            description="Labels used by rules and fairness: early, late, long, short, "
                                        "split, night, ...")
    breaks: list[Break] = Field(default_factory=list, description="Breaks placed by the solver.")

    @model_validator(mode="after")
    def _fill(self) -> ShiftTemplate:
        if not self.segments:
            if self.length_minutes is None:
                raise ValueError(f"shift {self.id!r}: give `length_minutes` or `segments`")
            self.segments = [Segment(offset_minutes=0, minutes=self.length_minutes)]
        segs = sorted(self.segments, key=lambda s: s.offset_minutes)
        for a, b in zip(segs, segs[1:], strict=False):
            if b.offset_minutes < a.offset_minutes + a.minutes:
                raise ValueError(f"shift {self.id!r}: `segments` overlap")
        self.segments = segs
        if self.length_minutes is None:
            self.length_minutes = segs[-1].offset_minutes + segs[-1].minutes
        if self.paid_minutes is None:
            unpaid = sum(b.minutes for b in self.breaks if not b.paid)
            self.paid_minutes = sum(s.minutes for s in segs) - unpaid
        if any(not 0 <= w <= 6 for w in self.weekdays):
            raise ValueError(f"shift {self.id!r}: `weekdays` must be in 0..6; got {self.weekdays}")
        windows = sorted((b.earliest_offset_minutes, b.latest_offset_minutes + b.minutes)
                         for b in self.breaks)
        for (_, hi1), (lo2, _) in zip(windows, windows[1:], strict=False):
            if lo2 < hi1:
                raise ValueError(f"shift {self.id!r}: break windows must not overlap")
        for b in self.breaks:
            lo, hi = b.earliest_offset_minutes, b.latest_offset_minutes + b.minutes
            if not any(s.offset_minutes <= lo and hi <= s.offset_minutes + s.minutes for s in segs):
                raise ValueError(f"shift {self.id!r}: break window [{lo}, {hi}] minutes must lie inside one "
                                 "work segment")
        return self

    @property
    def is_split(self) -> bool:
        return len(self.segments) > 1

    @property
    def span_minutes(self) -> int:
        """Minutes from the start of the first segment to the end of the last one."""
        return self.segments[-1].offset_minutes + self.segments[-1].minutes


# ------------------------------------------------------------------------------------------- rules

class ShiftRef(_Model):
    """Selects shifts by id or by tag (exactly one of the two)."""

    shift: str | None = None
    tag: str | None = None

    @model_validator(mode="after")
    def _one(self) -> ShiftRef:
        if (self.shift is None) == (self.tag is None):
            raise ValueError(f"a shift reference needs exactly one of `shift` or `tag`; got {self}")
        return self

    def matches(self, template: ShiftTemplate) -> bool:
        return template.id == self.shift if self.shift is not None else self.tag in template.tags

    def __str__(self) -> str:
        return f"shift {self.shift}" if self.shift is not None else f"tag {self.tag}"


class ForbiddenSuccession(_Model):
    """A shift matching ``first`` on day d may not be followed by one matching ``second`` on day d+1."""

    first: ShiftRef
    second: ShiftRef


class Contract(_Model):
    """Labour rules shared by the agents on one contract; every rule is optional (None = no rule)."""

    id: str = Field(min_length=1)
    min_paid_minutes_per_week: int | None = Field(None, ge=0, description="Minutes, full weeks only.")
    max_paid_minutes_per_week: int | None = Field(None, ge=0, description="Minutes.")
    min_paid_minutes: int | None = Field(None, ge=0, description="Minutes over the horizon.")
    max_paid_minutes: int | None = Field(None, ge=0, description="Minutes over the horizon.")
    max_working_days_per_week: int | None = Field(None, ge=0, le=7)
    min_days_off_per_week: int | None = Field(None, ge=0, le=7, description="Full weeks only.")
    min_working_days_per_week: int | None = Field(None, ge=0, le=7, description="Days with a shift; full weeks "
                                                                                "only.")
    min_consecutive_days_off_in_week: int | None = Field(
        None, ge=1, le=7, description="A run of at least N consecutive days off inside every full week (weeks of "
                                      "`Horizon.week_start`); days off straddling two weeks do not count.")
    max_consecutive_working_days: int | None = Field(None, ge=1)
    min_consecutive_working_days: int | None = Field(None, ge=1)
    min_consecutive_days_off: int | None = Field(None, ge=1)
    min_rest_hours: float | None = Field(None, ge=0, description="Hours between the end of a shift and the "
                                                               "start of the next day's shift.")
    max_tag_per_week: dict[str, int] = Field(default_factory=dict,
                                             description="Tag -> max shifts with that tag per week.")
    max_tag_per_horizon: dict[str, int] = Field(default_factory=dict,
                                                description="Tag -> max shifts with that tag in the horizon.")
    forbidden_successions: list[ForbiddenSuccession] = Field(default_factory=list)
    max_weekends_per_4_weeks: int | None = Field(None, ge=0,
                                                 description="In every window of 4 consecutive weekends.")
    max_weekends: int | None = Field(None, ge=0, description="Weekends worked in the horizon.")
    allowed_shifts: list[str] | None = Field(None, description="Shift ids the contract may work; None = all.")
    shift_start_consistency: bool = Field(False, description="Soft: penalise each extra distinct start "
                                                             "time an agent works within a week.")
    leave_credit_minutes: int = Field(0, ge=0, description="Paid minutes each leave day counts toward the "
                                                            "minimum paid minutes (per week and per horizon), e.g. "
                                                            "450 for a 7.5-hour shift; 0: leave earns nothing.")
    leave_counts_as_working_day: bool = Field(False, description="A leave day counts as a working day toward "
                                                                 "`min_working_days_per_week`.")
    exempt_edge_runs: bool = Field(True, description="Min-consecutive runs (work or off) touching either "
                                                     "end of the horizon are exempt; they may continue "
                                                     "outside it.")


# ------------------------------------------------------------------------------------------- agents

class LockedAssignment(_Model):
    """A fixed decision: ``shift`` on ``date``, or a day off when ``shift`` is None (hard)."""

    date: dt.date
    shift: str | None = None


class Preference(_Model):
    """A weighted wish to work (``kind='on'``) or not (``'off'``) a shift (any shift if None) on a day."""

    date: dt.date
    shift: str | None = Field(None, description="Shift id; None means any shift (a day on / day off).")
    kind: Literal["on", "off"]
    weight: float = Field(1.0, gt=0, description="Cost when the wish is not granted.")


class Agent(_Model):
    """A person who can be rostered."""

    id: str = Field(min_length=1)
    contract: str = Field(description="Contract id.")
    skills: list[str] = Field(default_factory=list)
    hire_date: dt.date | None = Field(None, description="Seniority; earlier is more senior.")
    leave: list[dt.date] = Field(default_factory=list, description="Days the agent cannot work (hard): "
                                                                   "approved leave, unavailability, fixed "
                                                                   "days off.")
    locked: list[LockedAssignment] = Field(default_factory=list)
    preferences: list[Preference] = Field(default_factory=list)
    max_shifts: dict[str, int] = Field(default_factory=dict,
                                       description="Shift id -> max times in the horizon (0 forbids).")


# ------------------------------------------------------------------------------------------- objective

class ObjectiveWeights(_Model):
    """Named weights of the objective (all costs are summed; the solver minimises)."""

    shortfall: list[float] = Field(
        default_factory=lambda: [100.0, 150.0, 250.0, 400.0],
        description="Marginal cost of the 1st, 2nd, 3rd, ... missing agent in one interval (per interval "
                    "requirement); the last value applies beyond. Non-decreasing, so a deep hole in one "
                    "interval costs more than the same total spread thin.")
    overstaffing: float = Field(5.0, ge=0, description="Cost per agent above the interval requirement.")
    preference: float = Field(1.0, ge=0, description="Multiplier of each unmet preference's weight.")
    fairness: float = Field(0.0, ge=0, description="Cost per unit of (max - min) count of each fairness "
                                                   "tag across agents.")
    fairness_tags: list[str] = Field(default_factory=lambda: ["split", "late", "night", "weekend"],
                                     description="Unpopular shift tags spread fairly; 'weekend' counts "
                                                 "weekend days worked.")
    start_consistency: float = Field(2.0, ge=0, description="Cost per extra distinct start time in a week "
                                                            "(contracts with shift_start_consistency).")
    shift_demand: float = Field(1.0, ge=0, description="Multiplier of shift-demand under/over weights.")

    @field_validator("shortfall")
    @classmethod
    def _convex(cls, v: list[float]) -> list[float]:
        if not v or any(x < 0 for x in v) or any(b < a for a, b in zip(v, v[1:], strict=False)):
            raise ValueError(f"`shortfall` must be a non-empty, non-negative, non-decreasing list; got {v}")
        return v


# ------------------------------------------------------------------------------------------- service

class ServiceTarget(_Model):
    """The staffing target behind the requirements, for the service level a roster is projected to give.

    Filled by :func:`wfm.roster.staffing_handoff` from what :func:`wfm.erlang.requirements` recorded, so the
    answer time, patience and shrinkage are stated once. The projected service level of an interval counts
    ``scheduled × (1 − shrinkage)`` agents on the phones (whole agents either side interpolated linearly)
    and uses Erlang A when ``patience_seconds`` is known, Erlang C otherwise.
    """

    service_level: float | None = Field(None, gt=0, lt=1, description="Target fraction of calls answered "
                                                                      "within ``answer_seconds`` (None: "
                                                                      "no service-level target).",
                                        examples=[0.8])
    answer_seconds: float = Field(20.0, ge=0, description="Service-level threshold, seconds (0: answered "
                                                          "without waiting).", examples=[20])
    patience_seconds: float | None = Field(None, gt=0, description="Mean caller patience, seconds; known → "
                                                                   "Erlang A (callers who hang up count as "
                                                                   "not answered), None → Erlang C.",
                                           examples=[120])
    shrinkage: float = Field(0.0, ge=0, lt=1, description="Fraction of rostered time (at work, off break) "
                                                          "not on the phones: absence, training, meetings "
                                                          "the roster does not place. Already added to "
                                                          "``Requirement.agents``; breaks the shift "
                                                          "templates place are not part of it.",
                             examples=[0.2222])


# ------------------------------------------------------------------------------------------- problem

class RosterProblem(_Model):
    """Everything the roster solver needs."""

    name: str = "roster"
    horizon: Horizon
    shifts: list[ShiftTemplate] = Field(min_length=1)
    contracts: list[Contract] = Field(min_length=1)
    agents: list[Agent] = Field(min_length=1)
    requirements: list[Requirement] = Field(default_factory=list)
    shift_demands: list[ShiftDemand] = Field(default_factory=list)
    weights: ObjectiveWeights = Field(default_factory=ObjectiveWeights)
    weekend_days: list[int] = Field(default_factory=lambda: [5, 6], description="Weekdays of the weekend.")
    answer_seconds: float = Field(20.0, gt=0, description="Service-level threshold for the projected SL, "
                                                          "seconds (``service_target.answer_seconds`` when "
                                                          "that is given).")
    service_target: ServiceTarget | None = Field(None, description="Target, patience and shrinkage behind "
                                                                   "the requirements (projected service "
                                                                   "level); None: Erlang C at "
                                                                   "``answer_seconds``, no shrinkage.")

    @model_validator(mode="after")
    def _references(self) -> RosterProblem:
        errors: list[str] = []
        for kind, items in (("shift", self.shifts), ("contract", self.contracts), ("agent", self.agents)):
            seen: set[str] = set()
            for it in items:
                if it.id in seen:
                    errors.append(f"duplicate {kind} id {it.id!r}")
                seen.add(it.id)
        shift_ids = {s.id for s in self.shifts}
        contract_ids = {c.id for c in self.contracts}
        days = self.horizon.days

        def in_horizon(date: dt.date) -> bool:
            return 0 <= self.horizon.day_of(date) < days

        for c in self.contracts:
            for sid in c.allowed_shifts or []:
                if sid not in shift_ids:
                    errors.append(f"contract {c.id!r}: `allowed_shifts` names unknown shift {sid!r}")
            for fs in c.forbidden_successions:
                for ref in (fs.first, fs.second):
                    if ref.shift is not None and ref.shift not in shift_ids:
                        errors.append(f"contract {c.id!r}: forbidden succession names unknown shift "
                                      f"{ref.shift!r}")
        for a in self.agents:
            if a.contract not in contract_ids:
                errors.append(f"agent {a.id!r}: unknown contract {a.contract!r}")
            for sid in a.max_shifts:
                if sid not in shift_ids:
                    errors.append(f"agent {a.id!r}: `max_shifts` names unknown shift {sid!r}")
            for la in a.locked:
                if la.shift is not None and la.shift not in shift_ids:
                    errors.append(f"agent {a.id!r}: locked assignment names unknown shift {la.shift!r}")
                if not in_horizon(la.date):
                    errors.append(f"agent {a.id!r}: locked date {la.date} outside the horizon")
            for p in a.preferences:
                if p.shift is not None and p.shift not in shift_ids:
                    errors.append(f"agent {a.id!r}: preference names unknown shift {p.shift!r}")
        for sd in self.shift_demands:
            if sd.shift not in shift_ids:
                errors.append(f"shift demand on day {sd.day} names unknown shift {sd.shift!r}")
            if sd.day >= days:
                errors.append(f"shift demand day {sd.day} outside the horizon of {days} days")
        for r in self.requirements:
            if r.day is not None and r.day >= days:
                errors.append(f"requirement day {r.day} outside the horizon of {days} days")
        if any(not 0 <= w <= 6 for w in self.weekend_days):
            errors.append(f"`weekend_days` must be weekdays 0..6; got {self.weekend_days}")
        if self.service_target is not None:
            # the answer time is stated once: the target's, unless the two given agree
            # (a target of 0 s has no twin here: `answer_seconds` must be > 0 and is then not read)
            target = self.service_target.answer_seconds
            if target > 0 and "answer_seconds" in self.model_fields_set and self.answer_seconds != target:
                errors.append(f"`answer_seconds` ({self.answer_seconds:g} s) differs from "
                              f"`service_target.answer_seconds` ({target:g} s); give it once")
            elif target > 0:
                self.answer_seconds = target
        if errors:
            more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
            raise ValueError("; ".join(errors[:5]) + more)
        return self

    # Convenience look-ups used by the model, the checker and the decomposition.
    def shift(self, shift_id: str) -> ShiftTemplate:
        for s in self.shifts:
            if s.id == shift_id:
                return s
        raise KeyError(shift_id)

    def contract_of(self, agent: Agent) -> Contract:
        for c in self.contracts:
            if c.id == agent.contract:
                return c
        raise KeyError(agent.contract)


# ------------------------------------------------------------------------------------------- solution

class Period(_Model):
    """A span of time, tz-aware: ``[start, end)``."""

    start: AwareDatetime
    end: AwareDatetime


class Assignment(_Model):
    """One agent working one shift on one day."""

    agent: str
    date: dt.date
    shift: str
    start: AwareDatetime = Field(description="Start of the first work segment.")
    end: AwareDatetime = Field(description="End of the last work segment.")
    paid_minutes: int
    tags: list[str] = Field(default_factory=list)
    segments: list[Period] = Field(default_factory=list, description="Work segments (two for a split shift).")
    breaks: list[Period] = Field(default_factory=list, description="Breaks placed by the solver.")


class Penalty(_Model):
    """One soft-rule violation: business name, rule family, amount (agents, count, ...) and its cost."""

    name: str = Field(description="e.g. 'short(day=3, t=20)' or 'pref_off(agent=A, day=4, shift=L)'.")
    rule: str = Field(description="Rule family: shortfall, overstaffing, shift_under, shift_over, "
                                  "preference, fairness, start_consistency.")
    amount: float
    cost: float


class SolveStatus(str, Enum):  # noqa: UP042 - str-valued for JSON and == "OPTIMAL"
    """Status of a solve or of one stage; the values are the strings JSON carries (CP-SAT's names).

    A :class:`RosterSolution` is OPTIMAL or FEASIBLE; the others name a stage's outcome (the solve itself
    raises :class:`~wfm.exceptions.InfeasibleError` or :class:`~wfm.exceptions.NoSolutionError` instead).
    """

    OPTIMAL = "OPTIMAL"
    FEASIBLE = "FEASIBLE"
    INFEASIBLE = "INFEASIBLE"
    UNKNOWN = "UNKNOWN"
    MODEL_INVALID = "MODEL_INVALID"

    def __str__(self) -> str:
        return self.value


class DecompositionReport(_Model):
    """What each stage of the decomposed solve achieved and what the decomposition lost (objective units)."""

    stage1_objective: float = Field(description="Cover cost of the stage-1 (plan) shift counts.")
    stage1_bound: float = Field(description="Proven lower bound on any roster's cover cost (covering LP).")
    stage1_status: SolveStatus = Field(description="OPTIMAL when the plan is the covering model's optimum.")
    cover_cost: float = Field(description="Cover cost (shortfall plus over-staffing) of the final roster.")
    shortfall: float = Field(description="Final agent-intervals short of the requirement.")
    over: float = Field(description="Final agent-intervals over the requirement.")
    shortfall_stage1: float = Field(description="Agent-intervals short in the stage-1 counts.")
    shortfall_lower_bound: float = Field(description="Fewest agent-intervals short any roster can have "
                                                     "(LP relaxation of the covering model on shortfall).")
    cover_gap: float = Field(description="(cover_cost - stage1_bound) / max(1, stage1_bound).")
    unfilled_slots: int = Field(0, description="Plan slots the plan-based construction left open.")
    extra_shifts: int = Field(0, description="Shifts the plan-based construction added beyond the plan.")
    construction: Literal["columns", "replan", "hint", "greedy", "fallback"] = Field(
        description="How the first roster was built: column generation, re-planned placement, the "
                    "caller's hint, or the greedy fallback of a construction out of time.")
    stage2_status: str = Field(description="The construction's own account (rounds, master cost).")
    construction_rounds: int = Field(0, description="Column-generation or re-planning rounds.")
    stage3_moves: int = Field(0, description="Agent rosters the best-response sweeps replaced.")
    stage3_windows: int = Field(0, description="Day windows (every agent re-rostered on one day) that improved.")
    columns_bound: float | None = Field(None, description="Dantzig-Wolfe bound of the column construction "
                                                          "on any roster's cover cost, when it ran.")
    fallbacks: list[str] = Field(default_factory=list, description="Stages that ran out of time and fell back.")
    seconds: dict[str, float] = Field(default_factory=dict, description="Wall time of each stage, seconds.")

    def __getitem__(self, key: str) -> Any:
        """``report["shortfall"]``: the dict-style reading of ``info["decomposition"]`` older callers use."""
        return getattr(self, key)


class RosterSolution(_Model):
    """A roster and how good it is. ``gap`` is ``(objective - best_bound) / max(1, |objective|)``."""

    status: SolveStatus = Field(description="OPTIMAL or FEASIBLE (time limit reached with a roster).")
    assignments: list[Assignment] = Field(default_factory=list)
    objective: float = Field(description="Total cost, the sum of ``penalties`` costs.")
    best_bound: float = Field(description="Lower bound on the objective proven by the solver.")
    gap: float = Field(description="Relative gap to the bound, 0 when optimal.")
    solve_time_s: float = Field(description="Wall time of the solve, seconds.")
    time_to_first_solution_s: float | None = Field(None, description="Seconds until the first roster.")
    penalties: list[Penalty] = Field(default_factory=list)
    penalty_totals: dict[str, float] = Field(default_factory=dict, description="Cost per rule family.")
    strategy: str = Field("monolithic", description="Which solve path produced the roster.")
    info: dict[str, Any] = Field(default_factory=dict, description="Solver statistics (free form).")

    @property
    def decomposition(self) -> DecompositionReport | None:
        """The decomposed solve's stage report (``info["decomposition"]``), typed; None on other paths."""
        got = self.info.get("decomposition")
        if got is None or isinstance(got, DecompositionReport):
            return got
        return DecompositionReport.model_validate(got)

    def to_frame(self) -> Any:
        """One row per assignment: agent, date, shift, start, end, paid_minutes, tags."""
        import pandas as pd

        cols = ["agent", "date", "shift", "start", "end", "paid_minutes", "tags"]
        rows = [{"agent": x.agent, "date": x.date, "shift": x.shift, "start": x.start, "end": x.end,
                 "paid_minutes": x.paid_minutes, "tags": ",".join(x.tags)} for x in self.assignments]
        return pd.DataFrame(rows, columns=cols)

    def coverage_frame(self, problem: RosterProblem) -> Any:
        """Per requirement interval: required, scheduled, shortfall, over and projected service level.

        Service level (fraction of calls answered within ``problem.answer_seconds``) is projected with
        :func:`wfm.erlang.service_level` where the requirement carries ``volume`` and ``aht_seconds``.
        """
        from wfm.roster._coverage import coverage_frame

        return coverage_frame(problem, self)
