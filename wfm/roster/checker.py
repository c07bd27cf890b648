"""The solver-independent checker: the executable specification of a roster.

``check(problem, solution)`` recomputes every hard rule and the objective from the assignments alone — their
dates, shift ids and tz-aware times — without the CP-SAT model. Every test solve goes through it, so the model
and this file must agree on what the rules mean; when they disagree, this file is the reference.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from wfm.roster.models import Agent, Assignment, Contract, Penalty, RosterProblem, RosterSolution, ShiftTemplate
from wfm.roster.rules import HARD_RULES, AgentView, Violation
from wfm.roster.rules.calendar import weekend_groups, weeks

__all__ = ["Violation", "CheckReport", "agent_violations", "calendar", "check", "price_objective",
           "shortfall_tier_cost"]

_UTC = dt.UTC


@dataclass
class CheckReport:
    """Result of :func:`check`: hard-rule violations, the recomputed objective and its penalties."""

    violations: list[Violation] = field(default_factory=list)
    objective: float = 0.0
    penalties: list[Penalty] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no hard rule is broken."""
        return not self.violations

    def rules(self) -> set[str]:
        return {v.rule for v in self.violations}

    def __str__(self) -> str:
        head = f"{len(self.violations)} violation(s), objective {self.objective:g}"
        return "\n".join([head, *(f"  - {v}" for v in self.violations[:50])])


def _minutes(t: dt.datetime, origin: dt.datetime) -> float:
    return (t.astimezone(_UTC) - origin).total_seconds() / 60.0


def shortfall_tier_cost(short: float, marginal: list[float]) -> float:
    # written out again rather than imported from the model: the checker is the independent reading
    cost, k = 0.0, 0
    while short > 1e-9:
        part = min(1.0, short)
        cost += part * marginal[min(k, len(marginal) - 1)]
        short -= part
        k += 1
    return cost


def check(problem: RosterProblem, solution: RosterSolution) -> CheckReport:  # noqa: C901 - one rule a block
    """Recompute every hard rule and the objective of ``solution`` for ``problem``.

    Parameters
    ----------
    problem : RosterProblem
        The problem the roster answers.
    solution : RosterSolution
        The roster (only ``assignments`` are read).

    Returns
    -------
    CheckReport
        ``violations`` by rule, agent and day (empty when the roster is valid), ``objective`` and
        ``penalties`` recomputed from the assignments.
    """
    h = problem.horizon
    tz = h.tz
    report = CheckReport()
    bad = report.violations.append
    shifts = {s.id: s for s in problem.shifts}
    agents = {a.id: a for a in problem.agents}
    contracts = {c.id: c for c in problem.contracts}
    n = h.days
    day_of = h.day_of

    # ---- well-formed assignments -------------------------------------------------------------------
    by_agent: dict[str, dict[int, Assignment]] = {a.id: {} for a in problem.agents}
    for x in solution.assignments:
        if x.agent not in agents:
            bad(Violation("unknown_agent", x.agent, x.date, "agent not in the problem"))
            continue
        if x.shift not in shifts:
            bad(Violation("unknown_shift", x.agent, x.date, f"shift {x.shift!r} not in the problem"))
            continue
        d = day_of(x.date)
        if not 0 <= d < n:
            bad(Violation("outside_horizon", x.agent, x.date, "date outside the horizon"))
            continue
        if d in by_agent[x.agent]:
            bad(Violation("one_shift_per_day", x.agent, x.date, "more than one shift on the day"))
            continue
        by_agent[x.agent][d] = x
        t = shifts[x.shift]
        start = dt.datetime.combine(x.date, t.start, tzinfo=tz).astimezone(_UTC)
        want = [(start + dt.timedelta(minutes=s.offset_minutes),
                 start + dt.timedelta(minutes=s.offset_minutes + s.minutes)) for s in t.segments]
        got = [(p.start.astimezone(_UTC), p.end.astimezone(_UTC)) for p in x.segments]
        if got != want or x.start.astimezone(_UTC) != want[0][0] or x.end.astimezone(_UTC) != want[-1][1]:
            bad(Violation("shift_times", x.agent, x.date, f"times do not match shift {t.id}"))
        if x.paid_minutes != t.paid_minutes:
            bad(Violation("shift_times", x.agent, x.date, f"paid_minutes {x.paid_minutes} != {t.paid_minutes}"))
        if x.date.weekday() not in t.weekdays:
            bad(Violation("shift_weekdays", x.agent, x.date, f"shift {t.id} not offered on this weekday"))
        if len(x.breaks) != len(t.breaks):
            bad(Violation("breaks", x.agent, x.date, f"{len(x.breaks)} breaks for {len(t.breaks)} in the "
                                                     "template"))
        else:
            for b, p in zip(t.breaks, x.breaks, strict=True):
                off = (p.start.astimezone(_UTC) - start).total_seconds() / 60
                length = (p.end - p.start).total_seconds() / 60
                if not b.earliest_offset_minutes <= off <= b.latest_offset_minutes or length != b.minutes:
                    bad(Violation("breaks", x.agent, x.date, f"break at +{off:g} min for {length:g} min "
                                                             "outside its window"))

    weekends, weeks = calendar(problem)

    # ---- hard rules per agent --------------------------------------------------------------------------
    for agent in problem.agents:
        report.violations.extend(agent_violations(problem, agent, by_agent[agent.id], shifts=shifts,
                                                  contracts=contracts, weekends=weekends, weeks=weeks))

    price_objective(problem, by_agent, shifts, weekends, weeks, report)
    return report


def calendar(problem: RosterProblem) -> tuple[list[list[int]], list[list[int]]]:
    """``(weekends, weeks)`` of the horizon as day indices (:mod:`wfm.roster.rules.calendar`): each
    weekend's days (ISO week of ``problem.weekend_days``) and each calendar week (the first and last may be
    shorter)."""
    return weekend_groups(problem), weeks(problem)


def agent_violations(problem: RosterProblem, agent: Agent, mine: dict[int, Assignment], *,
                     shifts: dict[str, ShiftTemplate] | None = None, contracts: dict[str, Contract] | None = None,
                     weekends: list[list[int]] | None = None, weeks: list[list[int]] | None = None
                     ) -> list[Violation]:
    """Every hard rule of one agent's own roster broken by ``mine`` (day index -> assignment).

    The rules that concern one agent at a time (all but the well-formedness of each assignment: the
    registry :data:`wfm.roster.rules.HARD_RULES`, rule by rule), so a roster can be re-checked one agent at
    a time when only that agent's days change. ``shifts``, ``contracts``, ``weekends`` and ``weeks`` are
    lookups the caller may pass to save rebuilding them.
    """
    shifts = shifts if shifts is not None else {s.id: s for s in problem.shifts}
    contracts = contracts if contracts is not None else {c.id: c for c in problem.contracts}
    if weekends is None or weeks is None:
        weekends, weeks = calendar(problem)
    view = AgentView(problem, agent, contracts[agent.contract], mine, shifts, weeks, weekends)
    return [v for rule in HARD_RULES for v in rule.check(view)]


def price_objective(problem: RosterProblem, by_agent: dict[str, dict[int, Assignment]], shifts: dict, weekends,
               weeks, report: CheckReport) -> None:  # noqa: ANN001
    h = problem.horizon
    w = problem.weights
    pen = report.penalties.append
    origin = h.local_midnight(0).astimezone(_UTC)
    step = h.interval_minutes

    # ---- interval cover: an agent counts in an interval it works wholly, off break -----------------
    if problem.requirements:
        day_first = [0]
        for d in range(h.days):
            day_first.append(day_first[-1] + h.intervals_in_day(d))
        need: dict[tuple[int, str | None], float] = {}
        for r in problem.requirements:
            g = int(_minutes(r.ts, origin) // step) if r.ts is not None else day_first[r.day] + r.interval
            need[g, r.skill] = need.get((g, r.skill), 0.0) + r.agents
        have: dict[tuple[int, str | None], int] = {}
        skills = {a.id: set(a.skills) for a in problem.agents}
        for aid, mine in by_agent.items():
            for x in mine.values():
                present: set[int] = set()
                for p in x.segments:
                    lo, hi = _minutes(p.start, origin), _minutes(p.end, origin)
                    g = math.ceil(lo / step - 1e-9)
                    while (g + 1) * step <= hi + 1e-9:
                        present.add(g)
                        g += 1
                for b in x.breaks:
                    lo, hi = _minutes(b.start, origin), _minutes(b.end, origin)
                    present -= {g for g in list(present) if g * step < hi and (g + 1) * step > lo}
                for g in present:
                    for skill in [None, *skills[aid]]:
                        if (g, skill) in need:
                            have[g, skill] = have.get((g, skill), 0) + 1
        for (g, skill), agents in sorted(need.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
            d = max(i for i in range(h.days) if day_first[i] <= g)
            label = f"day={d}, t={g - day_first[d]}" + (f", skill={skill}" if skill else "")
            n = have.get((g, skill), 0)
            if agents - n > 1e-9:
                pen(Penalty(name=f"short({label})", rule="shortfall", amount=agents - n,
                            cost=shortfall_tier_cost(agents - n, w.shortfall)))
            if n - agents > 1e-9 and w.overstaffing > 0:
                pen(Penalty(name=f"over({label})", rule="overstaffing", amount=n - agents,
                            cost=(n - agents) * w.overstaffing))

    # ---- shift-type cover ---------------------------------------------------------------------------
    on_shift: dict[tuple[int, str], int] = {}
    for mine in by_agent.values():
        for d, x in mine.items():
            on_shift[d, x.shift] = on_shift.get((d, x.shift), 0) + 1
    for sd in problem.shift_demands:
        n = on_shift.get((sd.day, sd.shift), 0)
        label = f"day={sd.day}, shift={sd.shift}"
        if n < sd.required and sd.under_weight > 0:
            pen(Penalty(name=f"shift_under({label})", rule="shift_under", amount=sd.required - n,
                        cost=(sd.required - n) * sd.under_weight * w.shift_demand))
        if n > sd.required and sd.over_weight > 0:
            pen(Penalty(name=f"shift_over({label})", rule="shift_over", amount=n - sd.required,
                        cost=(n - sd.required) * sd.over_weight * w.shift_demand))

    # ---- preferences ----------------------------------------------------------------------------------
    if w.preference > 0:
        for agent in problem.agents:
            mine = by_agent[agent.id]
            for p in agent.preferences:
                d = h.day_of(p.date)
                if not 0 <= d < h.days:
                    continue
                x = mine.get(d)
                hit = x is not None and (p.shift is None or x.shift == p.shift)
                if hit != (p.kind == "on"):
                    name = f"pref_{p.kind}(agent={agent.id}, day={d}" + (f", shift={p.shift})" if p.shift else ")")
                    pen(Penalty(name=name, rule="preference", amount=1, cost=p.weight * w.preference))

    # ---- fairness of unpopular shifts -----------------------------------------------------------------
    if w.fairness > 0:
        contracts = {c.id: c for c in problem.contracts}
        weekend_days = {d for g in weekends for d in g}
        for tag in w.fairness_tags:
            counts = []
            for agent in problem.agents:
                mine = by_agent[agent.id]
                if tag == "weekend":
                    if not weekend_days:
                        continue
                    counts.append(sum(1 for d in mine if d in weekend_days))
                    continue
                allowed = contracts[agent.contract].allowed_shifts
                if not any(tag in t.tags and (allowed is None or t.id in allowed)
                           and agent.max_shifts.get(t.id, 1) > 0 for t in problem.shifts):
                    continue
                counts.append(sum(1 for x in mine.values() if tag in shifts[x.shift].tags))
            if len(counts) >= 2 and max(counts) > min(counts):
                spread = max(counts) - min(counts)
                pen(Penalty(name=f"unfair({tag})", rule="fairness", amount=spread, cost=spread * w.fairness))

    # ---- shift-start consistency within a week -------------------------------------------------------
    if w.start_consistency > 0:
        contracts = {c.id: c for c in problem.contracts}
        for agent in problem.agents:
            if not contracts[agent.contract].shift_start_consistency:
                continue
            mine = by_agent[agent.id]
            for i, week in enumerate(weeks):
                starts = {shifts[mine[d].shift].start for d in week if d in mine}
                if len(starts) > 1:
                    pen(Penalty(name=f"start_mix(agent={agent.id}, week={i})",
                                rule="start_consistency", amount=len(starts) - 1,
                                cost=(len(starts) - 1) * w.start_consistency))

    report.objective = sum(p.cost for p in report.penalties)
