"""Special-day calendars: normalise what users pass as ``holidays``, plus the Israeli 1999 calendar.

``holidays`` may be a list of dates (each becomes a ``"holiday"``), a mapping ``{date: label}``, or a frame with
columns ``date`` and ``label``. Labels group days that behave alike; the models learn one level (relative to a
normal working day) and one intraday profile per label from the history, and apply them in the horizon. A label
never seen in the history falls back to the quietest regular day type. The first working day after a
``"holiday"`` is labelled ``"after_holiday"`` automatically (callers catch up on what they could not do).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from wfm.exceptions import InvalidParameterError

__all__ = ["israel_1999", "normalize_holidays", "HolidayInput"]

HolidayInput = Iterable[Any] | Mapping[Any, str] | pd.DataFrame | None

# Israeli 1999 calendar as a scheduler would have it in advance (public holidays are fixed years ahead).
# "holiday": public rest day, banks closed; "eve": eve of a holiday, a short day like a Friday;
# "reduced": working day with reduced activity (Purim, Memorial Day, Tisha B'Av, the intermediate days of
# Passover and Sukkot).
_ISRAEL_1999: dict[str, str] = {
    "1999-03-02": "reduced",   # Purim
    "1999-03-31": "eve",       # Passover eve
    "1999-04-01": "holiday",   # Passover, first day
    "1999-04-02": "reduced",   # Passover, intermediate days (chol hamoed)
    "1999-04-03": "reduced",
    "1999-04-04": "reduced",
    "1999-04-05": "reduced",
    "1999-04-06": "eve",       # eve of the seventh day of Passover
    "1999-04-07": "holiday",   # Passover, seventh day
    "1999-04-20": "reduced",   # Memorial Day
    "1999-04-21": "holiday",   # Independence Day
    "1999-05-17": "holiday",   # general election day (public rest day)
    "1999-05-20": "eve",       # Shavuot eve
    "1999-05-21": "holiday",   # Shavuot
    "1999-07-22": "reduced",   # Tisha B'Av (fast day)
    "1999-09-10": "eve",       # Rosh Hashana eve
    "1999-09-11": "holiday",   # Rosh Hashana
    "1999-09-12": "holiday",
    "1999-09-19": "eve",       # Yom Kippur eve
    "1999-09-20": "holiday",   # Yom Kippur
    "1999-09-24": "eve",       # Sukkot eve
    "1999-09-25": "holiday",   # Sukkot
    "1999-09-26": "reduced",   # Sukkot, intermediate days
    "1999-09-27": "reduced",
    "1999-09-28": "reduced",
    "1999-09-29": "reduced",
    "1999-09-30": "reduced",
    "1999-10-01": "eve",       # Hoshana Raba, eve of Shemini Atzeret
    "1999-10-02": "holiday",   # Shemini Atzeret / Simchat Torah
}


def israel_1999() -> dict[pd.Timestamp, str]:
    """Israeli special days of 1999 (March–October: Purim to Simchat Torah) as ``{date: label}`` with labels
    ``holiday``, ``eve`` and ``reduced``, for the shared bank data (January and February hold none)."""
    return {pd.Timestamp(d): label for d, label in _ISRAEL_1999.items()}


def normalize_holidays(holidays: HolidayInput) -> dict[pd.Timestamp, str]:
    """``holidays`` in any accepted form as ``{midnight timestamp: label}``.

    Parameters
    ----------
    holidays : list of dates, mapping date -> label, DataFrame with ``date`` and ``label`` columns, or None
        Dates may be strings, ``datetime.date`` or timestamps (time of day is dropped).
    """
    if holidays is None:
        return {}
    if isinstance(holidays, pd.DataFrame):
        if "date" not in holidays.columns:
            raise InvalidParameterError(
                f"`holidays` frame needs a `date` column (and optionally `label`); got {list(holidays.columns)}",
                    field="holidays")
        labels = holidays["label"] if "label" in holidays.columns else ["holiday"] * len(holidays)
        pairs = list(zip(holidays["date"], labels, strict=True))
    elif isinstance(holidays, Mapping):
        pairs = list(holidays.items())
    elif isinstance(holidays, (str, bytes)):
        raise InvalidParameterError(f"`holidays` must be a list of dates, not a single string; got {holidays!r}",
            field="holidays")
    else:
        pairs = [(d, "holiday") for d in holidays]
    out: dict[pd.Timestamp, str] = {}
    for d, label in pairs:
        try:
            ts = pd.Timestamp(d)
        except (ValueError, TypeError) as exc:
            raise InvalidParameterError(f"`holidays` entries must be dates; got {d!r}", field="holidays") from exc
        if ts is pd.NaT or pd.isna(ts):
            raise InvalidParameterError(f"`holidays` entries must be dates; got {d!r}", field="holidays")
        if ts.tzinfo is not None:
            ts = ts.tz_localize(None)
        out[ts.normalize()] = str(label)
    return out
