"""Load on a real server (slow): concurrent staffing and forecast requests while roster jobs run.

Nothing is lost (every request answered 200), no request starves beyond its cap, memory stays bounded, and
the roster jobs finish. Figures for docs/service.md come from ``python -m tests.api.load``.
"""

from __future__ import annotations

import pytest

pytest.importorskip("uvicorn")
pytest.importorskip("psutil")

from .load import CAP_S, run  # noqa: E402


@pytest.mark.slow
def test_concurrent_requests_while_roster_jobs_run():
    figures = run(requests=200, concurrency=12, jobs=2, job_time_limit_s=8.0)
    assert figures["lost_or_failed"] == 0, figures
    assert figures["max_s"] <= CAP_S and figures["over_cap"] == 0, figures
    assert figures["roster_jobs_succeeded"] == 2, figures
    # the service holds the staffing and forecast frames of 12 requests at once, not more
    assert figures["peak_rss_server_mb"] < 1024, figures
