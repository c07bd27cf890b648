"""Timestamps from files and requests: strict ISO 8601, and time-zone-aware rows across a daylight-saving change.

A CSV written by another system in Europe carries ``2024-03-31T01:30:00+01:00`` then
``2024-03-31T03:00:00+02:00``: one zone, two UTC offsets. pandas refuses such a column ("Mixed timezones"), so
:func:`parse_timestamps` reads it as instants and puts them back in one IANA zone — the one given, or the
first zone (in :func:`zone_from_offsets`' order) whose offsets match every row. Dates a reader could take two
ways (``03/04/2024``: March or April?) are refused with the row, never guessed.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from wfm.exceptions import DataFormatError, InvalidParameterError

__all__ = ["parse_timestamps", "zone_from_offsets"]

_ISO = "YYYY-MM-DD HH:MM[:SS][+HH:MM]"
_OFFSET = r"(Z|[+-]\d{2}:?\d{2})$"
# Zone families tried first when guessing a zone from offsets (region zones before legacy aliases).
_PREFERRED = ("Europe/", "America/", "Asia/", "Australia/", "Africa/", "Pacific/", "Atlantic/", "Indian/")


def parse_timestamps(values: Any, *, field: str = "ts", tz: str | None = None) -> pd.Series:
    """``values`` (strings, datetimes or a datetime column) as one datetime Series, naive or in one zone.

    Parameters
    ----------
    values : sequence or Series
        ISO 8601 strings (``2024-01-08 09:00``, ``2024-01-08T09:00:00+01:00``), datetime objects, or a
        datetime64 Series.
    field : str
        Column or field name, for errors.
    tz : str, optional
        IANA zone (``"Europe/London"``) for the result: aware values are converted to it, naive ones are
        read as its wall-clock time. Without it, values with several UTC offsets get the zone those offsets
        fit (:func:`zone_from_offsets`).

    Raises
    ------
    DataFormatError
        A value that is not an ISO 8601 timestamp (the first such row and its value), naive and aware
        values mixed, or offsets that fit no zone.
    InvalidParameterError
        ``tz`` is not an IANA zone.
    """
    zone = _zone(tz) if tz is not None else None
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if len(series) == 0:
        return pd.Series(pd.DatetimeIndex([]), index=series.index)
    if pd.api.types.is_datetime64_any_dtype(series):
        out = series
    else:
        out = _parse_objects(series, field)
    if zone is not None:
        aware = isinstance(out.dtype, pd.DatetimeTZDtype)
        try:
            out = out.dt.tz_convert(zone) if aware else out.dt.tz_localize(zone, ambiguous="infer")
        except (ValueError, TypeError) as exc:  # pytz-style errors: nonexistent or ambiguous wall-clock times
            raise DataFormatError(f"column `{field}` holds wall-clock times that do not exist or repeat "
                                  f"ambiguously in {tz}: {str(exc).splitlines()[0]}", field=field,
                                  value=str(exc).splitlines()[0]) from None
    return out


def _parse_objects(series: pd.Series, field: str) -> pd.Series:
    kinds = {type(v) for v in series if v is not None and v == v}
    if kinds and all(issubclass(k, dt.datetime) for k in kinds):
        return _from_datetimes(series, field)
    text = series.astype(str).str.strip()
    suffix = text.str.extract(_OFFSET)[0]
    aware = suffix.notna().to_numpy()
    if aware.any() and not aware.all():
        row = int(np.flatnonzero(~aware)[0])
        raise DataFormatError(f"column `{field}` mixes times with and without a UTC offset; row {row}: "
                              f"{text.iloc[row]!r}", field=field, value=text.iloc[row])
    if aware.any() and suffix.str.replace(":", "", regex=False).replace("Z", "+0000").nunique() > 1:
        offsets = _offset_seconds(suffix)
        instants = _to_datetime(text, field, utc=True)
        return pd.Series(_in_zone(instants, offsets, field), index=series.index)
    return pd.Series(_to_datetime(text, field), index=series.index)


def _to_datetime(text: pd.Series, field: str, *, utc: bool = False) -> pd.Series:
    try:
        return pd.to_datetime(text, format="ISO8601", utc=utc)
    except (ValueError, TypeError, OverflowError):
        bad = _first_unparsable(text)
        raise DataFormatError(_not_iso(field, bad), field=field, value=bad) from None


def _from_datetimes(series: pd.Series, field: str) -> pd.Series:
    offsets = [None if v.tzinfo is None else v.utcoffset() for v in series]
    naive = [o is None for o in offsets]
    if all(naive):
        return pd.Series(pd.to_datetime(list(series)), index=series.index)
    if any(naive):
        row = naive.index(True)
        raise DataFormatError(f"column `{field}` mixes times with and without a UTC offset; row {row}: "
                              f"{series.iloc[row]!s}", field=field, value=str(series.iloc[row]))
    secs = np.array([o.total_seconds() for o in offsets])
    instants = pd.to_datetime([v.astimezone(dt.UTC) for v in series], utc=True)
    if (secs == secs[0]).all():
        fixed = dt.timezone(dt.timedelta(seconds=float(secs[0])))
        return pd.Series(instants.tz_convert(fixed), index=series.index)
    return pd.Series(_in_zone(pd.Series(instants), secs, field), index=series.index)


def _offset_seconds(suffix: pd.Series) -> np.ndarray:
    s = suffix.str.replace(":", "", regex=False).replace("Z", "+0000")
    sign = np.where(s.str[0] == "-", -1.0, 1.0)
    return sign * (s.str[1:3].astype(int).to_numpy() * 3600 + s.str[3:5].astype(int).to_numpy() * 60)


def _in_zone(instants: pd.Series, offsets: np.ndarray, field: str) -> pd.Series:
    instants = pd.Series(pd.DatetimeIndex(instants))
    name = zone_from_offsets(pd.DatetimeIndex(instants), offsets)
    if name is None:
        shown = sorted({f"{o / 3600:+g}h" for o in offsets})
        raise DataFormatError(f"column `{field}` has UTC offsets {shown} that fit no single time zone; pass the "
                              "zone (`tz`, e.g. 'Europe/London')", field=field, value=", ".join(shown))
    return instants.dt.tz_convert(name)


def zone_from_offsets(instants: pd.DatetimeIndex, offsets: Sequence[float] | np.ndarray) -> str | None:
    """The first IANA zone whose UTC offset at each instant equals the given one (seconds), else None.

    Only the rows where the offset changes (and the first and last) are compared, so the cost does not grow
    with the number of rows. Region zones are tried first (``Europe/``, ``America/``...), in name order: zones
    that agree on every given instant share their daylight-saving rules over that period.
    """
    off = np.asarray(offsets, dtype=float)
    change = np.flatnonzero(np.diff(off) != 0)
    rows = sorted({0, len(off) - 1, *change.tolist(), *(change + 1).tolist()})
    moments = [(instants[i].to_pydatetime().astimezone(dt.UTC), off[i]) for i in rows]
    for name in _candidate_zones():
        zone = zoneinfo.ZoneInfo(name)
        if all(t.astimezone(zone).utcoffset().total_seconds() == o for t, o in moments):
            return name
    return None


@functools.cache
def _candidate_zones() -> tuple[str, ...]:
    names = sorted(zoneinfo.available_timezones())
    first = [n for family in _PREFERRED for n in names if n.startswith(family)]
    return tuple(first + [n for n in names if n not in set(first)])


def _zone(tz: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(str(tz))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InvalidParameterError(f"`tz` must be an IANA time zone such as 'Europe/London'; got {tz!r}",
                                    field="tz", value=tz) from None


def _first_unparsable(text: pd.Series) -> str:
    for value in text:
        try:
            pd.to_datetime(value, format="ISO8601")
        except (ValueError, TypeError, OverflowError):
            return value
    return str(text.iloc[0])


def _not_iso(field: str, value: str) -> str:
    return f"column `{field}` must hold ISO 8601 timestamps ({_ISO}); got {value!r}"
