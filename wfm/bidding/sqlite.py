"""The SQLite ledger: one file, nothing to start, safe with several processes writing at once.

* WAL journal mode (readers never block the writer), a busy timeout (a writer waits its turn instead of
  failing), and every write transaction opened with ``BEGIN IMMEDIATE``: it takes the database's write lock
  *before* reading, so the balance a check reads cannot change before the transaction commits. That is what
  makes "no agent ever overspends" hold across processes.
* A ``meta`` table names the file a wfm ledger and records its schema version; opening an older file runs
  the missing migrations in one transaction, opening a newer one (or a file that is not a wfm ledger) raises
  :class:`~wfm.exceptions.DataFormatError` and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from wfm.bidding.models import Transaction
from wfm.bidding.storage import (
    JournalRow,
    RoundRecord,
    Storage,
    StorageTx,
    SubmissionRecord,
    TokenRecord,
    iter_chunks,
)
from wfm.exceptions import ConflictError, DataFormatError, InvalidParameterError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["SCHEMA_VERSION", "APPLICATION", "MIGRATIONS", "SqliteStorage", "utc_now"]

APPLICATION = "wfm-ledger"

#: ``MIGRATIONS[v]`` takes a database from schema version ``v`` to ``v + 1``. Only ever append.
MIGRATIONS: tuple[str, ...] = (
    # 0 -> 1: the journal, the agents it may name, rounds and submissions.
    """
    CREATE TABLE journal (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        ts      TEXT    NOT NULL,
        agent   TEXT    NOT NULL REFERENCES agents(id),
        kind    TEXT    NOT NULL CHECK (kind IN ('grant','earn','reward','penalty','hold','release','spend',
                                                 'refund','expire','adjust')),
        amount  INTEGER NOT NULL CHECK (amount <> 0 AND (kind = 'adjust' OR amount > 0)),
        reason  TEXT    NOT NULL DEFAULT '',
        round   TEXT,
        bid     TEXT,
        shift   TEXT,
        actor   TEXT    NOT NULL DEFAULT '',
        key     TEXT
    );
    CREATE TABLE agents (id TEXT PRIMARY KEY, created TEXT NOT NULL);
    CREATE INDEX journal_agent ON journal (agent, kind, amount);
    CREATE INDEX journal_key ON journal (key) WHERE key IS NOT NULL;
    CREATE TABLE rounds (
        name    TEXT PRIMARY KEY,
        status  TEXT NOT NULL CHECK (status IN ('open','closed','awarded','published')),
        problem TEXT NOT NULL,
        prices  TEXT NOT NULL,
        created TEXT NOT NULL,
        changed TEXT NOT NULL
    );
    CREATE TABLE submissions (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        round   TEXT NOT NULL REFERENCES rounds(name),
        agent   TEXT NOT NULL REFERENCES agents(id),
        key     TEXT NOT NULL,
        digest  TEXT NOT NULL,
        items   TEXT NOT NULL,
        status  TEXT NOT NULL CHECK (status IN ('open','replaced','withdrawn','settled')),
        held    INTEGER NOT NULL CHECK (held >= 0),
        created TEXT NOT NULL,
        UNIQUE (round, agent, key)
    );
    CREATE UNIQUE INDEX one_open_submission ON submissions (round, agent) WHERE status = 'open';
    """,
    # 1 -> 2: bearer tokens (stored as sha256 digests) and the journal by round, for awards and reports.
    """
    CREATE TABLE tokens (
        digest  TEXT PRIMARY KEY,
        role    TEXT NOT NULL CHECK (role IN ('agent','manager')),
        agent   TEXT REFERENCES agents(id),
        created TEXT NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0,
        CHECK ((role = 'agent') = (agent IS NOT NULL))
    );
    CREATE INDEX journal_round ON journal (round) WHERE round IS NOT NULL;
    """,
    # 2 -> 3: the award of a round (roster, result and reason per bid, charges) as JSON, written in the
    # settlement's own transaction.
    """
    CREATE TABLE awards (
        round   TEXT PRIMARY KEY REFERENCES rounds(name),
        award   TEXT NOT NULL,
        created TEXT NOT NULL
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def utc_now() -> dt.datetime:
    """The current time, tz-aware UTC."""
    return dt.datetime.now(dt.UTC)


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


class _SqliteTx(StorageTx):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._c = conn

    # ---- journal
    def append(self, rows: Sequence[JournalRow]) -> list[Transaction]:
        now = utc_now()
        out = []
        for r in rows:
            cur = self._c.execute(
                "INSERT INTO journal (ts, agent, kind, amount, reason, round, bid, shift, actor, key) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (now.isoformat(), r.agent, r.kind, int(r.amount), r.reason, r.round, r.bid, r.shift, r.actor,
                 r.key))
            out.append(Transaction(id=int(cur.lastrowid or 0), ts=now, agent=r.agent, kind=r.kind,  # type: ignore[arg-type]
                                   amount=int(r.amount), reason=r.reason, round=r.round, bid=r.bid, shift=r.shift,
                                   actor=r.actor, key=r.key))
        return out

    def totals(self, agents: Sequence[str] | None = None) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        if agents is None:
            rows = self._c.execute("SELECT agent, kind, SUM(amount) FROM journal GROUP BY agent, kind").fetchall()
        else:
            rows = []
            for chunk in iter_chunks(list(dict.fromkeys(agents))):
                marks = ",".join("?" * len(chunk))
                rows += self._c.execute(f"SELECT agent, kind, SUM(amount) FROM journal WHERE agent IN ({marks}) "
                                        "GROUP BY agent, kind", tuple(chunk)).fetchall()
        for agent, kind, total in rows:
            out.setdefault(agent, {})[kind] = int(total)
        return out

    def journal(self, *, agent: str | None = None, round: str | None = None,
                key: str | None = None) -> list[Transaction]:
        where, args = [], []
        for col, val in (("agent", agent), ("round", round), ("key", key)):
            if val is not None:
                where.append(f"{col} = ?")
                args.append(val)
        sql = ("SELECT id, ts, agent, kind, amount, reason, round, bid, shift, actor, key FROM journal"
               + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id")
        cols = ("id", "ts", "agent", "kind", "amount", "reason", "round", "bid", "shift", "actor", "key")
        return [Transaction(**dict(zip(cols, row, strict=True))) for row in self._c.execute(sql, args)]

    def key_used(self, key: str) -> bool:
        return self._c.execute("SELECT 1 FROM journal WHERE key = ? LIMIT 1", (key,)).fetchone() is not None

    # ---- agents
    def add_agents(self, agents: Sequence[str]) -> None:
        now = utc_now().isoformat()
        self._c.executemany("INSERT OR IGNORE INTO agents (id, created) VALUES (?, ?)", [(a, now) for a in agents])

    def known_agents(self) -> set[str]:
        return {row[0] for row in self._c.execute("SELECT id FROM agents")}

    # ---- rounds
    def insert_round(self, name: str, problem_json: str, prices_json: str) -> None:
        now = utc_now().isoformat()
        self._c.execute("INSERT INTO rounds (name, status, problem, prices, created, changed) "
                        "VALUES (?, 'open', ?, ?, ?, ?)", (name, problem_json, prices_json, now, now))

    def _round(self, row: tuple) -> RoundRecord:
        name, status, problem, prices, created, changed = row
        return RoundRecord(name, status, problem, prices, _ts(created), _ts(changed))

    def get_round(self, name: str) -> RoundRecord | None:
        row = self._c.execute("SELECT name, status, problem, prices, created, changed FROM rounds WHERE name = ?",
                              (name,)).fetchone()
        return None if row is None else self._round(row)

    def list_rounds(self) -> list[RoundRecord]:
        rows = self._c.execute("SELECT name, status, problem, prices, created, changed FROM rounds "
                               "ORDER BY created, name").fetchall()
        return [self._round(r) for r in rows]

    def set_round_status(self, name: str, status: str) -> None:
        self._c.execute("UPDATE rounds SET status = ?, changed = ? WHERE name = ?",
                        (status, utc_now().isoformat(), name))

    def set_round_prices(self, name: str, prices_json: str) -> None:
        self._c.execute("UPDATE rounds SET prices = ? WHERE name = ?", (prices_json, name))

    # ---- submissions
    def insert_submission(self, round: str, agent: str, key: str, digest: str, items_json: str,
                          held: int) -> int:
        cur = self._c.execute(
            "INSERT INTO submissions (round, agent, key, digest, items, status, held, created) "
            "VALUES (?, ?, ?, ?, ?, 'open', ?, ?)", (round, agent, key, digest, items_json, held,
                                                     utc_now().isoformat()))
        return int(cur.lastrowid or 0)

    def submissions(self, round: str, *, agent: str | None = None, key: str | None = None,
                    status: str | None = None) -> list[SubmissionRecord]:
        where, args = ["round = ?"], [round]
        for col, val in (("agent", agent), ("key", key), ("status", status)):
            if val is not None:
                where.append(f"{col} = ?")
                args.append(val)
        rows = self._c.execute("SELECT id, round, agent, key, digest, items, status, held, created FROM submissions "
                               f"WHERE {' AND '.join(where)} ORDER BY id", args).fetchall()
        return [SubmissionRecord(i, r, a, k, d, it, s, h, _ts(c)) for i, r, a, k, d, it, s, h, c in rows]

    def set_submission_status(self, ids: Sequence[int], status: str) -> None:
        self._c.executemany("UPDATE submissions SET status = ? WHERE id = ?", [(status, i) for i in ids])

    # ---- awards
    def put_award(self, round: str, award_json: str) -> None:
        self._c.execute("INSERT OR REPLACE INTO awards (round, award, created) VALUES (?, ?, ?)",
                        (round, award_json, utc_now().isoformat()))

    def get_award(self, round: str) -> str | None:
        row = self._c.execute("SELECT award FROM awards WHERE round = ?", (round,)).fetchone()
        return None if row is None else str(row[0])

    # ---- tokens
    def insert_token(self, digest: str, role: str, agent: str | None) -> None:
        self._c.execute("INSERT INTO tokens (digest, role, agent, created) VALUES (?, ?, ?, ?)",
                        (digest, role, agent, utc_now().isoformat()))

    def get_token(self, digest: str) -> TokenRecord | None:
        row = self._c.execute("SELECT digest, role, agent, created, revoked FROM tokens WHERE digest = ?",
                              (digest,)).fetchone()
        return None if row is None else TokenRecord(row[0], row[1], row[2], _ts(row[3]), bool(row[4]))

    def revoke_token(self, digest: str) -> bool:
        return self._c.execute("UPDATE tokens SET revoked = 1 WHERE digest = ?", (digest,)).rowcount > 0


class SqliteStorage(Storage):
    """A wfm ledger in the SQLite file ``path`` (created, with the current schema, when absent or empty).

    ``busy_timeout_s`` is how long a writer waits for another writer's transaction before giving up with a
    :class:`~wfm.exceptions.ConflictError` (code ``busy``). ``synchronous`` is SQLite's durability setting:
    ``FULL`` (default) survives power loss; ``NORMAL`` survives a crashed process but may lose the last
    transactions on power loss, and is faster. ``writer_lock`` queues writers on an OS lock beside the file
    (see :meth:`_queue`); off, they rely on SQLite's busy handler alone (equally safe, slower under contention).
    """

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout_s: float = 30.0,
                 synchronous: Literal["FULL", "NORMAL"] = "FULL", writer_lock: bool = True) -> None:
        self.path = Path(path)
        if synchronous not in ("FULL", "NORMAL"):
            raise InvalidParameterError(f"`synchronous` must be FULL or NORMAL; got {synchronous!r}",
                                        field="synchronous", value=synchronous)
        if self.path.is_dir():
            raise InvalidParameterError(f"`db` must be a file; got the folder {str(self.path)!r}",
                                        field="db", value=str(self.path))
        try:
            # check_same_thread off: the HTTP service may open a connection in one worker thread and use it in
            # another, never two at once
            self._conn = sqlite3.connect(self.path, timeout=busy_timeout_s, isolation_level=None,
                                         check_same_thread=False)
        except sqlite3.Error as exc:
            raise InvalidParameterError(f"`db` {str(self.path)!r} cannot be opened: {exc}", field="db",
                                        value=str(self.path)) from None
        self._busy_timeout_s = busy_timeout_s
        self._lock_fd: int | None = None
        if writer_lock and fcntl is not None and str(path) != ":memory:":
            try:
                self._lock_fd = os.open(f"{self.path}-writer.lock", os.O_RDWR | os.O_CREAT, 0o644)
            except OSError:
                self._lock_fd = None  # a read-only folder: the busy handler alone serialises writers
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            self._prepare(synchronous)
        except BaseException:
            self.close()
            raise

    # ---- opening, checking and migrating the file
    def _not_a_ledger(self, why: str) -> DataFormatError:
        return DataFormatError(f"`db` {str(self.path)!r} is not a wfm ledger: {why}", field="db",
                               value=str(self.path))

    def _prepare(self, synchronous: str) -> None:
        try:
            tables = {r[0] for r in self._conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as exc:
            raise self._not_a_ledger(str(exc)) from None
        if tables and "meta" not in tables:
            raise self._not_a_ledger(f"it holds other tables ({', '.join(sorted(tables)[:5])})")
        mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() not in ("wal", "memory"):  # pragma: no cover - only on file systems without shared memory
            raise InvalidParameterError(f"`db` {str(self.path)!r} cannot use WAL mode (got {mode})", field="db",
                                        value=str(self.path))
        self._conn.execute(f"PRAGMA synchronous = {synchronous}")
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._migrate()

    def _version(self) -> int | None:
        try:
            rows = dict(self._conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.OperationalError:
            return None  # no meta table: a new, empty file
        if rows.get("application") != APPLICATION:
            raise self._not_a_ledger(f"its meta table names application {rows.get('application')!r}")
        try:
            return int(rows["schema_version"])
        except (KeyError, ValueError):
            raise self._not_a_ledger(f"schema_version {rows.get('schema_version')!r}") from None

    def _migrate(self) -> None:
        version = self._version()
        if version is not None and version > SCHEMA_VERSION:
            raise DataFormatError(f"`db` {str(self.path)!r} has schema version {version}, newer than this wfm "
                                  f"understands ({SCHEMA_VERSION}); upgrade wfm", field="schema_version",
                                  value=version)
        if version == SCHEMA_VERSION:
            return
        with self._write():
            version = self._version()  # another process may have migrated while we waited for the lock
            if version is None:
                self._conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                self._conn.execute("INSERT INTO meta VALUES ('application', ?), ('schema_version', '0')",
                                   (APPLICATION,))
                version = 0
            for v in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[v].split(";"):
                    if statement.strip():
                        self._conn.execute(statement)
            self._conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))

    def schema_version(self) -> int:
        """The file's schema version (after opening, always :data:`SCHEMA_VERSION`)."""
        return int(self._conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])

    # ---- transactions
    @contextmanager
    def _write(self) -> Iterator[None]:
        with self._queue():
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise ConflictError(f"`db` {str(self.path)!r} stayed locked by another writer: {exc}", field="db",
                                    value=str(self.path), code="busy") from None
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def _queue(self) -> Iterator[None]:
        """Wait for the other writers of this file on an OS lock beside it (``<db>-writer.lock``).

        ``BEGIN IMMEDIATE`` alone is what keeps the ledger sound; this only makes waiting cheap. SQLite's busy
        handler sleeps 10-100 ms between attempts, so with several writers most of the time goes to sleeping;
        polling a ``flock`` every millisecond hands the file over as soon as it is free (measured: see
        benchmarks/bench_bidding.py). The kernel drops the lock of a killed process. Where ``fcntl`` is missing
        (Windows) or for an in-memory ledger, writers simply rely on the busy handler.
        """
        if self._lock_fd is None:
            yield
            return
        deadline = time.monotonic() + self._busy_timeout_s
        while True:
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    break  # let BEGIN IMMEDIATE's own busy timeout decide
                time.sleep(0.001)
        try:
            yield
        finally:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[StorageTx]:
        if write:
            with self._write():
                yield _SqliteTx(self._conn)
            return
        self._conn.execute("BEGIN")
        try:
            yield _SqliteTx(self._conn)
        finally:
            self._conn.execute("COMMIT")

    def close(self) -> None:
        self._conn.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
