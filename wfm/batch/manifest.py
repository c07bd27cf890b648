"""The nightly batch's manifest: one entry per team, its inputs and its solver settings.

A manifest is TOML (or the same structure in JSON). Paths are relative to the manifest's folder::

    out_dir = "nightly"                  # where every team's roster and the summary go

    [defaults]                           # any team setting, applied where a team does not give it
    time_limit = 30                      # seconds per team
    seed = 0
    start = "2026-03-02"
    days = 28
    timezone = "Europe/Paris"

    [[teams]]
    id = "north"                         # file names start with it: letters, digits, '-', '_', '.'
    agents = "north/agents.csv"
    shifts = "north/shifts.csv"
    contracts = "north/contracts.toml"
    requirements = "north/requirements.csv"
    leave = "north/leave.csv"            # optional

    [[teams]]
    id = "south"
    problem = "south.json"               # or a RosterProblem JSON instead of the tables
    time_limit = 60
    workers = 2                          # CP-SAT workers; default: this machine's cores / teams
    # also: interval_minutes (default: the requirements' spacing), strategy, answer_seconds, weekend_days,
    # skill_column (a requirements column, e.g. "queue": per-skill cover instead of a head count)

Errors in the manifest itself (an unknown key, a missing table) stop the batch before it starts and name
``<manifest>:teams[i].<key>``; errors in a team's files fail that team only, when it runs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any

from wfm.exceptions import DataFormatError

__all__ = ["TeamSpec", "Manifest", "load_manifest", "TABLE_KEYS", "SETTING_KEYS"]

TABLE_KEYS = ("agents", "shifts", "contracts", "requirements", "leave")
SETTING_KEYS = ("start", "days", "timezone", "interval_minutes", "time_limit", "seed", "workers", "strategy",
                "answer_seconds", "weekend_days", "skill_column", "reproducible")
_TEAM_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_KINDS: dict[str, tuple[type, ...]] = {
    "start": (str, dt.date), "days": (int,), "timezone": (str,), "interval_minutes": (int,),
    "time_limit": (int, float), "seed": (int,), "workers": (int,), "strategy": (str,),
    "answer_seconds": (int, float), "weekend_days": (list,), "skill_column": (str,), "reproducible": (bool,)}


@dataclasses.dataclass(frozen=True)
class TeamSpec:
    """One team of a batch: where its inputs are, where its outputs go, and how to solve it.

    Paths are absolute (a Dask worker on another machine needs them on a shared file system).
    ``settings`` holds the keys of :data:`SETTING_KEYS` that were given (time limit in seconds).
    """

    id: str
    out_dir: str
    problem: str | None = None
    tables: dict[str, str] = dataclasses.field(default_factory=dict)
    settings: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def time_limit_s(self) -> float:
        return float(self.settings.get("time_limit", 60.0))

    @property
    def seed(self) -> int:
        return int(self.settings.get("seed", 0))

    def inputs(self) -> dict[str, str]:
        """Every input file by role: ``{"problem": path}`` or the tables."""
        return {"problem": self.problem} if self.problem is not None else dict(self.tables)

    def input_hash(self) -> str:
        """SHA-256 of every input file's bytes, the settings given and the wfm version: a changed input or
        setting changes it, so the batch reruns that team. (The CP-SAT threads a batch picks by itself when
        ``workers`` is not set do not count: adding a team must not rerun the others.)"""
        from wfm import __version__

        digest = hashlib.sha256()
        head = {"team": self.id, "settings": self.settings, "wfm": __version__}
        digest.update(json.dumps(head, sort_keys=True, default=str).encode())
        for role, path in sorted(self.inputs().items()):
            digest.update(f"\0{role}\0".encode())
            digest.update(Path(path).read_bytes())
        return digest.hexdigest()


@dataclasses.dataclass(frozen=True)
class Manifest:
    """A parsed manifest: the teams in order and the output folder."""

    path: str
    out_dir: str
    teams: list[TeamSpec]


def load_manifest(path: str | os.PathLike[str], *, out_dir: str | os.PathLike[str] | None = None) -> Manifest:
    """Read a TOML or JSON manifest (see the module docstring); ``out_dir`` overrides the manifest's.

    Raises
    ------
    DataFormatError
        The manifest is unreadable or malformed; ``field`` is ``"<manifest>:teams[i].<key>"``.
    """
    source = Path(path).resolve()
    name = source.name
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DataFormatError(f"{name}: manifest not found: {source}", field=name, value=str(source)) from exc
    try:
        data = json.loads(text) if source.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DataFormatError(f"{name}: not valid {'JSON' if source.suffix == '.json' else 'TOML'}: {exc}",
                              field=name, value=str(exc)) from None
    if not isinstance(data, dict):
        raise DataFormatError(f"{name}: the manifest must be a table of keys", field=name, value=type(data).__name__)
    unknown = sorted(set(data) - {"out_dir", "defaults", "teams"})
    if unknown:
        raise DataFormatError(f"{name}: unknown key(s) {unknown}; allowed: out_dir, defaults, teams",
                              field=f"{name}:{unknown[0]}", value=unknown[0])
    base = source.parent
    target = Path(out_dir) if out_dir is not None else base / str(data.get("out_dir", "batch-out"))
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise DataFormatError(f"{name}:defaults: must be a table of settings", field=f"{name}:defaults",
                              value=defaults)
    _check_settings(defaults, f"{name}:defaults", allow_tables=False)
    teams_raw = data.get("teams")
    if not isinstance(teams_raw, list) or not teams_raw:
        raise DataFormatError(f"{name}:teams: give at least one [[teams]] entry", field=f"{name}:teams",
                              value=teams_raw)
    teams: list[TeamSpec] = []
    seen: set[str] = set()
    for i, raw in enumerate(teams_raw):
        where = f"{name}:teams[{i}]"
        if not isinstance(raw, dict):
            raise DataFormatError(f"{where}: each team is a table of keys", field=where, value=raw)
        team_id = raw.get("id")
        if not isinstance(team_id, str) or not _TEAM_ID.fullmatch(team_id):
            raise DataFormatError(f"{where}.id: must be 1-64 letters, digits, '-', '_' or '.' (it names files)",
                                  field=f"{where}.id", value=team_id)
        if team_id in seen:
            raise DataFormatError(f"{where}.id: duplicate team id", field=f"{where}.id", value=team_id)
        seen.add(team_id)
        _check_settings(raw, where, allow_tables=True)
        settings = {k: v for k, v in {**defaults, **raw}.items() if k in SETTING_KEYS}
        if isinstance(settings.get("start"), dt.date):
            settings["start"] = settings["start"].isoformat()
        tables = {k: str((base / raw[k]).resolve()) for k in TABLE_KEYS if k in raw}
        problem = str((base / raw["problem"]).resolve()) if "problem" in raw else None
        if problem is not None and tables:
            raise DataFormatError(f"{where}: give either `problem` or the tables, not both",
                                  field=f"{where}.problem", value=raw["problem"])
        if problem is None:
            missing = [k for k in ("agents", "shifts", "contracts", "requirements") if k not in tables]
            missing += [k for k in ("start", "days") if k not in settings]
            if missing:
                raise DataFormatError(f"{where}: a team from tables needs {missing} (or a `problem` file)",
                                      field=f"{where}.{missing[0]}", value=None)
        teams.append(TeamSpec(id=team_id, out_dir=str(target.resolve()), problem=problem, tables=tables,
                              settings=settings))
    return Manifest(path=str(source), out_dir=str(target.resolve()), teams=teams)


def _check_settings(raw: dict[str, Any], where: str, *, allow_tables: bool) -> None:
    allowed = set(SETTING_KEYS) | ({"id", "problem", *TABLE_KEYS} if allow_tables else set())
    for key, value in raw.items():
        if key not in allowed:
            raise DataFormatError(f"{where}.{key}: unknown key; allowed: {sorted(allowed)}", field=f"{where}.{key}",
                                  value=key)
        # bool is an int to Python: accept it only where a bool is asked for
        kinds = _KINDS.get(key)
        if kinds and (not isinstance(value, kinds) or isinstance(value, bool) and bool not in kinds):
            raise DataFormatError(f"{where}.{key}: must be {' or '.join(t.__name__ for t in kinds)}",
                                  field=f"{where}.{key}", value=value)
        if key in ("problem", *TABLE_KEYS) and not isinstance(value, str):
            raise DataFormatError(f"{where}.{key}: must be a file path", field=f"{where}.{key}", value=value)
    for key, low in (("time_limit", 0.0), ("days", 1), ("workers", 1)):
        if key in raw and not (raw[key] > low if key == "time_limit" else raw[key] >= low):
            raise DataFormatError(f"{where}.{key}: must be {'>' if key == 'time_limit' else '>='} {low}",
                                  field=f"{where}.{key}", value=raw[key])
