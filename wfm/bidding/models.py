"""The bidding schema: journal transactions, bid items, submissions, rounds, posted prices.

All points are whole numbers (no fractions anywhere in the ledger). Every model is pydantic v2 and
round-trips JSON, so the command line, the HTTP service and the database carry exactly the same shapes.

Sign convention of the journal
------------------------------
``amount`` is always a positive integer except for ``adjust``, which is signed and non-zero. Its effect:

* ``grant``, ``earn``, ``reward``, ``refund`` add ``amount`` to the agent's balance;
* ``penalty``, ``spend``, ``expire`` take ``amount`` from the balance;
* ``adjust`` adds its signed ``amount``;
* ``hold`` sets ``amount`` aside for an open bid; ``release`` gives a hold back. Holds do not change the
  balance; they lower what is *available*: ``available = balance - held``.

So ``balance = grants + earnings + rewards + refunds + adjustments - penalties - spent - expired`` and
``held = holds - releases``; both are sums over the journal, never stored on their own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "TxKind",
    "TX_KINDS",
    "BALANCE_SIGN",
    "Transaction",
    "Balance",
    "ItemKind",
    "BidMode",
    "BidItem",
    "HeldBid",
    "Submission",
    "RoundStatus",
    "Round",
    "PostedPrice",
    "items_digest",
]

TxKind = Literal["grant", "earn", "reward", "penalty", "hold", "release", "spend", "refund", "expire", "adjust"]
TX_KINDS: tuple[str, ...] = ("grant", "earn", "reward", "penalty", "hold", "release", "spend", "refund",
                             "expire", "adjust")
#: Effect of one unit of ``amount`` of each kind on the balance (holds and releases act on ``held``).
BALANCE_SIGN: dict[str, int] = {"grant": 1, "earn": 1, "reward": 1, "refund": 1, "adjust": 1,
                                "penalty": -1, "spend": -1, "expire": -1, "hold": 0, "release": 0}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Transaction(_Model):
    """One journal line. Lines are only ever appended; a correction is a new line (``adjust``/``refund``)."""

    id: int = Field(description="Journal position, increasing with time.")
    ts: dt.datetime = Field(description="When the line was written (UTC).")
    agent: str = Field(description="Agent whose points move.")
    kind: TxKind
    amount: int = Field(description="Points (positive; signed for `adjust`). See the module's sign convention.")
    reason: str = Field("", description="Why, in words (a quality review, 'split shift worked', ...).")
    round: str | None = Field(None, description="Bid round the line belongs to, if any.")
    bid: str | None = Field(None, description="Bid id (`<submission>:<item>`) for holds, releases and spends.")
    shift: str | None = Field(None, description="Shift (and date) the points were earned on, if any.")
    actor: str = Field("", description="Who wrote it: 'manager', 'agent:<id>', 'system', 'cli'.")
    key: str | None = Field(None, description="Idempotency key: applying the same operation twice writes once.")


class Balance(_Model):
    """An agent's points: ``balance`` owned, ``held`` for open bids, ``available = balance - held``."""

    agent: str
    balance: int = Field(description="Points owned (sum of the journal).")
    held: int = Field(description="Points set aside for open bids.")
    available: int = Field(description="Points that can still be bid or spent: balance - held.")


ItemKind = Literal["shift", "tag", "day_off", "avoid_tag"]
BidMode = Literal["exchange", "compete"]


class BidItem(_Model):
    """One thing an agent asks for, with the points it offers.

    * ``shift``: work shift template ``shift`` on ``date``;
    * ``tag``: work any shift tagged ``tag`` on ``date`` (e.g. ``early``);
    * ``day_off``: no shift on ``date`` (holidays included);
    * ``avoid_tag``: no shift tagged ``tag`` in week ``week`` (week ``w`` is days ``7w .. 7w+6`` of the
      round's horizon, the roster's own convention, so the first week is 0).

    ``mode='exchange'`` buys the item at its posted price when coverage allows (``points`` is that price);
    ``mode='compete'`` offers ``points`` for a scarce item: the highest offers win.
    """

    kind: ItemKind
    date: dt.date | None = Field(None, description="Day of a shift, tag or day_off item.")
    week: int | None = Field(None, ge=0, description="Week index of an avoid_tag item (0 = first week).")
    shift: str | None = Field(None, description="Shift template id (kind 'shift').")
    tag: str | None = Field(None, description="Shift tag (kinds 'tag' and 'avoid_tag').")
    points: int = Field(gt=0, description="Points offered (compete) or the posted price (exchange); >= 1.")
    mode: BidMode = "compete"

    @model_validator(mode="after")
    def _shape(self) -> BidItem:
        need = {"shift": ("date", "shift"), "tag": ("date", "tag"), "day_off": ("date",),
                "avoid_tag": ("week", "tag")}[self.kind]
        for name in ("date", "week", "shift", "tag"):
            given = getattr(self, name) is not None
            if name in need and not given:
                raise ValueError(f"a {self.kind} item needs `{name}`")
            if name not in need and given:
                raise ValueError(f"a {self.kind} item takes no `{name}`; got {getattr(self, name)!r}")
        return self

    def target(self) -> tuple[str, str, str]:
        """What the item is about, for duplicate detection: (kind, date or week, shift or tag)."""
        when = f"w{self.week}" if self.kind == "avoid_tag" else str(self.date)
        return self.kind, when, self.shift or self.tag or ""

    def __str__(self) -> str:
        what = {"shift": f"shift {self.shift} on {self.date}", "tag": f"a {self.tag} shift on {self.date}",
                "day_off": f"day off on {self.date}", "avoid_tag": f"no {self.tag} shift in week {self.week}"}
        return f"{what[self.kind]} ({self.mode}, {self.points} points)"


class HeldBid(_Model):
    """One item of an open submission with the points held for it; ``id`` is what a charge names."""

    id: str = Field(description="Bid id `<submission id>:<item index>`.")
    agent: str
    item: BidItem
    held: int = Field(description="Points held for the item (its points).")


class Submission(_Model):
    """An agent's list of items for one round; the latest open one replaces every earlier one."""

    id: int
    round: str
    agent: str
    key: str = Field(description="Idempotency key chosen by the caller.")
    items: list[BidItem]
    status: Literal["open", "replaced", "withdrawn", "settled"]
    created: dt.datetime
    held: int = Field(description="Points held for the items while the submission is open.")

    def bids(self) -> list[HeldBid]:
        """The items as :class:`HeldBid` with their ids."""
        return [HeldBid(id=f"{self.id}:{i}", agent=self.agent, item=it, held=it.points)
                for i, it in enumerate(self.items)]


def items_digest(items: list[BidItem]) -> str:
    """A stable fingerprint of a list of items (same content → same digest), for idempotency keys."""
    payload = json.dumps([it.model_dump(mode="json") for it in items], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


RoundStatus = Literal["open", "closed", "awarded", "published"]


class PostedPrice(_Model):
    """The price of exchange items, per item or per kind of item; a blank field matches anything.

    The most specific price applies: one naming the shift/tag and date beats one naming only the
    shift/tag, which beats one naming only the date, which beats the kind's own price.
    """

    kind: ItemKind
    shift_or_tag: str | None = Field(None, description="Shift id (kind 'shift') or tag; None = any.")
    date: dt.date | None = Field(None, description="Date (or None = any date); avoid_tag prices take `week`.")
    week: int | None = Field(None, ge=0, description="Week index for avoid_tag prices; None = any week.")
    points: int = Field(gt=0, description="Price in points (>= 1).")

    def specificity(self, item: BidItem) -> int | None:
        """How specifically this price matches ``item`` (higher is more specific), or None if it does not."""
        if self.kind != item.kind:
            return None
        key = item.shift or item.tag
        if self.shift_or_tag is not None and self.shift_or_tag != key:
            return None
        if self.date is not None and self.date != item.date:
            return None
        if self.week is not None and self.week != item.week:
            return None
        return 2 * (self.shift_or_tag is not None) + (self.date is not None or self.week is not None)


class Round(_Model):
    """A bid round for one roster problem: ``open → closed → awarded → published``."""

    name: str
    status: RoundStatus
    problem_name: str
    start: dt.date = Field(description="First day of the round's horizon.")
    days: int = Field(description="Days in the round's horizon.")
    prices: list[PostedPrice] = Field(default_factory=list)
    created: dt.datetime
    changed: dt.datetime = Field(description="Time of the last status change.")

    def price_of(self, item: BidItem) -> int | None:
        """The posted price of ``item`` (most specific match), or None when the centre posted none."""
        best: tuple[int, int] | None = None
        for p in self.prices:
            s = p.specificity(item)
            if s is not None and (best is None or s > best[0]):
                best = (s, p.points)
        return None if best is None else best[1]
