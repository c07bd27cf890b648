"""The SQLite file: schema version and migrations, WAL, and files that are not (or not yet) a wfm ledger."""

from __future__ import annotations

import sqlite3

import pytest

from wfm.bidding import SCHEMA_VERSION, Ledger, SqliteStorage
from wfm.bidding.sqlite import APPLICATION, MIGRATIONS
from wfm.exceptions import DataFormatError, InvalidParameterError


def test_new_file_gets_the_current_schema_in_wal_mode(tmp_path):
    path = tmp_path / "new.sqlite"
    with SqliteStorage(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert dict(conn.execute("SELECT key, value FROM meta")) == {"application": APPLICATION,
                                                                 "schema_version": str(SCHEMA_VERSION)}
    conn.close()


def test_an_older_file_is_migrated_keeping_its_journal(tmp_path):
    path = tmp_path / "v1.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute("INSERT INTO meta VALUES ('application', ?), ('schema_version', '1')", (APPLICATION,))
    conn.executescript(MIGRATIONS[0])
    conn.execute("INSERT INTO agents VALUES ('A', '2026-01-01T00:00:00+00:00')")
    conn.execute("INSERT INTO journal (ts, agent, kind, amount) VALUES ('2026-01-01T00:00:00+00:00', 'A', 'grant', 7)")
    conn.commit()
    conn.close()
    with Ledger(path) as ledger:
        assert ledger.storage.schema_version() == SCHEMA_VERSION
        assert ledger.balance("A").balance == 7
        from wfm.bidding import issue_token

        assert issue_token(ledger, agent="A").startswith("wfm_")  # the tokens table came with version 2


def test_a_newer_file_is_refused_unchanged(tmp_path):
    path = tmp_path / "future.sqlite"
    SqliteStorage(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(DataFormatError) as err:
        Ledger(path)
    assert err.value.field == "schema_version" and err.value.value == SCHEMA_VERSION + 1
    assert path.read_bytes() == before


def test_files_that_are_not_a_wfm_ledger(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(DataFormatError) as err:
        Ledger(junk)
    assert err.value.field == "db" and err.value.value == str(junk)
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE customers (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(DataFormatError) as err:
        Ledger(other)
    assert "customers" in str(err.value)
    wrong_app = tmp_path / "app.sqlite"
    conn = sqlite3.connect(wrong_app)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    conn.execute("INSERT INTO meta VALUES ('application', 'something-else')")
    conn.commit()
    conn.close()
    with pytest.raises(DataFormatError):
        Ledger(wrong_app)
    with pytest.raises(InvalidParameterError):
        Ledger(tmp_path)  # a folder
    with pytest.raises(InvalidParameterError):
        Ledger(tmp_path / "missing-dir" / "x.sqlite")


def test_the_database_itself_refuses_impossible_lines(tmp_path):
    with SqliteStorage(tmp_path / "c.sqlite") as store, pytest.raises(sqlite3.IntegrityError):
        with store.transaction() as tx:
            tx.add_agents(["A"])
            from wfm.bidding.storage import JournalRow

            tx.append([JournalRow(agent="A", kind="grant", amount=-5)])


def test_bidding_and_its_command_line_import_without_optional_extras():
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent("""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {"matplotlib", "fastapi", "uvicorn", "httpx", "hypothesis", "dask"}:
                    raise ImportError(f"blocked {name}")
                return None
        sys.meta_path.insert(0, Block())
        import wfm.bidding, wfm.api.cli_bid, wfm.api.http_bid
        from wfm.exceptions import MissingExtraError
        try:
            wfm.api.http_bid.bid_router()
        except MissingExtraError as err:
            print("ok", "server" in str(err))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok True"
