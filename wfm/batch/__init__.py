"""The nightly batch: many teams' rosters from one manifest, on this machine's cores or on a Dask cluster.

    >>> from wfm.batch import load_manifest, run_batch          # doctest: +SKIP
    >>> summary = run_batch(load_manifest("nightly.toml"))      # doctest: +SKIP
    >>> summary.failed                                          # doctest: +SKIP
    []

A team already done with the same inputs and settings is skipped (its done marker holds their hash), so a
killed batch resumes where it stopped; ``force=True`` solves every team again.
"""

from wfm.batch.manifest import Manifest, TeamSpec, load_manifest
from wfm.batch.runner import BatchSummary, run_batch
from wfm.batch.team import TeamResult, build_problem, run_team, solve_and_write

__all__ = ["Manifest", "TeamSpec", "load_manifest", "BatchSummary", "run_batch", "TeamResult", "build_problem",
           "run_team", "solve_and_write"]
