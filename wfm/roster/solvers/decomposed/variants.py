"""Break variants of a roster: hand per-(day, shift) variant counts to agents, and the cover they give.

A roster of the decomposed solver is ``shift[a, d]`` (shift index, ``-1`` off) plus ``var[a, d]``, the
break variant each worked shift uses (:class:`wfm.roster.solvers.decomposed.data.Variant`).
"""

from __future__ import annotations

import numpy as np

from wfm.roster.solvers.decomposed.covering_rows import Stage1Columns
from wfm.roster.solvers.decomposed.data import FlatProblem

__all__ = ["assign_variants", "coverage", "variant_counts"]


def assign_variants(fp: FlatProblem, shift: np.ndarray, counts: dict[tuple[int, int], np.ndarray] | None = None
                    ) -> np.ndarray:
    """A break variant per worked (agent, day): from per-(day, shift) variant counts, else the first."""
    var = np.full(shift.shape, -1, dtype=np.int64)
    pools: dict[tuple[int, int], list[int]] = {}
    if counts is not None:
        for key, c in counts.items():
            pools[key] = [v for v, n in enumerate(c) for _ in range(int(n))]
    for a, d in zip(*np.nonzero(shift >= 0), strict=True):
        key = (int(d), int(shift[a, d]))
        pool = pools.get(key)
        var[a, d] = pool.pop() if pool else 0
    return var


def coverage(fp: FlatProblem, shift: np.ndarray, var: np.ndarray, skip: set[tuple[int, int]] | None = None
             ) -> np.ndarray:
    """Agents on the phones per horizon interval (cells in ``skip`` left out)."""
    cov = np.zeros(len(fp.required), dtype=np.int64)
    for a, d in zip(*np.nonzero(shift >= 0), strict=True):
        if skip and (int(a), int(d)) in skip:
            continue
        cov[fp.variants[int(d), int(shift[a, d])][int(var[a, d])].intervals] += 1
    return cov


def variant_counts(fp: FlatProblem, cols: Stage1Columns, counts: np.ndarray) -> dict[tuple[int, int], np.ndarray]:
    """Agents per break variant of each (day, shift), summed over the stage-1 columns (``cols``) and their
    ``counts`` (the contract groups of a column do not matter for breaks)."""
    out: dict[tuple[int, int], np.ndarray] = {}
    for c, (d, s, v) in enumerate(zip(cols.day, cols.shift, cols.variant, strict=True)):
        key = (int(d), int(s))
        if key not in out:
            out[key] = np.zeros(len(fp.variants[key]), dtype=np.int64)
        out[key][v] += counts[c]
    return out
