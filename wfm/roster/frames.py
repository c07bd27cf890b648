"""The hand-off from staffing to rostering: a requirements frame (``wfm.erlang.requirements`` output) to
the ``requirements`` and ``service_target`` of a :class:`~wfm.roster.models.RosterProblem`.

Three figures meet here and must not be confused:

* **agents on the phones** — Erlang's answer for the target (``agents_on_phone``, or ``agents`` when no
  shrinkage was applied);
* **agents to schedule** — that figure after *all* shrinkage (``agents``): breaks, absence, training;
* **what the roster must cover** — agents at work and off break. The roster places the breaks of its shift
  templates itself (an agent on a break does not count), so only the rest of the shrinkage, what the roster
  does not see, belongs in the figure: ``ceil(on_phone / (1 − x))`` with ``x = 1 − (1 − s) / (1 − b)`` for
  total shrinkage ``s`` of which ``b`` is the breaks the roster places (both fractions of paid time).

:func:`staffing_handoff` reads what :func:`wfm.erlang.requirements` recorded in ``frame.attrs`` (target,
answer time, patience, shrinkage) and returns the requirements together with the :class:`ServiceTarget`
that projects the roster's service level the same way (Erlang A when patience is known).

Time: naive times are wall-clock times at the site (``horizon.timezone``); the clock passes a time twice
when it goes back (the first pass is read as summer time, the second as winter time, in frame order) and
skips times when it goes forward (such a time is an error). A daylight-saving day has 46 or 50 half-hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from wfm.erlang.staffing import STAFFING_ATTRS, apply_shrinkage
from wfm.exceptions import DataFormatError, InvalidParameterError
from wfm.roster.models import Horizon, Requirement, RosterProblem, ServiceTarget

__all__ = ["requirements_from_frame", "staffing_handoff", "StaffingHandoff"]


@dataclass(frozen=True)
class StaffingHandoff:
    """What staffing hands the roster: the requirements and the target behind them.

    ``requirements`` are agents at work and off break per interval; ``service_target`` carries the target,
    answer time, patience and the shrinkage already in those figures; ``horizon`` is the roster's.
    """

    horizon: Horizon
    requirements: list[Requirement]
    service_target: ServiceTarget

    def problem(self, **fields: Any) -> RosterProblem:
        """A :class:`RosterProblem` with this horizon, requirements and target plus ``fields`` (shifts,
        contracts, agents, weights, ...)."""
        return RosterProblem(horizon=self.horizon, requirements=self.requirements,
                             service_target=self.service_target, **fields)


def staffing_handoff(frame: pd.DataFrame, horizon: Horizon, *, break_shrinkage: float = 0.0,
                     service_level: float | None = None, answer_seconds: float | None = None,
                     patience_seconds: float | None = None, time_col: str = "ts",
                     volume_col: str | None = "volume", aht_col: str | None = "aht",
                     skill_col: str | None = None) -> StaffingHandoff:
    """The roster's requirements and service target from a staffing frame, in one call.

    Parameters
    ----------
    frame:
        Output of :func:`wfm.erlang.requirements` (its ``attrs`` say what the figures mean), or any frame
        of ``time_col`` and ``agents`` (agents at work and off break) — then give the target below.
    horizon:
        The roster horizon; rows outside it are left out.
    break_shrinkage:
        Fraction of paid time in the breaks the roster's shift templates place, part of the frame's
        shrinkage (default 0: none of it is breaks). Say it, or the breaks are counted twice: once in the
        shrinkage, once by the roster taking agents on a break off the phones.
    service_level, answer_seconds, patience_seconds:
        The target (fraction in (0, 1)), answer time (seconds) and mean patience (seconds) for a frame that
        does not record them; for one that does, they may only repeat the recorded values.
    time_col, volume_col, aht_col, skill_col:
        As in :func:`requirements_from_frame`.

    Returns
    -------
    StaffingHandoff
        ``requirements`` (agents at work and off break), ``service_target`` (its ``shrinkage`` is the part
        of the frame's shrinkage left in the figures) and ``horizon``; ``.problem(shifts=..., ...)`` builds
        the :class:`RosterProblem`.

    Raises
    ------
    DataFormatError
        Missing columns, bad agents or times (named with up to five values).
    InvalidParameterError
        A shrinkage or target out of range, or a target that contradicts the recorded one.
    """
    recorded = _recorded(frame)
    target: dict[str, Any] = {"service_level": recorded.get("service_level"),
                              "answer_seconds": recorded.get("answer_seconds"),
                              "patience_seconds": recorded.get("patience_seconds")}
    for name, given in (("service_level", service_level), ("answer_seconds", answer_seconds),
                        ("patience_seconds", patience_seconds)):
        if given is None:
            continue
        if recorded and target[name] is not None and float(given) != float(target[name]):
            raise InvalidParameterError(
                f"`{name}` must match the {target[name]!r} the staffing frame was computed with; got {given!r}",
                field=name, value=given)
        target[name] = given
    x = _roster_shrinkage(float(recorded.get("shrinkage", 0.0)), break_shrinkage)
    try:
        service_target = ServiceTarget(service_level=target["service_level"],
                                       answer_seconds=20.0 if target["answer_seconds"] is None
                                       else target["answer_seconds"],
                                       patience_seconds=target["patience_seconds"], shrinkage=x)
    except ValueError as exc:  # pydantic names the field; the front ends need it as a field
        first = exc.errors()[0] if hasattr(exc, "errors") else {}
        field = str(first.get("loc", ("service_target",))[0])
        raise InvalidParameterError(f"service target: {first.get('msg', exc)}; got {first.get('input')!r}",
                                    field=field, value=first.get("input")) from None
    reqs = requirements_from_frame(frame, horizon, time_col=time_col, volume_col=volume_col, aht_col=aht_col,
                                   skill_col=skill_col, break_shrinkage=break_shrinkage)
    return StaffingHandoff(horizon=horizon, requirements=reqs, service_target=service_target)


def requirements_from_frame(frame: pd.DataFrame, horizon: Horizon, *, agents_col: str | None = None,
                            time_col: str = "ts", volume_col: str | None = "volume", aht_col: str | None = "aht",
                            skill_col: str | None = None, break_shrinkage: float = 0.0) -> list[Requirement]:
    """One :class:`Requirement` per row of ``frame`` that falls inside ``horizon``.

    Parameters
    ----------
    frame:
        Rows of ``time_col`` (interval start; naive times are wall-clock times in ``horizon.timezone``)
        and agents. ``volume_col`` (calls) and ``aht_col`` (seconds) are carried when present so the
        roster's coverage can project a service level.
    horizon:
        The roster horizon; rows before its start or after its last day are left out.
    agents_col:
        Column of agents the roster must cover, taken as it is. Default: for a frame of
        :func:`wfm.erlang.requirements`, the agents on the phones with the shrinkage the roster does not
        place added back (see ``break_shrinkage``); for any other frame, ``agents``.
    skill_col:
        Column naming the skill (queue) each requirement is for; ``None`` makes every requirement a
        head-count of all agents (rows with the same ``ts`` are then summed).
    break_shrinkage:
        Fraction of paid time in the breaks the roster's shift templates place, part of the shrinkage
        recorded by :func:`wfm.erlang.requirements` (default 0). Only read when ``agents_col`` is not given.

    Raises
    ------
    DataFormatError
        A missing column; agents not finite or negative; a time that cannot be read, does not exist at the
        site (skipped when the clocks go forward), is passed twice but given once (clocks going back), or is
        off the horizon's interval grid — each named with its column and up to five values.
    """
    if not isinstance(frame, pd.DataFrame):
        raise InvalidParameterError(f"`frame` must be a pandas DataFrame; got {type(frame).__name__}",
                                    field="frame", value=type(frame).__name__)
    recorded = _recorded(frame)
    uplift = 0.0
    if agents_col is None:
        if recorded:
            agents_col = str(recorded.get("on_phone_col", "agents"))
            uplift = _roster_shrinkage(float(recorded.get("shrinkage", 0.0)), break_shrinkage)
        else:
            agents_col = "agents"
    missing = [c for c in (time_col, agents_col) if c not in frame.columns]
    if skill_col is not None and skill_col not in frame.columns:
        missing.append(skill_col)
    if missing:
        raise DataFormatError(f"requirements frame lacks column(s) {missing}; it has {list(frame.columns)}",
                              field=missing[0])
    agents = pd.to_numeric(frame[agents_col], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(agents) | (agents < 0)
    if bad.any():
        rows = list(frame.index[bad][:5])
        raise DataFormatError(f"column `{agents_col}` must be finite and >= 0; bad rows {rows} "
                              f"with values {[float(x) for x in agents[bad][:5]]}",
                              field=agents_col, value=float(agents[bad][0]))
    if uplift > 0:
        # the shrinkage the roster does not see, on whole agents (with no break shrinkage this is exactly
        # the frame's `agents`, agents to schedule); a fractional figure stays fractional
        whole = agents == np.floor(agents)
        agents = np.where(whole, apply_shrinkage(np.where(whole, agents, 0.0), uplift), agents / (1.0 - uplift))
    id_cols = [skill_col] if skill_col is not None else [
        c for c in frame.columns if c not in (time_col, agents_col, volume_col, aht_col)
        and not pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_datetime64_any_dtype(frame[c])]
    ts = _site_times(frame, time_col, horizon, id_cols)
    first = pd.Timestamp(horizon.local_midnight(0))
    end = pd.Timestamp(horizon.local_midnight(horizon.days))
    inside = np.asarray((ts >= first) & (ts < end))
    _check_grid(frame, time_col, ts, inside, horizon)

    data = pd.DataFrame({"ts": ts, "agents": agents})
    for name, col in (("volume", volume_col), ("aht", aht_col)):
        if col is not None and col in frame.columns:
            data[name] = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
    data["skill"] = frame[skill_col].astype(str).to_numpy() if skill_col is not None else None
    data = data[inside]
    if skill_col is None:
        agg = {"agents": "sum"}
        if "volume" in data:
            agg["volume"] = "sum"
        if "aht" in data:
            # handle time of merged queues: call-weighted mean
            data = data.assign(work=data["aht"] * data.get("volume", 1.0))
            agg["work"] = "sum"
        data = data.groupby("ts", sort=True).agg(agg).reset_index()
        if "work" in data:
            vol = data["volume"] if "volume" in data else 1.0
            data["aht"] = np.where(vol > 0, data["work"] / np.where(vol > 0, vol, 1.0), np.nan)
        data["skill"] = None

    out: list[Requirement] = []
    for row in data.itertuples(index=False):
        vol = getattr(row, "volume", None)
        aht = getattr(row, "aht", None)
        out.append(Requirement(
            ts=row.ts.to_pydatetime(), agents=float(row.agents), skill=row.skill,
            volume=None if vol is None or not np.isfinite(vol) else float(vol),
            aht_seconds=None if aht is None or not np.isfinite(aht) or aht <= 0 else float(aht),
        ))
    return out


# ----------------------------------------------------------------------------------------------- parts

def _recorded(frame: pd.DataFrame) -> dict[str, Any]:
    """What :func:`wfm.erlang.requirements` recorded about the frame's figures (empty for other frames)."""
    attrs = getattr(frame, "attrs", None) or {}
    got = attrs.get(STAFFING_ATTRS)
    return dict(got) if isinstance(got, dict) else {}


def _roster_shrinkage(total: float, breaks: float) -> float:
    """The part of shrinkage ``total`` the roster does not place when ``breaks`` of it are its breaks:
    ``1 − (1 − total) / (1 − breaks)``, a fraction of the time at work and off break."""
    for name, value in (("shrinkage", total), ("break_shrinkage", breaks)):
        if not 0.0 <= value < 1.0:
            raise InvalidParameterError(f"`{name}` must be in [0, 1); got {value!r}", field=name, value=value)
    if breaks > total + 1e-12:
        raise InvalidParameterError(f"`break_shrinkage` must be at most the frame's shrinkage {total:g}; got "
                                    f"{breaks!r}", field="break_shrinkage", value=breaks)
    return max(0.0, 1.0 - (1.0 - total) / (1.0 - breaks))


def _site_times(frame: pd.DataFrame, col: str, horizon: Horizon, id_cols: list[str]) -> pd.DatetimeIndex:
    """``frame[col]`` as tz-aware times at the site.

    Aware times (one zone or mixed UTC offsets, as across a daylight-saving change) are converted. Naive
    times are wall-clock times at the site: a time the clock skips is an error; a time it passes twice is
    summer time at its first row in each series (``id_cols``) and winter time at its second.
    """
    raw = frame[col]
    tz = horizon.timezone
    if len(raw) and (pd.api.types.is_numeric_dtype(raw.dtype) or pd.api.types.is_bool_dtype(raw.dtype)):
        raise DataFormatError(f"column `{col}` must hold times (interval starts); got numbers such as "
                              f"{raw.iloc[0]!r}", field=col, value=raw.iloc[0].item())
    try:
        if isinstance(raw.dtype, pd.DatetimeTZDtype):
            return pd.DatetimeIndex(raw).tz_convert(tz)
        if pd.api.types.is_datetime64_dtype(raw.dtype):
            parsed = pd.DatetimeIndex(raw)
        else:
            parsed = _parse(raw, col)
            if parsed.tz is not None:
                return parsed.tz_convert(tz)
    except DataFormatError:
        raise
    except (TypeError, ValueError, OverflowError) as exc:
        raise DataFormatError(f"column `{col}` must hold times; {exc}", field=col) from None
    if parsed.isna().any():
        bad = raw[np.asarray(parsed.isna())]
        # a missing cell reads None or NaN depending on the pandas version: call it what it is
        shown = ["missing (None)" if pd.isna(v) else str(v) for v in bad.iloc[:5]]
        raise DataFormatError(f"column `{col}` must hold times; missing or unreadable at rows "
                              f"{list(bad.index[:5])}: {shown}", field=col, value=shown[0])
    # every naive time read as summer time and as winter time: equal unless the clock passes it twice
    as_dst = parsed.tz_localize(tz, ambiguous=np.ones(len(parsed), dtype=bool), nonexistent="NaT")
    as_std = parsed.tz_localize(tz, ambiguous=np.zeros(len(parsed), dtype=bool), nonexistent="NaT")
    skipped = np.asarray(as_dst.isna())
    if skipped.any():
        vals = [str(v) for v in parsed[skipped][:5]]
        raise DataFormatError(f"column `{col}`: {vals} do not exist in {tz} (the clocks go forward over them); "
                              f"drop those rows or give times with their UTC offset", field=col, value=vals[0])
    twice = np.asarray(as_dst != as_std)
    if not twice.any():
        return as_dst
    # the clock passes these wall-clock times twice: in each series the first row is summer time, the
    # second winter time (a forecast lists the intervals in time order)
    keys = pd.DataFrame({c: frame[c].to_numpy() for c in id_cols})
    keys["__t"] = parsed.to_numpy()
    rank = keys.groupby(list(keys.columns), sort=False, dropna=False).cumcount().to_numpy()
    count = keys.groupby(list(keys.columns), sort=False, dropna=False)["__t"].transform("size").to_numpy()
    bad = twice & (count != 2)
    if bad.any():
        vals = [str(v) for v in parsed[bad][:5]]
        raise DataFormatError(f"column `{col}`: {vals} occur twice in {tz} (the clocks go back over them) but "
                              "not twice per series; give both intervals in time order, or times with their UTC "
                              "offset", field=col, value=vals[0])
    return as_dst.where(~(twice & (rank == 1)), as_std)


_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"  # a UTC offset closing an ISO time: Z, +01:00, -0500


def _has_offset(value: Any) -> bool:
    if isinstance(value, dt.datetime):
        return value.tzinfo is not None
    return bool(pd.Series([str(value).strip()]).str.contains(_OFFSET).iloc[0])


def _parse(raw: pd.Series, col: str) -> pd.DatetimeIndex:
    """Text or datetime objects to times: all with a UTC offset (possibly differing, summer and winter,
    read through UTC) or all without one (wall-clock times); a column mixing the two is an error."""
    values = raw.dropna()
    if isinstance(values.dtype, pd.StringDtype) or values.map(type).eq(str).all():
        aware = values.astype(str).str.strip().str.contains(_OFFSET).to_numpy()
    else:
        aware = np.array([_has_offset(v) for v in values], dtype=bool)
    if aware.size and aware.all():
        return pd.DatetimeIndex(pd.to_datetime(raw, errors="coerce", utc=True, format="mixed"))
    if aware.any():
        vals = [str(v) for v in values[aware][:3]] + [str(v) for v in values[~aware][:2]]
        raise DataFormatError(f"column `{col}` mixes times with and without a UTC offset: {vals}", field=col,
                              value=vals[0])
    return pd.DatetimeIndex(pd.to_datetime(raw, errors="coerce", format="mixed"))


def _check_grid(frame: pd.DataFrame, col: str, ts: pd.DatetimeIndex, inside: np.ndarray, horizon: Horizon) -> None:
    """Every time inside the horizon starts an interval of its grid (elapsed time from local midnight)."""
    if not inside.any():
        return
    origin = pd.Timestamp(horizon.local_midnight(0).astimezone(dt.UTC))
    step = pd.Timedelta(minutes=horizon.interval_minutes)
    off = (ts[inside].tz_convert("UTC") - origin) % step
    bad = np.asarray(off != pd.Timedelta(0))
    if bad.any():
        vals = [str(v) for v in frame[col].to_numpy()[inside][bad][:5]]
        raise DataFormatError(f"column `{col}` must start {horizon.interval_minutes}-minute intervals of the "
                              f"horizon; got {vals}", field=col, value=vals[0])
