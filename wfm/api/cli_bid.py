"""``wfm bid ...``: the points ledger and bid rounds from the command line.

    wfm bid open problem.json --round 2026-W10 [--prices prices.csv]
    wfm bid submit 2026-W10 bids.csv            # every agent's items; rerunning the same file changes nothing
    wfm bid withdraw 2026-W10 A01
    wfm bid close 2026-W10
    wfm bid bids 2026-W10 [--agent A01]         # open submissions and their holds
    wfm bid balance [A01]
    wfm bid ledger [-o journal.csv] [--agent A01] [--round 2026-W10]
    wfm bid grant|reward|penalty A01 10 --reason "monthly grant"
    wfm bid earn roster.json --rules rules.toml [--round LAST_ROUND] [--problem problem.json]
    wfm bid token issue --agent A01 | --manager
    wfm bid token revoke TOKEN
    wfm bid award 2026-W10 --time-limit 60 --seed 0 --out-dir award/   # inside the roster solve; settles
    wfm bid publish 2026-W10
    wfm bid report 2026-W10                     # fairness of the round and over all rounds

Every command takes ``--db PATH`` (default ``wfm.sqlite``; created on first use). Bad input prints one line
naming the file, the field and the bad value, and exits with status 2; nothing is written then.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from wfm.exceptions import DataFormatError, WfmError

__all__ = ["add_bid_parser"]


@contextmanager
def _in_file(path: Path) -> Iterator[None]:
    """Re-raise a domain error met while using ``path`` with the file's name in front (same class and field)."""
    try:
        yield
    except WfmError as err:
        if str(err).startswith(str(path)):
            raise
        raise type(err)(f"{path}: {err}", field=err.field, value=err.value, code=err.code) from None


def _json_model(model: Any, path: Path) -> Any:
    from pydantic import ValidationError

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFormatError(f"{path}: cannot be read: {exc.strerror}", field="file", value=str(path)) from None
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(x) for x in err["loc"]) or "json"
        raise DataFormatError(f"{path}: `{field}`: {err['msg']}; got {str(err.get('input'))[:80]!r}", field=field,
                              value=err.get("input")) from None


def _ledger(args: argparse.Namespace) -> Any:
    from wfm.bidding import Ledger

    return Ledger(args.db)


def _print_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    import pandas as pd

    print(pd.DataFrame(rows, columns=columns).to_string(index=False) if rows else "(none)")


def cmd_open(args: argparse.Namespace) -> int:
    from wfm.bidding import Rounds
    from wfm.bidding.files import read_prices_csv
    from wfm.bidding.rounds import validate_prices
    from wfm.roster import RosterProblem

    problem = _json_model(RosterProblem, args.problem)
    prices = []
    if args.prices is not None:
        with _in_file(args.prices):
            prices = validate_prices(problem, read_prices_csv(args.prices, start=problem.horizon.start,
                                                                week_start=problem.horizon.week_start))
    with _ledger(args) as ledger:
        rnd = Rounds(ledger).open(args.round, problem, prices=prices, actor="cli")
    print(f"round {rnd.name} open: {len(problem.agents)} agents, {rnd.days} days from {rnd.start}, "
          f"{len(rnd.prices)} posted prices")
    return 0


def cmd_submit(args: argparse.Namespace) -> int:
    import hashlib

    from wfm.bidding import Rounds, validate_items
    from wfm.bidding.files import parse_bids_csv, read_text_file

    with _ledger(args) as ledger:
        rounds = Rounds(ledger)
        rnd = rounds.get(args.round)
        with _in_file(args.bids):
            text = read_text_file(args.bids)
            lines: dict[tuple[str, int], int] = {}
            problem = rounds.problem(args.round)
            by_agent = parse_bids_csv(text, source=str(args.bids), start=rnd.start, lines=lines,
                                      week_start=problem.horizon.week_start)
            for agent, items in by_agent.items():  # name the file's line for an item the round refuses
                try:
                    validate_items(problem, agent, items, rnd.prices)
                except WfmError as err:
                    index = re.match(r"items\[(\d+)\]", err.field or "")
                    where = f"{args.bids} line {lines[agent, int(index.group(1))]}: " if index else ""
                    raise type(err)(f"{where}agent {agent!r}: {err}", field=err.field, value=err.value) from None
            base = args.key or hashlib.sha256(text.encode()).hexdigest()[:16]
            # one transaction for the whole file: a bad line or an agent over balance leaves the ledger untouched
            subs = rounds.submit_many(args.round, by_agent, keys={a: f"{base}:{a}" for a in by_agent}, actor="cli")
    for agent, sub in subs.items():
        print(f"{agent}: submission {sub.id} ({sub.status}), {len(sub.items)} items, {sub.held} points held")
    return 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    from wfm.bidding import Rounds

    with _ledger(args) as ledger:
        sub = Rounds(ledger).withdraw(args.round, args.agent, actor="cli")
    print(f"{args.agent}: submission {sub.id} withdrawn")
    return 0


def cmd_close(args: argparse.Namespace) -> int:
    from wfm.bidding import Rounds

    with _ledger(args) as ledger:
        rounds = Rounds(ledger)
        rnd = rounds.close(args.round)
        subs = rounds.submissions(args.round)
    print(f"round {rnd.name} closed: {len(subs)} submissions, {sum(s.held for s in subs)} points held")
    return 0


def cmd_bids(args: argparse.Namespace) -> int:
    from wfm.bidding import Rounds

    with _ledger(args) as ledger:
        bids = Rounds(ledger).open_bids(args.round)
    rows = [{"bid": b.id, "agent": b.agent, "item": str(b.item), "held": b.held} for b in bids
            if args.agent is None or b.agent == args.agent]
    _print_table(rows, ["bid", "agent", "item", "held"])
    return 0


def cmd_balance(args: argparse.Namespace) -> int:
    with _ledger(args) as ledger:
        rows = [ledger.balance(args.agent)] if args.agent else ledger.balances()
    _print_table([b.model_dump() for b in rows], ["agent", "balance", "held", "available"])
    return 0


def cmd_ledger(args: argparse.Namespace) -> int:
    from wfm._io import atomic_write_text

    with _ledger(args) as ledger:
        frame = ledger.journal_frame(agent=args.agent, round=args.round)
    if args.out is None:
        sys.stdout.write(frame.to_csv(index=False))
    else:
        atomic_write_text(args.out, frame.to_csv(index=False))
        print(f"wrote {len(frame)} journal lines to {args.out}", file=sys.stderr)
    return 0


def cmd_manual(args: argparse.Namespace) -> int:
    with _ledger(args) as ledger:
        line = getattr(ledger, args.bid_command)(args.agent, args.points, reason=args.reason, actor="cli",
                                                 key=args.key)
        after = ledger.balance(args.agent)
    print(f"{line.kind} {line.amount} for {line.agent} ({line.reason}): balance {after.balance}, "
          f"available {after.available}")
    return 0


def cmd_earn(args: argparse.Namespace) -> int:
    from wfm.bidding import EarningRules, apply_earning
    from wfm.roster import RosterProblem, RosterSolution

    solution = _json_model(RosterSolution, args.roster)
    with _in_file(args.rules):
        rules = EarningRules.from_toml(args.rules)
    agents = [a.id for a in _json_model(RosterProblem, args.problem).agents] if args.problem else []
    with _ledger(args) as ledger:
        lines = apply_earning(ledger, solution, rules, agents=agents, last_round=args.round, cycle=args.cycle)
    totals: dict[str, int] = {}
    for t in lines:
        totals[t.agent] = totals.get(t.agent, 0) + (t.amount if t.kind != "expire" else -t.amount)
    print(f"{len(lines)} journal lines for {len(totals)} agents ({sum(totals.values())} points net)"
          " — a roster already applied earns nothing more")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from wfm.bidding import issue_token

    with _ledger(args) as ledger:
        token = issue_token(ledger, agent=args.agent, manager=args.manager)
    print(token)
    print(f"token for {'a manager' if args.manager else 'agent ' + args.agent} (shown once; stored hashed in "
          f"{args.db})", file=sys.stderr)
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    from wfm.bidding import revoke_token
    from wfm.exceptions import NotFoundError

    with _ledger(args) as ledger:
        if not revoke_token(ledger, args.token):
            raise NotFoundError("`token` matches no issued token", field="token", value=args.token[:8] + "...")
    print("token revoked")
    return 0


def cmd_rounds(args: argparse.Namespace) -> int:
    from wfm.bidding import Rounds

    with _ledger(args) as ledger:
        rows = [json.loads(r.model_dump_json(include={"name", "status", "start", "days", "changed"}))
                for r in Rounds(ledger).list_rounds()]
    _print_table(rows, ["name", "status", "start", "days", "changed"])
    return 0


def add_bid_parser(sub: Any) -> None:
    """Register ``wfm bid`` and its subcommands on the main parser's subparsers."""
    db = argparse.ArgumentParser(add_help=False)
    db.add_argument("--db", type=Path, default=Path("wfm.sqlite"), help="ledger database (default: wfm.sqlite)")
    p = sub.add_parser("bid", help="shift bidding: points ledger and bid rounds", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    bsub = p.add_subparsers(dest="bid_command", required=True)

    q = bsub.add_parser("open", parents=[db], help="open a bid round on a roster problem (JSON)")
    q.add_argument("problem", type=Path)
    q.add_argument("--round", required=True, help="round name (letters, digits, _ . -)")
    q.add_argument("--prices", type=Path, default=None, help="posted prices CSV: kind, shift_or_tag, date, points")
    q.set_defaults(func=cmd_open)

    q = bsub.add_parser("submit", parents=[db], help="submit bids from a CSV (replaces each agent's earlier bids)")
    q.add_argument("round")
    q.add_argument("bids", type=Path, help="CSV: agent, kind, date, shift_or_tag, points, mode")
    q.add_argument("--key", default=None, help="idempotency key (default: derived from the file's content)")
    q.set_defaults(func=cmd_submit)

    q = bsub.add_parser("withdraw", parents=[db], help="cancel an agent's submission, releasing its points")
    q.add_argument("round")
    q.add_argument("agent")
    q.set_defaults(func=cmd_withdraw)

    q = bsub.add_parser("close", parents=[db], help="close a round to submissions")
    q.add_argument("round")
    q.set_defaults(func=cmd_close)

    q = bsub.add_parser("bids", parents=[db], help="list a round's open bids and the points held")
    q.add_argument("round")
    q.add_argument("--agent", default=None)
    q.set_defaults(func=cmd_bids)

    q = bsub.add_parser("rounds", parents=[db], help="list the rounds")
    q.set_defaults(func=cmd_rounds)

    q = bsub.add_parser("balance", parents=[db], help="balances (all agents, or one)")
    q.add_argument("agent", nargs="?", default=None)
    q.set_defaults(func=cmd_balance)

    q = bsub.add_parser("ledger", parents=[db], help="export the journal as CSV")
    q.add_argument("-o", "--out", type=Path, default=None, help="output CSV (default: stdout)")
    q.add_argument("--agent", default=None)
    q.add_argument("--round", default=None)
    q.set_defaults(func=cmd_ledger)

    for kind, text in (("grant", "give points"), ("reward", "reward quality with points"),
                       ("penalty", "take points for a quality finding")):
        q = bsub.add_parser(kind, parents=[db], help=text)
        q.add_argument("agent")
        q.add_argument("points", help="whole points, >= 1")
        q.add_argument("--reason", required=True)
        q.add_argument("--key", default=None, help="idempotency key: the same key again writes nothing")
        q.set_defaults(func=cmd_manual)

    q = bsub.add_parser("earn", parents=[db], help="apply earning rules (TOML) to a worked roster (JSON)")
    q.add_argument("roster", type=Path, help="RosterSolution JSON")
    q.add_argument("--rules", type=Path, required=True, help="earning rules TOML")
    q.add_argument("--round", default=None, help="last awarded round, for the none-approved bonus")
    q.add_argument("--problem", type=Path, default=None, help="RosterProblem JSON: its agents all get the grant")
    q.add_argument("--cycle", default=None, help="cycle name (default: a fingerprint of the roster)")
    q.set_defaults(func=cmd_earn)

    q = bsub.add_parser("token", help="bearer tokens for the HTTP service")
    tsub = q.add_subparsers(dest="token_command", required=True)
    t = tsub.add_parser("issue", parents=[db], help="issue a token (printed once)")
    who = t.add_mutually_exclusive_group(required=True)
    who.add_argument("--agent", default=None)
    who.add_argument("--manager", action="store_true")
    t.set_defaults(func=cmd_token)
    t = tsub.add_parser("revoke", parents=[db], help="revoke a token (it authenticates nobody afterwards)")
    t.add_argument("token")
    t.set_defaults(func=cmd_revoke)
    add_award_parsers(bsub, db)


# -- part 2: the award ----------------------------------------------------------------------------------------
def _result_rows(results: list[Any]) -> list[dict[str, Any]]:
    return [{"bid": r.bid, "agent": r.agent, "kind": r.item.kind,
             "date": r.item.date.isoformat() if r.item.date else "", "week": "" if r.item.week is None else r.item.week,
             "shift_or_tag": r.item.shift or r.item.tag or "", "mode": r.item.mode, "points": r.item.points,
             "awarded": r.awarded, "reason": r.reason, "charge": r.charge,
             "points_to_win": "" if r.points_to_win is None else r.points_to_win,
             "opportunity_cost": "" if r.opportunity_cost is None else r.opportunity_cost,
             "extra_cost": "" if r.extra_cost is None else r.extra_cost, "rules": ";".join(r.rules),
             "proven": r.proven, "detail": r.detail} for r in results]


def _write_award(out: Path, award: Any, problem: Any, holidays: list[Any]) -> None:
    """The award's files: roster, per-bid results (CSV and JSON), charges, fairness, clearing prices."""
    import pandas as pd

    from wfm._io import atomic_write_text
    from wfm.bidding.award.fairness import clearing_prices, round_fairness

    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "roster.json", award.roster.model_dump_json(indent=1))
    atomic_write_text(out / "award.json", award.model_dump_json(indent=1, exclude={"roster"}))
    atomic_write_text(out / "results.csv", pd.DataFrame(_result_rows(award.results)).to_csv(index=False))
    atomic_write_text(out / "results.json", json.dumps([r.model_dump(mode="json") for r in award.results], indent=1))
    atomic_write_text(out / "charges.csv", pd.DataFrame(
        [{"bid": b, "agent": award.result(b).agent, "points": p} for b, p in award.charges.items()],
        columns=["bid", "agent", "points"]).to_csv(index=False))
    atomic_write_text(out / "fairness.json", round_fairness(award, problem, holidays).model_dump_json(indent=1))
    atomic_write_text(out / "clearing_prices.csv", pd.DataFrame(
        [{"kind": p.kind, "shift_or_tag": p.shift_or_tag or "", "date": "", "points": p.points}
         for p in clearing_prices(award)], columns=["kind", "shift_or_tag", "date", "points"]).to_csv(index=False))


def _print_fairness(rep: Any) -> None:
    print(f"agents bidding {rep.agents_bidding}: {rep.share_with_award:.0%} with an award, first choice "
          f"{rep.first_choice_rate:.0%}, points won {rep.points_won} of {rep.points_bid}, least satisfied "
          f"{rep.least_satisfied} ({rep.least_share:.0%}), Gini {rep.gini:.3f}")


def cmd_award(args: argparse.Namespace) -> int:
    from wfm.bidding import Rounds
    from wfm.bidding.award import award_round
    from wfm.bidding.award.fairness import round_fairness

    with _ledger(args) as ledger:
        award = award_round(ledger, args.round, actor="cli", time_limit_s=args.time_limit, seed=args.seed,
                            coverage_tolerance=args.coverage_tolerance, seniority=not args.no_seniority,
                            explain_time_s=args.explain_time)
        problem = Rounds(ledger).problem(args.round)
    if args.out_dir is not None:
        _write_award(args.out_dir, award, problem, args.holiday)
    stages = ", ".join(f"{s.stage} {s.status}" for s in award.stages)
    counts: dict[str, int] = {}
    for r in award.results:
        counts[r.reason] = counts.get(r.reason, 0) + 1
    print(f"round {args.round} awarded: roster cost {award.cost:g} (bid-free {award.baseline_cost:g}, cap "
          f"{award.cap:g}); {award.points} points awarded (bound {award.points_bound}); stages: {stages}")
    print("bids: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    _print_fairness(round_fairness(award, problem, args.holiday))
    if args.out_dir is not None:
        print(f"wrote roster.json, award.json, results.csv/json, charges.csv, fairness.json, clearing_prices.csv "
              f"to {args.out_dir}", file=sys.stderr)
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from wfm.bidding import Rounds

    with _ledger(args) as ledger:
        rnd = Rounds(ledger).publish(args.round)
    print(f"round {rnd.name} published: agents can read their results")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from wfm.bidding import Rounds
    from wfm.bidding.award import stored_award
    from wfm.bidding.award.fairness import ledger_fairness, round_fairness

    with _ledger(args) as ledger:
        award = stored_award(ledger, args.round)
        problem = Rounds(ledger).problem(args.round)
        rep = round_fairness(award, problem, args.holiday)
        _, overall = ledger_fairness(ledger, args.holiday)
    if args.out_dir is not None:
        _write_award(args.out_dir, award, problem, args.holiday)
    print(f"round {args.round}:")
    _print_fairness(rep)
    rows = [{"agent": a.agent, "bid": a.points_bid, "won": a.points_won, "share": round(a.share, 3),
             "awarded": a.awarded, "denied": a.denied, **a.unpopular} for a in rep.agents]
    _print_table(rows, ["agent", "bid", "won", "share", "awarded", "denied", "split", "weekend", "holiday"])
    print(f"over {len(overall.rounds)} awarded round(s):")
    _print_fairness(overall)
    return 0


def add_award_parsers(bsub: Any, db: argparse.ArgumentParser) -> None:
    """``wfm bid award|publish|report``."""
    import datetime as dt

    q = bsub.add_parser("award", parents=[db], help="award a closed round inside the roster solve and settle it")
    q.add_argument("round")
    q.add_argument("--time-limit", type=float, default=60.0, help="seconds for the award stages (default 60)")
    q.add_argument("--seed", type=int, default=0)
    q.add_argument("--coverage-tolerance", type=float, default=0.0,
                   help="relative roster cost the bids may add (default 0: coverage never given up)")
    q.add_argument("--no-seniority", action="store_true", help="no seniority tie-break (the seeded draw alone)")
    q.add_argument("--explain-time", type=float, default=None, help="seconds for the denied bids' reasons")
    q.add_argument("--holiday", type=dt.date.fromisoformat, action="append", default=[],
                   help="a holiday date for the fairness report (repeatable)")
    q.add_argument("--out-dir", type=Path, default=None, help="write roster, results, charges, fairness here")
    q.set_defaults(func=cmd_award)

    q = bsub.add_parser("publish", parents=[db], help="publish an awarded round to the agents")
    q.add_argument("round")
    q.set_defaults(func=cmd_publish)

    q = bsub.add_parser("report", parents=[db], help="fairness report of an awarded round and over all rounds")
    q.add_argument("round")
    q.add_argument("--holiday", type=dt.date.fromisoformat, action="append", default=[])
    q.add_argument("--out-dir", type=Path, default=None)
    q.set_defaults(func=cmd_report)


def demo_bid_round(problem: Any, solution: Any, *, seed: int, time_limit_s: float) -> None:
    """``wfm demo --bid-round``: seeded bids of the demo team, awarded inside the roster solve, and fairness."""
    from wfm.bidding import HeldBid
    from wfm.bidding.award import award_bids
    from wfm.bidding.award.fairness import clearing_prices, round_fairness
    from wfm.bidding.award.scenario import seeded_bids

    holiday = problem.horizon.date_of(min(2, problem.horizon.days - 1))
    items, _ = seeded_bids(problem, seed=seed, holiday=holiday)
    bids = [HeldBid(id=f"{k}:{i}", agent=a, item=it, held=it.points)
            for k, (a, its) in enumerate(items.items(), start=1) for i, it in enumerate(its)]
    award = award_bids(problem, bids, time_limit_s=time_limit_s, seed=seed, baseline=solution, explain=True,
                       explain_time_s=time_limit_s, resolve_ties=False)
    counts: dict[str, int] = {}
    for r in award.results:
        counts[r.reason] = counts.get(r.reason, 0) + 1
    print(f"\n4. bid round: {len(bids)} seeded bids from {len(items)} agents (a holiday on {holiday}: days off "
          "around it, no split shifts, early shifts), awarded inside the roster solve")
    print(f"   roster cost {award.cost:g} (bid-free {award.baseline_cost:g}); {award.points} points awarded "
          f"(bound {award.points_bound}); " + ", ".join(f"{s.stage} {s.status}" for s in award.stages))
    print("   bids: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    for r in [r for r in award.results if not r.awarded][:3]:
        print(f"   e.g. {r.agent}: {r.detail}")
    rep = round_fairness(award, problem, [holiday])
    print(f"   fairness: {rep.share_with_award:.0%} of bidding agents won something, first choice "
          f"{rep.first_choice_rate:.0%}, least satisfied {rep.least_satisfied} ({rep.least_share:.0%}), "
          f"Gini {rep.gini:.3f}")
    prices = ", ".join(f"{p.kind}{' ' + p.shift_or_tag if p.shift_or_tag else ''} {p.points}"
                       for p in clearing_prices(award))
    print(f"   clearing prices for the next round: {prices or '(no compete bid won)'}")
