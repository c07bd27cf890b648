"""The nightly batch: every team runs, a broken team fails alone, reruns skip what is done, the local pool
and a Dask cluster give the same files, and a batch killed halfway resumes to the same files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from wfm.api.cli import main
from wfm.batch import load_manifest, run_batch, run_team

from .teamkit import TEAMS, stable_outputs, write_batch

ROOT = Path(__file__).resolve().parents[2]


def _break_team(root: Path, team: str) -> None:
    """An agent on a contract that does not exist: the team fails when its tables are read."""
    path = root / team / "agents.csv"
    path.write_text(path.read_text().replace(",FT,", ",NOPE,", 1))


def test_one_team_runs_then_is_skipped_and_a_broken_team_returns_its_error(tmp_path):
    """The team pipeline in this process (the pool and Dask run exactly this function)."""
    manifest = load_manifest(write_batch(tmp_path, [TEAMS[2], ("broken", 4, 0.3)]))
    _break_team(tmp_path, "broken")
    good, broken = manifest.teams
    first = run_team(good)
    assert first.status == "done" and first.solve_status == "OPTIMAL" and first.time_s > 0
    out = Path(manifest.out_dir)
    marker = json.loads((out / "east.done.json").read_text())
    assert marker["hash"] == good.input_hash() and marker["result"]["objective"] == first.objective
    assert run_team(good).status == "skipped"
    (out / ".east.solution.json.x1.tmp").write_text("half a fi")  # left by a killed run
    forced = run_team(good, force=True)
    assert forced.status == "done" and forced.objective == first.objective
    assert not list(out.glob(".*.tmp"))
    failed = run_team(broken)  # never raises: the error comes back, and in broken.error.json
    assert failed.status == "failed" and failed.error["field"] == "agents.csv:row 2:contract"
    assert not (out / "broken.done.json").exists()


@pytest.mark.slow
def test_a_batch_runs_every_team_and_a_broken_team_fails_alone(tmp_path, capsys):
    manifest = write_batch(tmp_path, [TEAMS[0], TEAMS[1], ("broken", 4, 0.3)])
    _break_team(tmp_path, "broken")
    events = []
    summary = run_batch(load_manifest(manifest), processes=2, progress=events.append)
    by_team = {r.team: r for r in summary.results}
    assert [r.team for r in summary.results] == ["north", "south", "broken"]  # manifest order
    assert by_team["north"].status == by_team["south"].status == "done" and summary.failed == ["broken"]
    assert by_team["north"].solve_status == "OPTIMAL" and by_team["north"].shortfall is not None
    err = by_team["broken"].error
    assert err["code"] == "data_format" and err["field"] == "agents.csv:row 2:contract" and err["value"] == "NOPE"
    out = tmp_path / "out"
    assert json.loads((out / "broken.error.json").read_text())["error"]["field"] == "agents.csv:row 2:contract"
    assert not (out / "broken.done.json").exists() and (out / "north.done.json").exists()
    table = pd.read_csv(out / "summary.csv")
    assert list(table["status"]) == ["done", "done", "failed"] and "NOPE" in table["error"].iloc[2]
    assert json.loads((out / "summary.json").read_text())["teams"][0]["objective"] == by_team["north"].objective
    assert [e.done for e in events] == [0, 1, 2, 3] and events[-1].total == 3
    assert not list(out.glob(".*.tmp"))

    # the command line: done teams are skipped, the broken one fails again, exit status 1
    assert main(["batch", str(manifest), "--quiet"]) == 1
    text = capsys.readouterr().out
    assert "skipped" in text and "1 failed" in text
    # a fixed input reruns only that team; --force reruns everything
    path = tmp_path / "broken" / "agents.csv"
    path.write_text(path.read_text().replace(",NOPE,", ",FT,"))
    again = run_batch(load_manifest(manifest))
    assert [r.status for r in again.results] == ["skipped", "skipped", "done"] and not again.failed
    assert not (out / "broken.error.json").exists()
    assert {r.team: r.objective for r in again.results}["north"] == by_team["north"].objective


def test_batch_bad_manifest_exits_2_naming_the_key(tmp_path, capsys):
    manifest = write_batch(tmp_path, [TEAMS[0]], extra="\n[[teams]]\nid = \"x\"\nproblem = 3\n")
    assert main(["batch", str(manifest), "--log-json"]) == 2
    row = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert row["event"] == "error" and row["field"] == "nightly.toml:teams[1].problem"


@pytest.mark.slow
def test_the_local_pool_and_a_dask_cluster_give_the_same_outputs(tmp_path):
    distributed = pytest.importorskip("distributed")
    manifest = write_batch(tmp_path)
    pool = run_batch(load_manifest(manifest, out_dir=tmp_path / "pool"))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) \
            as cluster:
        dask = run_batch(load_manifest(manifest, out_dir=tmp_path / "dask"), scheduler=cluster.scheduler_address)
    assert not pool.failed and not dask.failed
    assert all(r.solve_status == "OPTIMAL" for r in pool.results)  # so the roster does not depend on timing
    reference, other = stable_outputs(tmp_path / "pool"), stable_outputs(tmp_path / "dask")
    assert len(reference) == 5 * len(TEAMS) and other == reference
    assert dask.backend.startswith("dask tcp://")


@pytest.mark.slow
def test_a_killed_batch_resumes_to_the_same_outputs_and_no_partial_file(tmp_path):
    manifest = write_batch(tmp_path)
    reference = run_batch(load_manifest(manifest, out_dir=tmp_path / "reference"))
    assert not reference.failed
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "wfm", "batch", str(manifest), "--processes", "1", "--quiet"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not list(out.glob("*.done.json")) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the batch and its worker processes, mid-way
        proc.wait()
    done_before = sorted(p.name for p in out.glob("*.done.json"))
    assert 1 <= len(done_before) < len(TEAMS), "the batch should be killed halfway"
    for path in out.iterdir():  # whatever is there under its final name is complete
        if path.suffix == ".json" and not path.name.startswith("."):
            json.loads(path.read_text())
    resumed = run_batch(load_manifest(manifest))
    assert not resumed.failed
    statuses = {r.team: r.status for r in resumed.results}
    assert [statuses[name.removesuffix(".done.json")] for name in done_before] == ["skipped"] * len(done_before)
    assert stable_outputs(out) == stable_outputs(tmp_path / "reference")
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_reproducible_teams_give_the_same_files_on_the_pool_and_on_dask_when_cut_by_the_time_limit(tmp_path):
    """A team the time limit cuts short (not proven optimal): with ``reproducible = true`` its roster does
    not depend on how much work fitted in the wall-clock time, so the pool and a Dask cluster agree."""
    distributed = pytest.importorskip("distributed")
    from wfm.roster import call_centre_instance

    problem = call_centre_instance(n_agents=24, weeks=1, seed=3, source="synthetic")
    (tmp_path / "big.json").write_text(problem.model_dump_json())
    manifest = tmp_path / "nightly.toml"
    manifest.write_text('out_dir = "out"\n\n[[teams]]\nid = "big"\nproblem = "big.json"\ntime_limit = 4\n'
                        'seed = 0\nreproducible = true\n')
    pool = run_batch(load_manifest(manifest, out_dir=tmp_path / "pool"))
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) \
            as cluster:
        dask = run_batch(load_manifest(manifest, out_dir=tmp_path / "dask"), scheduler=cluster.scheduler_address)
    assert not pool.failed and not dask.failed
    assert pool.results[0].solve_status == "FEASIBLE"  # cut by the limit, so timing could have mattered
    assert stable_outputs(tmp_path / "pool") == stable_outputs(tmp_path / "dask")
