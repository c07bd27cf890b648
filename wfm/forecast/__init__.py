"""Interval forecasting of call volume and handle time.

Start with :func:`forecast` (one call, many queues); :func:`cross_validation` and :func:`evaluate` backtest
models; :func:`reforecast_intraday` updates the rest of today. The model classes follow scikit-learn habits
(``fit`` / ``predict``, learned state with a trailing underscore). :func:`generate_intervals` makes seeded
synthetic M-shaped data for demos and tests; :func:`calls_to_intervals` turns call records into intervals.
"""

from wfm.forecast._base import Forecaster
from wfm.forecast._frame import calls_to_intervals, quantile_name
from wfm.forecast.api import forecast, forecast_aht, reforecast_intraday
from wfm.forecast.auto import MODELS, AutoForecaster, make_model
from wfm.forecast.backtest import cross_validation
from wfm.forecast.baselines import SeasonalNaive, WeekMean
from wfm.forecast.calendars import holiday_calendar
from wfm.forecast.holidays import israel_1999, normalize_holidays
from wfm.forecast.metrics import bias, coverage, evaluate, mase, pinball, wape
from wfm.forecast.mstl import MSTLModel
from wfm.forecast.svd import SVDProfile
from wfm.forecast.synthetic import generate_intervals, m_curve
from wfm.forecast.topdown import TopDown

__all__ = [
    "AutoForecaster",
    "Forecaster",
    "MODELS",
    "MSTLModel",
    "SVDProfile",
    "SeasonalNaive",
    "TopDown",
    "WeekMean",
    "bias",
    "calls_to_intervals",
    "coverage",
    "cross_validation",
    "evaluate",
    "forecast",
    "forecast_aht",
    "generate_intervals",
    "holiday_calendar",
    "israel_1999",
    "m_curve",
    "make_model",
    "mase",
    "normalize_holidays",
    "pinball",
    "quantile_name",
    "reforecast_intraday",
    "wape",
]
