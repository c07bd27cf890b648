"""Special-day calendars: normalise what users pass as ``holidays``, plus the Israeli 1999 calendar.

``holidays`` may be a list of dates (each becomes a ``"holiday"``), a mapping ``{date: label}``, a frame with
columns ``date`` and ``label``, or a named calendar from the ``holidays`` package (``calendars`` extra): a
country code ``"IL"`` or ``"US-CA"``, or ``{"country": "IL", "subdiv": ..., "years": ..., "eves": ...,
"events": ...}`` where ``events`` (any of the forms above) are the user's own days merged over the calendar
(see :func:`wfm.forecast.calendars.holiday_calendar` for what maps to which label).

Labels group days that behave alike; the models learn one level (relative to a normal working day) and one
intraday profile per label from the history, and apply them in the horizon. A label never seen in the history
falls back to the quietest regular day type. The first working day after a ``"holiday"`` is labelled
``"after_holiday"`` automatically (callers catch up on what they could not do).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from wfm.exceptions import InvalidParameterError
from wfm.forecast.calendars import holiday_calendar

__all__ = ["israel_1999", "is_calendar_name", "normalize_holidays", "HolidayInput"]

HolidayInput = Iterable[Any] | Mapping[Any, Any] | pd.DataFrame | str | None

# "IL", "US-CA", "GB-SCT": what a named calendar looks like (a date never does)
_COUNTRY = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,10})?$")
_SPEC_KEYS = ("country", "subdiv", "years", "eves", "categories", "events")

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


def is_calendar_name(text: object) -> bool:
    """Whether ``text`` names a holidays-package calendar (``"IL"``, ``"US-CA"``) rather than a date."""
    return isinstance(text, str) and bool(_COUNTRY.match(text.strip()))


def _from_spec(spec: Mapping[Any, Any]) -> dict[pd.Timestamp, str]:
    """A ``{"country": ..., "events": ...}`` mapping: the named calendar with the user's events on top."""
    extra = [k for k in spec if k not in _SPEC_KEYS]
    if extra:
        raise InvalidParameterError(f"`holidays` calendar keys must be among {list(_SPEC_KEYS)}; got {extra}",
                                    field="holidays", value=extra)
    out = holiday_calendar(spec["country"], subdiv=spec.get("subdiv"), years=spec.get("years"),
                           eves=spec.get("eves"), categories=spec.get("categories"))
    out.update(normalize_holidays(spec.get("events")))
    return dict(sorted(out.items()))


def normalize_holidays(holidays: HolidayInput) -> dict[pd.Timestamp, str]:
    """``holidays`` in any accepted form as ``{midnight timestamp: label}``.

    Parameters
    ----------
    holidays : list of dates, mapping date -> label, DataFrame with ``date`` and ``label`` columns, calendar name
        or calendar mapping, or None
        Dates may be strings, ``datetime.date`` or timestamps (time of day is dropped). A calendar name such as
        ``"IL"`` or ``"US-CA"`` takes the country's days from the ``holidays`` package; a mapping with key
        ``country`` (and optionally ``subdiv``, ``years``, ``eves``, ``categories``, ``events``) does the same
        with the user's ``events`` (dates or ``{date: label}``) overriding the calendar's days.
    """
    if holidays is None:
        return {}
    if isinstance(holidays, pd.DataFrame):
        if "date" not in holidays.columns:
            raise InvalidParameterError(
                f"`holidays` frame needs a `date` column (and optionally `label`); got {list(holidays.columns)}",
                field="holidays", value=list(holidays.columns))
        labels = holidays["label"] if "label" in holidays.columns else ["holiday"] * len(holidays)
        pairs = list(zip(holidays["date"], labels, strict=True))
    elif isinstance(holidays, Mapping) and "country" in holidays:
        return _from_spec(holidays)
    elif isinstance(holidays, Mapping):
        pairs = list(holidays.items())
    elif is_calendar_name(holidays):
        return holiday_calendar(str(holidays))
    elif isinstance(holidays, (str, bytes)):
        raise InvalidParameterError(f"`holidays` must be a country code such as 'IL' or 'US-CA', or a list of "
                                    f"dates; got {holidays!r}", field="holidays", value=holidays)
    else:
        pairs = [(d, "holiday") for d in holidays]
    out: dict[pd.Timestamp, str] = {}
    for d, label in pairs:
        try:
            ts = pd.Timestamp(d)
        except (ValueError, TypeError) as exc:
            raise InvalidParameterError(f"`holidays` entries must be dates; got {d!r}", field="holidays",
                                        value=d) from exc
        if ts is pd.NaT or pd.isna(ts):
            raise InvalidParameterError(f"`holidays` entries must be dates; got {d!r}", field="holidays", value=d)
        if ts.tzinfo is not None:
            ts = ts.tz_localize(None)
        out[ts.normalize()] = str(label)
    return out
