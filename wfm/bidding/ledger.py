"""The points ledger: an append-only journal, balances derived from it, and the checks that keep it sound.

    >>> from wfm.bidding import Ledger
    >>> with Ledger(":memory:") as ledger:                       # or a file path: "wfm.sqlite"
    ...     ledger.register_agents(["A01"])
    ...     _ = ledger.grant("A01", 20, reason="monthly grant")
    ...     ledger.balance("A01").available
    20

Every operation is one storage transaction; its checks (agent known, enough available points, key not
reused for other content) read inside that transaction, so they hold with several processes writing.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from typing import Any

from wfm.bidding.faults import pause_point
from wfm.bidding.models import BALANCE_SIGN, TX_KINDS, Balance, Transaction
from wfm.bidding.sqlite import SqliteStorage
from wfm.bidding.storage import JournalRow, Storage, StorageTx
from wfm.exceptions import ConflictError, InvalidParameterError, NotFoundError
from wfm.limits import check_number

__all__ = ["InsufficientPointsError", "Ledger", "check_points", "check_text", "balance_of", "ensure_funded",
           "ensure_agents"]

#: Largest number of points one line may move (SQLite integers are 64-bit; sums must never overflow).
MAX_POINTS = 1_000_000_000
MAX_TEXT = 500


class InsufficientPointsError(ConflictError):
    """An operation would leave an agent with fewer available points than zero (HTTP 409).

    A :class:`~wfm.exceptions.ConflictError`: the request is well formed, but clashes with the agent's
    current balance; ``field`` names what asked for the points and ``value`` how many were asked.
    """

    code = "insufficient_points"


def check_points(name: str, value: Any, *, signed: bool = False) -> int:
    """``value`` as whole points: an integer ``>= 1`` (non-zero and within ±10⁹ when ``signed``)."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = int(text)
        except ValueError:
            raise InvalidParameterError(f"`{name}` must be a whole number of points; got {text!r}", field=name,
                                        value=text) from None
    points = check_number(name, value, low=-MAX_POINTS if signed else 1, high=MAX_POINTS, integer=True)
    if points == 0:
        raise InvalidParameterError(f"`{name}` must not be 0", field=name, value=value)
    return int(points)


def check_text(name: str, value: Any, *, required: bool = True) -> str:
    """A short one-line text (a reason, a name): a string of at most 500 characters, non-blank if required."""
    if not isinstance(value, str):
        raise InvalidParameterError(f"`{name}` must be text; got {value!r}", field=name, value=value)
    text = value.strip()
    if required and not text:
        raise InvalidParameterError(f"`{name}` must not be empty", field=name, value=value)
    if len(text) > MAX_TEXT or "\n" in text or "\x00" in text:
        raise InvalidParameterError(f"`{name}` must be one line of at most {MAX_TEXT} characters", field=name,
                                    value=value)
    return text


def balance_of(agent: str, totals: dict[str, int]) -> Balance:
    """An agent's :class:`Balance` from its per-kind journal sums."""
    balance = sum(BALANCE_SIGN[k] * v for k, v in totals.items())
    held = totals.get("hold", 0) - totals.get("release", 0)
    return Balance(agent=agent, balance=balance, held=held, available=balance - held)


def ensure_agents(tx: StorageTx, agents: Iterable[str], *, field: str = "agent") -> None:
    """Raise :class:`NotFoundError` naming the first agent the ledger does not know."""
    known = tx.known_agents()
    for a in agents:
        if a not in known:
            raise NotFoundError(f"`{field}` names unknown agent {a!r}", field=field, value=a)


def ensure_funded(tx: StorageTx, agents: Iterable[str], *, field: str = "points", asked: int | None = None) -> None:
    """Raise :class:`InsufficientPointsError` (rolling the transaction back) if any of ``agents`` now has a
    negative balance, negative holds or holds above its balance: the invariant every write keeps."""
    agents = list(dict.fromkeys(agents))
    totals = tx.totals(agents)
    for a in agents:
        b = balance_of(a, totals.get(a, {}))
        if b.held < 0 or b.available < 0:
            raise InsufficientPointsError(
                f"agent {a!r} has {b.available + (asked or 0)} points available; asked for {asked} "
                f"(balance {b.balance}, held {b.held - (asked or 0)})" if asked is not None else
                f"agent {a!r} would be left with {b.available} available points (balance {b.balance}, "
                f"held {b.held})", field=field, value=asked if asked is not None else b.available)


class Ledger:
    """The points ledger on a :class:`~wfm.bidding.storage.Storage` (a SQLite file path by default).

    ``Ledger("wfm.sqlite")`` opens or creates the file; ``Ledger(":memory:")`` is a private in-memory ledger
    for tests and notebooks. Use it as a context manager, or call :meth:`close`.
    """

    def __init__(self, storage: Storage | str | os.PathLike[str], **options: Any) -> None:
        self.storage = storage if isinstance(storage, Storage) else SqliteStorage(storage, **options)

    def close(self) -> None:
        """Close the storage connection."""
        self.storage.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ------------------------------------------------------------------------------------- reading
    def register_agents(self, agents: Sequence[str]) -> None:
        """Make agent ids known to the ledger (opening a round registers its problem's agents)."""
        clean = [check_text("agent", a) for a in agents]
        with self.storage.transaction() as tx:
            tx.add_agents(clean)

    def agents(self) -> list[str]:
        """Every registered agent id, sorted."""
        with self.storage.transaction(write=False) as tx:
            return sorted(tx.known_agents())

    def balance(self, agent: str) -> Balance:
        """One agent's balance, held and available points (:class:`NotFoundError` for an unknown agent)."""
        with self.storage.transaction(write=False) as tx:
            ensure_agents(tx, [agent])
            return balance_of(agent, tx.totals([agent]).get(agent, {}))

    def balances(self) -> list[Balance]:
        """Every registered agent's balance, by agent id."""
        with self.storage.transaction(write=False) as tx:
            totals = tx.totals()
            return [balance_of(a, totals.get(a, {})) for a in sorted(tx.known_agents())]

    def journal(self, *, agent: str | None = None, round: str | None = None) -> list[Transaction]:
        """Journal lines in order, optionally one agent's or one round's."""
        with self.storage.transaction(write=False) as tx:
            if agent is not None:
                ensure_agents(tx, [agent])
            return tx.journal(agent=agent, round=round)

    def journal_frame(self, *, agent: str | None = None, round: str | None = None) -> Any:
        """The journal as a pandas DataFrame, one row per line, with a ``delta`` column (effect on balance)."""
        import pandas as pd

        cols = list(Transaction.model_fields)
        lines = self.journal(agent=agent, round=round)
        frame = pd.DataFrame([t.model_dump() for t in lines], columns=cols)
        frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
        frame["delta"] = [BALANCE_SIGN[t.kind] * t.amount for t in lines]
        return frame

    # ------------------------------------------------------------------------------------- writing
    def post(self, rows: Sequence[JournalRow], *, key: str | None = None) -> list[Transaction]:
        """Append ``rows`` in one transaction after checking them; with ``key``, a second call writes nothing
        and returns the first call's lines (a different content under the same key is a ConflictError)."""
        if not rows:
            raise InvalidParameterError("`rows` must not be empty", field="rows", value=0)
        for r in rows:
            if r.kind not in TX_KINDS:
                raise InvalidParameterError(f"`kind` must be one of {', '.join(TX_KINDS)}; got {r.kind!r}",
                                            field="kind", value=r.kind)
            check_points("amount", r.amount, signed=r.kind == "adjust")
        with self.storage.transaction() as tx:
            if key is not None:
                previous = tx.journal(key=key)
                if previous:
                    same = [(t.agent, t.kind, t.amount, t.reason) for t in previous] == \
                           [(r.agent, r.kind, r.amount, r.reason) for r in rows]
                    if not same:
                        raise ConflictError(f"idempotency key {key!r} was already used for other lines",
                                            field="key", value=key)
                    return previous
            ensure_agents(tx, [r.agent for r in rows])
            written = tx.append([r if r.key is not None or key is None else _with_key(r, key) for r in rows])
            pause_point("post")  # crash tests kill the process here: lines written, not committed
            debit = [r for r in rows if BALANCE_SIGN[r.kind] * r.amount < 0 or r.kind in ("hold", "release")]
            if debit:
                ensure_funded(tx, [r.agent for r in debit], asked=debit[0].amount if len(debit) == 1 else None)
            return written

    def _manual(self, kind: str, agent: str, points: Any, reason: Any, actor: str, key: str | None) -> Transaction:
        amount = check_points("points", points, signed=kind == "adjust")
        row = JournalRow(agent=check_text("agent", agent), kind=kind, amount=amount,
                         reason=check_text("reason", reason), actor=actor, key=key)
        return self.post([row], key=key)[0]

    def grant(self, agent: str, points: int, *, reason: str, actor: str = "manager",
              key: str | None = None) -> Transaction:
        """Give ``points`` (>= 1) to ``agent`` (an equal grant per cycle, a welcome grant, ...)."""
        return self._manual("grant", agent, points, reason, actor, key)

    def reward(self, agent: str, points: int, *, reason: str, actor: str = "manager",
               key: str | None = None) -> Transaction:
        """Give ``points`` for quality (the centre's scheme); ``reason`` says what for."""
        return self._manual("reward", agent, points, reason, actor, key)

    def penalty(self, agent: str, points: int, *, reason: str, actor: str = "manager",
                key: str | None = None) -> Transaction:
        """Take ``points`` for a quality finding; never more than the agent has available
        (:class:`InsufficientPointsError` otherwise: the balance never goes below zero)."""
        return self._manual("penalty", agent, points, reason, actor, key)

    def refund(self, agent: str, points: int, *, reason: str, actor: str = "manager",
               key: str | None = None) -> Transaction:
        """Give back ``points`` spent in error."""
        return self._manual("refund", agent, points, reason, actor, key)

    def adjust(self, agent: str, points: int, *, reason: str, actor: str = "manager",
               key: str | None = None) -> Transaction:
        """Correct a balance by signed ``points`` (non-zero); a negative one may not exceed what is available."""
        return self._manual("adjust", agent, points, reason, actor, key)

    def expire(self, before: dt.datetime, *, actor: str = "system") -> list[Transaction]:
        """Expire points earned before ``before`` that are still unspent (oldest points are used first).

        Debits (spends, penalties, expiries, negative adjustments) consume an agent's credits oldest first;
        what is left of credits dated before ``before`` expires, never more than the agent has available
        (points held for open bids stay). Running it again with the same ``before`` expires nothing more.
        """
        if before.tzinfo is None:
            raise InvalidParameterError(f"`before` must be tz-aware; got {before!r}", field="before", value=before)
        with self.storage.transaction() as tx:
            totals = tx.totals()
            rows = []
            for agent in sorted(tx.known_agents()):
                old = _unspent_before(tx.journal(agent=agent), before)
                b = balance_of(agent, totals.get(agent, {}))
                amount = min(old, b.available)
                if amount > 0:
                    rows.append(JournalRow(agent=agent, kind="expire", amount=amount,
                                           reason=f"points earned before {before.date()} expire", actor=actor,
                                           key=f"expire:{before.isoformat()}"))
            if not rows:
                return []
            written = tx.append(rows)
            ensure_funded(tx, [r.agent for r in rows])
            return written


def _with_key(row: JournalRow, key: str) -> JournalRow:
    return JournalRow(agent=row.agent, kind=row.kind, amount=row.amount, reason=row.reason, round=row.round,
                      bid=row.bid, shift=row.shift, actor=row.actor, key=key)


def _unspent_before(lines: Sequence[Transaction], before: dt.datetime) -> int:
    """Points of credits dated before ``before`` still unspent after debits consume credits oldest first."""
    credits: list[list[Any]] = []  # [ts, remaining]
    debt = 0
    for t in lines:
        effect = BALANCE_SIGN[t.kind] * t.amount
        if effect > 0:
            credits.append([t.ts, effect])
        elif effect < 0:
            debt += -effect
        # consume as we go so later credits are not used for earlier debts ahead of older ones
        while debt and credits:
            first = next((c for c in credits if c[1] > 0), None)
            if first is None:
                break
            used = min(first[1], debt)
            first[1] -= used
            debt -= used
    return sum(r for ts, r in credits if ts < before)
