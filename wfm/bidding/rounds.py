"""Bid rounds: ``open → closed → awarded → published``, submissions with holds, posted prices, settlement.

    rounds = Rounds(ledger)
    rounds.open("2026-W10", problem, prices=[PostedPrice(kind="day_off", points=5)])
    rounds.submit("2026-W10", "A01", [BidItem(kind="day_off", date=..., points=5, mode="exchange")],
                  key="a01-first")
    rounds.close("2026-W10")
    rounds.open_bids("2026-W10")              # what the award (part 2) decides on
    rounds.settle("2026-W10", {"1:0": 5})     # spend the awarded points, release every other hold

An agent's submission replaces its previous one while the round is open; the old holds are released and the
new ones taken in the same transaction, and the agent's available points must cover the new holds. Each
submission carries an idempotency key: sending the same key and items again returns the stored submission
and writes nothing; the same key with other items is a :class:`~wfm.exceptions.ConflictError`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from wfm.bidding.faults import pause_point
from wfm.bidding.ledger import Ledger, check_points, check_text, ensure_agents, ensure_funded
from wfm.bidding.models import BidItem, HeldBid, PostedPrice, Round, Submission, Transaction, items_digest
from wfm.bidding.storage import JournalRow, RoundRecord, StorageTx, SubmissionRecord
from wfm.exceptions import ConflictError, InvalidParameterError, NotFoundError
from wfm.roster.models import RosterProblem
from wfm.roster.rules.calendar import weeks

__all__ = ["Rounds", "Settlement", "validate_items", "validate_prices", "MAX_ITEMS"]

#: Most items in one submission.
MAX_ITEMS = 200
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Settlement:
    """What :meth:`Rounds.settle` wrote: points spent and released, per agent, and the journal lines."""

    round: str
    spent: dict[str, int]
    released: dict[str, int]
    lines: list[Transaction]


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidParameterError("`round` must be 1-64 letters, digits, '_', '.' or '-' starting with a letter "
                                    f"or digit; got {name!r}", field="round", value=name)
    return name


def _weeks(problem: RosterProblem) -> int:
    return len(weeks(problem))  # the roster's weeks: an avoid_tag bid's week is the weekly rules' week


def _check_when(problem: RosterProblem, item: BidItem, where: str) -> None:
    h = problem.horizon
    if item.kind == "avoid_tag":
        assert item.week is not None
        if item.week >= _weeks(problem):
            raise InvalidParameterError(f"`{where}.week` must be in 0..{_weeks(problem) - 1} (weeks of the round); "
                                        f"got {item.week}", field=f"{where}.week", value=item.week)
        return
    assert item.date is not None
    if not 0 <= h.day_of(item.date) < h.days:
        last = h.date_of(h.days - 1)
        raise InvalidParameterError(f"`{where}.date` must be within the round, {h.start} to {last}; got "
                                    f"{item.date}", field=f"{where}.date", value=str(item.date))


def validate_items(problem: RosterProblem, agent: str, items: Sequence[BidItem],
                   prices: Sequence[PostedPrice] = ()) -> list[BidItem]:
    """Check a submission's items against the round's problem and prices; return them unchanged.

    Raises :class:`InvalidParameterError` naming ``items[i].<field>`` and the bad value for: an unknown
    shift or tag, a date or week outside the round, a shift that does not run on that weekday or that the
    agent's contract may not work, a duplicate item, an exchange item without a posted price or whose points
    differ from it, more than :data:`MAX_ITEMS` items. An agent not in the problem is a
    :class:`NotFoundError`.
    """
    agents = {a.id: a for a in problem.agents}
    if agent not in agents:
        raise NotFoundError(f"`agent` {agent!r} is not in the round's roster problem", field="agent", value=agent)
    if not items:
        raise InvalidParameterError("`items` must not be empty (withdraw a submission to cancel it)",
                                    field="items", value=0)
    if len(items) > MAX_ITEMS:
        raise InvalidParameterError(f"`items` must hold at most {MAX_ITEMS} items; got {len(items)}",
                                    field="items", value=len(items))
    shifts = {s.id: s for s in problem.shifts}
    tags = {t for s in problem.shifts for t in s.tags}
    contract = problem.contract_of(agents[agent])
    round_view = Round(name="_", status="open", problem_name=problem.name, start=problem.horizon.start,
                       days=problem.horizon.days, prices=list(prices), created=_EPOCH, changed=_EPOCH)
    seen: dict[tuple[str, str, str], int] = {}
    for i, item in enumerate(items):
        where = f"items[{i}]"
        if item.kind == "shift":
            if item.shift not in shifts:
                raise InvalidParameterError(f"`{where}.shift` names unknown shift {item.shift!r}; known: "
                                            f"{', '.join(sorted(shifts)[:10])}", field=f"{where}.shift",
                                            value=item.shift)
            assert item.date is not None
            if item.date.weekday() not in shifts[item.shift].weekdays:
                raise InvalidParameterError(f"`{where}.date`: shift {item.shift!r} does not run on "
                                            f"{item.date:%A}s; got {item.date}", field=f"{where}.date",
                                            value=str(item.date))
            if contract.allowed_shifts is not None and item.shift not in contract.allowed_shifts:
                raise InvalidParameterError(f"`{where}.shift`: agent {agent!r}'s contract {contract.id!r} may "
                                            f"not work shift {item.shift!r}", field=f"{where}.shift",
                                            value=item.shift)
        if item.kind in ("tag", "avoid_tag") and item.tag not in tags:
            raise InvalidParameterError(f"`{where}.tag` names a tag no shift carries: {item.tag!r}; known: "
                                        f"{', '.join(sorted(tags)[:10])}", field=f"{where}.tag", value=item.tag)
        _check_when(problem, item, where)
        target = item.target()
        if target in seen:
            raise InvalidParameterError(f"`{where}` repeats items[{seen[target]}] ({item})", field=where,
                                        value=" ".join(target))
        seen[target] = i
        if item.mode == "exchange":
            price = round_view.price_of(item)
            if price is None:
                raise InvalidParameterError(f"`{where}.mode`: no posted price for {item}; bid with mode compete",
                                            field=f"{where}.mode", value=item.mode)
            if item.points != price:
                raise InvalidParameterError(f"`{where}.points`: an exchange item costs its posted price {price}; "
                                            f"got {item.points}", field=f"{where}.points", value=item.points)
    return list(items)


def validate_prices(problem: RosterProblem, prices: Sequence[PostedPrice]) -> list[PostedPrice]:
    """Check posted prices against the problem (known shift or tag, date or week inside the round)."""
    shifts = {s.id for s in problem.shifts}
    tags = {t for s in problem.shifts for t in s.tags}
    h = problem.horizon
    seen: set[tuple[Any, ...]] = set()
    for i, p in enumerate(prices):
        where = f"prices[{i}]"
        if p.shift_or_tag is not None:
            known = shifts if p.kind == "shift" else tags
            if p.kind == "day_off":
                raise InvalidParameterError(f"`{where}.shift_or_tag` must be empty for day_off prices; got "
                                            f"{p.shift_or_tag!r}", field=f"{where}.shift_or_tag",
                                            value=p.shift_or_tag)
            if p.shift_or_tag not in known:
                raise InvalidParameterError(f"`{where}.shift_or_tag` names unknown {p.kind} {p.shift_or_tag!r}",
                                            field=f"{where}.shift_or_tag", value=p.shift_or_tag)
        if p.date is not None and not 0 <= h.day_of(p.date) < h.days:
            raise InvalidParameterError(f"`{where}.date` must be within the round; got {p.date}",
                                        field=f"{where}.date", value=str(p.date))
        if p.week is not None and (p.kind != "avoid_tag" or p.week >= _weeks(problem)):
            raise InvalidParameterError(f"`{where}.week` is for avoid_tag prices, 0..{_weeks(problem) - 1}; got "
                                        f"{p.week}", field=f"{where}.week", value=p.week)
        key = (p.kind, p.shift_or_tag, p.date, p.week)
        if key in seen:
            raise InvalidParameterError(f"`{where}` repeats an earlier price for the same items", field=where,
                                        value=str(key))
        seen.add(key)
    return list(prices)


class Rounds:
    """Bid rounds kept in a :class:`~wfm.bidding.ledger.Ledger`'s storage."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    # ------------------------------------------------------------------------------------- reading
    def _record(self, tx: StorageTx, name: str) -> RoundRecord:
        rec = tx.get_round(_check_name(name))
        if rec is None:
            raise NotFoundError(f"`round` {name!r} does not exist", field="round", value=name)
        return rec

    def _round(self, rec: RoundRecord) -> Round:
        problem = self._problem(rec)
        return Round(name=rec.name, status=rec.status, problem_name=problem.name,  # type: ignore[arg-type]
                     start=problem.horizon.start, days=problem.horizon.days,
                     prices=[PostedPrice.model_validate(p) for p in json.loads(rec.prices_json)],
                     created=rec.created, changed=rec.changed)

    def _problem(self, rec: RoundRecord) -> RosterProblem:
        # a round's problem never changes once stored, so each process parses it once (the HTTP service
        # makes a Rounds per request, hence a cache shared by all of them, bounded to a few problems)
        cache_key = (rec.name, rec.created, len(rec.problem_json), hash(rec.problem_json))
        problem = _PROBLEMS.pop(cache_key, None) or RosterProblem.model_validate_json(rec.problem_json)
        _PROBLEMS[cache_key] = problem
        while len(_PROBLEMS) > 16:
            _PROBLEMS.popitem(last=False)
        return problem

    def award_json(self, name: str) -> str | None:
        """The stored award of round ``name`` as JSON text (None before it is awarded)."""
        with self.ledger.storage.transaction(write=False) as tx:
            self._record(tx, name)
            return tx.get_award(name)

    def get(self, name: str) -> Round:
        """The round ``name`` (:class:`NotFoundError` if there is none)."""
        with self.ledger.storage.transaction(write=False) as tx:
            return self._round(self._record(tx, name))

    def list_rounds(self) -> list[Round]:
        """Every round, oldest first."""
        with self.ledger.storage.transaction(write=False) as tx:
            return [self._round(r) for r in tx.list_rounds()]

    def problem(self, name: str) -> RosterProblem:
        """The roster problem the round bids on."""
        with self.ledger.storage.transaction(write=False) as tx:
            return self._problem(self._record(tx, name))

    @staticmethod
    def _submission(rec: SubmissionRecord) -> Submission:
        return Submission(id=rec.id, round=rec.round, agent=rec.agent, key=rec.key, status=rec.status,  # type: ignore[arg-type]
                          items=[BidItem.model_validate(x) for x in json.loads(rec.items_json)],
                          created=rec.created, held=rec.held if rec.status == "open" else 0)

    def submission(self, name: str, agent: str) -> Submission | None:
        """``agent``'s current (open or settled) submission in round ``name``, or None."""
        with self.ledger.storage.transaction(write=False) as tx:
            self._record(tx, name)
            ensure_agents(tx, [agent])
            recs = [r for r in tx.submissions(name, agent=agent) if r.status in ("open", "settled")]
            return self._submission(recs[-1]) if recs else None

    def submissions(self, name: str, *, status: str | None = "open") -> list[Submission]:
        """Every submission of round ``name`` in ``status`` (None: all, including replaced ones)."""
        with self.ledger.storage.transaction(write=False) as tx:
            self._record(tx, name)
            return [self._submission(r) for r in tx.submissions(name, status=status)]

    def open_bids(self, name: str) -> list[HeldBid]:
        """Every item of every open submission of the round, with its id and the points held for it: what the
        award decides on (the round is normally closed by then)."""
        return [b for s in self.submissions(name, status="open") for b in s.bids()]

    # ------------------------------------------------------------------------------------- lifecycle
    def open(self, name: str, problem: RosterProblem, *, prices: Sequence[PostedPrice] = (),
             actor: str = "manager") -> Round:
        """Open a new round on ``problem`` with posted ``prices``; registers the problem's agents."""
        _check_name(name)
        if not isinstance(problem, RosterProblem):
            raise InvalidParameterError(f"`problem` must be a RosterProblem; got {type(problem).__name__}",
                                        field="problem", value=type(problem).__name__)
        prices = validate_prices(problem, prices)
        with self.ledger.storage.transaction() as tx:
            if tx.get_round(name) is not None:
                raise ConflictError(f"`round` {name!r} already exists", field="round", value=name)
            tx.add_agents([a.id for a in problem.agents])
            tx.insert_round(name, problem.model_dump_json(),
                            json.dumps([p.model_dump(mode="json") for p in prices]))
            return self._round(self._record(tx, name))

    def set_prices(self, name: str, prices: Sequence[PostedPrice]) -> Round:
        """Replace the posted prices of an open round that has no submission yet (holds were priced)."""
        with self.ledger.storage.transaction() as tx:
            rec = self._record(tx, name)
            self._require(rec, "open", "change its prices")
            if tx.submissions(name):
                raise ConflictError(f"round {name!r} already has submissions priced at the old prices",
                                    field="prices", value=name)
            prices = validate_prices(self._problem(rec), prices)
            tx.set_round_prices(name, json.dumps([p.model_dump(mode="json") for p in prices]))
            return self._round(self._record(tx, name))

    @staticmethod
    def _require(rec: RoundRecord, status: str, action: str) -> None:
        if rec.status != status:
            raise ConflictError(f"round {rec.name!r} is {rec.status}; only a round that is {status} can {action}",
                                field="round", value=rec.status)

    def _move(self, name: str, source: str, target: str, action: str) -> Round:
        with self.ledger.storage.transaction() as tx:
            self._require(self._record(tx, name), source, action)
            tx.set_round_status(name, target)
            return self._round(self._record(tx, name))

    def close(self, name: str) -> Round:
        """Stop taking submissions (open → closed); the holds stay until :meth:`settle`."""
        return self._move(name, "open", "closed", "be closed")

    def publish(self, name: str) -> Round:
        """Make the award visible to agents (awarded → published)."""
        return self._move(name, "awarded", "published", "be published")

    # ------------------------------------------------------------------------------------- submissions
    def submit(self, name: str, agent: str, items: Sequence[BidItem | Mapping[str, Any]], *, key: str,
               actor: str | None = None) -> Submission:
        """Store ``agent``'s items for round ``name``, replacing its previous submission, and hold their points.

        ``key`` is the caller's idempotency key (1-500 characters): the same key with the same items returns
        the stored submission and writes nothing; with other items it raises :class:`ConflictError`. Raises
        :class:`InsufficientPointsError` when the agent's available points (its open holds in this round
        count as available, since they are released) do not cover the items; nothing is written then.
        """
        return self.submit_many(name, {agent: items}, keys={agent: key}, actor=actor)[agent]

    def submit_many(self, name: str, items: Mapping[str, Sequence[BidItem | Mapping[str, Any]]], *,
                    keys: Mapping[str, str], actor: str | None = None) -> dict[str, Submission]:
        """:meth:`submit` for several agents in one transaction: all are stored, or (on any error) none."""
        parsed: dict[str, tuple[str, list[BidItem]]] = {}
        for agent, its in items.items():
            if agent not in keys:
                raise InvalidParameterError(f"`keys` has no idempotency key for agent {agent!r}", field="keys",
                                            value=agent)
            parsed[agent] = (check_text("key", keys[agent]), _parse_items(its))
        with self.ledger.storage.transaction() as tx:
            rec = self._record(tx, name)
            ensure_agents(tx, list(parsed))
            return {agent: self._submit_in(tx, rec, agent, its, key, actor or f"agent:{agent}")
                    for agent, (key, its) in parsed.items()}

    def _submit_in(self, tx: StorageTx, rec: RoundRecord, agent: str, items: list[BidItem], key: str,
                   actor: str) -> Submission:
        name = rec.name
        digest = items_digest(items)
        again = tx.submissions(name, agent=agent, key=key)
        if again:
            if again[0].digest != digest:
                raise ConflictError(f"idempotency key {key!r} was already used by agent {agent!r} for other "
                                    "items", field="key", value=key)
            return self._submission(again[0])
        self._require(rec, "open", "take submissions")
        try:
            validate_items(self._problem(rec), agent, items, self._round(rec).prices)
        except (InvalidParameterError, NotFoundError) as err:
            raise type(err)(f"agent {agent!r}: {err}", field=err.field, value=err.value) from None
        tx.append(self._release_open(tx, name, agent, status="replaced", reason="replaced by a new submission",
                                     actor=actor))
        pause_point("submit")  # crash tests kill the process here: releases written, holds not yet
        total = sum(it.points for it in items)
        sid = tx.insert_submission(name, agent, key, digest, json.dumps([it.model_dump(mode="json")
                                                                          for it in items]), total)
        tx.append([JournalRow(agent=agent, kind="hold", amount=it.points, reason=f"bid: {it}", round=name,
                              bid=f"{sid}:{i}", shift=_shift_ref(it), actor=actor)
                   for i, it in enumerate(items)])
        ensure_funded(tx, [agent], field="items", asked=total)
        return self._submission(tx.submissions(name, agent=agent, key=key)[0])

    def withdraw(self, name: str, agent: str, *, actor: str | None = None) -> Submission:
        """Cancel ``agent``'s open submission while the round is open, releasing its holds."""
        actor = actor or f"agent:{agent}"
        with self.ledger.storage.transaction() as tx:
            rec = self._record(tx, name)
            ensure_agents(tx, [agent])
            self._require(rec, "open", "take withdrawals")
            current = tx.submissions(name, agent=agent, status="open")
            if not current:
                raise NotFoundError(f"agent {agent!r} has no open submission in round {name!r}", field="agent",
                                    value=agent)
            tx.append(self._release_open(tx, name, agent, status="withdrawn", reason="withdrawn", actor=actor))
            return self._submission(tx.submissions(name, agent=agent, key=current[0].key)[0])

    def _release_open(self, tx: StorageTx, name: str, agent: str | None, *, status: str, reason: str,
                      actor: str) -> list[JournalRow]:
        rows = []
        current = tx.submissions(name, agent=agent, status="open")
        for s in current:
            for b in self._submission(s).bids():
                rows.append(JournalRow(agent=s.agent, kind="release", amount=b.held, reason=reason, round=name,
                                       bid=b.id, shift=_shift_ref(b.item), actor=actor))
        tx.set_submission_status([s.id for s in current], status)
        return rows

    # ------------------------------------------------------------------------------------- settlement
    def settle(self, name: str, charges: Mapping[str, int], *, actor: str = "manager",
               record: str | None = None) -> Settlement:
        """Settle a closed round in one transaction: release every hold, spend ``charges`` (bid id → points)
        and mark the round awarded.

        A charge must name an open bid of the round and be whole points from 1 to the points held for it
        (a compete bid pays what it bid, an exchange item its posted price; the award decides). Either
        everything is written or nothing: a crash or an error part-way leaves the round closed and every
        balance as it was. ``record`` (the award as JSON text, :mod:`wfm.bidding.award`) is stored with the
        round in the same transaction.
        """
        with self.ledger.storage.transaction() as tx:
            rec = self._record(tx, name)
            self._require(rec, "closed", "be settled")
            bids = {b.id: b for s in tx.submissions(name, status="open") for b in self._submission(s).bids()}
            clean: dict[str, int] = {}
            for bid_id, points in charges.items():
                if bid_id not in bids:
                    raise NotFoundError(f"`charges` names bid {bid_id!r}, not an open bid of round {name!r}",
                                        field="charges", value=bid_id)
                amount = check_points(f"charges[{bid_id}]", points)
                if amount > bids[bid_id].held:
                    raise InvalidParameterError(f"`charges[{bid_id}]` must be at most the {bids[bid_id].held} "
                                                f"points held for it; got {amount}", field=f"charges[{bid_id}]",
                                                value=amount)
                clean[bid_id] = amount
            lines = tx.append(self._release_open(tx, name, None, status="settled", reason="round settled",
                                                 actor=actor))
            pause_point("settle")  # crash tests kill the process here: holds released, nothing spent yet
            lines += tx.append([JournalRow(agent=bids[b].agent, kind="spend", amount=p,
                                           reason=f"awarded: {bids[b].item}", round=name, bid=b,
                                           shift=_shift_ref(bids[b].item), actor=actor)
                                for b, p in sorted(clean.items())])
            ensure_funded(tx, {b.agent for b in bids.values()}, field="charges")
            if record is not None:
                tx.put_award(name, record)
            tx.set_round_status(name, "awarded")
        spent: dict[str, int] = {}
        released: dict[str, int] = {}
        for t in lines:
            target = spent if t.kind == "spend" else released
            target[t.agent] = target.get(t.agent, 0) + t.amount
        return Settlement(round=name, spent=spent, released=released, lines=lines)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_PROBLEMS: OrderedDict[tuple[Any, ...], RosterProblem] = OrderedDict()


def _shift_ref(item: BidItem) -> str:
    if item.kind == "avoid_tag":
        return f"week {item.week} no {item.tag}"
    what = item.shift or item.tag or "off"
    return f"{item.date} {what}"


def _parse_items(items: Sequence[BidItem | Mapping[str, Any]]) -> list[BidItem]:
    parsed = []
    for i, it in enumerate(items):
        try:
            parsed.append(it if isinstance(it, BidItem) else BidItem.model_validate(it))
        except ValidationError as exc:
            raise _item_error(exc, i) from None
    return parsed


def _item_error(exc: ValidationError, index: int) -> InvalidParameterError:
    err = exc.errors()[0]
    loc = ".".join(str(x) for x in err["loc"])
    field = f"items[{index}]" + (f".{loc}" if loc else "")
    return InvalidParameterError(f"`{field}`: {err['msg']}; got {err.get('input')!r}", field=field,
                                 value=err.get("input"))
