"""Stage 2 with re-planning: stage 1 is solved again for the agents still unplaced, round after round.

One stage-1 plan for every agent is a promise about *aggregate* capacity: rows that sum each agent's rules
over a contract group. Agents placed one at a time take the most valuable slots first; the agents left at
the end then face a residue of slots that no real week of theirs can work (late shifts on days before early
ones, short evening shifts beyond their weekly hours), and about a tenth of the plan stays open.

Re-planning shrinks that residue: after a share of the agents are placed (most constrained first), the
covering model is built again for the *remaining* agents only, against the requirement that the placed
agents leave uncovered. The last agents' slots are then planned for exactly their own leave, locks and
weekly capacity, so what they cannot work is never planned. Each round is a smaller LP (HiGHS) and a box
MIP, as in stage 1; the rounds' bounds are not lower bounds of the whole problem (only round 1 is).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from wfm.exceptions import NoSolutionError
from wfm.roster.solvers.decomposed.agent_model import fills, place_agent
from wfm.roster.solvers.decomposed.covering import CoverProblem, CoverResult
from wfm.roster.solvers.decomposed.covering_rows import Stage1Columns, build_stage1
from wfm.roster.solvers.decomposed.data import FlatProblem
from wfm.roster.solvers.decomposed.variants import assign_variants, coverage, variant_counts

__all__ = ["ReplanResult", "replan_construct", "round_sizes", "subproblem"]


@dataclass
class ReplanResult:
    """Roster ``shift[a, d]`` (``-1`` off) from the re-planned construction, and what each round left."""

    shift: np.ndarray
    rounds: int
    unfilled: int
    extra: int
    seconds: float


def subproblem(fp: FlatProblem, agents: np.ndarray, required: np.ndarray) -> FlatProblem:
    """``fp`` restricted to ``agents`` (indices into ``fp``) facing ``required`` agents per interval."""
    idx = np.asarray(agents, dtype=np.int64)
    return replace(fp, agent_contract=fp.agent_contract[idx], available=fp.available[idx],
                   allowed=fp.allowed[idx], locked=[fp.locked[int(a)] for a in idx],
                   required=np.asarray(required, dtype=float))


def round_sizes(n: int, share: float, smallest: int) -> list[int]:
    """Sizes of the successive rounds: ``share`` of the agents left each time, the rest once few remain."""
    out: list[int] = []
    left = n
    while left > 0:
        take = left if left <= smallest else max(int(round(share * left)), 1)
        out.append(take)
        left -= take
    return out


def replan_construct(fp: FlatProblem, order: np.ndarray, first: tuple[CoverProblem, Stage1Columns, CoverResult],
                     solve_round, marginal_values, *, time_limit_s: float,  # noqa: ANN001 - callables
                     seed: int, share: float = 0.25, smallest: int | None = None,
                     deadline: float | None = None, net: bool = False) -> ReplanResult:
    """Place agents in ``order`` (most constrained first), re-planning stage 1 for the rest between rounds.

    Parameters
    ----------
    fp:
        The whole flattened problem.
    order:
        Agent indices in placement order.
    first:
        Round 1's covering model, columns and stage-1 solution (the plan for every agent).
    solve_round:
        ``solve_round(cover, time_limit_s) -> CoverResult``: the stage-1 solve (LP, then box MIP).
    marginal_values:
        ``marginal_values(fp, cover, cols, counts) -> (value_under, value_over)`` as in stage 2.
    time_limit_s:
        Budget of the whole construction, seconds (each agent's one-agent model gets an equal share).
    seed:
        Random seed of the CP-SAT solves.
    share:
        Share of the remaining agents placed each round before re-planning.
    smallest:
        Once this few agents remain they are placed in one last round (default a tenth of the agents, at
        least 8).
    deadline:
        ``time.perf_counter()`` time past which the construction stops with :class:`NoSolutionError` (the
        caller falls back to a faster construction) rather than overrun the solve's limit.
    net:
        Reproducible mode: ``deadline`` is the solve's safety net and also each one-agent solve's wall-clock
        net (their own, four times a fraction of a second, is reached on a loaded machine).
    """
    t0 = time.perf_counter()
    n_a = fp.n_agents
    smallest = max(4, n_a // 40) if smallest is None else smallest
    sizes = round_sizes(n_a, share, smallest)
    shift = np.full((n_a, fp.n_days), -1, dtype=np.int64)
    # the placed agents' cover: variants from each round's plan (the final break placement re-optimises)
    base = np.zeros(len(fp.required), dtype=np.int64)
    placed_fill = np.zeros((len(fp.contracts), fp.n_days, fp.n_shifts), dtype=np.int64)
    wide_mask = np.broadcast_to(fp.usable, placed_fill.shape)
    unfilled = extra = 0
    pos = 0
    budget = min(max(time_limit_s * 0.5 / max(n_a, 1), 0.06), 0.3)
    for r, size in enumerate(sizes):
        left = order[pos:]
        chunk = order[pos:pos + size]
        if r == 0:
            sub = fp
            cover, cols, res = first
        else:
            sub = subproblem(fp, left, np.maximum(fp.required - base, 0.0))
            cover, cols, _ = build_stage1(sub, short_weights=cover.short_weights,
                                                   over_weight=cover.over_weight)
            res = solve_round(cover, max(0.02 * time_limit_s, 1.0))
        slots = np.zeros_like(placed_fill)
        # columns name their group; a group is one contract, so the contract of any member names it
        g_contract = _group_contracts(sub, cols)
        np.add.at(slots, (g_contract[cols.group], cols.day, cols.shift), res.counts)
        v_under, v_over = marginal_values(sub, cover, cols, res.counts)
        open_mask = np.broadcast_to((slots > 0).any(axis=0), slots.shape)
        target = slots + placed_fill  # the residual each placed agent leaves for the others is the plan
        for a in chunk:
            a = int(a)
            if deadline is not None and time.perf_counter() > deadline:
                raise NoSolutionError(f"the re-planned construction ran out of time after {pos} agents",
                                      field="time_limit_s", value=round(time_limit_s, 3))
            shift = place_agent(fp, shift, a, target, open_mask, wide_mask, v_under, v_over, budget=budget,
                                seed=seed, safety_deadline=deadline if net else None)
        mine = np.full_like(shift, -1)
        mine[chunk] = shift[chunk]
        fill = fills(fp, mine)
        if r == len(sizes) - 1:  # what the last plan asked and the last agents could not work
            done = fills(fp, shift) - placed_fill
            unfilled = int(np.maximum(slots - done, 0).sum())
            extra = int(np.maximum(done - slots, 0).sum())
        base = base + coverage(fp, mine, assign_variants(fp, mine, variant_counts(fp, cols, res.counts)))
        placed_fill = placed_fill + fill
        pos += size
    return ReplanResult(shift=shift, rounds=len(sizes), unfilled=unfilled, extra=extra,
                        seconds=time.perf_counter() - t0)


def _group_contracts(fp: FlatProblem, cols: Stage1Columns) -> np.ndarray:
    """Contract index of each stage-1 group of ``fp`` (groups are the contracts present, in sorted order)."""
    return np.array(sorted({int(k) for k in fp.agent_contract}), dtype=np.int64)
