"""One column of the users table: where its value sits in a ``User`` and how SQLite keeps it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

# Model shape type -> SQLite type. Booleans are 0/1, timestamps seconds since the epoch.
SQL_TYPES = {
    "string": "TEXT",
    "integer": "INTEGER",
    "long": "INTEGER",
    "boolean": "INTEGER",
    "timestamp": "REAL",
    "float": "REAL",
    "double": "REAL",
}


@dataclass(frozen=True)
class Column:
    """A scalar member of botocore's ``User`` shape, stored in the users table's column ``name``.

    ``path`` names the members from ``User`` down to the scalar (``("Storage", "StorageRule",
    "StorageType")``); ``kind`` is the member's shape type, or ``enum`` for an enum string.
    """

    path: tuple[str, ...]
    name: str
    sql_type: str
    kind: str

    @property
    def shape_type(self) -> str:
        """The model's type name of the member (an enum is a string)."""
        return "string" if self.kind == "enum" else self.kind

    def to_sql(self, value: Any) -> Any:
        if value is None:
            return None
        if self.kind == "timestamp":
            seconds = value.timestamp() if isinstance(value, dt.datetime) else float(value)
            return round(seconds, 3)
        if self.kind == "boolean":
            return int(bool(value))
        return value

    def from_sql(self, value: Any) -> Any:
        if value is None:
            return None
        if self.kind == "timestamp":
            return dt.datetime.fromtimestamp(value, tz=dt.UTC)
        if self.kind == "boolean":
            return bool(value)
        return value
