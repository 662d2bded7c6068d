"""The users table, from the generated column map: its DDL, inserts, updates and ``User`` documents.

No column is listed here by hand: a member botocore's ``User`` shape gains becomes a column
once ``python -m workdocs_local.codegen`` regenerates ``_columns.py``, and CreateUser or
UpdateUser store it when their input has a member of the same name and type.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from botocore.model import Shape, StructureShape

from workdocs_local._column import Column
from workdocs_local.models._columns import USER_COLUMNS
from workdocs_local.service_model import service_model

_BY_PATH = {column.path: column for column in USER_COLUMNS}


def column(*path: str) -> Column:
    """The column of the ``User`` member at ``path``; KeyError (at import, for the names below) if none."""
    return _BY_PATH[path]


# The members the service itself sets or queries. A typo fails when the module is imported.
ID = column("Id")
USERNAME = column("Username")
ORGANIZATION_ID = column("OrganizationId")
STATUS = column("Status")
TYPE = column("Type")
CREATED = column("CreatedTimestamp")
MODIFIED = column("ModifiedTimestamp")
TIME_ZONE_ID = column("TimeZoneId")
LOCALE = column("Locale")
ROOT_FOLDER_ID = column("RootFolderId")
RECYCLE_BIN_FOLDER_ID = column("RecycleBinFolderId")
STORAGE_UTILIZED = column("Storage", "StorageUtilizedInBytes")
STORAGE_TYPE = column("Storage", "StorageRule", "StorageType")
STORAGE_ALLOCATED = column("Storage", "StorageRule", "StorageAllocatedInBytes")

# Columns of the service's own, no User member: the case-folded username (unique in an
# organization) and the password's salted hash (never returned).
SERVICE_COLUMNS = {"username_lower": "TEXT NOT NULL", "password_hash": "TEXT NOT NULL"}
# The model requires no User member; the table's keys do.
_NOT_NULL = {ID, USERNAME, ORGANIZATION_ID}

Values = dict[Column, Any]


def users_table_sql(table: str = "users") -> str:
    """CREATE TABLE for the users table (``table`` names it: a migration builds it aside first)."""
    definitions = [f"{c.name} {c.sql_type}{' NOT NULL' if c in _NOT_NULL else ''}" for c in USER_COLUMNS] + [
        f"{name} {definition}" for name, definition in SERVICE_COLUMNS.items()
    ]
    definitions += [
        f"PRIMARY KEY ({ID.name})",
        f"FOREIGN KEY ({ORGANIZATION_ID.name}) REFERENCES organizations(id)",
        f"UNIQUE ({ORGANIZATION_ID.name}, username_lower)",
    ]
    body = ",\n    ".join(definitions)
    return f"CREATE TABLE {table} (\n    {body}\n)"


def add_missing_columns(db: sqlite3.Connection) -> list[str]:
    """Add a column for each map entry the file's users table lacks (a member newer than the file)."""
    present = {row[1] for row in db.execute("PRAGMA table_info(users)")}
    added = [c for c in USER_COLUMNS if c.name not in present]
    for c in added:
        db.execute(f"ALTER TABLE users ADD COLUMN {c.name} {c.sql_type}")
    return [c.name for c in added]


def insert(db: sqlite3.Connection, values: Values, service: Mapping[str, Any]) -> None:
    """INSERT one user: its members' ``values`` and the ``service`` columns (by name)."""
    names = [c.name for c in values] + list(service)
    args = [c.to_sql(v) for c, v in values.items()] + list(service.values())
    db.execute(f"INSERT INTO users ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})", args)


def update(db: sqlite3.Connection, user_id: str, values: Values) -> None:
    assignments = ", ".join(f"{c.name} = ?" for c in values)
    db.execute(
        f"UPDATE users SET {assignments} WHERE {ID.name} = ?",
        [*(c.to_sql(v) for c, v in values.items()), user_id],
    )


def user_document(row: sqlite3.Row, omit: Iterable[str] = ()) -> dict[str, Any]:
    """The ``User`` a row describes, without the top-level members in ``omit`` or empty values."""
    left_out = set(omit)
    user: dict[str, Any] = {}
    for c in USER_COLUMNS:
        value = c.from_sql(row[c.name])
        if value is None or c.path[0] in left_out:
            continue
        target = user
        for part in c.path[:-1]:
            target = target.setdefault(part, {})
        target[c.path[-1]] = value
    return user


def input_values(operation: str, params: Mapping[str, Any]) -> Values:
    """The User members an operation's input sets: each input member whose name and type are a User member's.

    A nested input member matches by its path's tail: CreateUser's ``StorageRule.StorageType``
    is ``User``'s ``Storage.StorageRule.StorageType``.
    """
    matches = _input_columns(operation)
    values: Values = {}

    def walk(document: Mapping[str, Any], prefix: tuple[str, ...]) -> None:
        for name, value in document.items():
            path = (*prefix, name)
            if isinstance(value, Mapping):
                walk(value, path)
            elif path in matches:
                values[matches[path]] = value

    walk(params, ())
    return values


@cache
def _input_columns(operation: str) -> dict[tuple[str, ...], Column]:
    shape = service_model().operation_model(operation).input_shape
    found: dict[tuple[str, ...], Column] = {}

    def walk(members: Mapping[str, Shape], prefix: tuple[str, ...]) -> None:
        for name, member in members.items():
            path = (*prefix, name)
            if isinstance(member, StructureShape):
                walk(member.members, path)
                continue
            candidates = [c for c in USER_COLUMNS if c.path[-len(path) :] == path and c.shape_type == member.type_name]
            if len(candidates) == 1:
                found[path] = candidates[0]

    if shape is not None:
        walk(shape.members, ())
    return found
