"""Bearer tokens for the agent portal and the managers' tools, stored hashed in the ledger's database.

A token is ``wfm_`` followed by 32 random bytes (``secrets.token_urlsafe``); the database keeps only its
sha256, so a copy of the file does not let anyone act. An *agent* token acts for one agent (its own bids and
balance); a *manager* token does everything (grants, rewards, penalties, prices, opening and closing rounds).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

from wfm.bidding.ledger import Ledger, check_text, ensure_agents
from wfm.exceptions import AuthenticationError, InvalidParameterError, PermissionDeniedError

__all__ = ["Role", "Principal", "issue_token", "revoke_token", "authenticate", "check_token_shape", "token_digest"]

Role = Literal["agent", "manager"]
TOKEN_PREFIX = "wfm_"


def token_digest(token: str) -> str:
    """The sha256 (hex) under which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who is calling: a manager, or one agent."""

    role: Role
    agent: str | None = None

    @property
    def actor(self) -> str:
        """How the journal records this caller: ``manager`` or ``agent:<id>``."""
        return "manager" if self.role == "manager" else f"agent:{self.agent}"

    def require_manager(self, action: str) -> None:
        """Raise :class:`PermissionDeniedError` unless a manager is calling."""
        if self.role != "manager":
            raise PermissionDeniedError(f"only a manager may {action}; this token is agent {self.agent!r}'s",
                                        field="token", value=self.actor)

    def require_agent(self, agent: str) -> None:
        """Raise :class:`PermissionDeniedError` unless the caller is ``agent`` itself or a manager."""
        if self.role != "manager" and self.agent != agent:
            raise PermissionDeniedError(f"agent {self.agent!r} may not act for agent {agent!r}", field="agent",
                                        value=agent)


def issue_token(ledger: Ledger, *, agent: str | None = None, manager: bool = False) -> str:
    """Create a token for ``agent`` (which the ledger must know) or, with ``manager=True``, a manager.

    Returns the token text; it is shown once and stored only as its sha256.
    """
    if manager == (agent is not None):
        raise InvalidParameterError("give exactly one of `agent` or `manager`", field="agent", value=agent)
    if agent is not None:
        agent = check_text("agent", agent)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with ledger.storage.transaction() as tx:
        if agent is not None:
            ensure_agents(tx, [agent])
        tx.insert_token(token_digest(token), "manager" if manager else "agent", agent)
    return token


def revoke_token(ledger: Ledger, token: str) -> bool:
    """Revoke a token (it authenticates nobody afterwards); False when it was never issued."""
    with ledger.storage.transaction() as tx:
        return tx.revoke_token(token_digest(token))


def check_token_shape(token: str | None) -> str:
    """``token`` if it looks like a wfm token (checked before any database is touched), else
    :class:`AuthenticationError`."""
    if not token:
        raise AuthenticationError("a bearer token is required (Authorization: Bearer <token>)", field="token")
    if len(token) > 200 or not token.startswith(TOKEN_PREFIX):
        raise AuthenticationError("the bearer token is not a wfm token", field="token")
    return token


def authenticate(ledger: Ledger, token: str | None) -> Principal:
    """The :class:`Principal` a token stands for; :class:`AuthenticationError` for none, unknown or revoked."""
    token = check_token_shape(token)
    with ledger.storage.transaction(write=False) as tx:
        record = tx.get_token(token_digest(token))
    if record is None or record.revoked:
        raise AuthenticationError("the bearer token matches no active token", field="token")
    return Principal(role=record.role, agent=record.agent)  # type: ignore[arg-type]
