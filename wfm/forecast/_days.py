"""Day-level helpers shared by the day-based models: days x intervals matrices, special days, cleaning.

Call-centre arrivals are best seen as a matrix with one row per day and one column per interval of the day
(Shen & Huang 2008): the daily total carries the level and the weekly pattern, the row shape is the intraday
profile. Holidays and anomalous days break both, so they are (1) excluded from what the models learn and
replaced by a "normal" day for the same weekday, and (2) forecast separately from their own learned level and
profile (:class:`SpecialDays`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

_DAY = pd.Timedelta("1D")


def per_day(step: pd.Timedelta) -> int:
    return int(_DAY / step)


def day_matrix(y: pd.Series, step: pd.Timedelta) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Complete days of ``y`` as (days, matrix days x intervals); partial first/last days are dropped."""
    p = per_day(step)
    idx = y.index
    first_day = idx[0].normalize()
    if idx[0] != first_day:
        first_day = first_day + _DAY
    last_end = idx[-1] + step
    last_day = last_end.normalize()  # exclusive
    n_days = max(int((last_day - first_day) / _DAY), 0)
    if n_days == 0:
        return pd.DatetimeIndex([]), np.zeros((0, p))
    start = int((first_day - idx[0]) / step)
    values = y.to_numpy(dtype=float)[start:start + n_days * p]
    days = pd.date_range(first_day, periods=n_days, freq="D")
    return days, values.reshape(n_days, p)


def learn_days(y: pd.Series, step: pd.Timedelta,
               holidays: dict[pd.Timestamp, str]) -> tuple[SpecialDays, pd.DatetimeIndex, np.ndarray]:
    """Special days learned from ``y`` (labelled and anomalous days), the days, and the cleaned matrix.

    The shared first step of the day-based models: the days x intervals matrix of ``y`` with every labelled
    or anomalous day replaced by a normal day for its weekday, so the models learn from normal days only.
    """
    days, x = day_matrix(y, step)
    special = SpecialDays(holidays).fit(days, x)
    return special, days, special.clean(x)


def horizon_days(last_ts: pd.Timestamp, step: pd.Timedelta, horizon: int) -> tuple[pd.DatetimeIndex, int]:
    """Days covering the ``horizon`` intervals after ``last_ts`` and the offset of the first one in day 1."""
    p = per_day(step)
    first = last_ts + step
    d0 = first.normalize()
    offset = int((first - d0) / step)
    n_days = math.ceil((offset + horizon) / p)
    return pd.date_range(d0, periods=n_days, freq="D"), offset


def slice_days(xf: np.ndarray, offset: int, horizon: int) -> np.ndarray:
    return xf.reshape(-1)[offset:offset + horizon]


def trimmed_mean(a: np.ndarray, axis: int = 0, trim: float = 0.2) -> np.ndarray:
    """Mean after dropping ``trim`` of the values at each end along ``axis`` (robust to odd days)."""
    n = a.shape[axis]
    if n == 0:
        return np.full(a.shape[1 - axis], np.nan)
    k = int(math.floor(n * trim))
    s = np.sort(a, axis=axis)
    s = np.take(s, np.arange(k, n - k), axis=axis)
    return s.mean(axis=axis)


def shares(x: np.ndarray) -> np.ndarray:
    tot = x.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tot > 0, x / np.where(tot > 0, tot, 1.0), np.nan)


class SpecialDays:
    """Learns how labelled days (holidays, eves...) and anomalies differ from normal days, and applies it.

    Per label, the level is either *absolute* (the day's total relative to an average working day, e.g. a
    holiday is 10% of a working day whatever the weekday) or *relative* (relative to a normal day of the same
    weekday, e.g. the day after a holiday is +15%): whichever varies less across the history's examples.
    Each label also gets an intraday profile, shrunk toward the weekday profile when examples are few.
    """

    def __init__(self, holidays: dict[pd.Timestamp, str], *, window_weeks: int = 3,
                 anomaly_ratio: float = 1.8, prior_cv: float = 0.3) -> None:
        self.holidays = holidays
        self.window_weeks = window_weeks
        self.anomaly_ratio = anomaly_ratio
        self.prior_cv = prior_cv

    # -- labels -----------------------------------------------------------------------------------------
    def labels_for(self, days: pd.DatetimeIndex) -> np.ndarray:
        lab = np.array([self.holidays.get(d, "") for d in days], dtype=object)
        # The first working day after a holiday gets its own label (catch-up volume), unless labelled.
        working = getattr(self, "working_dow_", np.ones(7, bool))
        out = lab.copy()
        for i, d in enumerate(days):
            if lab[i] != "":
                continue
            j = d - _DAY
            # Walk back over non-working weekdays to find whether the previous working day was a holiday.
            steps = 0
            while steps < 3 and not working[j.day_of_week] and self.holidays.get(j, "") == "":
                j -= _DAY
                steps += 1
            if self.holidays.get(j, "") == "holiday" and working[d.day_of_week]:
                out[i] = "after_holiday"
        return out

    def _neighbours(self, i: int, dow: np.ndarray, usable: np.ndarray) -> list[int]:
        """Usable same-weekday days within +-window_weeks weeks of day ``i`` (wider if none)."""
        n = len(dow)
        cand = [i + 7 * k for k in range(-self.window_weeks, self.window_weeks + 1)
                if k != 0 and 0 <= i + 7 * k < n and usable[i + 7 * k]]
        if not cand:
            # widen the window once: long holiday seasons can hide every neighbour
            cand = [j for j in range(i % 7, n, 7) if usable[j] and j != i]
            cand = sorted(cand, key=lambda j: abs(j - i))[:2 * self.window_weeks]
        return cand

    def _normal(self, dow: np.ndarray, x: np.ndarray, usable: np.ndarray) -> np.ndarray:
        """Per day, the elementwise median of usable same-weekday days within +-window_weeks weeks."""
        n, p = x.shape
        shifts = [7 * k for k in range(-self.window_weeks, self.window_weeks + 1) if k != 0]
        stack = np.full((len(shifts), n, p), np.nan)
        xu = np.where(usable[:, None], x, np.nan)
        for s_i, sh in enumerate(shifts):
            if abs(sh) >= n:
                continue
            if sh > 0:
                stack[s_i, : n - sh] = xu[sh:]
            elif sh < 0:
                stack[s_i, -sh:] = xu[: n + sh]
        have = np.isfinite(stack[:, :, 0]).any(axis=0)
        normal = np.full_like(x, np.nan)
        if have.any():
            normal[have] = np.nanmedian(stack[:, have], axis=0)
        for i in np.flatnonzero(~have):
            cand = self._neighbours(i, dow, usable)
            if cand:
                normal[i] = np.median(x[cand], axis=0)
        return normal

    # -- fit --------------------------------------------------------------------------------------------
    def fit(self, days: pd.DatetimeIndex, x: np.ndarray) -> SpecialDays:
        dow = days.day_of_week.to_numpy()
        tot = x.sum(axis=1)
        base_lab = np.array([self.holidays.get(d, "") for d in days], dtype=object)
        plain = base_lab == ""
        med = np.array([np.median(tot[plain & (dow == k)]) if np.any(plain & (dow == k)) else np.nan
                        for k in range(7)])
        top = np.nanmax(med) if np.any(np.isfinite(med)) else 0.0
        self.working_dow_ = np.where(np.isfinite(med), med >= 0.5 * top, False) if top > 0 else np.ones(7, bool)
        labels = self.labels_for(days)
        usable = labels == ""
        ntot = self._normal(dow, x, usable).sum(axis=1)
        # Anomalies: unlabelled days far from their normal (outages, mailing spikes, imputed days).
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(ntot > 0, tot / np.where(ntot > 0, ntot, 1.0), np.nan)
        big = (ntot > 0.2 * top) & ((ratio > self.anomaly_ratio) | (ratio < 1.0 / self.anomaly_ratio))
        self.anomaly_ = usable & np.nan_to_num(big, nan=False).astype(bool)
        usable = usable & ~self.anomaly_
        normal = self._normal(dow, x, usable)
        ntot = normal.sum(axis=1)
        self.labels_ = labels
        self.usable_ = usable
        self.normal_ = normal
        # Working level around each day: mean of the normal totals of working weekdays that week.
        nd = len(days)
        dow_level = np.full((nd, 7), np.nan)
        for i in range(nd):
            lo, hi = max(0, i - 3), min(nd, i + 4)
            for j in range(lo, hi):
                dow_level[i, dow[j]] = ntot[j]
        wl = np.where(self.working_dow_[None, :], dow_level, np.nan)
        cnt = np.isfinite(wl).sum(axis=1)
        # mean over the finite entries; NaN (without a warning) for weeks with no working weekday seen
        work_level = np.where(cnt > 0, np.nansum(wl, axis=1) / np.maximum(cnt, 1), np.nan)
        self.effects_: dict[str, tuple[str, float, np.ndarray | None, int]] = {}
        self.level_var_: dict[str, float] = {}
        p = x.shape[1]
        for label in sorted({lab for lab in labels if lab != ""}):
            sel = np.flatnonzero((labels == label) & np.isfinite(ntot) & (ntot > 0) & np.isfinite(work_level))
            if sel.size == 0:
                continue
            rel = np.clip(tot[sel] / ntot[sel], 1e-3, None)
            ab = np.clip(tot[sel] / work_level[sel], 1e-3, None)
            mad_rel = np.median(np.abs(np.log(rel) - np.median(np.log(rel))))
            mad_abs = np.median(np.abs(np.log(ab) - np.median(np.log(ab))))
            if sel.size >= 2:
                mode = "rel" if mad_rel < mad_abs else "abs"
            else:
                mode = "rel" if label == "after_holiday" else "abs"
            eff = float(np.exp(np.median(np.log(rel if mode == "rel" else ab))))
            # uncertainty of this label's level (log scale): robust spread of its examples, shrunk toward a
            # prior of 30% with the weight of two examples (a single example says nothing about spread)
            spread = 1.4826 * (mad_rel if mode == "rel" else mad_abs) if sel.size >= 2 else 0.0
            self.level_var_[label] = float((sel.size * spread ** 2 + 2 * self.prior_cv ** 2) / (sel.size + 2))
            sh = shares(x[sel])
            ok = np.isfinite(sh).all(axis=1)
            prof = sh[ok].mean(axis=0) if ok.any() else None
            self.effects_[label] = (mode, eff, prof if prof is not None and prof.shape == (p,) else None,
                                    int(ok.sum()))
        # Reference levels for future days, from the last four weeks of normal days.
        recent = np.arange(nd) >= nd - 28
        self.dow_level_ = np.array([np.nanmedian(np.where(recent & usable & (dow == k), tot, np.nan))
                                    if np.any(recent & usable & (dow == k)) else
                                    (np.nanmedian(np.where(usable & (dow == k), tot, np.nan))
                                     if np.any(usable & (dow == k)) else np.nan) for k in range(7)])
        wl = self.dow_level_[self.working_dow_]
        self.work_level_ = float(np.nanmean(wl)) if np.any(np.isfinite(wl)) else float(np.nanmean(tot))
        lv = np.where(np.isfinite(self.dow_level_), self.dow_level_, np.inf)
        self.quiet_dow_ = int(np.argmin(lv))
        return self

    def clean(self, x: np.ndarray) -> np.ndarray:
        """``x`` with labelled and anomalous days replaced by the normal day for their weekday."""
        bad = ~self.usable_
        out = x.copy()
        fill = bad & np.isfinite(self.normal_).all(axis=1)
        out[fill] = self.normal_[fill]
        return out

    def extra_dispersion(self, future_days: pd.DatetimeIndex) -> np.ndarray:
        """Per future day, the variance of its log level beyond a normal day's (0 for normal days).

        It adds to the negative-binomial dispersion of that day's intervals: a level known only to within
        +-30% widens the band like a multiplicative error of that size (``Var = mu + (a + s^2) mu^2``).
        """
        labels = self.labels_for(future_days)
        unseen = 2.0 * self.prior_cv ** 2
        return np.array([0.0 if lab == "" else self.level_var_.get(lab, unseen) for lab in labels])

    def apply(self, future_days: pd.DatetimeIndex, xf: np.ndarray, profiles: np.ndarray) -> np.ndarray:
        """Overlay learned special-day effects on a base forecast ``xf`` (days x intervals).

        ``profiles`` (7 x intervals) are the normal weekday profiles, used for unseen labels.
        """
        labels = self.labels_for(future_days)
        out = xf.copy()
        for i, d in enumerate(future_days):
            label = labels[i]
            if label == "":
                continue
            base_total = float(xf[i].sum())
            k = d.day_of_week
            # this day's working-day level, scaled like the base forecast scales its weekday
            scale = base_total / self.dow_level_[k] if np.isfinite(self.dow_level_[k]) and self.dow_level_[k] > 0 \
                else 1.0
            if label not in self.effects_:
                if label == "after_holiday":
                    continue
                q = self.quiet_dow_
                total = float(self.dow_level_[q]) * (scale if base_total > 0 else 1.0)
                out[i] = total * profiles[q]
                continue
            mode, eff, prof, n = self.effects_[label]
            total = eff * base_total if mode == "rel" else eff * self.work_level_ * scale
            base_shape = xf[i] / base_total if base_total > 0 else profiles[k]
            if prof is not None:
                w = n / (n + 1.0)
                shape = w * prof + (1 - w) * base_shape
            else:
                shape = base_shape
            out[i] = max(total, 0.0) * shape
        return out


def weekday_profiles(days: pd.DatetimeIndex, x: np.ndarray, *, weeks: int, day_types: str = "auto",
                     tol: float = 0.12) -> tuple[np.ndarray, list[list[int]]]:
    """Robust intraday profile per weekday (7 x intervals, rows sum to 1) from the last ``weeks`` weeks.

    With ``day_types="auto"``, weekdays whose own profiles are within ``tol`` (L1 distance of shares) are pooled
    into one day type (e.g. Sunday–Thursday), which cuts the noise of each profile; ``"dow"`` keeps seven.
    """
    p = x.shape[1]
    n = len(days)
    recent = np.arange(n) >= n - 7 * weeks
    dow = days.day_of_week.to_numpy()
    sh = shares(x)
    valid = np.isfinite(sh).all(axis=1)
    own = np.full((7, p), np.nan)
    for k in range(7):
        sel = recent & valid & (dow == k)
        if not sel.any():
            sel = valid & (dow == k)
        if sel.any():
            own[k] = trimmed_mean(sh[sel], axis=0)
    groups: list[list[int]] = []
    if day_types == "auto":
        order = sorted(range(7), key=lambda k: -np.nansum(x[dow == k].sum(axis=1)) if np.any(dow == k) else 0)
        for k in order:
            if not np.isfinite(own[k]).all():
                groups.append([k])
                continue
            for g in groups:
                ref = own[g[0]]
                if np.isfinite(ref).all() and np.abs(own[k] - ref).sum() < tol:
                    g.append(k)
                    break
            else:
                groups.append([k])
    else:
        groups = [[k] for k in range(7)]
    prof = np.full((7, p), np.nan)
    for g in groups:
        sel = recent & valid & np.isin(dow, g)
        if not sel.any():
            sel = valid & np.isin(dow, g)
        if sel.any():
            pooled = trimmed_mean(sh[sel], axis=0)
            for k in g:
                prof[k] = pooled
    # weekdays never seen (or always empty): flat zero profile, so they forecast 0
    prof = np.where(np.isfinite(prof), prof, 0.0)
    s = prof.sum(axis=1, keepdims=True)
    prof = np.where(s > 0, prof / np.where(s > 0, s, 1.0), 0.0)
    return prof, groups
