"""Interval forecasting of call volume and handle time.

Start with :func:`forecast` (one call, many queues); the model classes follow scikit-learn habits
(``fit`` / ``predict``). :func:`generate_intervals` makes seeded synthetic M-shaped data for demos and tests.
"""

from wfm.forecast.synthetic import generate_intervals, m_curve

__all__ = ["generate_intervals", "m_curve"]
