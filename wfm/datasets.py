"""Readers for the public "Anonymous Bank" call-centre data (Technion SEE Lab, 1999).

The files are not shipped with wfm (read them in place). :func:`find_data_dir` looks for them in
``$WFM_DATA``, then ``../shared/data`` beside the project checkout, then ``./shared/data``.
See Brown et al., "Statistical analysis of a telephone call center", JASA 100 (2005).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.exceptions import DataFormatError

__all__ = ["find_data_dir", "load_bank_arrivals", "load_bank_calls"]

ARRIVALS_FILE = "anonymous_bank_6min_1999_jan-sep.csv"
CALLS_FILE = "anonymous_bank_calls_1999-02.tsv"


def find_data_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding the bank files: ``path`` if given, else ``$WFM_DATA``, else ``../shared/data``.

    Raises ``FileNotFoundError`` naming every place looked at.
    """
    candidates = [Path(path)] if path is not None else []
    if path is None:
        if os.environ.get("WFM_DATA"):
            candidates.append(Path(os.environ["WFM_DATA"]))
        candidates += [Path(__file__).resolve().parents[2] / "shared" / "data", Path.cwd() / "shared" / "data",
                       Path.cwd().parent / "shared" / "data"]
    for c in candidates:
        if (c / ARRIVALS_FILE).exists() or (c / CALLS_FILE).exists():
            return c
    raise FileNotFoundError(
        "bank call-centre data not found; looked in: " + ", ".join(str(c) for c in candidates)
        + ". Pass the folder explicitly or set WFM_DATA."
    )


def _resolve(path: str | os.PathLike[str] | None, name: str) -> Path:
    p = Path(path) if path is not None else find_data_dir() / name
    if p.is_dir():
        p = p / name
    if not p.exists():
        raise FileNotFoundError(f"{p} does not exist")
    return p


def load_bank_arrivals(path: str | os.PathLike[str] | None = None, *, freq: str | None = None,
                       queue: str = "bank") -> pd.DataFrame:
    """Arrival counts as a long interval frame with columns ``queue``, ``ts``, ``volume``, ``imputed``.

    Parameters
    ----------
    path:
        The CSV file or its folder; default :func:`find_data_dir`.
    freq:
        Aggregate the 6-minute slots to this pandas frequency (e.g. ``"30min"``, a multiple of 6 minutes);
        ``None`` keeps 6 minutes.
    queue:
        Value of the ``queue`` id column.
    """
    raw = pd.read_csv(_resolve(path, ARRIVALS_FILE), parse_dates=["timestamp"])
    missing = {"timestamp", "calls"} - set(raw.columns)
    if missing:
        raise DataFormatError(f"arrival file lacks column(s) {sorted(missing)}; has {list(raw.columns)}")
    frame = pd.DataFrame({"ts": raw["timestamp"], "volume": raw["calls"].astype(float),
                          "imputed": raw.get("imputed", False).astype(bool)})
    if freq is not None:
        frame = (frame.set_index("ts").resample(freq, label="left", closed="left")
                 .agg({"volume": "sum", "imputed": "max"}).reset_index())
    frame.insert(0, "queue", queue)
    return frame


def load_bank_calls(path: str | os.PathLike[str] | None = None, *, keep_phantom: bool = False) -> pd.DataFrame:
    """Per-call records, one row per call, in plain units.

    Columns: ``call_id``, ``queue`` (service type), ``priority``, ``arrival`` (timestamp the caller entered the
    queue, i.e. left the voice-response unit), ``wait_seconds`` (time in queue), ``outcome`` (``answered``,
    ``abandoned`` or ``phantom``), ``answered``, ``abandoned`` (bools), ``handle_seconds`` (service time of
    answered calls, NaN otherwise), ``agent`` (NaN where the record names no agent).

    ``keep_phantom`` keeps the spurious PHANTOM records (dropped by default).
    """
    raw = pd.read_csv(_resolve(path, CALLS_FILE), sep="\t", dtype={"date": str})
    day = pd.to_datetime(raw["date"], format="%y%m%d")
    exit_vru = pd.to_timedelta(raw["vru_exit"])
    entry_vru = pd.to_timedelta(raw["vru_entry"])
    # a call that entered the VRU before midnight and left it after wraps the clock
    exit_vru = exit_vru.where(exit_vru >= entry_vru, exit_vru + pd.Timedelta(days=1))
    outcome = raw["outcome"].map({"AGENT": "answered", "HANG": "abandoned", "PHANTOM": "phantom"})
    if outcome.isna().any():
        bad = raw.loc[outcome.isna(), "outcome"].unique()[:5]
        raise DataFormatError(f"column `outcome` must be AGENT, HANG or PHANTOM; got {list(bad)}")
    answered = (outcome == "answered").to_numpy()
    frame = pd.DataFrame({
        "call_id": raw["call_id"].to_numpy(),
        "queue": raw["type"].astype(str).to_numpy(),
        "priority": raw["priority"].to_numpy(),
        "arrival": (day + exit_vru).to_numpy(),
        "wait_seconds": raw["q_time"].astype(float).to_numpy(),
        "outcome": outcome.to_numpy(),
        "answered": answered,
        "abandoned": (outcome == "abandoned").to_numpy(),
        "handle_seconds": np.where(answered, raw["ser_time"].astype(float), np.nan),
        "agent": raw["server"].where(raw["server"] != "NO_SERVER").to_numpy(),
    })
    if not keep_phantom:
        frame = frame[frame["outcome"] != "phantom"]
    return frame.sort_values("arrival", kind="stable").reset_index(drop=True)
