"""A report people look at: one self-contained HTML page of a forecast, its staffing and its roster.

    from wfm.report import write_report
    write_report("report.html", history=history, forecast=fc, problem=problem, solution=solution)

The page (:mod:`wfm.report.page`) holds the forecast with its band against history, required against
scheduled agents per interval with the shortfall marked, the projected service level per interval and per
day, the roster as a per-agent timeline (:mod:`wfm.report.roster_svg`) and the short intervals with their
explanation. Charts (:mod:`wfm.report.figures`) need the ``plot`` extra (matplotlib); they are inline SVG, so
the page needs no network. ``wfm report`` and ``wfm demo --out-dir`` write it from the command line.
"""

from wfm.report.page import render_report, write_report

__all__ = ["render_report", "write_report"]
