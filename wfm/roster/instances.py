"""Synthetic call-centre roster instances: history → forecast → Erlang requirements → :class:`RosterProblem`.

:func:`call_centre_instance` builds a realistic, deterministic (by ``seed``) roster problem for tests and
benchmarks. With the shared "Anonymous Bank" data it uses the real arrival history: a per-weekday median
intraday profile of the last weeks is the forecast (a deliberately simple one, independent of
:mod:`wfm.forecast`), handle times come from the call records, and :func:`wfm.erlang.requirements` turns
volumes into agents per interval. Without the data (``source="synthetic"``, or ``"auto"`` when the folder
is absent) a seeded M-shaped profile with the same weekly rhythm stands in.

The bank works Sunday to Thursday, about 07:00–24:00; Friday closes early and Saturday opens in the evening,
so the weekend is Friday and Saturday (``weekend_days=[4, 5]``) in the Asia/Jerusalem time zone.

Volumes are scaled so the requirement fits the workforce: the total agent-intervals required are about
``load`` times what the agents can work in the horizon, so peaks run short and troughs long, as in real
centres.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Literal

import numpy as np

from wfm.exceptions import InvalidParameterError
from wfm.roster.models import (
    Agent,
    Break,
    Contract,
    ForbiddenSuccession,
    Horizon,
    LockedAssignment,
    ObjectiveWeights,
    Preference,
    Requirement,
    RosterProblem,
    Segment,
    ServiceTarget,
    ShiftRef,
    ShiftTemplate,
)

__all__ = ["call_centre_instance", "call_centre_shifts", "call_centre_contracts", "weekly_profile"]

OPEN_HOUR = 7  # the site opens at 07:00 and closes at midnight
DEFAULT_AHT_SECONDS = 180.0
_BANK_START = dt.date(1999, 10, 4)      # the Monday after the bank history ends (1999-09-30)
_SYNTHETIC_START = dt.date(2026, 1, 5)  # a Monday clear of daylight-saving changes


def _t(h: float) -> dt.time:
    return dt.time(int(h), int(round((h % 1) * 60)))


def _sid(prefix: str, h: float) -> str:
    t = _t(h)
    return f"{prefix}{t.hour:02d}{t.minute:02d}"


def _lunch(after_min: int, until_min: int) -> list[Break]:
    return [Break(minutes=30, earliest_offset_minutes=after_min, latest_offset_minutes=until_min)]


def call_centre_shifts() -> list[ShiftTemplate]:
    """The 21 shift templates of the synthetic centre (07:00–24:00, 30-minute grid).

    Early, day and late 8-hour shifts (8.5 h span with an unpaid 30-minute lunch placed 3–5 h in), two
    10-hour long shifts, 6-hour and 4-hour part-time shifts, and two split shifts (4 h + 4 h around the
    midday dip) that cover both peaks of the M-curve.
    """
    out: list[ShiftTemplate] = []
    for h in (7, 7.5, 8, 8.5):
        out.append(ShiftTemplate(id=_sid("E", h), start=_t(h), length_minutes=510,
                                 breaks=_lunch(180, 300), tags=["early", "full"]))
    for h in (9, 10, 11):
        out.append(ShiftTemplate(id=_sid("D", h), start=_t(h), length_minutes=510,
                                 breaks=_lunch(180, 300), tags=["day", "full"]))
    for h in (13, 14, 15, 15.5):
        out.append(ShiftTemplate(id=_sid("L", h), start=_t(h), length_minutes=510,
                                 breaks=_lunch(180, 300), tags=["late", "full"]))
    out.append(ShiftTemplate(id="G0700", start=_t(7), length_minutes=630, breaks=_lunch(240, 360),
                             tags=["long", "early"]))
    out.append(ShiftTemplate(id="G1330", start=_t(13.5), length_minutes=630, breaks=_lunch(240, 360),
                             tags=["long", "late"]))
    for h in (9, 16):
        out.append(ShiftTemplate(id=_sid("P", h), start=_t(h), length_minutes=390,
                                 breaks=_lunch(150, 210), tags=["part"]))
    for h in (8, 12, 17, 20):
        out.append(ShiftTemplate(id=_sid("S", h), start=_t(h), length_minutes=240,
                                 tags=["short"] + (["late"] if h >= 20 else [])))
    weekdays = [6, 0, 1, 2, 3]  # split shifts only on the bank's full working days
    out.append(ShiftTemplate(id="X0800", start=_t(8), segments=[Segment(minutes=240),
                                                                  Segment(offset_minutes=480, minutes=240)],
                             weekdays=weekdays, tags=["split"]))
    out.append(ShiftTemplate(id="X0900", start=_t(9), segments=[Segment(minutes=240),
                                                                  Segment(offset_minutes=480, minutes=240)],
                             weekdays=weekdays, tags=["split"]))
    return out


def call_centre_contracts(shifts: list[ShiftTemplate] | None = None) -> list[Contract]:
    """Full-time (5 × 8 h, 36–40 h a week) and part-time (16–30 h a week) contracts with labour rules.

    Both: 11 h minimum rest, no late shift followed by an early one, at most 6 (full-time) or 5 (part-time)
    working days in a row. Full-time: at most 5 days and 2 split and 2 long shifts a week, two days off in
    a row, at most 3 weekends in 4, consistent start times (soft). Part-time: at most 2 weekends in 4.
    """
    shifts = shifts if shifts is not None else call_centre_shifts()
    full_ids = [s.id for s in shifts if {"full", "long", "split"} & set(s.tags)]
    part_ids = [s.id for s in shifts if {"part", "short", "day", "late"} & set(s.tags)]
    late_early = [ForbiddenSuccession(first=ShiftRef(tag="late"), second=ShiftRef(tag="early"))]
    return [
        Contract(id="FT", min_paid_minutes_per_week=36 * 60, max_paid_minutes_per_week=40 * 60,
                 max_working_days_per_week=5, min_days_off_per_week=2, max_consecutive_working_days=6,
                 min_consecutive_days_off=2, min_rest_hours=11, max_tag_per_week={"split": 2, "long": 2},
                 forbidden_successions=late_early, max_weekends_per_4_weeks=3, allowed_shifts=full_ids,
                 shift_start_consistency=True),
        Contract(id="PT", min_paid_minutes_per_week=16 * 60, max_paid_minutes_per_week=30 * 60,
                 max_working_days_per_week=5, max_consecutive_working_days=5, min_rest_hours=11,
                 forbidden_successions=late_early, max_weekends_per_4_weeks=2, allowed_shifts=part_ids),
    ]


def weekly_profile(source: Literal["auto", "bank", "synthetic"] = "auto", *,
                   data_dir: str | os.PathLike[str] | None = None, history_weeks: int = 8,
                   seed: int = 0) -> tuple[np.ndarray, float, str]:
    """Forecast calls per 30-minute interval for each weekday, its mean handle time and its source.

    Parameters
    ----------
    source:
        ``"bank"`` reads the shared data (error if absent), ``"synthetic"`` draws a seeded M-curve,
        ``"auto"`` uses the bank data when it is found.
    data_dir:
        Folder of the bank files (default :func:`wfm.datasets.find_data_dir`).
    history_weeks:
        Recent weeks whose per-weekday median is the forecast (the median shrugs off holidays).
    seed:
        Seed of the synthetic profile.

    Returns
    -------
    (profile, aht_seconds, source):
        ``profile`` is ``(7, 48)`` calls per interval, weekday 0 = Monday; ``aht_seconds`` the mean handle
        time in seconds; ``source`` ``"bank"`` or ``"synthetic"``.
    """
    if source not in ("auto", "bank", "synthetic"):
        raise InvalidParameterError(f"`source` must be 'auto', 'bank' or 'synthetic'; got {source!r}")
    if history_weeks < 1:
        raise InvalidParameterError(f"`history_weeks` must be >= 1; got {history_weeks}")
    if source != "synthetic":
        from wfm.datasets import find_data_dir, load_bank_arrivals, load_bank_calls

        try:
            folder = find_data_dir(data_dir)
        except FileNotFoundError:
            if source == "bank":
                raise
            folder = None
        if folder is not None:
            arr = load_bank_arrivals(folder, freq="30min")
            arr = arr[~arr["imputed"].to_numpy()]
            cutoff = arr["ts"].max().normalize() - dt.timedelta(weeks=history_weeks) + dt.timedelta(days=1)
            recent = arr[arr["ts"] >= cutoff]
            wd = recent["ts"].dt.day_of_week.to_numpy()
            slot = (recent["ts"].dt.hour * 2 + recent["ts"].dt.minute // 30).to_numpy()
            vol = recent["volume"].to_numpy(dtype=float)
            profile = np.zeros((7, 48))
            for w in range(7):
                for s in range(48):
                    sel = (wd == w) & (slot == s)
                    profile[w, s] = float(np.median(vol[sel])) if sel.any() else 0.0
            try:
                calls = load_bank_calls(folder)
                aht = float(calls.loc[calls["answered"].to_numpy(), "handle_seconds"].mean())
            except FileNotFoundError:
                aht = DEFAULT_AHT_SECONDS
            return profile, aht, "bank"
    return _synthetic_profile(seed), DEFAULT_AHT_SECONDS, "synthetic"


def _synthetic_profile(seed: int) -> np.ndarray:
    """A seeded M-curve per weekday with the bank's weekly rhythm (calls per 30 minutes)."""
    rng = np.random.default_rng(seed)
    h = np.arange(48) / 2 + 0.25
    base = (60 * np.exp(-((h - 10.2) / 1.6) ** 2) + 52 * np.exp(-((h - 15.0) / 2.0) ** 2)
            + 28 * np.exp(-((h - 21.5) / 2.0) ** 2) + 14 * ((h > 7) & (h < 24)))
    base[h < 6.5] *= 0.05
    profile = np.empty((7, 48))
    for w in range(7):
        day = base * rng.lognormal(0.0, 0.05, 48) * rng.uniform(0.9, 1.1)
        if w == 4:      # Friday: closes early
            day = day * np.where(h < 14, 0.7, 0.05)
        elif w == 5:    # Saturday: evening only
            day = day * np.where(h >= 19, 0.5, 0.0)
        profile[w] = day
    return profile


def _too_few_days(contract: Contract, shifts: list[ShiftTemplate], week: range, off: set[int]) -> bool:
    """Whether days the agent cannot work leave too few working days in ``week`` for the weekly minimum.

    The minimum needs ``ceil(min_paid_minutes_per_week / longest paid shift)`` working days; under
    ``min_consecutive_days_off`` an isolated day off drags a neighbour with it. Every pattern of working
    days in the week is tried; a run of days off touching the week's edge may go on in the next week (or
    is exempt at the horizon's edge), so the answer errs towards "enough" — the per-agent feasibility test
    (``tests/roster/test_instances.py``) checks the whole horizon.
    """
    if contract.min_paid_minutes_per_week is None or len(week) < 7 or not off.intersection(week):
        return False  # the contracts are built to be workable in a free week
    allowed = [s for s in shifts if contract.allowed_shifts is None or s.id in contract.allowed_shifts]
    longest = max((s.paid_minutes or 0 for s in allowed), default=0)
    if longest <= 0:
        return True
    need = -(-contract.min_paid_minutes_per_week // longest)
    k_off = contract.min_consecutive_days_off or 1
    cap = contract.max_working_days_per_week if contract.max_working_days_per_week is not None else 7
    first, n = week[0], len(week)
    for mask in range(1 << n):
        work = [bool(mask >> i & 1) for i in range(n)]
        if sum(work) < need or sum(work) > cap or any(work[i] and first + i in off for i in range(n)):
            continue
        i, runs_ok = 0, True
        while i < n:
            if work[i]:
                i += 1
                continue
            j = i
            while j < n and not work[j]:
                j += 1
            if 0 < i and j < n and j - i < k_off:  # a run of days off with work on both sides in the week
                runs_ok = False
                break
            i = j
        if runs_ok:
            return False
    return True


def _erlang_agents(volume: np.ndarray, aht: float, *, service_level: float, answer_seconds: float,
                   interval_minutes: int) -> np.ndarray:
    """Agents per interval for ``volume`` calls (Erlang C, vectorised :func:`wfm.erlang.required_agents`)."""
    from wfm.erlang import required_agents

    out = required_agents(np.asarray(volume, dtype=float), float(aht), service_level=service_level,
                          answer_seconds=answer_seconds, interval_seconds=interval_minutes * 60)
    return np.asarray(out, dtype=np.int64).reshape(np.shape(volume))


def _requirements_frame(volume: np.ndarray, aht: float, start: dt.date, *, service_level: float,
                        answer_seconds: float) -> np.ndarray:
    """Agents per interval through :func:`wfm.erlang.requirements` on a ``queue, ts, volume, aht`` frame."""
    import pandas as pd

    from wfm.erlang import requirements

    ts = pd.date_range(pd.Timestamp(start), periods=len(volume), freq="30min")
    frame = pd.DataFrame({"queue": "bank", "ts": ts, "volume": np.asarray(volume, dtype=float), "aht": float(aht)})
    out = requirements(frame, service_level=service_level, answer_seconds=answer_seconds,
                       interval_seconds=1800)
    return out["agents"].to_numpy(dtype=np.int64)


def call_centre_instance(n_agents: int = 30, weeks: int = 4, seed: int = 0,
                         data_dir: str | os.PathLike[str] | None = None, *,
                         source: Literal["auto", "bank", "synthetic"] = "auto", load: float = 0.95,
                         aht_seconds: float | None = None, service_level: float = 0.8,
                         answer_seconds: float = 20.0, part_time_share: float = 0.3,
                         start: dt.date | None = None) -> RosterProblem:
    """A realistic contact-centre roster problem, deterministic by ``seed``.

    Parameters
    ----------
    n_agents:
        Number of agents (30, 80 and 150 are the benchmark sizes).
    weeks:
        Horizon length in weeks (30-minute intervals).
    seed:
        Seed of every random choice (contract mix, leave, locks, preferences, day-to-day noise).
    data_dir:
        Folder of the bank data (default: found automatically).
    source:
        ``"auto"`` (bank data if found, else synthetic), ``"bank"`` or ``"synthetic"``.
    load:
        Required agent-intervals as a fraction of what the agents can work (> 0); about 1 makes peaks
        run short.
    aht_seconds:
        Average handle time in seconds (default: measured from the call records, else 180 s).
    service_level, answer_seconds:
        Erlang target: ``service_level`` of calls answered within ``answer_seconds`` seconds.
    part_time_share:
        Fraction of agents on the part-time contract.
    start:
        First day (default: the Monday after the bank history, or 2026-01-05 for synthetic data).
    """
    if n_agents < 1:
        raise InvalidParameterError(f"`n_agents` must be >= 1; got {n_agents}")
    if not 1 <= weeks <= 8:
        raise InvalidParameterError(f"`weeks` must be in 1..8; got {weeks}")
    if load <= 0:
        raise InvalidParameterError(f"`load` must be > 0; got {load}")
    if not 0 <= part_time_share <= 1:
        raise InvalidParameterError(f"`part_time_share` must be in [0, 1]; got {part_time_share}")
    rng = np.random.default_rng(seed)
    profile, measured_aht, used = weekly_profile(source, data_dir=data_dir, seed=seed)
    aht = float(aht_seconds if aht_seconds is not None else measured_aht)
    start = start or (_BANK_START if used == "bank" else _SYNTHETIC_START)
    days = 7 * weeks
    horizon = Horizon(start=start, days=days, interval_minutes=30, timezone="Asia/Jerusalem")

    # -- forecast: the weekday profile with seeded day-to-day noise; closed before 07:00 ------------------
    # interval t of day d starts t * 30 elapsed minutes after local midnight, so a daylight-saving day has
    # 46 or 50 intervals; each takes the profile of the wall-clock half hour it starts in
    wd = np.array([(start + dt.timedelta(days=d)).weekday() for d in range(days)])
    day_noise = rng.lognormal(0.0, 0.04, size=days)
    cell_noise = rng.lognormal(0.0, 0.06, size=(days, 50))
    cells: list[tuple[int, int]] = []
    vols: list[float] = []
    for d in range(days):
        midnight = horizon.local_midnight(d).astimezone(dt.UTC)
        for t in range(horizon.intervals_in_day(d)):
            local = (midnight + dt.timedelta(minutes=30 * t)).astimezone(horizon.tz)
            slot = local.hour * 2 + local.minute // 30
            if slot < 2 * OPEN_HOUR:
                continue
            cells.append((d, t))
            vols.append(float(profile[wd[d], slot] * day_noise[d] * cell_noise[d, t]))
    volume = np.array(vols)

    # -- workforce ------------------------------------------------------------------------------------
    shifts = call_centre_shifts()
    contracts = call_centre_contracts(shifts)
    n_pt = int(round(part_time_share * n_agents))
    kinds = np.array(["FT"] * (n_agents - n_pt) + ["PT"] * n_pt)
    rng.shuffle(kinds)
    # what the workforce can staff, in agent-intervals: 5 shifts of 16 on-phone intervals (full-time),
    # about 25 h a week (part-time)
    capacity = weeks * (np.sum(kinds == "FT") * 5 * 16 + np.sum(kinds == "PT") * 50)

    # -- requirements: scale volumes so Erlang's agents fit the workforce (bisection on the scale) -------
    def need(scale: float) -> np.ndarray:
        return _erlang_agents(volume * scale, aht, service_level=service_level,
                              answer_seconds=answer_seconds, interval_minutes=30)

    target = load * capacity
    lo, hi = 0.0, 1.0
    while need(hi).sum() < target and hi < 1e4:
        lo, hi = hi, hi * 2
    for _ in range(18):
        mid = (lo + hi) / 2
        if need(mid).sum() < target:
            lo = mid
        else:
            hi = mid
    scale = hi
    agents_req = _requirements_frame(volume * scale, aht, start, service_level=service_level,
                                     answer_seconds=answer_seconds)
    requirements = [Requirement(day=d, interval=t, agents=float(n), volume=float(round(v * scale, 3)),
                                aht_seconds=aht)
                    for (d, t), n, v in zip(cells, agents_req, volume, strict=True)]

    # -- agents: leave (a week for some, scattered days for others), locks, preferences ---------------
    dates = [start + dt.timedelta(days=d) for d in range(days)]
    by_id = {s.id: s for s in shifts}
    agents: list[Agent] = []
    leave_contracts: dict[str, Contract] = {}
    for i in range(n_agents):
        kind = str(kinds[i])
        leave: set[int] = set()
        if rng.random() < 0.12:  # a block of annual leave, Sunday to Thursday
            w = int(rng.integers(weeks))
            leave |= {d for d in range(7 * w, 7 * w + 7) if wd[d] in (6, 0, 1, 2, 3)}
        for d in rng.choice(days, size=int(rng.poisson(0.6)), replace=False):
            leave.add(int(d))
        locked: list[LockedAssignment] = []
        allowed = [s for s in (next(c for c in contracts if c.id == kind).allowed_shifts or [])
                   if not by_id[s].is_split]
        if rng.random() < 0.15:  # last week's published roster reaches into the first two days
            sid = str(rng.choice(allowed))
            for d in (0, 1):
                if d not in leave and wd[d] in by_id[sid].weekdays:
                    locked.append(LockedAssignment(date=dates[d], shift=sid))
        elif rng.random() < 0.08:
            d = int(rng.integers(min(days, 7)))
            if d not in leave:
                locked.append(LockedAssignment(date=dates[d], shift=None))
        locked_days = {horizon.day_of(la.date) for la in locked}
        # hours guaranteed by the contract are reduced in a week with more than one day of leave (HR does
        # the same), and in a week where leave and a fixed day off leave too few working days for them:
        # call_centre_instance(600) gave full-time agent A313 leave on Wednesday and a fixed day off on
        # Saturday; each drags a neighbour off under the two-days-off-in-a-row rule, three working days
        # remain, too few for 36 hours, and the whole instance was infeasible
        off = leave | {horizon.day_of(la.date) for la in locked if la.shift is None}
        base = next(c for c in contracts if c.id == kind)
        contract = kind
        if any(sum(1 for d in range(7 * w, 7 * w + 7) if d in leave) > 1
               or _too_few_days(base, shifts, range(7 * w, 7 * w + 7), off) for w in range(weeks)):
            contract = f"{kind}-leave"
            if contract not in leave_contracts:
                leave_contracts[contract] = base.model_copy(update={"id": contract,
                                                                    "min_paid_minutes_per_week": None})
        prefs: list[Preference] = []
        if rng.random() < 0.3:
            for d in rng.choice(days, size=2, replace=False):
                if int(d) not in leave and int(d) not in locked_days:
                    prefs.append(Preference(date=dates[int(d)], kind="off", weight=float(rng.integers(1, 4))))
        if rng.random() < 0.2:
            d = int(rng.integers(days))
            sid = str(rng.choice(allowed))
            if d not in leave and d not in locked_days and wd[d] in by_id[sid].weekdays:
                prefs.append(Preference(date=dates[d], shift=sid, kind="on", weight=2.0))
        agents.append(Agent(id=f"A{i + 1:03d}", contract=contract, skills=["bank"],
                            hire_date=dt.date(2015, 1, 1) + dt.timedelta(days=int(rng.integers(3000))),
                            leave=[dates[d] for d in sorted(leave)], locked=locked, preferences=prefs))
    return RosterProblem(
        name=f"call-centre-{n_agents}x{weeks}w-seed{seed}-{used}",
        horizon=horizon, shifts=shifts, contracts=contracts + list(leave_contracts.values()), agents=agents,
        requirements=requirements, weights=ObjectiveWeights(), weekend_days=[4, 5],
        service_target=ServiceTarget(service_level=service_level, answer_seconds=answer_seconds))
