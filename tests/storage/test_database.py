"""DatabaseManager on a real SQLite file: WAL, migrations, bound parameters, atomic writes."""

from __future__ import annotations

import sqlite3

import pytest

from astros.config import DatabaseConfig
from astros.storage.database import DatabaseError, DatabaseManager

NOTES = (
    "CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0)",
    "ALTER TABLE notes ADD COLUMN author TEXT",
)


def rows_on_disk(path, sql: str) -> list[tuple]:
    """Read the file with a separate plain sqlite3 connection: what really reached the disk."""
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
async def notes_db(tmp_path):
    db = DatabaseManager(tmp_path / "astros.db")
    await db.connect()
    await db.migrate("notes", NOTES)
    yield db
    await db.close()


async def test_connect_creates_the_folder_and_switches_to_wal(tmp_path) -> None:
    db = DatabaseManager(tmp_path / "deep" / "er" / "astros.db")
    await db.connect()
    try:
        assert (await db.execute_query("PRAGMA journal_mode")) == [{"journal_mode": "wal"}]
        assert (await db.execute_query("PRAGMA integrity_check")) == [{"integrity_check": "ok"}]
    finally:
        await db.close()
    assert (tmp_path / "deep" / "er" / "astros.db").is_file()


async def test_database_config_url_names_the_file(tmp_path) -> None:
    target = tmp_path / "from-url.db"
    db = DatabaseManager(DatabaseConfig(url=f"sqlite:///{target}"))
    await db.connect()
    await db.close()
    assert target.is_file()


async def test_config_without_url_uses_the_given_path(tmp_path) -> None:
    db = DatabaseManager(DatabaseConfig(), path=tmp_path / "data.db")
    await db.connect()
    await db.close()
    assert (tmp_path / "data.db").is_file()


def test_config_without_url_or_path_is_refused() -> None:
    with pytest.raises(ValueError, match="database.url"):
        DatabaseManager(DatabaseConfig())


async def test_query_before_connect_is_a_clear_error(tmp_path) -> None:
    db = DatabaseManager(tmp_path / "astros.db")
    with pytest.raises(DatabaseError, match="not open"):
        await db.execute_query("SELECT 1")


async def test_close_twice_is_harmless(tmp_path) -> None:
    db = DatabaseManager(tmp_path / "astros.db")
    await db.connect()
    await db.close()
    await db.close()


async def test_migrations_apply_once_in_order_and_survive_reopen(tmp_path) -> None:
    path = tmp_path / "astros.db"
    db = DatabaseManager(path)
    await db.connect()
    assert await db.migrate("notes", NOTES[:1]) == 1
    assert await db.migrate("notes", NOTES) == 2  # only the second statement runs now
    await db.insert("notes", {"id": "n1", "body": "milk", "author": "ann"})
    await db.close()

    again = DatabaseManager(path)
    await again.connect()
    try:
        # Running every statement again would fail: "table notes already exists".
        assert await again.migrate("notes", NOTES) == 2
        assert await again.execute_query("SELECT id, body, author FROM notes") == [
            {"id": "n1", "body": "milk", "author": "ann"}
        ]
    finally:
        await again.close()
    assert ("notes", 2) in rows_on_disk(path, "SELECT component, version FROM schema_version")


async def test_components_keep_separate_schema_versions(notes_db) -> None:
    assert await notes_db.migrate("other", ["CREATE TABLE other (id TEXT PRIMARY KEY)"]) == 1
    versions = await notes_db.execute_query("SELECT component, version FROM schema_version ORDER BY component")
    assert {"component": "notes", "version": 2} in versions
    assert {"component": "other", "version": 1} in versions
    assert {"component": "core", "version": 2} in versions


async def test_a_failing_migration_leaves_no_half_applied_schema(notes_db) -> None:
    broken = ("CREATE TABLE half (id TEXT PRIMARY KEY)", "CREATE TABLE oops (")
    with pytest.raises(sqlite3.Error):
        await notes_db.migrate("broken", broken)
    tables = await notes_db.execute_query("SELECT name FROM sqlite_master WHERE type = 'table'")
    assert "half" not in {t["name"] for t in tables}
    assert await notes_db.execute_query("SELECT * FROM schema_version WHERE component = 'broken'") == []


async def test_values_are_bound_never_pasted_into_sql(notes_db) -> None:
    evil = "x'); DROP TABLE notes; --"
    record_id = await notes_db.insert("notes", {"body": evil})
    rows = await notes_db.execute_query("SELECT body FROM notes WHERE body = :body", {"body": evil})
    assert rows == [{"body": evil}]
    assert await notes_db.execute_query("SELECT id FROM notes") == [{"id": record_id}]


async def test_insert_returns_the_new_id(notes_db) -> None:
    generated = await notes_db.insert("notes", {"body": "eggs"})
    given = await notes_db.insert("notes", {"id": "mine", "body": "bread"})
    assert given == "mine"
    assert len(generated) == 32 and generated != given
    rows = await notes_db.execute_query("SELECT id, body FROM notes ORDER BY body")
    assert rows == [{"id": "mine", "body": "bread"}, {"id": generated, "body": "eggs"}]


async def test_insert_into_a_table_without_id_returns_the_rowid(notes_db) -> None:
    await notes_db.migrate("log", ["CREATE TABLE log (line TEXT)"])
    assert await notes_db.insert("log", {"line": "a"}) == "1"
    assert await notes_db.insert("log", {"line": "b"}) == "2"


async def test_update_and_delete_say_whether_a_row_changed(notes_db) -> None:
    record_id = await notes_db.insert("notes", {"body": "eggs"})
    assert await notes_db.update("notes", record_id, {"done": 1}) is True
    assert await notes_db.update("notes", "no-such-id", {"done": 1}) is False
    assert await notes_db.execute_query("SELECT done FROM notes") == [{"done": 1}]
    assert await notes_db.delete("notes", record_id) is True
    assert await notes_db.delete("notes", record_id) is False
    assert await notes_db.execute_query("SELECT * FROM notes") == []


async def test_execute_returns_rows_changed(notes_db) -> None:
    for body in ("a", "b", "c"):
        await notes_db.insert("notes", {"body": body})
    assert await notes_db.execute("UPDATE notes SET done = 1 WHERE body != :body", {"body": "a"}) == 2


@pytest.mark.parametrize(
    ("table", "data", "message"),
    [
        ("nothere", {"body": "x"}, "no such table: nothere"),
        ("notes", {"body": "x", "colour": "red"}, "no column 'colour'"),
        ("notes; DROP TABLE notes", {"body": "x"}, "not a table name"),
    ],
)
async def test_insert_with_bad_names_is_refused_and_writes_nothing(notes_db, table, data, message) -> None:
    with pytest.raises(DatabaseError, match=message):
        await notes_db.insert(table, data)
    assert await notes_db.execute_query("SELECT * FROM notes") == []


async def test_update_with_unknown_column_is_refused(notes_db) -> None:
    record_id = await notes_db.insert("notes", {"body": "x"})
    with pytest.raises(DatabaseError, match="no column 'colour'"):
        await notes_db.update("notes", record_id, {"colour": "red"})
    with pytest.raises(DatabaseError, match="not a table name"):
        await notes_db.delete("notes WHERE 1=1 --", record_id)
    assert await notes_db.execute_query("SELECT body FROM notes") == [{"body": "x"}]


async def test_bad_sql_is_a_database_error(notes_db) -> None:
    with pytest.raises(DatabaseError, match="query failed"):
        await notes_db.execute_query("SELEC nonsense")
    with pytest.raises(DatabaseError, match="statement failed"):
        await notes_db.execute("UPDATE nothere SET x = 1")


async def test_a_failed_write_does_not_block_the_next_transaction(notes_db) -> None:
    with pytest.raises(DatabaseError, match="NOT NULL"):
        await notes_db.insert("notes", {"body": None})
    async with notes_db.transaction() as conn:
        await conn.execute("INSERT INTO notes (id, body) VALUES ('a', 'fine')")
    assert rows_on_disk(notes_db.path, "SELECT id, body FROM notes") == [("a", "fine")]


async def test_transaction_commits_everything_together(notes_db) -> None:
    async with notes_db.transaction() as conn:
        await conn.execute("INSERT INTO notes (id, body) VALUES ('a', 'one')")
        await conn.execute("INSERT INTO notes (id, body) VALUES ('b', 'two')")
    assert sorted(rows_on_disk(notes_db.path, "SELECT id FROM notes")) == [("a",), ("b",)]


async def test_transaction_rolls_back_when_anything_fails(notes_db) -> None:
    await notes_db.insert("notes", {"id": "keep", "body": "before"})
    with pytest.raises(sqlite3.IntegrityError):
        async with notes_db.transaction() as conn:
            await conn.execute("UPDATE notes SET body = 'changed' WHERE id = 'keep'")
            await conn.execute("INSERT INTO notes (id, body) VALUES ('new', 'half')")
            await conn.execute("INSERT INTO notes (id, body) VALUES ('new', 'duplicate id')")
    with pytest.raises(RuntimeError):
        async with notes_db.transaction() as conn:
            await conn.execute("INSERT INTO notes (id, body) VALUES ('x', 'y')")
            raise RuntimeError("the caller changed its mind")
    assert rows_on_disk(notes_db.path, "SELECT id, body FROM notes") == [("keep", "before")]
    assert await notes_db.execute_query("PRAGMA integrity_check") == [{"integrity_check": "ok"}]
