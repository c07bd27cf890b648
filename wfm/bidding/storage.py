"""The small storage interface the ledger and the rounds are written against.

A :class:`Storage` hands out transactions; a :class:`StorageTx` offers the few reads and appends the
bidding logic needs. Everything the logic checks (balances, round status, idempotency keys) it reads
*inside* the same write transaction it then writes in, so an implementation only has to guarantee that
write transactions are serialised (SQLite: ``BEGIN IMMEDIATE``; a server database: ``SERIALIZABLE`` or a
row lock per agent). :mod:`wfm.bidding.sqlite` is the default implementation.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from wfm.bidding.models import Transaction

__all__ = ["JournalRow", "RoundRecord", "SubmissionRecord", "TokenRecord", "StorageTx", "Storage"]


@dataclass(frozen=True)
class JournalRow:
    """A journal line to append (the storage adds its id and time)."""

    agent: str
    kind: str
    amount: int
    reason: str = ""
    round: str | None = None
    bid: str | None = None
    shift: str | None = None
    actor: str = ""
    key: str | None = None


@dataclass(frozen=True)
class RoundRecord:
    """A stored round: status, the roster problem and the posted prices as JSON text."""

    name: str
    status: str
    problem_json: str
    prices_json: str
    created: dt.datetime
    changed: dt.datetime


@dataclass(frozen=True)
class SubmissionRecord:
    """A stored submission: items as JSON text, their digest, and the points held when it was written."""

    id: int
    round: str
    agent: str
    key: str
    digest: str
    items_json: str
    status: str
    held: int
    created: dt.datetime


@dataclass(frozen=True)
class TokenRecord:
    """A bearer token, by the sha256 of its text: a role ('agent' or 'manager') and, for agents, who."""

    digest: str
    role: str
    agent: str | None
    created: dt.datetime
    revoked: bool


class StorageTx(abc.ABC):
    """One transaction: reads see everything committed before it began plus its own writes."""

    # ---- journal
    @abc.abstractmethod
    def append(self, rows: Sequence[JournalRow]) -> list[Transaction]:
        """Append journal lines; return them as written (with id and time)."""

    @abc.abstractmethod
    def totals(self, agents: Sequence[str] | None = None) -> dict[str, dict[str, int]]:
        """Sum of ``amount`` per agent and kind (agents with no lines are absent)."""

    @abc.abstractmethod
    def journal(self, *, agent: str | None = None, round: str | None = None,
                key: str | None = None) -> list[Transaction]:
        """Journal lines in order, optionally only one agent's, one round's or one key's."""

    @abc.abstractmethod
    def key_used(self, key: str) -> bool:
        """Whether any journal line carries idempotency key ``key``."""

    # ---- agents
    @abc.abstractmethod
    def add_agents(self, agents: Sequence[str]) -> None:
        """Register agent ids (already known ones are ignored)."""

    @abc.abstractmethod
    def known_agents(self) -> set[str]:
        """Every registered agent id."""

    # ---- rounds
    @abc.abstractmethod
    def insert_round(self, name: str, problem_json: str, prices_json: str) -> None:
        """Store a new round in status 'open'."""

    @abc.abstractmethod
    def get_round(self, name: str) -> RoundRecord | None:
        """The round called ``name``, or None."""

    @abc.abstractmethod
    def list_rounds(self) -> list[RoundRecord]:
        """Every round, oldest first."""

    @abc.abstractmethod
    def set_round_status(self, name: str, status: str) -> None:
        """Change a round's status (the caller checked the transition)."""

    @abc.abstractmethod
    def set_round_prices(self, name: str, prices_json: str) -> None:
        """Replace a round's posted prices."""

    # ---- submissions
    @abc.abstractmethod
    def insert_submission(self, round: str, agent: str, key: str, digest: str, items_json: str,
                          held: int) -> int:
        """Store an open submission; return its id."""

    @abc.abstractmethod
    def submissions(self, round: str, *, agent: str | None = None, key: str | None = None,
                    status: str | None = None) -> list[SubmissionRecord]:
        """Submissions of a round, oldest first, filtered by agent, idempotency key and status."""

    @abc.abstractmethod
    def set_submission_status(self, ids: Sequence[int], status: str) -> None:
        """Change the status of submissions."""

    # ---- awards
    @abc.abstractmethod
    def put_award(self, round: str, award_json: str) -> None:
        """Store (or replace) the award of a round as JSON text."""

    @abc.abstractmethod
    def get_award(self, round: str) -> str | None:
        """The stored award of a round, or None."""

    # ---- tokens
    @abc.abstractmethod
    def insert_token(self, digest: str, role: str, agent: str | None) -> None:
        """Store a token by the sha256 of its text."""

    @abc.abstractmethod
    def get_token(self, digest: str) -> TokenRecord | None:
        """The token with this digest, or None."""

    @abc.abstractmethod
    def revoke_token(self, digest: str) -> bool:
        """Revoke a token; False when it does not exist."""


class Storage(abc.ABC):
    """Where the ledger lives. ``transaction(write=True)`` serialises against every other writer."""

    @abc.abstractmethod
    def transaction(self, *, write: bool = True) -> AbstractContextManager[StorageTx]:
        """A transaction committed when the block ends normally and rolled back when it raises."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the connection."""

    def __enter__(self) -> Storage:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def iter_chunks(values: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    """``values`` in slices of at most ``size`` (SQL parameter lists stay under the engine's limit)."""
    for i in range(0, len(values), size):
        yield values[i:i + size]
