"""The one SQLite connection of a backend: its lock, transactions, settings and SQL functions."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from workdocs_local.models._schema import open_schema


def now() -> float:
    """The time as stored: seconds since the epoch, to the millisecond."""
    return round(dt.datetime.now(dt.UTC).timestamp(), 3)


def timestamp(value: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(value, tz=dt.UTC)


def _sql_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


class Store:
    """All access goes through one connection under one lock; every mutation is one transaction.

    That makes concurrent requests from the threaded server safe.
    """

    def __init__(self, db_path: str) -> None:
        self.lock = threading.RLock()
        self.db = sqlite3.connect(db_path, check_same_thread=False, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        # SQLite's own lower() folds ASCII only, so "Émile" would never match the query
        # "émile" (lowered in Python); every lower() in the backend's SQL is Python's.
        self.db.create_function("lower", 1, _sql_lower, deterministic=True)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA busy_timeout=5000")
        try:
            open_schema(self.db, db_path)
        except BaseException:
            self.db.close()
            raise
        self.db.execute("PRAGMA foreign_keys=ON")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def query(self, sql: str, args: tuple[Any, ...] | list[Any] = ()) -> list[sqlite3.Row]:
        with self.lock:
            return self.db.execute(sql, args).fetchall()

    def setting(self, name: str, default: str) -> str:
        """A value kept in the database, set to ``default`` the first time."""
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO settings (name, value) VALUES (?, ?)", (name, default))
            return str(db.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()[0])

    def close(self) -> None:
        with self.lock:
            self.db.close()
