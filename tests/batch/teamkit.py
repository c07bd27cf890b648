"""Small teams for batch tests, cut from the ``wfm init`` sample: few agents, scaled-down requirements.

Each team solves to proven optimality in about a second with one CP-SAT worker, so its roster does not
depend on the machine's load or the time limit: the pool and Dask runs must then give the same files.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from wfm.roster.sample_tables import SAMPLE_DAYS, SAMPLE_START, write_sample_tables

#: (team id, agents, requirement scale): measured OPTIMAL within 2 s each with workers=1.
TEAMS = [("north", 6, 0.4), ("south", 5, 0.4), ("east", 4, 0.25), ("west", 5, 0.45)]


def write_team(src: Path, dest: Path, n_agents: int, scale: float) -> None:
    """A team folder with the sample's shifts and contracts, ``n_agents`` agents (2 part-time) and the
    sample's requirements times ``scale``."""
    dest.mkdir(parents=True, exist_ok=True)
    agents = pd.read_csv(src / "agents.csv", comment="#")
    agents = pd.concat([agents[agents.contract == "FT"].head(n_agents - 2), agents[agents.contract == "PT"].head(2)])
    agents.to_csv(dest / "agents.csv", index=False)
    req = pd.read_csv(src / "requirements.csv")
    req["agents"] = (req["agents"] * scale).round().astype(int)
    req.to_csv(dest / "requirements.csv", index=False)
    for name in ("shifts.csv", "contracts.toml"):
        (dest / name).write_text((src / name).read_text())


def write_batch(root: Path, teams: list[tuple[str, int, float]] = TEAMS, *, time_limit: float = 20.0,
                extra: str = "") -> Path:
    """Team folders under ``root`` and ``root/nightly.toml`` naming them; returns the manifest path."""
    src = root / "sample"
    if not src.exists():
        write_sample_tables(src)
    lines = ['out_dir = "out"', "", "[defaults]", f"time_limit = {time_limit}", "seed = 0", "workers = 1",
             f'start = "{SAMPLE_START}"', f"days = {SAMPLE_DAYS}", ""]
    for team, n, scale in teams:
        write_team(src, root / team, n, scale)
        lines += ["[[teams]]", f'id = "{team}"'] + [f'{k} = "{team}/{k}.{ext}"' for k, ext in
                                                  (("agents", "csv"), ("shifts", "csv"), ("contracts", "toml"),
                                                   ("requirements", "csv"))] + [""]
    manifest = root / "nightly.toml"
    manifest.write_text("\n".join(lines) + extra)
    return manifest


def stable_outputs(out: Path) -> dict[str, str]:
    """Every team output that must be identical run to run: the CSVs, and the solution JSON without its
    timing fields (wall-clock seconds differ between runs by nature)."""
    files: dict[str, str] = {}
    for path in sorted(out.iterdir()):
        if path.name.endswith((".assignments.csv", ".coverage.csv", ".problem.json", ".check.json")):
            files[path.name] = path.read_text()
        elif path.name.endswith(".solution.json"):
            data = json.loads(path.read_text())
            for key in ("solve_time_s", "time_to_first_solution_s", "info"):
                data.pop(key, None)
            files[path.name] = json.dumps(data, sort_keys=True)
    return files
