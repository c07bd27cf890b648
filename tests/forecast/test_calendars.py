"""Named holiday calendars from the holidays package: labels, subdivisions, years, user events, bad input, and
the core importing without the package."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from wfm.exceptions import InvalidParameterError, bounded_value
from wfm.forecast import forecast, generate_intervals, holiday_calendar, israel_1999, normalize_holidays

pytest.importorskip("holidays")

T = pd.Timestamp


def test_israel_1999_from_the_package_matches_the_hand_typed_calendar_but_three_days():
    package = holiday_calendar("IL", years=1999)
    hand = israel_1999()
    differ = {d for d in set(package) | set(hand) if package.get(d) != hand.get(d)}
    # the package lists the last Passover intermediate day (the hand-typed list calls it the seventh day's
    # eve) and Jerusalem Day (left out by hand); the 1999 general election was a one-off rest day
    assert differ == {T("1999-04-06"), T("1999-05-14"), T("1999-05-17")}
    assert package[T("1999-04-06")] == "reduced" and package[T("1999-05-14")] == "reduced"
    assert T("1999-05-17") not in package
    # a derived eve never overrides a day the package lists: Memorial Day stays reduced
    assert package[T("1999-04-20")] == "reduced" and package[T("1999-03-31")] == "eve"


def test_labels_follow_the_documented_mapping():
    cal = holiday_calendar("IL", years=2024)
    assert cal[T("2024-10-12")] == "holiday"  # Yom Kippur (public)
    assert cal[T("2024-10-11")] == "eve"  # its eve, derived: Israeli holidays begin at sunset
    assert cal[T("2024-03-24")] == "reduced"  # Purim (optional)
    assert set(cal.values()) == {"holiday", "eve", "reduced"}
    assert all(d.year == 2024 and d == d.normalize() for d in cal)
    # no eves outside the countries whose holidays begin at sunset, unless asked for
    us = holiday_calendar("US", years=2024)
    assert T("2024-07-04") in us and us[T("2024-07-04")] == "holiday" and T("2024-07-03") not in us
    assert holiday_calendar("US", years=2024, eves=True)[T("2024-07-03")] == "eve"
    assert "eve" not in holiday_calendar("IL", years=2024, eves=False).values()


def test_subdivision_in_the_code_or_as_an_argument():
    ca = holiday_calendar("US-CA", years=2024)
    assert ca == holiday_calendar("US", subdiv="CA", years=2024)
    assert T("2024-03-31") in ca and T("2024-03-31") not in holiday_calendar("US", years=2024)  # Cesar Chavez Day
    assert set(holiday_calendar("US", years=[2023, 2024])) >= set(holiday_calendar("US", years=2024))


def test_default_years_cover_any_history():
    cal = holiday_calendar("IL")
    years = {d.year for d in cal}
    assert min(years) <= 1960 and max(years) >= 2090


def test_normalize_accepts_a_code_and_a_spec_with_user_events_on_top():
    assert normalize_holidays("IL") == holiday_calendar("IL")
    spec = {"country": "IL", "years": 1999, "events": {"1999-05-17": "holiday", "1999-04-06": "eve"}}
    merged = normalize_holidays(spec)
    assert merged[T("1999-05-17")] == "holiday" and merged[T("1999-04-06")] == "eve"
    rest = {d: lab for d, lab in merged.items() if d not in (T("1999-05-17"), T("1999-04-06"))}
    assert rest == {d: lab for d, lab in holiday_calendar("IL", years=1999).items() if d != T("1999-04-06")}
    # plain lists of events still mean "holiday"
    assert normalize_holidays({"country": "US", "years": 2024, "events": ["2024-12-24"]})[T("2024-12-24")] == "holiday"


@pytest.mark.parametrize(("arg", "field", "value"), [
    ("XX", "country", "XX"),
    ({"country": "US", "subdiv": "ZZ"}, "subdiv", "ZZ"),
    ({"country": "IL", "years": "19x9"}, "years", "19x9"),
    ({"country": "IL", "years": []}, "years", []),
    ({"country": "IL", "region": "north"}, "holidays", ["region"]),
    ({"country": "US", "categories": {"optional": "reduced"}}, "categories", ["optional"]),
    ("christmas", "holidays", "christmas"),
])
def test_bad_calendars_name_the_field_and_value(arg, field, value):
    with pytest.raises(InvalidParameterError) as info:
        normalize_holidays(arg)
    assert info.value.field == field and info.value.value == bounded_value(value)


def test_forecast_takes_a_calendar_name():
    # a synthetic 2024 history with the US holidays closed: with holidays="US" the forecaster knows
    # Independence Day is coming and forecasts it near-empty
    us = [d for d, lab in holiday_calendar("US", years=2024).items() if lab == "holiday"]
    hist = generate_intervals("2024-03-04", days=7 * 17 + 3, freq="30min", holidays=us, seed=3, aht=None)
    assert hist["ts"].max() < T("2024-07-04")
    with_cal = forecast(hist, "7D", holidays="US", model="topdown", quantiles=None)
    without = forecast(hist, "7D", model="topdown", quantiles=None)
    day = with_cal["ts"].dt.normalize() == T("2024-07-04")
    assert with_cal.loc[day, "volume"].sum() < 0.3 * without.loc[day, "volume"].sum()


def test_core_imports_and_forecasts_without_the_holidays_package():
    code = textwrap.dedent(
        """
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "holidays":
                    raise ImportError(f"blocked {name}")
                return None
        sys.meta_path.insert(0, Block())
        import wfm.api.cli
        from wfm.exceptions import MissingExtraError
        from wfm.forecast import normalize_holidays
        assert normalize_holidays(["2024-01-01"])
        try:
            normalize_holidays("IL")
        except MissingExtraError as err:
            print(err)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert "pip install 'wfm[calendars]'" in out.stdout
