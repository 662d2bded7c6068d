"""The database's tables, its schema version (SQLite's ``user_version``) and the migrations to it.

A new file is made at ``SCHEMA_VERSION``. An older file is migrated step by step, in one
transaction; a file from a newer workdocs-local is refused rather than misread. Files
written before the version existed (0, the ``users`` table already there) migrate too.
After that, a column the map has and the file lacks (a ``User`` member newer than the
file) is added, empty for the users already there.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from workdocs_local.models._user_table import SERVICE_COLUMNS, USER_COLUMNS, add_missing_columns, users_table_sql

SCHEMA_VERSION = 1

OTHER_TABLES = """
CREATE TABLE organizations (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL
);
CREATE TABLE folders (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    creator_id TEXT NOT NULL,
    parent_folder_id TEXT,
    created REAL NOT NULL,
    modified REAL NOT NULL
);
CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE
);
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

# Version 0 named four User columns its own way; version 1 names every column from the map.
_V0_NAMES = {
    "created_timestamp": "created",
    "modified_timestamp": "modified",
    "storage_utilized_in_bytes": "storage_utilized",
    "storage_allocated_in_bytes": "storage_allocated",
}


def _v0_to_v1(db: sqlite3.Connection) -> None:
    """Rebuild the users table from the column map (SQLite's way: build aside, copy, drop, rename)."""
    old = {row[1] for row in db.execute("PRAGMA table_info(users)")}
    targets = [c.name for c in USER_COLUMNS] + list(SERVICE_COLUMNS)
    sources = [_V0_NAMES.get(name, name) for name in targets]
    selected = [source if source in old else "NULL" for source in sources]
    db.execute(users_table_sql("users_v1"))
    db.execute(f"INSERT INTO users_v1 ({', '.join(targets)}) SELECT {', '.join(selected)} FROM users")
    db.execute("DROP TABLE users")
    db.execute("ALTER TABLE users_v1 RENAME TO users")


# MIGRATIONS[n] takes a file from version n to n + 1.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v0_to_v1]
assert len(MIGRATIONS) == SCHEMA_VERSION


def schema_version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def open_schema(db: sqlite3.Connection, db_path: str) -> None:
    """Bring a just-opened database to ``SCHEMA_VERSION``; ValueError if it is newer.

    Runs with foreign keys off (the caller turns them on after): rebuilding the users table
    drops it, which would otherwise cascade to the tokens.
    """
    db.execute("PRAGMA foreign_keys=OFF")
    db.execute("BEGIN IMMEDIATE")  # the version is read and written under one lock
    try:
        version = schema_version(db)
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if version > SCHEMA_VERSION:
            raise ValueError(
                f"{db_path} has schema version {version}; this workdocs-local reads up to {SCHEMA_VERSION}:"
                " use a newer workdocs-local or another --db"
            )
        if version == 0 and "users" not in tables:
            # One statement at a time: executescript() would commit the transaction first.
            for statement in [*OTHER_TABLES.split(";"), users_table_sql()]:
                if statement.strip():
                    db.execute(statement)
        else:
            for step in MIGRATIONS[version:]:
                step(db)
            problems = db.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise ValueError(f"{db_path}: {len(problems)} rows break a foreign key after migration")
        add_missing_columns(db)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
