"""Why an interval is short: every agent not on the phones then, the reason, and the cheapest change.

:func:`explain_shortfall` answers the scheduler's question "Tuesday 10:30 is 3 agents short: why?" from a
roster alone, like the checker (no solver). Each agent who is not on the phones in a short interval falls in
one group:

* ``leave``: on leave that day; ``skill``: lacks the interval's skill; ``locked``: the day is locked to
  something that does not cover it; ``no_shift``: no template the agent may work covers it;
* a hard-rule name as the checker names it (``max_working_days_per_week``, ``min_rest_hours``, ...):
  every change that would put the agent there breaks a hard rule, and this one is in the way of most of
  them (the agent's entry in ``changes`` lists all the rules its least-breaking change breaks);
* ``costs_more``: an allowed change covers the interval but raises the roster's objective, because it
  opens or deepens a hole elsewhere, adds over-staffing, or costs a preference or fairness;
* ``costs_same``: an allowed change covers it at no gain (the cost moves elsewhere, e.g. a hole that
  is just as deep);
* ``improves``: an allowed change covers it and lowers the objective (a time-limited roster need not be
  a local optimum; the change is reported so the scheduler can make it).

The changes considered are those of one agent on one day: move a break, swap the day's shift, or work a
day off. An allowed change's ``delta`` is exact: it equals the change of ``check(problem, roster).objective``
(a test holds the two to it). Explanations with many changes of several agents together (swapping days off
between two agents) are not searched: ``costs_more`` says one agent alone cannot close the hole cheaply.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from pydantic import BaseModel, ConfigDict, Field

from wfm.exceptions import InvalidParameterError
from wfm.roster.checker import CheckReport, agent_violations, calendar, check, price_objective, shortfall_tier_cost
from wfm.roster.models import Agent, Assignment, Period, RosterProblem, RosterSolution, ShiftTemplate
from wfm.roster.timeline import Timeline

__all__ = ["Change", "ShortInterval", "explain_shortfall"]

_PHRASES = {
    "leave": "on leave",
    "skill": "without the skill",
    "locked": "locked to another shift or a day off",
    "no_shift": "with no shift they may work that covers it",
    "break": "on a break that cannot leave it",
    "costs_more": "able to cover it only at a higher cost elsewhere",
    "costs_same": "able to cover it at no gain (what it saves here it costs elsewhere)",
    "improves": "able to cover it at a lower cost",
}


class Change(BaseModel):
    """One agent's change on one day that would put the agent on the phones in a short interval."""

    model_config = ConfigDict(frozen=True)

    agent: str
    date: dt.date
    before: str | None = Field(description="Shift worked that day now; None for a day off.")
    after: str = Field(description="Shift after the change (the same shift when only a break moves).")
    delta: float | None = Field(description="Change of the roster's objective, cost units (negative: a "
                                            "better roster); None when the change breaks a hard rule.")
    broken: list[str] = Field(default_factory=list, description="Hard rules the change breaks (empty: allowed).")
    assignment: Assignment = Field(description="The day's assignment after the change.")

    def __str__(self) -> str:
        what = f"{self.before or 'day off'} -> {self.after}" if self.before != self.after else \
            f"{self.after}, break moved"
        cost = f"{self.delta:+g}" if self.delta is not None else "breaks " + ", ".join(self.broken)
        return f"agent {self.agent} on {self.date}: {what} ({cost})"


class ShortInterval(BaseModel):
    """One short interval and why each agent who is not on the phones then is not."""

    model_config = ConfigDict(frozen=True)

    ts: dt.datetime = Field(description="Local start of the interval.")
    day: int
    interval: int
    skill: str | None
    required: float = Field(description="Agents needed.")
    scheduled: int = Field(description="Agents on the phones.")
    reasons: dict[str, list[str]] = Field(description="Reason (see wfm.roster.shortfall) -> agent ids.")
    cheapest: Change | None = Field(description="The allowed change covering the interval that costs least.")
    changes: dict[str, Change] = Field(default_factory=dict, repr=False,
                                       description="Per agent kept off by a rule or a cost: its best change.")

    @property
    def short(self) -> float:
        """Agents missing, ``required - scheduled``."""
        return self.required - self.scheduled

    def __str__(self) -> str:
        when = f"{self.ts:%a %Y-%m-%d %H:%M}" + (f" [{self.skill}]" if self.skill else "")
        head = (f"{when} is {self.short:g} agent{'s' if self.short != 1 else ''} short ({self.required:g} "
                f"required, {self.scheduled} on the phones)")
        parts = []
        for reason, who in sorted(self.reasons.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            phrase = _PHRASES.get(reason, f"kept off by {reason}")
            parts.append(f"{len(who)} {phrase}")
        text = head + (": of the agents not on the phones, " + "; ".join(parts) if parts else "")
        if self.cheapest is not None:
            text += f". Cheapest single change: {self.cheapest}"
        return text + "."


class _Roster:
    """The roster as per-agent day maps, what each assignment covers, and the cover cost of a change."""

    def __init__(self, problem: RosterProblem, solution: RosterSolution) -> None:
        self.problem = problem
        self.tl = Timeline(problem)
        self.need = {k: c.agents for k, c in self.tl.requirements.items()}
        self.shifts = {s.id: s for s in problem.shifts}
        self.contracts = {c.id: c for c in problem.contracts}
        self.skills = {a.id: list(a.skills) for a in problem.agents}
        self.weekends, self.weeks = calendar(problem)
        h = problem.horizon
        self.by_agent: dict[str, dict[int, Assignment]] = {a.id: {} for a in problem.agents}
        for x in solution.assignments:
            if x.agent not in self.by_agent:
                raise InvalidParameterError(f"assignment of unknown agent {x.agent!r} on {x.date}")
            self.by_agent[x.agent][h.day_of(x.date)] = x
        self.have: dict[tuple[int, str | None], int] = {}
        self.on: dict[str, set[int]] = {}  # intervals each agent is on the phones
        for aid, mine in self.by_agent.items():
            self.on[aid] = set()
            for x in mine.values():
                here = self.present(x)
                self.on[aid] |= here
                for g in here:
                    for k in self._cells(aid, g):
                        self.have[k] = self.have.get(k, 0) + 1
        # one agent more or fewer in an interval, priced at the roster's head-counts (changes are single)
        self._up: dict[tuple[str, ...], dict[int, float]] = {}
        self._down: dict[tuple[str, ...], dict[int, float]] = {}
        # the rest of the objective (preferences, fairness, start consistency, shift-type cover): the
        # checker's own code on the problem without interval requirements
        self._rest_problem = problem.model_copy(update={"requirements": []})
        self._local = problem.weights.fairness == 0 and not problem.shift_demands
        self._alone: dict[str, RosterProblem] = {}
        self._rest_cache: dict[tuple[str, int, str], float] = {}
        self._broken_cache: dict[tuple[str, int, str], tuple[str, ...]] = {}
        self._options_cache: dict[tuple[int, str], tuple[set[int], list[list[tuple[int, list[int]]]]]] = {}

    def present(self, x: Assignment | None) -> set[int]:
        """Global intervals ``x`` puts its agent on the phones (wholly inside a segment, off break)."""
        if x is None:
            return set()
        out: set[int] = set()
        for p in x.segments:
            out.update(self.tl.inside(p.start, p.end))
        for b in x.breaks:
            out.difference_update(self.tl.touching(b.start, b.end))
        return out

    def _cells(self, agent: str, g: int) -> list[tuple[int, str | None]]:
        return [(g, s) for s in (None, *self.skills[agent]) if (g, s) in self.need]

    def _cost(self, k: tuple[int, str | None], n: int) -> float:
        w = self.problem.weights
        r = self.need[k]
        short = r - n
        if short > 1e-9:
            return shortfall_tier_cost(short, w.shortfall)
        return (n - r) * w.overstaffing if n - r > 1e-9 else 0.0

    def _marginals(self, agent: str) -> tuple[dict[int, float], dict[int, float]]:
        sig = tuple(self.skills[agent])
        if sig not in self._up:
            up: dict[int, float] = {}
            down: dict[int, float] = {}
            for g, skill in self.need:
                if skill is None or skill in sig:
                    n = self.have.get((g, skill), 0)
                    base = self._cost((g, skill), n)
                    up[g] = up.get(g, 0.0) + self._cost((g, skill), n + 1) - base
                    down[g] = down.get(g, 0.0) + self._cost((g, skill), n - 1) - base
            self._up[sig], self._down[sig] = up, down
        return self._up[sig], self._down[sig]

    def cover_delta(self, agent: str, old: set[int], new: set[int]) -> float:
        """Cover cost change when ``agent``'s intervals on the phones go from ``old`` to ``new``."""
        up, down = self._marginals(agent)
        return sum(down.get(g, 0.0) for g in old - new) + sum(up.get(g, 0.0) for g in new - old)

    def cover_of(self, d: int, shift: ShiftTemplate) -> tuple[set[int], list[list[tuple[int, list[int]]]]]:
        """Intervals ``shift`` on day ``d`` spans (breaks aside) and each break's options."""
        key = (d, shift.id)
        if key not in self._options_cache:
            self._options_cache[key] = (set(self.tl.shift_cover(d, shift)),
                                        [self.tl.break_options(d, shift, k) for k in range(len(shift.breaks))])
        return self._options_cache[key]

    def rest_cost(self, agent: str | None = None) -> float:
        """The objective's terms other than interval cover, of one agent's own terms or of the roster."""
        report = CheckReport()
        if agent is None:
            price_objective(self._rest_problem, self.by_agent, self.shifts, self.weekends, self.weeks, report)
        else:
            if agent not in self._alone:
                one = [a for a in self.problem.agents if a.id == agent]
                self._alone[agent] = self._rest_problem.model_copy(update={"agents": one})
            price_objective(self._alone[agent], {agent: self.by_agent[agent]}, self.shifts, self.weekends, self.weeks,
                       report)
        return report.objective

    def rest_delta(self, agent: str, d: int, new: Assignment) -> float:
        """Change of the objective's terms other than interval cover; they read the shift, not the breaks.
        Without fairness and shift-type demands they are the agent's own (preferences, start consistency),
        recomputed for that agent alone."""
        key = (agent, d, new.shift)
        if key not in self._rest_cache:
            who = agent if self._local else None
            mine = self.by_agent[agent]
            old = mine.get(d)
            base = self.rest_cost(who)
            mine[d] = new
            try:
                self._rest_cache[key] = self.rest_cost(who) - base
            finally:
                if old is None:
                    del mine[d]
                else:
                    mine[d] = old
        return self._rest_cache[key]

    def broken(self, agent: Agent, d: int, new: Assignment, before: set[str]) -> tuple[str, ...]:
        """Hard rules of ``agent`` that ``new`` on day ``d`` breaks and the roster did not (breaks aside,
        the agent's rules read only the shift)."""
        key = (agent.id, d, new.shift)
        if key not in self._broken_cache:
            mine = dict(self.by_agent[agent.id])
            mine[d] = new
            found = agent_violations(self.problem, agent, mine, shifts=self.shifts, contracts=self.contracts,
                                     weekends=self.weekends, weeks=self.weeks)
            self._broken_cache[key] = tuple(sorted({v.rule for v in found} - before))
        return self._broken_cache[key]

    def assignment(self, agent: str, d: int, shift: ShiftTemplate, offsets: list[int]) -> Assignment:
        tl = self.tl
        segs = tl.segments(d, shift)
        brks = [tl.break_period(d, shift, k, off) for k, off in enumerate(offsets)]
        return Assignment(agent=agent, date=self.problem.horizon.date_of(d), shift=shift.id, start=segs[0][0],
                          end=segs[-1][1], paid_minutes=shift.paid_minutes or 0, tags=list(shift.tags),
                          segments=[Period(start=a, end=b) for a, b in segs],
                          breaks=[Period(start=a, end=b) for a, b in brks])

    def place_breaks(self, agent: str, d: int, shift: ShiftTemplate, g: int) -> tuple[Assignment, set[int]] | None:
        """``shift`` on day ``d`` with its breaks off interval ``g`` where the cover gains most (each
        break in turn, the earlier ones placed) and the intervals it covers, or None when a break cannot
        leave ``g``."""
        cover, options = self.cover_of(d, shift)
        old = self.present(self.by_agent[agent].get(d))
        offsets = [b.earliest_offset_minutes for b in shift.breaks]
        removed = [set(opts[0][1]) for opts in options]
        for k, opts in enumerate(options):
            best: tuple[float, int, set[int]] | None = None
            for off, touched in opts:
                if g in touched:
                    continue
                trial = removed.copy()
                trial[k] = set(touched)
                cost = self.cover_delta(agent, old, cover.difference(*trial))
                if best is None or cost < best[0] - 1e-12:
                    best = (cost, off, trial[k])
            if best is None:
                return None
            offsets[k], removed[k] = best[1], best[2]
        return self.assignment(agent, d, shift, offsets), cover.difference(*removed)


def _options(r: _Roster, agent: Agent, d: int, g: int) -> tuple[list[tuple[Assignment, set[int]]], str | None]:
    """Assignments of ``agent`` on day ``d`` that put it on the phones in ``g``, or why there are none."""
    h = r.problem.horizon
    date = h.date_of(d)
    if date in agent.leave:
        return [], "leave"
    if any(la.date == date for la in agent.locked):
        return [], "locked"
    allowed = r.contracts[agent.contract].allowed_shifts
    out: list[tuple[Assignment, set[int]]] = []
    why: str | None = "no_shift"
    for s in r.problem.shifts:
        if date.weekday() not in s.weekdays or (allowed is not None and s.id not in allowed):
            continue
        if agent.max_shifts.get(s.id, 1) <= 0:
            continue
        if g not in r.cover_of(d, s)[0]:
            continue
        x = r.place_breaks(agent.id, d, s, g)
        if x is None:
            why = "break"
            continue
        out.append(x)
    return out, why


#: Checker rules that mean an assignment does not belong to the problem at all: nothing to explain then.
_FOREIGN = ("unknown_agent", "unknown_shift", "outside_horizon", "one_shift_per_day")


def _check_fits(problem: RosterProblem, solution: RosterSolution) -> None:
    """Refuse a roster whose assignments name agents, shifts or days the problem lacks, as the checker reports
    them (the first one, with its place in ``solution.assignments``)."""
    found = [v for v in check(problem, solution).violations if v.rule in _FOREIGN]
    if not found:
        return
    v = found[0]
    index = next((i for i, x in enumerate(solution.assignments) if x.agent == v.agent and x.date == v.day), None)
    part = {"unknown_agent": "agent", "unknown_shift": "shift"}.get(v.rule, "date")
    field = f"solution.assignments.{index}.{part}" if index is not None else "solution.assignments"
    value = getattr(solution.assignments[index], part) if index is not None else None
    what = f"unknown {part} {value!r} ({v})" if v.rule.startswith("unknown") else str(v)
    raise InvalidParameterError(f"`{field}` does not fit the problem: {what}"
                                + (f" (and {len(found) - 1} more)" if len(found) > 1 else ""),
                                field=field, value=str(value) if value is not None else None)


def explain_shortfall(problem: RosterProblem, solution: RosterSolution, *, day: int | None = None,
                      interval: int | None = None, skill: str | None = None) -> list[ShortInterval]:
    """Why each short interval of ``solution`` is short, agent by agent, with the cheapest single change.

    Parameters
    ----------
    problem:
        The problem the roster answers (interval requirements in agents).
    solution:
        A roster of ``problem`` (only ``assignments`` are read; it should pass the checker).
    day:
        Only intervals of this day (index from the horizon start); default every day.
    interval:
        Only this interval of the day (index from local midnight, in ``problem.horizon.interval_minutes``
        steps); default every interval.
    skill:
        Only requirements of this skill (``None``: every requirement, with or without a skill).

    Returns
    -------
    list[ShortInterval]
        One entry per short (interval, skill), in time order; ``str(entry)`` is a sentence such as
        "Tue 2026-06-02 10:30 is 3 agents short (41 required, 38 on the phones): of the agents not on the
        phones, 40 kept off by max_working_days_per_week; 12 on leave; ...".
    """
    h = problem.horizon
    if day is not None and not 0 <= day < h.days:
        raise InvalidParameterError(f"`day` must be in 0..{h.days - 1}; got {day}")
    if interval is not None and (interval < 0 or day is not None and interval >= h.intervals_in_day(day)):
        raise InvalidParameterError(f"`interval` {interval} is not an interval of day {day}")
    _check_fits(problem, solution)
    r = _Roster(problem, solution)
    before = {a.id: {v.rule for v in agent_violations(problem, a, r.by_agent[a.id], shifts=r.shifts,
                                                      contracts=r.contracts, weekends=r.weekends, weeks=r.weeks)}
              for a in problem.agents}
    out: list[ShortInterval] = []
    for (g, sk), need in sorted(r.need.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        d, t = r.tl.day_of_interval(g)
        have = r.have.get((g, sk), 0)
        if need - have <= 1e-9 or (day is not None and d != day) or (interval is not None and t != interval) \
                or (skill is not None and sk != skill):
            continue
        reasons: dict[str, list[str]] = {}
        changes: dict[str, Change] = {}
        for agent in problem.agents:
            mine = r.by_agent[agent.id]
            if g in r.on[agent.id]:
                continue
            if sk is not None and sk not in agent.skills:
                reasons.setdefault("skill", []).append(agent.id)
                continue
            allowed: list[Change] = []
            blocked: list[Change] = []
            why = "no_shift"
            # a shift of the day before can reach past midnight into the interval
            for cd in [c for c in (d, d - 1) if c >= 0]:
                options, reason = _options(r, agent, cd, g)
                if cd == d and not options and reason is not None:
                    why = reason
                for x, covered in options:
                    old = mine.get(cd)
                    broken = r.broken(agent, cd, x, before[agent.id])
                    delta = None if broken else \
                        r.cover_delta(agent.id, r.present(old), covered) + r.rest_delta(agent.id, cd, x)
                    ch = Change(agent=agent.id, date=h.date_of(cd), before=old.shift if old else None,
                                after=x.shift, delta=delta, broken=list(broken), assignment=x)
                    (blocked if broken else allowed).append(ch)
            if allowed:
                best = min(allowed, key=lambda c: c.delta)
                changes[agent.id] = best
                kind = "improves" if best.delta < -1e-9 else "costs_more" if best.delta > 1e-9 else "costs_same"
                reasons.setdefault(kind, []).append(agent.id)
            elif blocked:
                # the rule in the way of most of the agent's changes names the group; of the changes that
                # break it, the one breaking fewest rules is kept, with all it breaks
                ways = Counter(rule for c in blocked for rule in c.broken)
                rule = min(ways, key=lambda k: (-ways[k], k))
                changes[agent.id] = min(blocked, key=lambda c: (rule not in c.broken, len(c.broken), c.broken))
                reasons.setdefault(rule, []).append(agent.id)
            else:
                reasons.setdefault(why, []).append(agent.id)
        ok = [c for c in changes.values() if not c.broken]
        cheapest = min(ok, key=lambda c: (c.delta, c.agent)) if ok else None
        out.append(ShortInterval(ts=r.tl.ts_of(g), day=d, interval=t, skill=sk, required=need, scheduled=have,
                                 reasons=reasons, cheapest=cheapest, changes=changes))
    return out
