"""The nightly batch's wall time against running the teams one after another.

Teams are :func:`wfm.roster.call_centre_instance` problems (seed = team number), written as problem JSON
files and named in one manifest. Three runs of the same teams, same per-team time limit, seed 0:

* ``one after another`` — each team solved in turn in this process with every core (``workers`` = cores),
  what a scheduler does today with ``wfm roster`` in a loop;
* ``wfm batch`` — the local process pool, one team per core at once, ``workers`` = cores / teams at once;
* ``wfm batch --scheduler`` — a local Dask cluster of ``cores`` one-thread worker processes.

Full mode is 20 teams × 40 agents × 4 weeks; quick mode 4 teams × 10 agents × 1 week. The sizes can be set
with ``WFM_BENCH_BATCH="teams,agents,weeks,time_limit_s"`` (e.g. ``6,40,4,30``) for a shorter full run on a
busy machine. The ratio is the sequential wall time over the batch's; the last column counts the teams
finished by both runs whose rosters (assignments and objective) equal the Dask run's.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from benchmarks._common import Table


def _sizes(quick: bool) -> tuple[int, int, int, float]:
    env = os.environ.get("WFM_BENCH_BATCH")
    if env:
        teams, agents, weeks, limit = env.split(",")
        return int(teams), int(agents), int(weeks), float(limit)
    # 30 s: the two-stage solver needs it with one worker on 40 agents × 4 weeks (10 s found nothing here)
    return (4, 10, 1, 3.0) if quick else (20, 40, 4, 30.0)


def _rosters(out: Path) -> dict[str, str]:
    found = {}
    for path in sorted(out.glob("*.solution.json")):
        data = json.loads(path.read_text())
        found[path.name] = json.dumps({"objective": data["objective"], "assignments": data["assignments"]},
                                      sort_keys=True)
    return found


def run(quick: bool) -> list[Table]:
    from wfm.batch import load_manifest, run_batch
    from wfm.batch.team import solve_and_write
    from wfm.roster import RosterProblem, call_centre_instance

    n_teams, n_agents, weeks, limit = _sizes(quick)
    cores = os.cpu_count() or 1
    table = Table(f"wfm batch: {n_teams} teams × {n_agents} agents × {weeks} weeks, {limit:g} s per team, "
                  f"{cores} cores",
                  ["run", "wall s", "ratio to one after another", "teams done", "sum of objectives",
                   "sum of shortfall", "teams with the same roster as dask"])
    with tempfile.TemporaryDirectory(prefix="wfm-bench-batch-") as tmp:
        root = Path(tmp)
        lines = [f"[defaults]\ntime_limit = {limit}\nseed = 0\n"]
        for k in range(n_teams):
            problem = call_centre_instance(n_agents=n_agents, weeks=weeks, seed=k)
            (root / f"team{k:02d}.json").write_text(problem.model_dump_json())
            lines.append(f'[[teams]]\nid = "team{k:02d}"\nproblem = "team{k:02d}.json"\n')
        manifest = root / "nightly.toml"
        manifest.write_text("\n".join(lines))

        t0 = time.perf_counter()
        seq = []
        for k in range(n_teams):
            problem = RosterProblem.model_validate_json((root / f"team{k:02d}.json").read_text())
            seq.append(solve_and_write(problem, root / "sequential", f"team{k:02d}", time_limit_s=limit,
                                       workers=cores, seed=0))
        seq_wall = time.perf_counter() - t0
        table.add("one after another", round(seq_wall, 1), 1.0, sum(r.status == "done" for r in seq),
                  round(sum(r.objective or 0 for r in seq)), round(sum(r.shortfall or 0 for r in seq)), "")

        pool = run_batch(load_manifest(manifest, out_dir=root / "pool"))
        runs = [("wfm batch (process pool)", pool, root / "pool")]
        try:
            import distributed
        except ImportError:  # the distributed extra is optional
            distributed = None
        if distributed is not None:
            with distributed.LocalCluster(n_workers=cores, threads_per_worker=1, processes=True,
                                          dashboard_address=None) as cluster:
                dask = run_batch(load_manifest(manifest, out_dir=root / "dask"), scheduler=cluster.scheduler_address)
            runs.append(("wfm batch --scheduler (local Dask)", dask, root / "dask"))
        reference = _rosters(root / "dask") if distributed is not None else None
        for label, summary, out in runs:
            done = [r for r in summary.results if r.status in ("done", "skipped")]
            mine = _rosters(out)
            common = sorted(set(mine) & set(reference or {}))
            same = "" if reference is None or out.name == "dask" else \
                f"{sum(mine[k] == reference[k] for k in common)}/{len(common)}"
            table.add(label, round(summary.wall_s, 1), round(seq_wall / summary.wall_s, 2), len(done),
                      round(sum(r.objective or 0 for r in done)), round(sum(r.shortfall or 0 for r in done)), same)
    for label, summary, _ in runs:
        for r in summary.results:
            if r.status == "failed":
                table.notes.append(f"{label}: {r.team} failed: {(r.error or {}).get('message', '')[:200]}")
    table.notes.append("ratio > 1: the batch is that many times faster than solving the teams in turn with "
                       "every core each; the batch's solves use one CP-SAT worker each (cores / teams).")
    table.notes.append("sum of shortfall: agent-intervals short over all teams (lower is better).")
    return [table]
