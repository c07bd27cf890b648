"""Seeded synthetic call-centre arrivals: M-shaped days, weekly pattern, holidays, over-dispersed counts.

The generator is what the tests, the ``wfm demo`` CLI and the documentation use instead of real data. Every
number it draws comes from one ``numpy.random.Generator`` seeded by ``seed``, so the same arguments give the
same frame on every platform numpy supports.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from wfm.exceptions import InvalidParameterError

__all__ = ["generate_intervals", "m_curve", "DEFAULT_WEEKLY"]

#: Day-of-week multipliers, Monday first: weekday-heavy with a Monday peak and a weekend low.
DEFAULT_WEEKLY: tuple[float, ...] = (1.15, 1.05, 1.0, 1.0, 0.95, 0.45, 0.3)

_SHAPES = ("m", "single", "flat")


def _clock_hours(value: str, name: str) -> float:
    try:
        t = pd.Timedelta(value + ":00") if value.count(":") == 1 else pd.Timedelta(value)
    except (ValueError, TypeError) as exc:
        raise InvalidParameterError(f"`{name}` must be a clock time like '07:00'; got {value!r}", field=name) from exc
    hours = t.total_seconds() / 3600.0
    if not 0.0 <= hours <= 24.0:
        raise InvalidParameterError(f"`{name}` must be between '00:00' and '24:00'; got {value!r}", field=name)
    return hours


def _bump(h: np.ndarray, centre: float, width: float) -> np.ndarray:
    return np.exp(-0.5 * ((h - centre) / width) ** 2)


def _shape_density(h: np.ndarray, shape: str, open_h: float, close_h: float) -> np.ndarray:
    """Un-normalised arrival intensity at clock hour ``h`` (hours since midnight, interval midpoints)."""
    if shape == "m":
        # Morning peak ~10:00, lunch dip ~12:15, afternoon peak ~14:30, evening shoulder.
        dens = (1.0 * _bump(h, 10.0, 1.3) + 0.85 * _bump(h, 14.5, 1.5) + 0.35 * _bump(h, 19.0, 2.0)
                - 0.25 * _bump(h, 12.25, 0.6))
        dens = np.clip(dens, 0.0, None) + 0.04
    elif shape == "single":
        dens = _bump(h, (open_h + close_h) / 2.0 - 0.5, max((close_h - open_h) / 5.0, 0.5)) + 0.04
    else:
        dens = np.ones_like(h)
    inside = (h >= open_h) & (h < close_h)
    return np.where(inside, dens, 0.0)


def m_curve(freq: str = "15min", *, shape: str = "m", open_time: str = "07:00",
            close_time: str = "22:00", daily_volume: float = 1.0) -> pd.Series:
    """Expected intraday arrival profile of one day.

    Parameters
    ----------
    freq : str
        Interval length as a pandas offset alias (``"15min"``, ``"30min"``, ``"1h"``); must divide a day.
    shape : {"m", "single", "flat"}
        ``"m"``: morning peak about 10:00, lunch dip, afternoon peak about 14:30, evening shoulder;
        ``"single"``: one mid-day peak; ``"flat"``: uniform while open.
    open_time, close_time : str
        Opening and closing clock times (``"HH:MM"``, local time); intervals outside get 0.
    daily_volume : float
        Total calls of the day (calls); the default 1.0 returns shares that sum to 1.

    Returns
    -------
    pandas.Series
        Expected calls per interval, indexed by the interval start as a ``Timedelta`` since midnight,
        named ``"volume"``.
    """
    if shape not in _SHAPES:
        raise InvalidParameterError(f"`shape` must be one of {_SHAPES}; got {shape!r}", field="shape")
    if not np.isfinite(daily_volume) or daily_volume < 0:
        raise InvalidParameterError(f"`daily_volume` must be finite and >= 0 calls; got {daily_volume!r}",
            field="daily_volume")
    step = pd.Timedelta(freq)
    if step <= pd.Timedelta(0) or pd.Timedelta("1D") % step != pd.Timedelta(0):
        raise InvalidParameterError(f"`freq` must be a positive interval that divides one day; got {freq!r}",
            field="freq")
    open_h = _clock_hours(open_time, "open_time")
    close_h = _clock_hours(close_time, "close_time")
    if close_h <= open_h:
        raise InvalidParameterError(
            f"`close_time` must be after `open_time`; got open {open_time!r}, close {close_time!r}", field="close_time")
    n = int(pd.Timedelta("1D") / step)
    starts = pd.timedelta_range(start="0min", periods=n, freq=step)
    step_h = step.total_seconds() / 3600.0
    mid = np.arange(n) * step_h + step_h / 2.0
    dens = _shape_density(mid, shape, open_h, close_h)
    total = dens.sum()
    share = dens / total if total > 0 else dens
    return pd.Series(share * float(daily_volume), index=starts, name="volume")


def _aht_profile(h: np.ndarray, aht: float) -> np.ndarray:
    # Handle time is a little longer early and late in the day (complex calls, tired agents): +-8%.
    return aht * (1.0 + 0.06 * np.cos((h - 7.0) / 17.0 * 2 * np.pi) + 0.02 * np.sin(h / 24.0 * 4 * np.pi))


def generate_intervals(start: str | pd.Timestamp = "2024-01-01", days: int = 28, *, freq: str = "15min",
                       queues: int | Sequence[str] = 1, daily_volume: float | Sequence[float] = 2000.0,
                       shape: str = "m", weekly: Sequence[float] | None = None, open_time: str = "07:00",
                       close_time: str = "22:00", closed: str = "zero", aht: float | None = 180.0,
                       holidays: Iterable[str | pd.Timestamp] = (), noise: str = "negbin",
                       dispersion: float = 0.02, trend: float = 0.0,
                       seed: int | None = 0) -> pd.DataFrame:
    """Seeded interval arrivals for one or more queues, shaped like a contact centre's.

    Parameters
    ----------
    start : str or Timestamp
        First day (midnight local time, no time zone).
    days : int
        Number of days to generate (>= 1).
    freq : str
        Interval length (pandas alias such as ``"15min"`` or ``"30min"``); must divide a day.
    queues : int or sequence of str
        Number of queues (named ``"q1"``, ``"q2"``, ...) or explicit queue names.
    daily_volume : float or sequence of float
        Mean calls per average weekday per queue (calls/day); one value or one per queue.
    shape : {"m", "single", "flat"}
        Intraday shape, see :func:`m_curve`.
    weekly : sequence of 7 floats, optional
        Day-of-week multipliers, Monday first. Default :data:`DEFAULT_WEEKLY` (weekday-heavy, weekend low).
        A 0 closes that weekday.
    open_time, close_time : str
        Opening hours (``"HH:MM"``).
    closed : {"zero", "absent"}
        Closed intervals (outside opening hours, days with weekly multiplier 0) appear with volume 0
        (``"zero"``) or are left out of the frame (``"absent"``).
    aht : float or None
        Mean average handle time (seconds); varies mildly by time of day. ``None`` omits the ``aht`` column.
    holidays : iterable of dates
        Days with about 5% of the normal volume.
    noise : {"negbin", "poisson", "none"}
        Count noise: negative binomial (over-dispersed, variance ``mu + dispersion * mu**2``), Poisson, or
        the expected value itself (not rounded).
    dispersion : float
        Negative-binomial dispersion ``alpha`` (>= 0); 0 gives Poisson.
    trend : float
        Relative change of the level per 28 days (0.1 = +10% every four weeks).
    seed : int or None
        Seed of the random generator.

    Returns
    -------
    pandas.DataFrame
        Columns ``queue`` (str), ``ts`` (interval start), ``volume`` (calls, float), and ``aht``
        (seconds, NaN where volume is 0) unless ``aht`` is None; sorted by queue then time.
    """
    if int(days) != days or days < 1:
        raise InvalidParameterError(f"`days` must be an integer >= 1; got {days!r}", field="days")
    if closed not in ("zero", "absent"):
        raise InvalidParameterError(f"`closed` must be 'zero' or 'absent'; got {closed!r}", field="closed")
    if noise not in ("negbin", "poisson", "none"):
        raise InvalidParameterError(f"`noise` must be 'negbin', 'poisson' or 'none'; got {noise!r}", field="noise")
    if not np.isfinite(dispersion) or dispersion < 0:
        raise InvalidParameterError(f"`dispersion` must be >= 0; got {dispersion!r}", field="dispersion")
    weekly_arr = np.asarray(DEFAULT_WEEKLY if weekly is None else weekly, dtype=float)
    if weekly_arr.shape != (7,) or np.any(weekly_arr < 0) or not np.all(np.isfinite(weekly_arr)):
        raise InvalidParameterError(f"`weekly` must be 7 multipliers >= 0, Monday first; got {weekly!r}",
            field="weekly")
    names = [f"q{i + 1}" for i in range(queues)] if isinstance(queues, int) else [str(q) for q in queues]
    if not names:
        raise InvalidParameterError(f"`queues` must name at least one queue; got {queues!r}", field="queues")
    vols = np.broadcast_to(np.asarray(daily_volume, dtype=float), (len(names),)).copy()
    if np.any(~np.isfinite(vols)) or np.any(vols < 0):
        raise InvalidParameterError(f"`daily_volume` must be >= 0 calls/day; got {daily_volume!r}",
            field="daily_volume")

    profile = m_curve(freq, shape=shape, open_time=open_time, close_time=close_time).to_numpy()
    n = profile.size
    step = pd.Timedelta(freq)
    day0 = pd.Timestamp(start).normalize()
    ts = pd.date_range(day0, periods=int(days) * n, freq=step)
    dates = ts.normalize()
    dow = ts.day_of_week.to_numpy()
    hol = {pd.Timestamp(h).normalize() for h in holidays}
    day_mult = weekly_arr[dow] / weekly_arr[:5].mean() if weekly_arr[:5].mean() > 0 else weekly_arr[dow]
    if hol:
        day_mult = np.where(dates.isin(list(hol)), day_mult * 0.05, day_mult)
    day_index = np.repeat(np.arange(int(days)), n)
    trend_mult = (1.0 + trend) ** (day_index / 28.0)
    intraday = np.tile(profile, int(days))
    step_h = step.total_seconds() / 3600.0
    mid_h = np.tile(np.arange(n) * step_h + step_h / 2.0, int(days))

    rng = np.random.default_rng(seed)
    frames = []
    for q, vol in zip(names, vols, strict=True):
        # A queue-specific, persistent day-level wobble (weather, mailings): +-5% lognormal per day.
        day_noise = np.repeat(np.exp(rng.normal(0.0, 0.05, int(days))), n)
        mu = vol * intraday * day_mult * trend_mult * day_noise
        if noise == "negbin" and dispersion > 0:
            # Gamma-Poisson mixture: lambda ~ Gamma(1/alpha, alpha*mu) gives Var = mu + alpha mu^2.
            shape_k = 1.0 / dispersion
            lam = rng.gamma(shape_k, np.where(mu > 0, mu, 0.0) / shape_k)
            y = rng.poisson(lam).astype(float)
        elif noise in ("negbin", "poisson"):
            y = rng.poisson(mu).astype(float)
        else:
            y = mu.astype(float)
        cols: dict[str, object] = {"queue": q, "ts": ts, "volume": y}
        if aht is not None:
            a = _aht_profile(mid_h, float(aht)) * np.exp(rng.normal(0.0, 0.03, mid_h.size))
            cols["aht"] = np.where(y > 0, a, np.nan)
        frame = pd.DataFrame(cols)
        if closed == "absent":
            frame = frame.loc[mu > 0]
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["queue"] = out["queue"].astype(str)
    return out.reset_index(drop=True)
