"""The report's charts, drawn with matplotlib (``plot`` extra) and returned as inline SVG text.

Each function takes plain frames and returns one ``<svg>`` element as a string, ready to paste into HTML:
no file, no pyplot state (figures are made with :class:`matplotlib.figure.Figure`, so this is safe in a
server thread), text kept as text (small and crisp), ids made unique per figure so several SVGs can share
one page, and the same bytes for the same input (fixed hash salt, no date in the metadata).

- :func:`forecast_svg`: recent history and the forecast with its quantile band;
- :func:`coverage_svg`: required against scheduled agents per interval, the shortfall in red, a panel a week;
- :func:`service_level_svg`: projected service level per interval (a panel a week) against the target;
- :func:`daily_service_level_svg`: each day's service level (calls answered in time / calls) as bars;
- :func:`requirements_svg`: agents required per interval when there is no roster yet.
"""

from __future__ import annotations

import io
import re
from typing import Any

import numpy as np
import pandas as pd

from wfm.exceptions import require_extra
from wfm.report.frames import local_naive

__all__ = ["coverage_svg", "daily_service_level_svg", "forecast_svg", "requirements_svg", "service_level_svg",
           "COLORS"]

#: One palette for the page (matches the CSS): required, scheduled, short, forecast, band, history, target.
COLORS = {"required": "#1f2937", "scheduled": "#3b82f6", "short": "#dc2626", "over": "#93c5fd",
          "forecast": "#2563eb", "band": "#93c5fd", "history": "#6b7280", "target": "#16a34a",
          "good": "#16a34a", "bad": "#dc2626"}

_RC = {"svg.fonttype": "none", "svg.hashsalt": "wfm-report", "font.size": 9, "axes.titlesize": 10,
       "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.color": "#e5e7eb",
       "grid.linewidth": 0.6, "axes.edgecolor": "#9ca3af", "axes.labelcolor": "#374151",
       "xtick.color": "#4b5563", "ytick.color": "#4b5563", "legend.frameon": False,
       "font.family": ["DejaVu Sans", "sans-serif"]}
_WEEK = pd.Timedelta(days=7)


def _figure(width_in: float, height_in: float) -> Any:
    mfig = require_extra("matplotlib.figure", "plot")
    return mfig.Figure(figsize=(width_in, height_in), layout="constrained")


def _to_svg(fig: Any, key: str) -> str:
    """The figure as an ``<svg>`` element with ids prefixed by ``key`` (unique on the page)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    # ids (clip paths, glyphs) repeat across matplotlib figures; a second figure would clip to the first's
    # rectangles, so every id and every reference to one is prefixed
    text = re.sub(r'id="([^"]+)"', lambda m: f'id="{key}-{m.group(1)}"', text)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{key}-{m.group(1)})", text)
    text = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{key}-{m.group(1)}"', text)
    # scale with the page: drop the fixed size, keep the viewBox
    text = re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r'<svg\1 class="chart" role="img"', text, count=1)
    return text


def _rc() -> Any:
    mpl = require_extra("matplotlib", "plot")
    return mpl.rc_context(_RC)


def _weeks(ts: pd.Series) -> list[pd.Timestamp]:
    first = ts.min().normalize()
    n = int((ts.max() - first) / _WEEK) + 1
    return [first + k * _WEEK for k in range(n)]


def _day_axis(ax: Any, lo: pd.Timestamp, hi: pd.Timestamp) -> None:
    mdates = require_extra("matplotlib.dates", "plot")
    ax.set_xlim(lo, hi)
    ax.xaxis.set_major_locator(mdates.DayLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%a %d %b"))
    ax.xaxis.set_minor_locator(mdates.HourLocator(byhour=[6, 12, 18]))
    ax.grid(True, which="major", axis="x", color="#d1d5db", linewidth=0.9)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("left")


def forecast_svg(forecast: pd.DataFrame, history: pd.DataFrame | None = None, *, key: str = "fc",
                 history_days: int | None = None, level: float = 0.8, id_col: str = "queue", time_col: str = "ts",
                 target_col: str = "volume", max_queues: int = 4) -> str:
    """Forecast (line) with its central ``level`` band, against the last ``history_days`` of history (default:
    as many days as the forecast, at least 7 and at most 28, so the forecast keeps half the width or more).

    One panel per queue (the first ``max_queues``). History overlapping the forecast is drawn too, so a
    back-test reads as forecast against actuals. Uses :func:`wfm.forecast.plot.plot_forecast`.
    """
    from wfm.forecast.plot import plot_forecast

    if history_days is None:
        span = (pd.to_datetime(forecast[time_col]).max() - pd.to_datetime(forecast[time_col]).min()).days + 1
        history_days = min(28, max(7, span))
    queues = list(pd.unique(forecast[id_col]))[:max_queues] if id_col in forecast.columns else [None]
    with _rc():
        fig = _figure(11, 2.6 * len(queues) + 0.3)
        axes = fig.subplots(len(queues), 1, squeeze=False)[:, 0]
        for ax, q in zip(axes, queues, strict=True):
            fc = forecast if q is None else forecast[forecast[id_col] == q]
            fc = fc.assign(**{time_col: local_naive(fc[time_col])})
            plot_forecast(fc, None, level=level, id_col=id_col, time_col=time_col, target_col=target_col, ax=ax)
            for line in ax.lines:
                line.set_color(COLORS["forecast"])
                line.set_linewidth(1.2)
            for band in ax.collections:
                band.set_color(COLORS["band"])
            if history is not None and len(history):
                h = history if q is None or id_col not in history.columns else history[history[id_col] == q]
                ts = local_naive(h[time_col])
                keep = (ts >= fc[time_col].min() - pd.Timedelta(days=history_days)).to_numpy()
                ax.plot(ts[keep], h[target_col].to_numpy(float)[keep], drawstyle="steps-post", linewidth=0.8,
                        color=COLORS["history"], label="history")
            ax.axvline(fc[time_col].min(), color="#9ca3af", linestyle="--", linewidth=0.8)
            mdates = require_extra("matplotlib.dates", "plot")
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%a %d %b"))
            ax.set_ylim(bottom=0)
            ax.legend(loc="upper left", ncol=3, fontsize="small")
            if q is not None:
                ax.set_title(f"queue {q}", loc="left")
        return _to_svg(fig, key)


def _gapped(frame: pd.DataFrame, step: pd.Timedelta) -> pd.DataFrame:
    """``frame`` (sorted by ``t``) with a NaN row closing each run of intervals, so a step line or area stops
    where the requirements stop (e.g. at night) instead of bridging the gap, and the last step is drawn."""
    t = frame["t"]
    ends = t[(t.shift(-1) - t != step)] + step
    closing = pd.DataFrame({"t": ends.to_numpy()})
    return pd.concat([frame, closing], ignore_index=True).sort_values("t", kind="stable").reset_index(drop=True)


def _week_panels(frame: pd.DataFrame, height_in: float) -> tuple[Any, list[tuple[Any, pd.DataFrame,
                                                                                 pd.Timestamp]]]:
    starts = _weeks(frame["t"])
    fig = _figure(11, height_in * len(starts) + 0.4)
    axes = fig.subplots(len(starts), 1, squeeze=False)[:, 0]
    out = []
    for ax, w0 in zip(axes, starts, strict=True):
        part = frame[(frame["t"] >= w0) & (frame["t"] < w0 + _WEEK)]
        out.append((ax, part, w0))
    return fig, out


def coverage_svg(coverage: pd.DataFrame, *, interval_minutes: int, key: str = "cov") -> str:
    """Required (black step) against scheduled agents (blue area) per interval, shortfall filled red.

    ``coverage`` is one skill's rows of :meth:`~wfm.roster.RosterSolution.coverage_frame`; one panel per
    week, Monday-aligned to the horizon's first day.
    """
    step = pd.Timedelta(minutes=interval_minutes)
    frame = pd.DataFrame({"t": local_naive(coverage["ts"]).to_numpy(), "req": coverage["required"].to_numpy(float),
                          "sch": coverage["scheduled"].to_numpy(float)})
    with _rc():
        fig, panels = _week_panels(frame, 2.1)
        top = max(1.0, float(max(frame["req"].max(), frame["sch"].max()))) * 1.12
        for i, (ax, part, w0) in enumerate(panels):
            g = _gapped(part, step)
            t, req, sch = g["t"].to_numpy(), g["req"].to_numpy(float), g["sch"].to_numpy(float)
            ax.fill_between(t, 0, sch, step="post", color=COLORS["scheduled"], alpha=0.28, linewidth=0,
                            label="scheduled (on the phones)")
            short_at = np.nan_to_num(req) > np.nan_to_num(sch) + 1e-9
            # a run of one point has no width: each short interval's run must reach the next point
            reach = short_at | np.concatenate([[False], short_at[:-1]])
            ax.fill_between(t, sch, req, where=reach, step="post", color=COLORS["short"], alpha=0.85,
                            linewidth=0, label="short")
            ax.plot(t, req, drawstyle="steps-post", color=COLORS["required"], linewidth=1.0, label="required")
            short = part["req"].to_numpy() > part["sch"].to_numpy() + 1e-9
            if short.any():  # a tick under each short interval, visible even when the hole is one agent deep
                ax.plot(part["t"].to_numpy()[short] + step / 2, np.full(short.sum(), top * 0.97), "v",
                        color=COLORS["short"], markersize=3.5, linestyle="none")
            _day_axis(ax, w0, w0 + _WEEK)
            ax.set_ylim(0, top)
            ax.set_ylabel("agents")
            if i == 0:
                ax.legend(loc="upper left", ncol=3, fontsize="small", bbox_to_anchor=(0, 1.22))
        return _to_svg(fig, key)


def service_level_svg(coverage: pd.DataFrame, *, interval_minutes: int, target: float | None = 0.8,
                      key: str = "sl") -> str:
    """Projected service level per interval (intervals with calls), a panel a week, with the target line."""
    step = pd.Timedelta(minutes=interval_minutes)
    frame = pd.DataFrame({"t": local_naive(coverage["ts"]).to_numpy(),
                          "sl": coverage["service_level"].to_numpy(float)})
    calls = coverage["volume"].to_numpy(float) if "volume" in coverage.columns else np.ones(len(frame))
    frame.loc[~(calls > 0), "sl"] = np.nan  # a closed interval has no service level to speak of
    with _rc():
        fig, panels = _week_panels(frame, 1.7)
        for i, (ax, part, w0) in enumerate(panels):
            g = _gapped(part, step)
            ax.plot(g["t"] + step / 2, g["sl"], color=COLORS["scheduled"], linewidth=1.0, marker=".", markersize=2.2,
                    label="projected service level")
            if target is not None:
                ax.axhline(target, color=COLORS["target"], linestyle="--", linewidth=0.9, label=f"target {target:.0%}")
                low = part["sl"] < target - 1e-9
                ax.plot(part["t"][low] + step / 2, part["sl"][low], "o", color=COLORS["bad"], markersize=3,
                        linestyle="none", label="below target")
            _day_axis(ax, w0, w0 + _WEEK)
            ax.set_ylim(0, 1.04)
            ax.yaxis.set_major_formatter(_percent())
            if i == 0:
                ax.legend(loc="upper left", ncol=3, fontsize="small", bbox_to_anchor=(0, 1.3))
        return _to_svg(fig, key)


def _percent() -> Any:
    mticker = require_extra("matplotlib.ticker", "plot")
    return mticker.PercentFormatter(1.0, decimals=0)


def daily_service_level_svg(daily: pd.DataFrame, *, target: float | None = 0.8, key: str = "sld") -> str:
    """Each day's service level (calls answered within the threshold / calls) as bars, red below target.

    ``daily`` is one skill's rows of :func:`wfm.report.frames.daily_coverage`.
    """
    days = pd.to_datetime(daily["date"])
    sl = daily["service_level"].to_numpy(float)
    labels = [f"{d:%a}\n{d:%d %b}" for d in days]
    with _rc():
        fig = _figure(11, 2.4)
        ax = fig.subplots()
        ok = ~(sl < (target if target is not None else -1) - 1e-9)
        ax.bar(np.arange(len(sl)), np.nan_to_num(sl), color=np.where(ok, COLORS["scheduled"], COLORS["bad"]),
               width=0.7)
        for x, v in enumerate(sl):
            if np.isfinite(v):
                ax.text(x, v + 0.015, f"{v:.0%}", ha="center", va="bottom", fontsize=7, color="#374151")
        if target is not None:
            ax.axhline(target, color=COLORS["target"], linestyle="--", linewidth=0.9, label=f"target {target:.0%}")
            ax.legend(loc="lower right", fontsize="small")
        ax.set_xticks(np.arange(len(sl)), labels, fontsize=7 if len(sl) > 14 else 8)
        ax.set_xlim(-0.6, len(sl) - 0.4)
        ax.set_ylim(0, 1.1)
        ax.yaxis.set_major_formatter(_percent())
        ax.grid(False, axis="x")
        ax.set_ylabel("calls answered in time")
        return _to_svg(fig, key)


def requirements_svg(requirements: pd.DataFrame, *, key: str = "req", time_col: str = "ts",
                     agents_col: str = "agents", id_col: str = "queue") -> str:
    """Agents required per interval (``wfm staff`` output), a panel a week, one line per queue."""
    frame = pd.DataFrame({"t": local_naive(requirements[time_col]).to_numpy(),
                          "n": requirements[agents_col].to_numpy(float),
                          "q": requirements[id_col].to_numpy() if id_col in requirements.columns else ""})
    with _rc():
        fig, panels = _week_panels(frame, 2.0)
        for i, (ax, part, w0) in enumerate(panels):
            for q, rows in part.groupby("q", sort=False):
                ax.plot(rows["t"], rows["n"], drawstyle="steps-post", linewidth=1.0,
                        label=f"required{f' ({q})' if q != '' else ''}")
            _day_axis(ax, w0, w0 + _WEEK)
            ax.set_ylim(bottom=0)
            ax.set_ylabel("agents")
            if i == 0:
                ax.legend(loc="upper left", ncol=4, fontsize="small", bbox_to_anchor=(0, 1.22))
        return _to_svg(fig, key)
