"""HTTP routes of shift bidding (``/v1/bid/...``): what an agent portal and a manager's tools call.

Every route needs ``Authorization: Bearer <token>`` (tokens from ``wfm bid token issue``). An agent token
reads and changes only its own bids and balance; grants, rewards, penalties, prices, opening and closing
rounds are a manager's. No token or an unknown one → 401; a token acting beyond its rights → 403; nothing is
changed then. The routes only translate: request model → one :mod:`wfm.bidding` call → response model.

The ledger is the SQLite file given to ``bid_router(db)``, else ``$WFM_DB`` (``wfm serve --db PATH`` sets
it), else ``wfm.sqlite``.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from wfm.api.errors import responses
from wfm.bidding.auth import Principal, authenticate, check_token_shape
from wfm.bidding.award import Award, BidResult, StageReport, award_round, stored_award
from wfm.bidding.award.fairness import FairnessReport, round_fairness
from wfm.bidding.ledger import Ledger
from wfm.bidding.models import Balance, BidItem, HeldBid, PostedPrice, Round, Submission, Transaction
from wfm.bidding.rounds import Rounds
from wfm.exceptions import NotFoundError, require_extra
from wfm.roster.models import RosterProblem

__all__ = ["bid_router", "PointsRequest", "OpenRoundRequest", "SubmitRequest", "WhoAmI", "AwardRequest",
           "AwardSummary"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PointsRequest(_Model):
    """A manual movement of points by a manager."""

    agent: str = Field(min_length=1, max_length=200, description="Agent id.", examples=["A01"])
    points: int = Field(gt=0, le=1_000_000_000, description="Whole points, >= 1.", examples=[10])
    reason: str = Field(min_length=1, max_length=500, description="Why (shown in the journal).",
                        examples=["monthly grant"])
    key: str | None = Field(None, max_length=500, description="Idempotency key: the same key again writes nothing.")


class OpenRoundRequest(_Model):
    """A new bid round on a roster problem, with the posted prices of exchange items."""

    name: str = Field(description="Round name: letters, digits, '_', '.', '-'.", examples=["2026-W10"])
    problem: RosterProblem
    prices: list[PostedPrice] = Field(default_factory=list, description="Posted prices (points).")


class SubmitRequest(_Model):
    """An agent's items for a round; replaces its previous submission while the round is open."""

    items: list[BidItem] = Field(min_length=1, max_length=200)
    key: str = Field(min_length=1, max_length=500, description="Idempotency key chosen by the client: resending "
                                                               "the same key and items changes nothing.")


class AwardRequest(_Model):
    """How a manager awards a closed round (inside the roster solve; see wfm.bidding.award)."""

    time_limit_s: float = Field(60.0, gt=0, le=3600, description="Seconds for the award stages.", examples=[60])
    seed: int = Field(0, ge=0, description="Seed of the solves and of the tie-breaking draw.")
    coverage_tolerance: float = Field(0.0, ge=0, le=10, description="Relative roster cost the bids may add "
                                                                   "(0: coverage never given up).")
    seniority: bool = Field(True, description="Break ties in favour of senior agents before the draw.")


class AwardSummary(_Model):
    """What an award decided, without the roster (read it with GET .../award)."""

    round: str
    cost: float = Field(description="Roster cost as the checker scores it.")
    baseline_cost: float = Field(description="Cost of the bid-free roster.")
    points: int = Field(description="Points of the awarded bids.")
    points_bound: int = Field(description="Proven upper bound of the points.")
    min_share: float = Field(description="Least share of its bid points a bidding agent won.")
    stages: list[StageReport]
    charges: dict[str, int]


class WhoAmI(_Model):
    """Whom a token stands for."""

    role: Literal["agent", "manager"]
    agent: str | None = None


def bid_router(db: str | os.PathLike[str] | None = None) -> Any:
    """The ``/v1/bid`` routes as a FastAPI ``APIRouter`` over the ledger at ``db`` (see the module docstring)."""
    fastapi = require_extra("fastapi", "server")
    Depends, Header = fastapi.Depends, fastapi.Header  # noqa: N806 - FastAPI's own names

    # every bidding route can meet these (the one error shape of wfm.api.errors), so each is documented on all
    router = fastapi.APIRouter(prefix="/v1/bid", tags=["bidding"], responses=responses(401, 403, 404, 409, 413, 422))

    def path() -> Path:
        return Path(db) if db is not None else Path(os.environ.get("WFM_DB", "wfm.sqlite"))

    def caller(authorization: Annotated[str | None, Header(description="Bearer <token>")] = None) -> Principal:
        scheme, _, token = (authorization or "").partition(" ")
        # a request without a well-formed token is refused before the database is even opened
        token = check_token_shape(token.strip() if scheme.lower() == "bearer" else None)
        with Ledger(path()) as book:
            return authenticate(book, token)

    Who = Annotated[Principal, Depends(caller)]  # noqa: N806 - type aliases

    def ledger(who: Who) -> Iterator[Ledger]:  # opened only for an authenticated caller
        with Ledger(path()) as opened:
            yield opened

    Book = Annotated[Ledger, Depends(ledger)]  # noqa: N806

    @router.get("/whoami", response_model=WhoAmI)
    def whoami(who: Who) -> WhoAmI:
        return WhoAmI(role=who.role, agent=who.agent)

    @router.get("/balances", response_model=list[Balance])
    def balances(who: Who, book: Book) -> list[Balance]:
        who.require_manager("read every balance")
        return book.balances()

    @router.get("/balances/{agent}", response_model=Balance)
    def balance(agent: str, who: Who, book: Book) -> Balance:
        who.require_agent(agent)
        return book.balance(agent)

    @router.get("/ledger", response_model=list[Transaction])
    def journal(who: Who, book: Book, agent: str | None = None, round: str | None = None) -> list[Transaction]:
        if who.role != "manager":
            who.require_agent(agent or "")  # an agent must ask for its own lines by name
        return book.journal(agent=agent, round=round)

    def move(kind: str) -> Any:
        def route(req: PointsRequest, who: Who, book: Book) -> Transaction:
            who.require_manager(f"{kind} points")
            return getattr(book, kind)(req.agent, req.points, reason=req.reason, actor=who.actor, key=req.key)

        route.__name__ = kind
        return route

    for kind in ("grant", "reward", "penalty"):
        router.add_api_route(f"/{kind}", move(kind), methods=["POST"], response_model=Transaction,
                             summary=f"{kind.capitalize()} points (manager)")

    @router.get("/rounds", response_model=list[Round])
    def rounds(who: Who, book: Book) -> list[Round]:
        return Rounds(book).list_rounds()

    @router.post("/rounds", response_model=Round, status_code=201)
    def open_round(req: OpenRoundRequest, who: Who, book: Book) -> Round:
        who.require_manager("open a round")
        return Rounds(book).open(req.name, req.problem, prices=req.prices, actor=who.actor)

    @router.get("/rounds/{name}", response_model=Round)
    def get_round(name: str, who: Who, book: Book) -> Round:
        return Rounds(book).get(name)

    @router.put("/rounds/{name}/prices", response_model=Round)
    def set_prices(name: str, prices: list[PostedPrice], who: Who,
                   book: Book) -> Round:
        who.require_manager("set prices")
        return Rounds(book).set_prices(name, prices)

    @router.post("/rounds/{name}/close", response_model=Round)
    def close_round(name: str, who: Who, book: Book) -> Round:
        who.require_manager("close a round")
        return Rounds(book).close(name)

    @router.get("/rounds/{name}/bids", response_model=list[HeldBid])
    def open_bids(name: str, who: Who, book: Book) -> list[HeldBid]:
        who.require_manager("read every agent's bids")
        return Rounds(book).open_bids(name)

    @router.put("/rounds/{name}/submissions/{agent}", response_model=Submission)
    def submit(name: str, agent: str, req: SubmitRequest, who: Who,
               book: Book) -> Submission:
        who.require_agent(agent)
        return Rounds(book).submit(name, agent, req.items, key=req.key, actor=who.actor)

    @router.get("/rounds/{name}/submissions/{agent}", response_model=Submission)
    def get_submission(name: str, agent: str, who: Who,
                       book: Book) -> Submission:
        who.require_agent(agent)
        found = Rounds(book).submission(name, agent)
        if found is None:
            raise NotFoundError(f"agent {agent!r} has no submission in round {name!r}", field="agent", value=agent)
        return found

    @router.delete("/rounds/{name}/submissions/{agent}", response_model=Submission)
    def withdraw(name: str, agent: str, who: Who, book: Book) -> Submission:
        who.require_agent(agent)
        return Rounds(book).withdraw(name, agent, actor=who.actor)

    # -- part 2: the award ------------------------------------------------------------------------------
    @router.post("/rounds/{name}/award", response_model=AwardSummary)
    def award(name: str, req: AwardRequest, who: Who, book: Book) -> AwardSummary:
        who.require_manager("award a round")
        done = award_round(book, name, actor=who.actor, time_limit_s=req.time_limit_s, seed=req.seed,
                           coverage_tolerance=req.coverage_tolerance, seniority=req.seniority)
        return AwardSummary(round=name, **done.model_dump(include={"cost", "baseline_cost", "points", "points_bound",
                                                                   "min_share", "stages", "charges"}))

    @router.post("/rounds/{name}/publish", response_model=Round)
    def publish(name: str, who: Who, book: Book) -> Round:
        who.require_manager("publish a round")
        return Rounds(book).publish(name)

    @router.get("/rounds/{name}/award", response_model=Award)
    def get_award(name: str, who: Who, book: Book) -> Award:
        who.require_manager("read the whole award")
        return stored_award(book, name)

    @router.get("/rounds/{name}/results/{agent}", response_model=list[BidResult])
    def results(name: str, agent: str, who: Who, book: Book) -> list[BidResult]:
        who.require_agent(agent)
        if who.role != "manager" and Rounds(book).get(name).status != "published":
            raise NotFoundError(f"round {name!r} has no published results yet", field="round", value=name)
        return stored_award(book, name).for_agent(agent)

    @router.get("/rounds/{name}/fairness", response_model=FairnessReport)
    def fairness(name: str, who: Who, book: Book) -> FairnessReport:
        who.require_manager("read the fairness report")
        return round_fairness(stored_award(book, name), Rounds(book).problem(name))

    return router
