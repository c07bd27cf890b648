"""The report in a real browser: headless Chromium (Debian's ``chromium`` package) renders the page from a
file:// URL with no console error, no exception and no fetch, and paints every chart and the roster.

Skipped when no Chromium is installed, except under CI (env ``CI`` set), where a missing browser fails: the
look of the page must be checked there, not silently skipped.
"""

from __future__ import annotations

import io
import os

import pytest

from tests.report import reportkit as kit
from tests.report.chromium import find_chromium, render
from wfm.report import write_report

pytest.importorskip("matplotlib", reason="plot extra (matplotlib) not installed")
Image = pytest.importorskip("PIL.Image", reason="pillow (a matplotlib dependency) not installed")

PROBE = """(() => {
  const box = el => { const r = el.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.height)]; };
  const shown = el => { const [w, h] = box(el); return el.checkVisibility() && w > 0 && h > 0; };
  return {
    charts: [...document.querySelectorAll('svg.chart')].map(s => ({size: box(s), shown: shown(s),
              paths: s.querySelectorAll('path').length, texts: s.querySelectorAll('text').length})),
    timelines: [...document.querySelectorAll('svg.timeline')].map(s => ({size: box(s), shown: shown(s),
              bars: s.querySelectorAll('rect[rx="2"]').length})),
    sections: [...document.querySelectorAll('section')]
      .map(s => s.id + (s.classList.contains('missing') ? ':missing' : '')),
    images: [...document.images].filter(i => !i.complete || i.naturalWidth === 0).length,
    width: document.documentElement.scrollWidth,
  };
})()"""


@pytest.fixture(scope="module")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed but CI is set: the report must be rendered in a real browser "
                        "there (apt-get install -y chromium)")
        pytest.skip("Chromium is not installed (apt-get install -y chromium); the browser checks are skipped")
    return path


def _count(png: bytes, rgb: tuple[int, int, int]) -> int:
    im = Image.open(io.BytesIO(png)).convert("RGB")
    return sum(n for n, c in im.getcolors(maxcolors=1 << 24) if c == rgb)


def test_the_report_renders_with_every_chart_and_no_error(chromium, tmp_path) -> None:  # noqa: ANN001
    p = kit.problem()
    s = kit.solution(p)
    history, fc = kit.history_and_forecast(p)
    path = write_report(tmp_path / "report.html", history=history, forecast=fc, problem=p, solution=s)
    out = render(path, PROBE, binary=chromium, width=1400)
    (tmp_path / "report.png").write_bytes(out.screenshot)  # kept in pytest's tmp dir for a look
    assert out.problems == []
    v = out.probe
    assert v["sections"] == ["summary", "forecast", "staffing", "service-level", "roster", "short"]
    assert len(v["charts"]) == 4
    for c in v["charts"]:  # each chart is laid out across the page and holds its drawing and labels
        assert c["shown"] and c["size"][0] > 1000 and c["size"][1] > 150, c
        assert c["paths"] > 20 and c["texts"] > 10, c
    first, second = v["timelines"]
    assert first["shown"] and first["size"][0] > 1000 and first["size"][1] > 150
    assert not second["shown"]  # week 2 is folded until the scheduler opens it
    assert first["bars"] + second["bars"] > sum(len(x.segments) for x in s.assignments)
    assert v["images"] == 0 and v["width"] <= 1400  # nothing broken, no sideways scroll
    # the pixels are really painted: daily service-level bars (solid red below target), scheduled-agents
    # area, and the roster's early / late / split / part-time bars in their own colours
    for rgb in [(220, 38, 38), (14, 165, 233), (99, 102, 241), (168, 85, 247), (20, 184, 166)]:
        assert _count(out.screenshot, rgb) > 200, rgb


def test_the_probe_catches_a_broken_page(chromium, tmp_path) -> None:  # noqa: ANN001
    """The checks above can fail: a page that throws, logs an error and fetches from the network is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/x.png">'
                   '<script>console.error("oops"); throw new Error("boom")</script></body></html>')
    out = render(bad, "document.images.length", binary=chromium)
    text = "\n".join(out.problems)
    assert out.probe == 1
    assert "oops" in text and "boom" in text and "http://127.0.0.1:9/x.png" in text
