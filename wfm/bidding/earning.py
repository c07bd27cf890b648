"""Earning rules: points for a worked roster, applied once.

A centre pays for the shifts nobody wants: each worked shift earns the rate of every tag it carries
(``split``, ``late``, ...), plus ``weekend`` when it falls on a weekend day and ``holiday`` on a listed
holiday; every agent gets an equal grant per cycle; agents who bid in the last round and won nothing get a
bonus (Verint's "none approved" bonus); old unspent points may expire. Rules live in a TOML file::

    cycle_grant = 10
    none_approved_bonus = 5
    expire_after_days = 365
    holidays = ["2026-04-06"]
    [per_tag]
    split = 3
    late = 1
    weekend = 2
    holiday = 4

Applying the same roster twice earns once: the journal lines carry a key derived from the roster's
assignments (or the ``cycle`` name given), and a key already in the journal writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tomllib
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from wfm.bidding.faults import pause_point
from wfm.bidding.ledger import Ledger
from wfm.bidding.models import Transaction
from wfm.bidding.storage import JournalRow
from wfm.exceptions import DataFormatError, InvalidParameterError
from wfm.roster.models import RosterSolution

__all__ = ["EarningRules", "earnings_for", "apply_earning", "roster_key"]


class EarningRules(BaseModel):
    """How a worked roster earns points (all rates are whole points, >= 0)."""

    model_config = ConfigDict(extra="forbid")

    cycle_grant: int = Field(0, ge=0, le=1_000_000, description="Points every agent gets once per cycle.")
    per_tag: dict[str, int] = Field(default_factory=dict,
                                    description="Points per worked shift carrying the tag; 'weekend' and "
                                                "'holiday' match by date.")
    weekend_days: list[int] = Field(default_factory=lambda: [5, 6], description="Weekdays of the weekend.")
    holidays: list[dt.date] = Field(default_factory=list, description="Dates that earn the 'holiday' rate.")
    none_approved_bonus: int = Field(0, ge=0, le=1_000_000,
                                     description="Points for agents who bid in the last round and won nothing.")
    expire_after_days: int | None = Field(None, ge=1, description="Points older than this many days expire "
                                                                  "when the rules are applied; None: never.")

    @field_validator("per_tag")
    @classmethod
    def _rates(cls, v: dict[str, int]) -> dict[str, int]:
        for tag, rate in v.items():
            if not isinstance(rate, int) or isinstance(rate, bool) or not 0 <= rate <= 1_000_000:
                raise ValueError(f"`per_tag.{tag}` must be whole points in 0..1000000; got {rate!r}")
        return v

    @field_validator("weekend_days")
    @classmethod
    def _weekdays(cls, v: list[int]) -> list[int]:
        if any(not 0 <= d <= 6 for d in v):
            raise ValueError(f"`weekend_days` must be weekdays 0..6; got {v}")
        return v

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> EarningRules:
        """Read rules from a TOML file; errors name the file, the field and the bad value."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise DataFormatError(f"{path}: not valid TOML: {exc}", field="file", value=str(path)) from None
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(x) for x in err["loc"])
            raise DataFormatError(f"{path}: `{field}`: {err['msg']}; got {err.get('input')!r}", field=field,
                                  value=err.get("input")) from None


def roster_key(solution: RosterSolution) -> str:
    """A fingerprint of who works what when (the same roster gives the same key, whatever else changed)."""
    rows = sorted((a.agent, a.date.isoformat(), a.shift) for a in solution.assignments)
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:32]


def earnings_for(solution: RosterSolution, rules: EarningRules, *, agents: Sequence[str] = (),
                 no_award: Sequence[str] = ()) -> list[JournalRow]:
    """The journal lines a worked roster earns under ``rules`` (nothing written).

    ``agents`` are given the cycle grant besides those in the roster (people with no shift this cycle);
    ``no_award`` are the agents who bid in the last round and won nothing.
    """
    holidays = set(rules.holidays)
    everyone = sorted(set(agents) | {a.agent for a in solution.assignments})
    rows = [JournalRow(agent=a, kind="grant", amount=rules.cycle_grant, reason="cycle grant", actor="system")
            for a in everyone if rules.cycle_grant]
    for x in sorted(solution.assignments, key=lambda x: (x.agent, x.date, x.shift)):
        tags = list(dict.fromkeys(x.tags))
        if x.date.weekday() in rules.weekend_days:
            tags.append("weekend")
        if x.date in holidays:
            tags.append("holiday")
        for tag in tags:
            rate = rules.per_tag.get(tag, 0)
            if rate:
                rows.append(JournalRow(agent=x.agent, kind="earn", amount=rate, reason=f"{tag} shift worked",
                                       shift=f"{x.date} {x.shift}", actor="system"))
    rows += [JournalRow(agent=a, kind="grant", amount=rules.none_approved_bonus,
                        reason="none-approved bonus: bid last round and won nothing", actor="system")
             for a in sorted(set(no_award)) if rules.none_approved_bonus]
    return rows


def apply_earning(ledger: Ledger, solution: RosterSolution, rules: EarningRules, *, agents: Sequence[str] = (),
                  last_round: str | None = None, cycle: str | None = None,
                  now: dt.datetime | None = None) -> list[Transaction]:
    """Write what ``solution`` earns under ``rules`` into ``ledger``, once.

    The lines carry the key ``earn:<cycle>`` (``cycle`` defaults to :func:`roster_key` of the roster), so a
    second application of the same roster returns the first one's lines and writes nothing. With
    ``last_round`` (an awarded round), agents who bid in it and were charged nothing get the none-approved
    bonus. With ``rules.expire_after_days``, points older than that (before ``now``) then expire.
    """
    key = f"earn:{cycle or roster_key(solution)}"
    no_award: list[str] = []
    if last_round is not None:
        from wfm.bidding.rounds import Rounds

        rounds = Rounds(ledger)
        rnd = rounds.get(last_round)
        if rnd.status not in ("awarded", "published"):
            raise InvalidParameterError(f"`last_round` {last_round!r} is {rnd.status}, not yet awarded",
                                        field="last_round", value=last_round)
        bidders = {s.agent for s in rounds.submissions(last_round, status="settled")}
        winners = {t.agent for t in ledger.journal(round=last_round) if t.kind == "spend"}
        no_award = sorted(bidders - winners)
    rows = [JournalRow(agent=r.agent, kind=r.kind, amount=r.amount, reason=r.reason, round=last_round
                       if r.reason.startswith("none-approved") else None, shift=r.shift, actor=r.actor, key=key)
            for r in earnings_for(solution, rules, agents=agents, no_award=no_award)]
    with ledger.storage.transaction() as tx:
        if tx.key_used(key):
            return tx.journal(key=key)
        tx.add_agents(sorted({r.agent for r in rows}))
        half = len(rows) // 2
        written = tx.append(rows[:half])
        pause_point("earn")  # crash tests kill the process here: half the lines written, not committed
        written += tx.append(rows[half:])
    if rules.expire_after_days is not None:
        cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=rules.expire_after_days)
        written += ledger.expire(cutoff)
    return written
