"""The roster as a per-agent timeline: one SVG per week, one row per agent, one column block per day.

Hand-written SVG (no plotting library): each work segment is a bar coloured by the shift's kind (its first
known tag), breaks are gaps with a thin mark, leave is a hatched band, a day off is left empty. Every bar
carries a ``<title>`` (the browser's tooltip) with the shift, its times and paid minutes. A block spans only
the hours anybody works (e.g. 07:00-24:00), so 150 agents by 7 days stays legible on one screen width.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from html import escape

from wfm.roster.models import Assignment, RosterProblem, RosterSolution

__all__ = ["TAG_COLORS", "roster_week_svgs", "shift_color"]

#: Colour of a shift by its first tag found here (order matters: a long early shift is "long").
TAG_COLORS = {"split": "#a855f7", "night": "#334155", "long": "#f59e0b", "early": "#0ea5e9", "day": "#22c55e",
              "late": "#6366f1", "part": "#14b8a6", "short": "#eab308"}
_FALLBACK = ["#64748b", "#ec4899", "#84cc16", "#f97316", "#06b6d4", "#8b5cf6"]

_LABEL_W = 86   # px, agent id and contract
_TOTAL_W = 52   # px, paid hours of the week
_HEAD_H = 34    # px, day names and hour ticks
_BLOCK_GAP = 4  # px between day blocks


def shift_color(tags: list[str], shift_id: str) -> str:
    """Colour of a shift: by its first tag in :data:`TAG_COLORS`, else a fixed colour picked by its id."""
    for tag in TAG_COLORS:
        if tag in tags:
            return TAG_COLORS[tag]
    return _FALLBACK[sum(map(ord, shift_id)) % len(_FALLBACK)]


@dataclass
class _Frame:
    """Geometry shared by every week: the hour span of a day block and the pixel scale."""

    h0: float        # first hour shown in a day block (local wall clock)
    h1: float        # last hour shown (may pass 24 when shifts cross midnight)
    block_w: float   # px per day block
    row_h: float     # px per agent row

    def x(self, day_pos: int, hour: float) -> float:
        hour = min(max(hour, self.h0), self.h1)
        return _LABEL_W + day_pos * (self.block_w + _BLOCK_GAP) + (hour - self.h0) / (self.h1 - self.h0) * self.block_w


def _hours_since_midnight(t: dt.datetime, midnight: dt.datetime) -> float:
    """Wall-clock hours of ``t`` from the local ``midnight`` opening its day (25.5 = 01:30 the next day).

    Wall clock, not elapsed time: on a daylight-saving day an 08:00 shift is drawn at 08:00 like every other
    day's, where elapsed time would put it at 07:00 or 09:00.
    """
    local = t.astimezone(midnight.tzinfo)
    return (local.date() - midnight.date()).days * 24 + local.hour + local.minute / 60 + local.second / 3600


def _span(problem: RosterProblem, solution: RosterSolution) -> tuple[float, float]:
    lo, hi = 24.0, 0.0
    for x in solution.assignments:
        midnight = dt.datetime.combine(x.date, dt.time(0), tzinfo=problem.horizon.tz)
        lo = min(lo, _hours_since_midnight(x.start, midnight))
        hi = max(hi, _hours_since_midnight(x.end, midnight))
    if hi <= lo:  # no assignment: show office hours
        return 6.0, 22.0
    return float(math.floor(lo)), float(math.ceil(hi))


def roster_week_svgs(problem: RosterProblem, solution: RosterSolution, *, width: int = 1240,
                     row_height: float | None = None) -> list[tuple[str, str]]:
    """One ``(caption, svg)`` per week of the horizon (the last may be partial).

    Parameters
    ----------
    problem, solution : RosterProblem, RosterSolution
        The roster and what it answers (agents, contracts, leave, locked days off).
    width : int
        Width of the drawing in px (the SVG scales with the page; this sets the text-to-bar ratio).
    row_height : float, optional
        px per agent; default 16 for up to 40 agents, 13 above.
    """
    h = problem.horizon
    h0, h1 = _span(problem, solution)
    row_h = row_height if row_height is not None else (16.0 if len(problem.agents) <= 40 else 13.0)
    block_w = (width - _LABEL_W - _TOTAL_W - 6 * _BLOCK_GAP) / 7
    frame = _Frame(h0, h1, block_w, row_h)
    by_agent_day: dict[tuple[str, dt.date], Assignment] = {(x.agent, x.date): x for x in solution.assignments}
    out = []
    for w in range(math.ceil(h.days / 7)):
        days = list(range(7 * w, min(h.days, 7 * w + 7)))
        caption = (f"Week {w + 1}: {h.date_of(days[0]):%a %d %b} – {h.date_of(days[-1]):%a %d %b %Y}")
        out.append((caption, _week_svg(problem, by_agent_day, days, frame, width, f"w{w + 1}")))
    return out


def _week_svg(problem: RosterProblem, by_agent_day: dict[tuple[str, dt.date], Assignment], days: list[int],
              f: _Frame, width: int, key: str) -> str:
    h = problem.horizon
    tz = h.tz
    height = _HEAD_H + f.row_h * len(problem.agents) + 4
    p: list[str] = [f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" '
                    f'viewBox="0 0 {width} {height:.0f}" aria-label="roster timeline">',
                    f'<defs><pattern id="leave-{key}" width="6" height="6" patternUnits="userSpaceOnUse" '
                    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fde2e2"/>'
                    '<line x1="0" y1="0" x2="0" y2="6" stroke="#f87171" stroke-width="2"/></pattern></defs>']
    ticks = [hr for hr in range(int(f.h0), int(f.h1) + 1) if hr % 3 == 0 and f.h0 < hr < f.h1]
    for pos, d in enumerate(days):
        date = h.date_of(d)
        x0 = f.x(pos, f.h0)
        weekend = date.weekday() in problem.weekend_days
        p.append(f'<rect x="{x0:.1f}" y="{_HEAD_H - 2}" width="{f.block_w:.1f}" '
                 f'height="{f.row_h * len(problem.agents) + 4:.1f}" fill="{"#f3f4f6" if weekend else "#fafafa"}"/>')
        p.append(f'<text x="{x0 + f.block_w / 2:.1f}" y="13" class="day">{date:%a %d %b}</text>')
        for hr in ticks:
            xx = f.x(pos, hr)
            p.append(f'<line x1="{xx:.1f}" y1="{_HEAD_H - 4}" x2="{xx:.1f}" '
                     f'y2="{_HEAD_H + f.row_h * len(problem.agents):.1f}" class="grid"/>')
            p.append(f'<text x="{xx:.1f}" y="{_HEAD_H - 7}" class="hour">{hr % 24:02d}</text>')
    p.append(f'<text x="{width - 4}" y="{_HEAD_H - 7}" class="hour end">paid h</text>')
    for i, agent in enumerate(problem.agents):
        y = _HEAD_H + i * f.row_h
        if i % 2:
            p.append(f'<rect x="0" y="{y:.1f}" width="{width}" height="{f.row_h:.1f}" class="zebra"/>')
        p.append(f'<text x="4" y="{y + f.row_h * 0.72:.1f}" class="agent">{escape(agent.id)}'
                 f'<tspan class="contract"> {escape(agent.contract)}</tspan></text>')
        leave = set(agent.leave)
        locked_off = {la.date for la in agent.locked if la.shift is None}
        paid = 0
        for pos, d in enumerate(days):
            date = h.date_of(d)
            x = by_agent_day.get((agent.id, date))
            midnight = dt.datetime.combine(date, dt.time(0), tzinfo=tz)
            if x is None:
                if date in leave:
                    p.append(f'<rect x="{f.x(pos, f.h0) + 1:.1f}" y="{y + 2:.1f}" width="{f.block_w - 2:.1f}" '
                             f'height="{f.row_h - 4:.1f}" fill="url(#leave-{key})" rx="2">'
                             f'<title>{escape(agent.id)} {date:%a %d %b}: leave</title></rect>')
                elif date in locked_off:
                    p.append(f'<text x="{f.x(pos, f.h0) + f.block_w / 2:.1f}" y="{y + f.row_h * 0.72:.1f}" '
                             f'class="off">fixed day off</text>')
                continue
            paid += x.paid_minutes
            color = shift_color(x.tags, x.shift)
            segs = x.segments or []
            breaks = ", ".join(f"{b.start.astimezone(tz):%H:%M}–{b.end.astimezone(tz):%H:%M}" for b in x.breaks)
            tip = (f"{agent.id} {date:%a %d %b}: {x.shift} {x.start.astimezone(tz):%H:%M}–"
                   f"{x.end.astimezone(tz):%H:%M}, {x.paid_minutes} paid min"
                   + (f", break {breaks}" if breaks else "") + (", split shift" if len(segs) > 1 else ""))
            p.append(f'<g><title>{escape(tip)}</title>')
            for s in segs or []:
                a = f.x(pos, _hours_since_midnight(s.start, midnight))
                b = f.x(pos, _hours_since_midnight(s.end, midnight))
                p.append(f'<rect x="{a:.1f}" y="{y + 2:.1f}" width="{max(b - a, 1):.1f}" height="{f.row_h - 4:.1f}" '
                         f'fill="{color}" rx="2"/>')
            if len(segs) > 1:  # the unpaid gap of a split shift: a thin line joining the segments
                for s0, s1 in zip(segs, segs[1:], strict=False):
                    a = f.x(pos, _hours_since_midnight(s0.end, midnight))
                    b = f.x(pos, _hours_since_midnight(s1.start, midnight))
                    p.append(f'<line x1="{a:.1f}" y1="{y + f.row_h / 2:.1f}" x2="{b:.1f}" y2="{y + f.row_h / 2:.1f}" '
                             f'stroke="{color}" stroke-width="1" stroke-dasharray="2 2"/>')
            for br in x.breaks:
                a = f.x(pos, _hours_since_midnight(br.start, midnight))
                b = f.x(pos, _hours_since_midnight(br.end, midnight))
                p.append(f'<rect x="{a:.1f}" y="{y + 2:.1f}" width="{max(b - a, 1):.1f}" height="{f.row_h - 4:.1f}" '
                         f'class="break"/>')
            p.append("</g>")
        p.append(f'<text x="{width - 4}" y="{y + f.row_h * 0.72:.1f}" class="paid" text-anchor="end">'
                 f'{paid / 60:.1f}</text>')
    p.append("</svg>")
    return "".join(p)
