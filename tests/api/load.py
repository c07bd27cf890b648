"""Load on a real ``wfm serve``: many concurrent staffing and forecast requests while roster jobs run.

    python -m tests.api.load                     # the figures in docs/service.md
    python -m tests.api.load --requests 200 --concurrency 8 --jobs 1

Prints the requests sent and answered, the concurrency, p50/p99/max latency, the server's peak resident
memory (and with its solve workers), and the roster jobs' outcome; exits non-zero if a request was lost,
failed, or took longer than its cap.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import numpy as np
import pandas as pd
import psutil

from wfm.forecast import generate_intervals
from wfm.roster import call_centre_instance

from .server import start

#: No request may take longer than this (seconds), whatever the load.
CAP_S = 30.0


def _bodies(seed: int = 0) -> tuple[dict[str, Any], dict[str, Any]]:
    week = generate_intervals(pd.Timestamp("2024-01-01"), days=7, freq="30min", seed=seed)
    staffing = {"intervals": [{"ts": t.isoformat(), "volume": float(v), "aht": 180.0}
                              for t, v in zip(week["ts"], week["volume"], strict=True)],
                "targets": {"service_level": 0.8, "answer_seconds": 20}}
    hist = generate_intervals(pd.Timestamp("2024-01-01"), days=28, freq="1h", seed=seed)
    forecast = {"history": [{"ts": t.isoformat(), "volume": float(v)} for t, v in zip(hist["ts"], hist["volume"],
                                                                                       strict=True)],
                "horizon": "7D", "model": "week_mean"}
    return staffing, forecast


def _watch_memory(pid: int, stop: threading.Event, peak: dict[str, float]) -> None:
    server = psutil.Process(pid)
    while not stop.is_set():
        try:
            own = server.memory_info().rss
            tree = own + sum(c.memory_info().rss for c in server.children(recursive=True))
        except psutil.Error:
            break
        peak["server_mb"] = max(peak["server_mb"], own / 2**20)
        peak["with_workers_mb"] = max(peak["with_workers_mb"], tree / 2**20)
        time.sleep(0.05)


def run(requests: int = 400, concurrency: int = 16, jobs: int = 2, job_time_limit_s: float = 15.0,
        seed: int = 0) -> dict[str, Any]:
    """Run the load and return its figures (latencies in seconds, memory in MiB)."""
    server = start()
    try:
        staffing, forecast = _bodies(seed)
        problem = call_centre_instance(30, weeks=2, seed=seed, source="synthetic").model_dump_json()
        with httpx.Client(base_url=server.url, timeout=CAP_S + 30) as c:
            job_ids = [c.post("/v1/roster/jobs", params={"time_limit_s": job_time_limit_s, "workers": 1},
                              content=problem, headers={"content-type": "application/json"}).json()["id"]
                       for _ in range(jobs)]
        stop = threading.Event()
        peak = {"server_mb": 0.0, "with_workers_mb": 0.0}
        watcher = threading.Thread(target=_watch_memory, args=(server.process.pid, stop, peak), daemon=True)
        watcher.start()
        local = threading.local()
        rng = np.random.default_rng(seed)
        kinds = rng.choice(["staffing", "forecast"], size=requests, p=[0.7, 0.3])

        clients: list[httpx.Client] = []

        def one(kind: str) -> tuple[str, int, float]:
            if not hasattr(local, "client"):
                local.client = httpx.Client(base_url=server.url, timeout=CAP_S + 30)
                clients.append(local.client)
            body = staffing if kind == "staffing" else forecast
            t0 = time.perf_counter()
            try:
                status = local.client.post(f"/v1/{kind}", json=body).status_code
            except httpx.HTTPError:
                status = -1
            return kind, status, time.perf_counter() - t0

        t0 = time.perf_counter()
        try:
            with ThreadPoolExecutor(concurrency) as pool:
                results = list(pool.map(one, kinds))
        finally:
            for client in clients:
                client.close()
        wall = time.perf_counter() - t0
        with httpx.Client(base_url=server.url, timeout=60) as c:
            deadline = time.monotonic() + job_time_limit_s + 60
            states = []
            for job_id in job_ids:
                while True:
                    state = c.get(f"/v1/roster/jobs/{job_id}").json()
                    if state["status"] in ("succeeded", "failed", "cancelled") or time.monotonic() > deadline:
                        break
                    time.sleep(0.5)
                states.append(state["status"])
        stop.set()
        watcher.join()
        lat = np.array([r[2] for r in results])
        ok = sum(1 for r in results if r[1] == 200)
        return {
            "requests": requests, "answered_200": ok, "lost_or_failed": requests - ok, "concurrency": concurrency,
            "staffing_requests": int((kinds == "staffing").sum()),
            "forecast_requests": int((kinds == "forecast").sum()),
            "p50_s": round(float(np.percentile(lat, 50)), 3), "p99_s": round(float(np.percentile(lat, 99)), 3),
            "max_s": round(float(lat.max()), 3), "over_cap": int((lat > CAP_S).sum()), "cap_s": CAP_S,
            "throughput_rps": round(requests / wall, 1), "wall_s": round(wall, 1),
            "peak_rss_server_mb": round(peak["server_mb"], 1),
            "peak_rss_with_solve_workers_mb": round(peak["with_workers_mb"], 1),
            "roster_jobs": jobs, "roster_jobs_succeeded": states.count("succeeded"),
            "roster_job_time_limit_s": job_time_limit_s,
        }
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--jobs", type=int, default=2, help="roster jobs running meanwhile")
    parser.add_argument("--job-time-limit", type=float, default=15.0)
    args = parser.parse_args()
    figures = run(args.requests, args.concurrency, args.jobs, args.job_time_limit)
    print(json.dumps(figures, indent=2))
    bad = figures["lost_or_failed"] or figures["over_cap"] or figures["roster_jobs_succeeded"] != args.jobs
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
