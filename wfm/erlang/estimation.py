"""Queue parameters from call records: caller patience (for Erlang A) and handle time.

Patience is only seen for callers who hang up; for answered callers we only learn that their patience
exceeded their wait (right-censoring). For exponential patience the maximum-likelihood estimate of the mean is

    total time spent waiting by all callers / number of callers who abandoned

(Brown et al. 2005, §6; Mandelbaum & Zeltyn 2007). The Kaplan–Meier curve of patience (abandonment the event,
answer the censoring) checks whether the exponential assumption is reasonable: its log should fall linearly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wfm.exceptions import DataFormatError, InvalidParameterError

__all__ = ["PatienceEstimate", "estimate_patience", "patience_survival", "estimate_aht"]


@dataclass(frozen=True)
class PatienceEstimate:
    """Censored exponential MLE of mean patience.

    Attributes
    ----------
    mean_seconds : float
        Estimated mean patience in seconds.
    lower_seconds, upper_seconds : float
        Approximate 95% confidence interval (seconds), from the asymptotic normality of ``log(mean)`` with
        standard error ``1 / sqrt(abandoned)``.
    calls, abandoned : int
        Callers used and how many of them hung up.
    total_wait_seconds : float
        Sum of the waits of every caller (answered and abandoned), in seconds.
    """

    mean_seconds: float
    lower_seconds: float
    upper_seconds: float
    calls: int
    abandoned: int
    total_wait_seconds: float


def _columns(records: pd.DataFrame, cols: Sequence[str]) -> None:
    if not isinstance(records, pd.DataFrame):
        raise InvalidParameterError(f"`records` must be a pandas DataFrame; got {type(records).__name__}",
            field="records")
    missing = [c for c in cols if c not in records.columns]
    if missing:
        raise DataFormatError(f"`records` lacks column(s) {missing}; it has {list(records.columns)}", field="records")


def _waits(records: pd.DataFrame, wait_col: str, abandoned_col: str,
           answered_col: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Waits (seconds) and abandonment flags of callers who either abandoned or were answered."""
    cols = [wait_col, abandoned_col] + ([answered_col] if answered_col else [])
    _columns(records, cols)
    ab = records[abandoned_col].to_numpy(dtype=bool)
    keep = ab | records[answered_col].to_numpy(dtype=bool) if answered_col else np.ones(len(records), bool)
    wait = pd.to_numeric(records[wait_col], errors="coerce").to_numpy(dtype=float)
    bad = keep & (~np.isfinite(wait) | (wait < 0))
    if bad.any():
        rows = list(records.index[bad][:5])
        raise DataFormatError(f"column `{wait_col}` must be finite and >= 0; bad rows {rows} with values "
                              f"{list(wait[bad][:5])}", field=wait_col)
    return wait[keep], ab[keep]


def _mle(wait: np.ndarray, ab: np.ndarray) -> PatienceEstimate:
    d = int(ab.sum())
    total = float(wait.sum())
    if d == 0:
        raise InvalidParameterError(
            "patience cannot be estimated without any abandoned call; got 0 abandoned of "
            f"{wait.size} calls (patience is then only bounded below by the waits)"
        )
    mean = total / d
    half = 1.96 / np.sqrt(d)
    return PatienceEstimate(mean_seconds=mean, lower_seconds=mean * float(np.exp(-half)),
                            upper_seconds=mean * float(np.exp(half)), calls=int(wait.size), abandoned=d,
                            total_wait_seconds=total)


def estimate_patience(records: pd.DataFrame, *, wait_col: str = "wait_seconds",
                      abandoned_col: str = "abandoned", answered_col: str | None = "answered",
                      by: str | Sequence[str] | None = None) -> PatienceEstimate | pd.DataFrame:
    """Mean caller patience (seconds) by the censored exponential maximum-likelihood estimate.

    Parameters
    ----------
    records : pandas.DataFrame
        One row per call, e.g. :func:`wfm.datasets.load_bank_calls` or
        :func:`wfm.erlang.simulation.simulate_calls`.
    wait_col : str, default "wait_seconds"
        Time each caller spent in queue, seconds (until answer or hang-up).
    abandoned_col : str, default "abandoned"
        True for callers who hung up while waiting.
    answered_col : str or None, default "answered"
        True for answered callers; rows neither answered nor abandoned are left out. ``None`` uses every row.
    by : str or list of str, optional
        Group columns (e.g. ``"queue"``); one estimate per group.

    Returns
    -------
    PatienceEstimate or pandas.DataFrame
        The estimate, or with ``by`` a frame with one row per group and the fields of
        :class:`PatienceEstimate` as columns.

    Raises
    ------
    InvalidParameterError
        No caller abandoned (the MLE does not exist).
    """
    if by is None:
        return _mle(*_waits(records, wait_col, abandoned_col, answered_col))
    keys = [by] if isinstance(by, str) else list(by)
    _columns(records, keys)
    rows = []
    for key, group in records.groupby(keys, sort=True, observed=True):
        wait, ab = _waits(group, wait_col, abandoned_col, answered_col)
        if not ab.any():
            continue
        est = _mle(wait, ab)
        label = key if isinstance(key, tuple) else (key,)
        rows.append(dict(zip(keys, label, strict=True)) | est.__dict__)
    return pd.DataFrame(rows)


def patience_survival(records: pd.DataFrame, *, wait_col: str = "wait_seconds",
                      abandoned_col: str = "abandoned", answered_col: str | None = "answered") -> pd.DataFrame:
    """Kaplan–Meier estimate of the patience survival function ``P(patience > t)``.

    Abandonment is the event; an answered call is censored at its wait.

    Parameters
    ----------
    records : pandas.DataFrame
        One row per call.
    wait_col, abandoned_col, answered_col : str
        As in :func:`estimate_patience`.

    Returns
    -------
    pandas.DataFrame
        One row per distinct abandonment time: ``seconds``, ``at_risk``, ``abandoned``, ``survival``.
        ``restricted_mean_seconds`` in ``DataFrame.attrs`` is the area under the curve up to the last event,
        a lower bound on mean patience that makes no exponential assumption.
    """
    wait, ab = _waits(records, wait_col, abandoned_col, answered_col)
    order = np.argsort(wait, kind="stable")
    wait, ab = wait[order], ab[order]
    times, first = np.unique(wait, return_index=True)
    at_risk = wait.size - first
    events = np.add.reduceat(ab.astype(np.int64), first) if wait.size else np.array([], dtype=np.int64)
    hit = events > 0
    times, at_risk, events = times[hit], at_risk[hit], events[hit]
    surv = np.cumprod(1.0 - events / at_risk)
    out = pd.DataFrame({"seconds": times, "at_risk": at_risk, "abandoned": events, "survival": surv})
    steps = np.diff(np.concatenate([[0.0], times]))
    prev = np.concatenate([[1.0], surv[:-1]])
    out.attrs["restricted_mean_seconds"] = float((steps * prev).sum())
    return out


def estimate_aht(records: pd.DataFrame, *, handle_col: str = "handle_seconds", answered_col: str = "answered",
                 by: str | Sequence[str] | None = None) -> float | pd.Series:
    """Average handle time (seconds) of answered calls.

    Parameters
    ----------
    records : pandas.DataFrame
        One row per call.
    handle_col : str, default "handle_seconds"
        Handle time in seconds.
    answered_col : str, default "answered"
        True for answered calls (only those have a handle time).
    by : str or list of str, optional
        Group columns; one value per group.

    Returns
    -------
    float or pandas.Series
        Mean handle time in seconds.
    """
    cols = [handle_col, answered_col] + ([] if by is None else ([by] if isinstance(by, str) else list(by)))
    _columns(records, cols)
    ans = records[answered_col].to_numpy(dtype=bool)
    h = pd.to_numeric(records[handle_col], errors="coerce").to_numpy(dtype=float)
    bad = ans & (~np.isfinite(h) | (h < 0))
    if bad.any():
        raise DataFormatError(f"column `{handle_col}` must be finite and >= 0 for answered calls; bad rows "
                              f"{list(records.index[bad][:5])} with values {list(h[bad][:5])}", field=handle_col)
    if not ans.any():
        raise InvalidParameterError("handle time cannot be estimated without answered calls; got 0 answered")
    if by is None:
        return float(h[ans].mean())
    frame = records.loc[ans, cols[2:]].assign(**{handle_col: h[ans]})
    return frame.groupby(by, observed=True)[handle_col].mean()
