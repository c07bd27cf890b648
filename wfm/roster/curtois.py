"""The Curtois & Qu shift-scheduling benchmark: read an instance as a :class:`RosterProblem` and score it.

T. Curtois, R. Qu, "Computational results on new staff scheduling benchmark instances", 2014
(schedulingbenchmarks.org). The instance rules map one-to-one onto wfm's rule vocabulary, so the benchmark is
solved by the same engine as a call-centre roster: :func:`wfm.roster.solve`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from wfm.exceptions import DataFormatError, InvalidParameterError
from wfm.roster.models import (
    Agent,
    Contract,
    ForbiddenSuccession,
    Horizon,
    ObjectiveWeights,
    Preference,
    RosterProblem,
    RosterSolution,
    ShiftDemand,
    ShiftRef,
    ShiftTemplate,
)

__all__ = ["CurtoisInstance", "read_curtois", "load_curtois", "score_curtois"]

# Cosmetic wall-clock starts so that rosters print sensibly; the benchmark itself has no clock times and no
# rest rule, so these never change feasibility or cost.
_STARTS = {"E": dt.time(6), "D": dt.time(9), "L": dt.time(14), "N": dt.time(22)}


@dataclass
class CurtoisInstance:
    """The raw content of an instance file (days are 0-based indices, day 0 a Monday)."""

    name: str
    days: int
    shifts: dict[str, tuple[int, list[str]]] = field(default_factory=dict)  # id -> (minutes, forbidden next)
    staff: dict[str, dict] = field(default_factory=dict)
    days_off: dict[str, list[int]] = field(default_factory=dict)
    on_requests: list[tuple[str, int, str, int]] = field(default_factory=list)
    off_requests: list[tuple[str, int, str, int]] = field(default_factory=list)
    cover: list[tuple[int, str, int, int, int]] = field(default_factory=list)


def read_curtois(path: str | Path) -> CurtoisInstance:
    """Parse an instance file of the Curtois & Qu benchmark (format in ``shared/benchmarks/curtois``)."""
    path = Path(path)
    sections: dict[str, list[list[str]]] = {}
    current = None
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("SECTION_"):
            current = line
            sections[current] = []
        elif current is None:
            raise DataFormatError(f"{path}: data before the first SECTION_ header: {line!r}")
        else:
            sections[current].append([x.strip() for x in line.split(",")])
    try:
        inst = CurtoisInstance(name=path.stem, days=int(sections["SECTION_HORIZON"][0][0]))
        for sid, minutes, *rest in sections["SECTION_SHIFTS"]:
            nxt = [x for x in (rest[0] if rest else "").split("|") if x]
            inst.shifts[sid] = (int(minutes), nxt)
        for row in sections["SECTION_STAFF"]:
            eid, maxs, maxm, minm, maxc, minc, minoff, maxwe = row
            caps = {k: int(v) for k, v in (x.split("=") for x in maxs.split("|") if x)}
            inst.staff[eid] = dict(max_shifts=caps, max_minutes=int(maxm), min_minutes=int(minm),
                                   max_consecutive=int(maxc), min_consecutive=int(minc),
                                   min_days_off=int(minoff), max_weekends=int(maxwe))
        for eid, *ds in sections.get("SECTION_DAYS_OFF", []):
            inst.days_off[eid] = [int(d) for d in ds if d]
        for eid, d, sid, w in sections.get("SECTION_SHIFT_ON_REQUESTS", []):
            inst.on_requests.append((eid, int(d), sid, int(w)))
        for eid, d, sid, w in sections.get("SECTION_SHIFT_OFF_REQUESTS", []):
            inst.off_requests.append((eid, int(d), sid, int(w)))
        for d, sid, req, under, over in sections["SECTION_COVER"]:
            inst.cover.append((int(d), sid, int(req), int(under), int(over)))
    except (KeyError, ValueError, IndexError) as exc:
        raise DataFormatError(f"{path}: not a Curtois & Qu instance ({exc!r})") from exc
    return inst


def load_curtois(path: str | Path, start: dt.date = dt.date(2024, 1, 1)) -> RosterProblem:
    """Turn a benchmark instance into a :class:`RosterProblem`.

    Parameters
    ----------
    path : str or Path
        Instance file, e.g. ``shared/benchmarks/curtois/Instance1.txt``.
    start : datetime.date, default 2024-01-01
        Date of day 0; must be a Monday (the benchmark's weekends are days 5-6, 12-13, ...).

    Returns
    -------
    RosterProblem
        Agent and shift ids as in the file; one contract per distinct staff rule set; fixed days off become
        ``leave``; requests become weighted ``preferences``; cover becomes ``shift_demands``.
    """
    if start.weekday() != 0:
        raise InvalidParameterError(f"`start` must be a Monday; got {start} ({start.strftime('%A')})")
    inst = read_curtois(path)
    horizon = Horizon(start=start, days=inst.days, interval_minutes=30, timezone="UTC")
    forbidden = [ForbiddenSuccession(first=ShiftRef(shift=a), second=ShiftRef(shift=b))
                 for a, (_, nxt) in inst.shifts.items() for b in nxt]
    shifts = [ShiftTemplate(id=sid, start=_STARTS.get(sid, dt.time(8)), length_minutes=minutes,
                            paid_minutes=minutes) for sid, (minutes, _) in inst.shifts.items()]
    contracts: dict[tuple, Contract] = {}
    agents = []
    for eid, st in inst.staff.items():
        key = (st["max_minutes"], st["min_minutes"], st["max_consecutive"], st["min_consecutive"],
               st["min_days_off"], st["max_weekends"])
        if key not in contracts:
            contracts[key] = Contract(
                id=f"C{len(contracts) + 1}", max_paid_minutes=key[0], min_paid_minutes=key[1],
                max_consecutive_working_days=key[2], min_consecutive_working_days=key[3],
                min_consecutive_days_off=key[4], max_weekends=key[5], forbidden_successions=forbidden,
                exempt_edge_runs=True)
        prefs = [Preference(date=horizon.date_of(d), shift=sid, kind="on", weight=w)
                 for e, d, sid, w in inst.on_requests if e == eid]
        prefs += [Preference(date=horizon.date_of(d), shift=sid, kind="off", weight=w)
                  for e, d, sid, w in inst.off_requests if e == eid]
        agents.append(Agent(id=eid, contract=contracts[key].id,
                            leave=[horizon.date_of(d) for d in inst.days_off.get(eid, [])],
                            preferences=prefs, max_shifts=dict(st["max_shifts"])))
    demands = [ShiftDemand(day=d, shift=sid, required=req, under_weight=u, over_weight=o)
               for d, sid, req, u, o in inst.cover]
    weights = ObjectiveWeights(overstaffing=0, preference=1, fairness=0, start_consistency=0, shift_demand=1)
    return RosterProblem(name=inst.name, horizon=horizon, shifts=shifts, contracts=list(contracts.values()),
                         agents=agents, shift_demands=demands, weights=weights)


def score_curtois(instance: str | Path | CurtoisInstance | RosterProblem, solution: RosterSolution,
                  start: dt.date | None = None) -> int:
    """The benchmark's own objective of ``solution``, computed from the instance data alone.

    Parameters
    ----------
    instance : path, CurtoisInstance or RosterProblem
        The instance (a file is read afresh, so the score does not depend on :func:`load_curtois`).
    solution : RosterSolution
        The roster to score.
    start : datetime.date, optional
        Date of day 0; taken from the problem, or the earliest assignment's Monday when reading a file.

    Returns
    -------
    int
        Sum of unmet on-request weights, violated off-request weights, and weighted under and over cover.
    """
    if isinstance(instance, RosterProblem):
        start = instance.horizon.start
        on = [(a.id, instance.horizon.day_of(p.date), p.shift, p.weight) for a in instance.agents
              for p in a.preferences if p.kind == "on"]
        off = [(a.id, instance.horizon.day_of(p.date), p.shift, p.weight) for a in instance.agents
               for p in a.preferences if p.kind == "off"]
        cover = [(c.day, c.shift, c.required, c.under_weight, c.over_weight) for c in instance.shift_demands]
    else:
        inst = instance if isinstance(instance, CurtoisInstance) else read_curtois(instance)
        on, off, cover = inst.on_requests, inst.off_requests, inst.cover
        if start is None:
            first = min((x.date for x in solution.assignments), default=dt.date(2024, 1, 1))
            start = first - dt.timedelta(days=first.weekday())
    worked = {(x.agent, (x.date - start).days): x.shift for x in solution.assignments}
    count: dict[tuple[int, str], int] = {}
    for (_, d), sid in worked.items():
        count[d, sid] = count.get((d, sid), 0) + 1
    score = 0.0
    score += sum(w for e, d, sid, w in on if worked.get((e, d)) != sid)
    score += sum(w for e, d, sid, w in off if worked.get((e, d)) == sid)
    for d, sid, req, under, over in cover:
        n = count.get((d, sid), 0)
        score += under * max(0, req - n) + over * max(0, n - req)
    return int(round(score))
