"""The report page: one self-contained HTML file a scheduler opens in any browser, offline.

Sections, each shown when its inputs are given and otherwise replaced by a one-line note saying what to give:
summary (roster size, hours, shortfall, service level, checker verdict), forecast against history, required
against scheduled agents per interval, projected service level per interval and per day, the roster as a
per-agent timeline, and the short intervals with their explanation (:func:`wfm.roster.explain_shortfall`).

Charts are inline SVG, the style sheet is inline, and there is no script at all; a Content-Security-Policy
forbids every fetch, so the page shows the same thing with or without a network (and cannot leak one).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd

from wfm._io import atomic_write_text
from wfm.exceptions import DataFormatError, InvalidParameterError
from wfm.limits import check_number
from wfm.report import figures
from wfm.report.frames import coverage_with_calls, daily_coverage
from wfm.report.roster_svg import TAG_COLORS, roster_week_svgs
from wfm.roster.checker import CheckReport, check
from wfm.roster.models import RosterProblem, RosterSolution
from wfm.roster.shortfall import ShortInterval, explain_shortfall

__all__ = ["render_report", "write_report"]

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:"

_CSS = """
:root { --ink:#111827; --muted:#6b7280; --line:#e5e7eb; --bg:#f8fafc; --card:#fff; --bad:#dc2626; --good:#16a34a;
        --accent:#2563eb; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink); font:14px/1.45 system-ui, -apple-system, "Segoe UI",
       Roboto, "DejaVu Sans", sans-serif; }
header { background:#0f172a; color:#f8fafc; padding:18px 28px 14px; }
header h1 { margin:0 0 4px; font-size:22px; font-weight:600; }
header p { margin:0; color:#cbd5e1; font-size:13px; }
nav { position:sticky; top:0; z-index:2; background:#fff; border-bottom:1px solid var(--line); padding:8px 28px; }
nav a { color:var(--accent); text-decoration:none; margin-right:18px; font-size:13px; }
main { max-width:1320px; margin:0 auto; padding:8px 28px 40px; }
section { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:14px 18px 16px;
          margin:16px 0; }
section h2 { margin:0 0 4px; font-size:17px; font-weight:600; }
section p.lede { margin:0 0 10px; color:var(--muted); font-size:13px; }
section.missing { background:transparent; border-style:dashed; padding:8px 18px; }
section.missing h2 { font-size:14px; color:var(--muted); display:inline; margin-right:8px; }
section.missing p { display:inline; color:var(--muted); font-size:13px; }
.cards { display:grid; grid-template-columns:repeat(auto-fill, minmax(160px, 1fr)); gap:10px; margin-top:8px; }
.card { border:1px solid var(--line); border-radius:6px; padding:8px 12px; background:#fcfcfd; }
.card .k { color:var(--muted); font-size:12px; }
.card .v { font-size:20px; font-weight:600; font-variant-numeric:tabular-nums; }
.card .v.bad { color:var(--bad); } .card .v.good { color:var(--good); }
.verdict { margin-top:12px; padding:8px 12px; border-radius:6px; font-size:13px; }
.verdict.ok { background:#ecfdf5; border:1px solid #a7f3d0; }
.verdict.bad { background:#fef2f2; border:1px solid #fecaca; }
.verdict ul { margin:4px 0 0 18px; padding:0; }
svg.chart { width:100%; height:auto; display:block; }
svg.timeline { width:100%; height:auto; display:block; font-family:system-ui, "DejaVu Sans", sans-serif; }
svg.timeline .day { font-size:12px; font-weight:600; text-anchor:middle; fill:#111827; }
svg.timeline .hour { font-size:9px; text-anchor:middle; fill:#9ca3af; }
svg.timeline .hour.end { text-anchor:end; }
svg.timeline .grid { stroke:#e5e7eb; stroke-width:1; }
svg.timeline .agent { font-size:10px; fill:#111827; font-variant-numeric:tabular-nums; }
svg.timeline .contract { fill:#9ca3af; font-size:9px; }
svg.timeline .paid { font-size:10px; fill:#4b5563; font-variant-numeric:tabular-nums; }
svg.timeline .zebra { fill:#000; fill-opacity:0.025; }
svg.timeline .break { fill:#fff; fill-opacity:0.85; }
svg.timeline .off { font-size:9px; fill:#9ca3af; text-anchor:middle; }
details.week { margin:6px 0; }
details.week > summary { cursor:pointer; font-weight:600; font-size:13px; padding:4px 0; }
.legend { display:flex; flex-wrap:wrap; gap:6px 16px; font-size:12px; color:#374151; margin:6px 0 4px; }
.legend span { display:inline-flex; align-items:center; gap:5px; }
.legend i { display:inline-block; width:18px; height:10px; border-radius:2px; }
.legend i.leave { background:repeating-linear-gradient(45deg, #fde2e2 0 3px, #f87171 3px 5px); }
.legend i.brk { background:#fff; border:1px solid #9ca3af; }
table { border-collapse:collapse; width:100%; font-size:12.5px; font-variant-numeric:tabular-nums; }
th, td { border-bottom:1px solid var(--line); padding:4px 8px; text-align:right; vertical-align:top; }
th { color:var(--muted); font-weight:600; background:#f9fafb; position:sticky; top:37px; }
td.l, th.l { text-align:left; }
td.bad { color:var(--bad); font-weight:600; }
.chip { display:inline-block; background:#eef2ff; color:#3730a3; border-radius:10px; padding:0 7px;
        margin:1px 3px 1px 0; font-size:11.5px; white-space:nowrap; }
.chip.leave { background:#fef2f2; color:#991b1b; } .chip.costs_more { background:#fffbeb; color:#92400e; }
.chip.improves { background:#ecfdf5; color:#065f46; }
.scroll { max-height:560px; overflow:auto; border:1px solid var(--line); border-radius:6px; }
.scroll th { top:0; }
.small { font-size:12px; color:var(--muted); }
footer { color:var(--muted); font-size:12px; text-align:center; padding:10px; }
"""


@dataclass
class _Page:
    sections: list[tuple[str, str, str]] = field(default_factory=list)  # (anchor, title, html)

    def add(self, anchor: str, title: str, body: str, lede: str = "") -> None:
        intro = f'<p class="lede">{lede}</p>' if lede else ""
        self.sections.append((anchor, title, f'<section id="{anchor}"><h2>{escape(title)}</h2>{intro}{body}'
                                             "</section>"))

    def missing(self, anchor: str, title: str, needs: str) -> None:
        self.sections.append((anchor, "", f'<section id="{anchor}" class="missing"><h2>{escape(title)}</h2>'
                                          f"<p>not shown: {needs}</p></section>"))


def _num(x: float, digits: int = 0) -> str:
    return "–" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:,.{digits}f}"


def _pct(x: float) -> str:
    return "–" if x is None or not math.isfinite(x) else f"{x:.1%}"


def _check_frame(frame: pd.DataFrame, name: str, cols: Sequence[str]) -> pd.DataFrame:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise DataFormatError(f"`{name}` needs columns {list(cols)}; missing {missing} (has {list(frame.columns)})",
                              field=name, value=list(frame.columns))
    if frame.empty:
        raise DataFormatError(f"`{name}` has no rows", field=name, value=0)
    out = frame.copy()
    out["ts"] = pd.to_datetime(out["ts"])
    return out


def render_report(*, history: pd.DataFrame | None = None, forecast: pd.DataFrame | None = None,
                  requirements: pd.DataFrame | None = None, problem: RosterProblem | None = None,
                  solution: RosterSolution | None = None, shortfall: Sequence[ShortInterval] | None = None,
                  title: str = "Workforce plan", target_service_level: float | None = 0.8,
                  max_short_rows: int = 200) -> str:
    """The report as one HTML string; see :func:`write_report` for the parameters."""
    check_number("max_short_rows", max_short_rows, low=0, integer=True)
    if target_service_level is not None and not 0 < target_service_level < 1:
        raise InvalidParameterError(f"`target_service_level` must be in (0, 1); got {target_service_level!r}",
                                    field="target_service_level", value=target_service_level)
    if (problem is None) != (solution is None):
        given, absent = ("problem", "solution") if solution is None else ("solution", "problem")
        raise InvalidParameterError(f"`{absent}` is needed with `{given}` (a roster is read against its problem)",
                                    field=absent, value=None)
    if all(x is None for x in (history, forecast, requirements, problem)):
        raise InvalidParameterError("the report needs at least one input: history, forecast, requirements or "
                                    "problem and solution", field="problem", value=None)
    if history is not None:
        history = _check_frame(history, "history", ["ts", "volume"])
    if forecast is not None:
        forecast = _check_frame(forecast, "forecast", ["ts", "volume"])
    if requirements is not None:
        requirements = _check_frame(requirements, "requirements", ["ts", "agents"])

    page = _Page()
    report = cov = daily = None
    if problem is not None and solution is not None:
        report = check(problem, solution)
        cov = coverage_with_calls(problem, solution)
        daily = daily_coverage(cov, interval_minutes=problem.horizon.interval_minutes)
        if shortfall is None:
            shortfall = explain_shortfall(problem, solution)
        page.add("summary", "Summary", _summary(problem, solution, report, cov, daily, target_service_level))

    if forecast is not None:
        n_days = (forecast["ts"].max() - forecast["ts"].min()).days + 1
        shown = min(28, max(7, n_days))
        page.add("forecast", "Forecast", figures.forecast_svg(forecast, history, history_days=shown),
                 f"Calls per interval: the forecast over {n_days} days with its 80% band (10%–90% quantiles)"
                 + (f", after the last {shown} days of history (grey)" if history is not None else "")
                 + "; the dashed line is the forecast start.")
    elif history is not None:
        page.add("forecast", "History", figures.forecast_svg(history.assign(queue=history.get("queue", "calls"))
                                                             .iloc[-14 * 96:], None),
                 "Calls per interval (no forecast given).")
    else:
        page.missing("forecast", "Forecast", "give a forecast (wfm forecast output, `--forecast F.csv`) and its "
                                             "history (`--history H.csv`)")

    if cov is not None and problem is not None:
        body = []
        for skill, rows in cov.groupby(cov["skill"].astype(object).where(cov["skill"].notna(), ""), sort=True):
            head = f"<h3>{escape(str(skill) or 'all agents')}</h3>" if cov["skill"].notna().any() else ""
            body.append(head + figures.coverage_svg(rows, interval_minutes=problem.horizon.interval_minutes,
                                                    key=f"cov-{_slug(skill)}"))
        page.add("staffing", "Required and scheduled agents", "".join(body),
                 "Agents needed on the phones per interval (black) against agents the roster puts there "
                 "(blue: at work, off break). Red is short; the red marks above the chart point at every "
                 "short interval.")
    elif requirements is not None:
        page.add("staffing", "Required agents", figures.requirements_svg(requirements),
                 "Agents needed on the phones per interval (no roster given).")
    else:
        page.missing("staffing", "Required and scheduled agents", "give a roster (`--problem P.json --solution "
                                                                  "S.json`) or requirements (`--requirements R.csv`)")

    if cov is not None and daily is not None and problem is not None and cov["service_level"].notna().any():
        body = []
        for skill, rows in cov.groupby(cov["skill"].astype(object).where(cov["skill"].notna(), ""), sort=True):
            if not rows["service_level"].notna().any():
                continue
            d = daily[daily["skill"] == skill]
            head = f"<h3>{escape(str(skill) or 'all agents')}</h3>" if cov["skill"].notna().any() else ""
            body.append(head + figures.daily_service_level_svg(d, target=target_service_level,
                                                               key=f"sld-{_slug(skill)}")
                        + figures.service_level_svg(rows, interval_minutes=problem.horizon.interval_minutes,
                                                    target=target_service_level, key=f"sl-{_slug(skill)}")
                        + _daily_table(d, target_service_level))
        answer = problem.answer_seconds
        page.add("service-level", "Projected service level", "".join(body),
                 f"Share of calls answered within {answer:g} s with the agents scheduled (Erlang C on the "
                 "forecast calls and handle time). A day's figure weights each interval by its calls.")
    elif cov is not None:
        page.missing("service-level", "Projected service level", "the problem's requirements carry no call volume "
                                                                 "and handle time (build them with "
                                                                 "`requirements_from_frame` on `wfm staff` output)")
    else:
        page.missing("service-level", "Projected service level", "give a roster (`--problem` and `--solution`)")

    if problem is not None and solution is not None:
        page.add("roster", "Roster", _roster(problem, solution),
                 "One row per agent, one block per day (hours shown: when anybody works). Hover a shift for its "
                 "times, break and paid minutes; the right column is paid hours in the week.")
        page.add("short", "Short intervals", _shortfall_table(list(shortfall or []), max_short_rows),
                 "Every interval with fewer agents on the phones than required, and why: each agent not on "
                 "the phones then, grouped by what keeps them off, and the cheapest single change that would "
                 "cover it (one agent, one day; the cost is the change in the roster's objective).")
    else:
        page.missing("roster", "Roster and short intervals", "give the problem and its solution (`--problem "
                                                             "P.json --solution S.json`)")
    return _html(title, problem, page)


def write_report(path: str | os.PathLike[str], *, history: pd.DataFrame | None = None,
                 forecast: pd.DataFrame | None = None, requirements: pd.DataFrame | None = None,
                 problem: RosterProblem | None = None, solution: RosterSolution | None = None,
                 shortfall: Sequence[ShortInterval] | None = None, title: str = "Workforce plan",
                 target_service_level: float | None = 0.8, max_short_rows: int = 200) -> Path:
    """Write the report to ``path`` as one self-contained HTML page (atomically) and return the path.

    Parameters
    ----------
    path : path-like
        The HTML file to write.
    history : DataFrame, optional
        Calls per interval in the past: ``ts``, ``volume`` (and ``queue`` for several queues).
    forecast : DataFrame, optional
        :func:`wfm.forecast.forecast` output: ``ts``, ``volume``, quantile columns such as ``volume_q10`` and
        ``volume_q90`` for the band (and ``queue``).
    requirements : DataFrame, optional
        :func:`wfm.erlang.requirements` output (``ts``, ``agents``); drawn only when there is no roster.
    problem, solution : RosterProblem, RosterSolution, optional
        The roster and what it answers (give both or neither): summary, coverage, service level, timeline,
        short intervals, and the checker's verdict.
    shortfall : list of ShortInterval, optional
        :func:`wfm.roster.explain_shortfall` output if already computed (computed here otherwise).
    title : str
        Page heading.
    target_service_level : float or None
        Service-level target drawn on the charts, in (0, 1); None draws none.
    max_short_rows : int
        Short intervals listed at most (the rest are counted).

    Returns
    -------
    Path
        ``path``.
    """
    html = render_report(history=history, forecast=forecast, requirements=requirements, problem=problem,
                         solution=solution, shortfall=shortfall, title=title,
                         target_service_level=target_service_level, max_short_rows=max_short_rows)
    return atomic_write_text(path, html)


def _slug(x: object) -> str:
    return "".join(c if c.isalnum() else "-" for c in str(x)) or "all"


def _html(title: str, problem: RosterProblem | None, page: _Page) -> str:
    from wfm import __version__

    sub = ""
    if problem is not None:
        h = problem.horizon
        end = h.date_of(h.days - 1)
        sub = (f"{escape(problem.name)} · {h.start:%a %d %b %Y} – {end:%a %d %b %Y} ({h.days} days, "
               f"{h.interval_minutes}-minute intervals, {escape(h.timezone)}) · {len(problem.agents)} agents")
    nav = "".join(f'<a href="#{a}">{escape(t)}</a>' for a, t, _ in page.sections if t)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
            f"<header><h1>{escape(title)}</h1><p>{sub}</p></header><nav>{nav}</nav><main>"
            + "".join(html for _, _, html in page.sections)
            + f"</main><footer>wfm {escape(__version__)} · a self-contained page: no network needed</footer>"
            "</body></html>\n")


def _card(k: str, v: str, cls: str = "") -> str:
    return f'<div class="card"><div class="k">{escape(k)}</div><div class="v {cls}">{v}</div></div>'


def _summary(problem: RosterProblem, solution: RosterSolution, report: CheckReport, cov: pd.DataFrame,
             daily: pd.DataFrame, target: float | None) -> str:
    step_h = problem.horizon.interval_minutes / 60
    paid_h = sum(x.paid_minutes for x in solution.assignments) / 60
    short = cov["shortfall"].to_numpy(float)
    n_short = int((short > 1e-9).sum())
    calls = float(daily["calls"].sum())
    sl_calls = cov["volume"].fillna(0).to_numpy(float)
    sl = cov["service_level"].to_numpy(float)
    ok = np.isfinite(sl) & (sl_calls > 0)
    overall = float((sl[ok] * sl_calls[ok]).sum() / sl_calls[ok].sum()) if ok.any() else float("nan")
    sl_cls = "" if target is None or not math.isfinite(overall) else ("good" if overall >= target else "bad")
    gap = f" (gap {solution.gap:.1%})" if solution.gap > 0 else ""
    cards = [
        _card("agents", _num(len(problem.agents))),
        _card("shifts assigned", _num(len(solution.assignments))),
        _card("paid hours", _num(paid_h)),
        _card("required agent-hours", _num(float(cov["required"].sum()) * step_h)),
        _card("scheduled agent-hours", _num(float(cov["scheduled"].sum()) * step_h)),
        _card("short agent-hours", _num(float(short.sum()) * step_h, 1), "bad" if n_short else "good"),
        _card("short intervals", _num(n_short), "bad" if n_short else "good"),
        _card("calls forecast", _num(calls) if calls > 0 else "–"),
        _card("service level", _pct(overall), sl_cls),
        _card("solver", f"{escape(solution.status)}<span class='small'>{escape(gap)}</span>"),
    ]
    if report.ok:
        verdict = (f'<div class="verdict ok">Checker: every hard rule holds; objective {report.objective:,.1f} '
                   f"recomputed from the assignments (solver reported {solution.objective:,.1f}).</div>")
    else:
        items = "".join(f"<li>{escape(str(v))}</li>" for v in report.violations[:20])
        more = f"<li>… and {len(report.violations) - 20} more</li>" if len(report.violations) > 20 else ""
        verdict = (f'<div class="verdict bad"><b>Checker: {len(report.violations)} hard-rule violation(s)</b> — '
                   f"this roster must not be published as is.<ul>{items}{more}</ul></div>")
    return f'<div class="cards">{"".join(cards)}</div>{verdict}'


def _daily_table(daily: pd.DataFrame, target: float | None) -> str:
    rows = []
    for r in daily.itertuples(index=False):
        low = target is not None and math.isfinite(r.service_level) and r.service_level < target
        rows.append(f'<tr><td class="l">{pd.Timestamp(r.date):%a %d %b}</td><td>{_num(r.calls)}</td>'
                    f"<td>{_num(r.required_h, 1)}</td><td>{_num(r.scheduled_h, 1)}</td>"
                    f'<td class="{"bad" if r.short_h > 0 else ""}">{_num(r.short_h, 1)}</td>'
                    f"<td>{_num(r.over_h, 1)}</td>"
                    f"<td>{_num(r.short_intervals)}</td>"
                    f'<td class="{"bad" if low else ""}">{_pct(r.service_level)}</td>'
                    f"<td>{_pct(r.worst_service_level)}</td></tr>")
    return ('<table class="daily"><thead><tr><th class="l">day</th><th>calls</th><th>required agent-h</th>'
            "<th>on the phones agent-h</th><th>short agent-h</th><th>over agent-h</th><th>short intervals</th>"
            "<th>service level</th><th>worst interval</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")


def _roster(problem: RosterProblem, solution: RosterSolution) -> str:
    used = {t for x in solution.assignments for t in x.tags}
    swatches = [f'<span><i style="background:{c}"></i>{escape(t)}</span>' for t, c in TAG_COLORS.items()
                if t in used]
    swatches += ['<span><i class="brk"></i>break</span>', '<span><i class="leave"></i>leave</span>',
                 "<span>- - - split-shift gap</span>", "<span>empty: day off</span>"]
    weeks = roster_week_svgs(problem, solution)
    blocks = [f'<details class="week"{" open" if i == 0 else ""}><summary>{escape(cap)}</summary>{svg}</details>'
              for i, (cap, svg) in enumerate(weeks)]
    return f'<div class="legend">{"".join(swatches)}</div>' + "".join(blocks)


def _shortfall_table(found: list[ShortInterval], max_rows: int) -> str:
    if not found:
        return '<p class="verdict ok">No interval is short: every requirement is covered.</p>'
    skills = any(e.skill for e in found)
    rows = []
    for e in found[:max_rows]:
        chips = "".join(f'<span class="chip {escape(reason)}" title="{escape(", ".join(who[:20]))}">'
                        f"{escape(reason.replace('_', ' '))} ×{len(who)}</span>"
                        for reason, who in sorted(e.reasons.items(), key=lambda kv: (-len(kv[1]), kv[0])))
        best = escape(str(e.cheapest)) if e.cheapest is not None else '<span class="small">none allowed</span>'
        skill = f'<td class="l">{escape(e.skill or "")}</td>' if skills else ""
        rows.append(f'<tr><td class="l">{e.ts:%a %d %b %H:%M}</td>{skill}'
                    f"<td>{e.required:g}</td><td>{e.scheduled}</td><td class=\"bad\">{e.short:g}</td>"
                    f'<td class="l">{chips}</td><td class="l">{best}</td></tr>')
    more = (f'<p class="small">… and {len(found) - max_rows} more short intervals (run <code>wfm explain</code> '
            "for all).</p>") if len(found) > max_rows else ""
    return ('<div class="scroll"><table><thead><tr><th class="l">interval</th>'
            + ('<th class="l">skill</th>' if skills else "") +
            "<th>required</th><th>on the phones</th><th>short</th><th class=\"l\">agents not on the phones, by "
            "reason</th><th class=\"l\">cheapest single change</th></tr></thead><tbody>" + "".join(rows)
            + f"</tbody></table></div>{more}"
            '<p class="small">Reasons: <i>leave</i>, <i>skill</i>, <i>locked</i>, <i>no shift</i> (no template '
            "they may work covers it), a hard rule's name (every change that would put them there breaks it), "
            "<i>costs more</i> / <i>costs same</i> / <i>improves</i> (an allowed change covers it at a higher, "
            "equal or lower cost elsewhere). Hover a reason for the agents.</p>")
