"""The hand-off from staffing to rostering: a requirements frame (``wfm.erlang.requirements`` output) to
the ``requirements`` of a :class:`~wfm.roster.models.RosterProblem`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.exceptions import DataFormatError
from wfm.roster.models import Horizon, Requirement

__all__ = ["requirements_from_frame"]


def requirements_from_frame(frame: pd.DataFrame, horizon: Horizon, *, agents_col: str = "agents",
                            time_col: str = "ts", volume_col: str | None = "volume", aht_col: str | None = "aht",
                            skill_col: str | None = None) -> list[Requirement]:
    """One :class:`Requirement` per row of ``frame`` that falls inside ``horizon``.

    Parameters
    ----------
    frame:
        Rows of ``time_col`` (interval start; naive times are read as local time in ``horizon.timezone``)
        and ``agents_col`` (agents needed on the phones, agents). ``volume_col`` (calls) and ``aht_col``
        (seconds) are carried when present so the roster's coverage can project a service level.
    horizon:
        The roster horizon; rows before its start or after its last day are left out.
    skill_col:
        Column naming the skill (queue) each requirement is for; ``None`` makes every requirement a
        head-count of all agents (rows with the same ``ts`` are then summed).
    """
    missing = [c for c in (time_col, agents_col) if c not in frame.columns]
    if skill_col is not None and skill_col not in frame.columns:
        missing.append(skill_col)
    if missing:
        raise DataFormatError(f"requirements frame lacks column(s) {missing}; it has {list(frame.columns)}")
    agents = pd.to_numeric(frame[agents_col], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(agents) | (agents < 0)
    if bad.any():
        rows = list(frame.index[bad][:5])
        raise DataFormatError(f"column `{agents_col}` must be finite and >= 0; bad rows {rows} "
                              f"with values {[float(x) for x in agents[bad][:5]]}")
    ts = pd.DatetimeIndex(pd.to_datetime(frame[time_col]))
    ts = ts.tz_localize(horizon.timezone, ambiguous="infer", nonexistent="raise") if ts.tz is None \
        else ts.tz_convert(horizon.timezone)
    first = pd.Timestamp(horizon.local_midnight(0))
    end = pd.Timestamp(horizon.local_midnight(horizon.days))
    inside = np.asarray((ts >= first) & (ts < end))

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


