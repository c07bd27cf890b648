"""The numbers the report shows, as plain frames (no plotting): coverage per day and per agent-week.

Kept apart from the drawing so a test can check the figures the page prints against the checker's own
arithmetic without a browser or matplotlib.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wfm.roster.models import RosterProblem, RosterSolution
from wfm.roster.timeline import Timeline

__all__ = ["coverage_with_calls", "daily_coverage", "local_naive"]


def coverage_with_calls(problem: RosterProblem, solution: RosterSolution) -> pd.DataFrame:
    """:meth:`~wfm.roster.RosterSolution.coverage_frame` plus ``volume``, the calls offered in each interval
    (NaN where the requirement carries none), so a day's service level can be weighted by its calls."""
    cov = solution.coverage_frame(problem)
    tl = Timeline(problem)
    calls = {(*tl.day_of_interval(g), skill): cell.volume for (g, skill), cell in tl.requirements.items()}
    cov["volume"] = [calls.get((d, t, sk)) for d, t, sk in zip(cov["day"], cov["interval"], cov["skill"],
                                                                  strict=True)]
    cov["volume"] = cov["volume"].astype(float)
    return cov


def local_naive(ts: pd.Series) -> pd.Series:
    """Wall-clock local times without a zone (what a scheduler reads on the axis).

    matplotlib converts tz-aware datetimes to UTC before formatting, so a Jerusalem roster would be labelled
    two hours off; dropping the zone after converting keeps the site's clock. On a daylight-saving day the
    repeated (or skipped) hour shows as a short overlap (or gap) on the axis.
    """
    ts = pd.to_datetime(ts)
    if getattr(ts.dt, "tz", None) is not None:
        return ts.dt.tz_localize(None)
    return ts


def daily_coverage(coverage: pd.DataFrame, *, interval_minutes: int) -> pd.DataFrame:
    """Per day and skill: agent-hours required, scheduled (on the phones), short and over, calls and the
    projected service level of the day.

    Parameters
    ----------
    coverage : DataFrame
        Output of :func:`coverage_with_calls` (one row per requirement interval, with ``volume``).
    interval_minutes : int
        Length of an interval, minutes (turns agent-intervals into agent-hours).

    Returns
    -------
    DataFrame
        Columns ``date``, ``skill``, ``required_h``, ``scheduled_h``, ``short_h``, ``over_h`` (agent-hours),
        ``short_intervals`` (count), ``calls``, ``service_level`` (the fraction of the day's calls answered
        within the threshold: interval service levels weighted by calls, NaN without call volumes) and
        ``worst_service_level`` (the lowest interval's, NaN without volumes). Only intervals with a
        requirement or calls count towards the service level.
    """
    cols = ["date", "skill", "required_h", "scheduled_h", "short_h", "over_h", "short_intervals", "calls",
            "service_level", "worst_service_level"]
    if coverage.empty:
        return pd.DataFrame(columns=cols)
    step_h = interval_minutes / 60.0
    df = coverage.copy()
    df["date"] = pd.to_datetime(df["ts"]).map(lambda t: t.date())
    df["skill"] = df["skill"].astype(object).where(df["skill"].notna(), "")
    vol = df["volume"].to_numpy(float) if "volume" in df.columns else np.full(len(df), np.nan)
    df["calls"] = np.where(np.isfinite(vol), vol, 0.0)
    sl = df["service_level"].to_numpy(float)
    weighted = np.isfinite(sl) & (df["calls"].to_numpy() > 0)
    df["answered"] = np.where(weighted, sl * df["calls"], 0.0)
    df["sl_calls"] = np.where(weighted, df["calls"], 0.0)
    df["sl_open"] = np.where(weighted, sl, np.nan)
    g = df.groupby(["date", "skill"], sort=True)
    out = pd.DataFrame({
        "required_h": g["required"].sum() * step_h,
        "scheduled_h": g["scheduled"].sum() * step_h,
        "short_h": g["shortfall"].sum() * step_h,
        "over_h": g["over"].sum() * step_h,
        "short_intervals": g["shortfall"].apply(lambda s: int((s > 1e-9).sum())),
        "calls": g["calls"].sum(),
        "answered": g["answered"].sum(),
        "sl_calls": g["sl_calls"].sum(),
        "worst_service_level": g["sl_open"].min(),
    }).reset_index()
    out["service_level"] = np.where(out["sl_calls"] > 0, out["answered"] / out["sl_calls"].where(
        out["sl_calls"] > 0, 1.0), np.nan)
    return out[cols]
