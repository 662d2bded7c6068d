"""Authentication tokens: issued through the control API (WorkDocs gets them from SSO), kept hashed."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3

from workdocs_local.errors import WorkDocsError, not_exists
from workdocs_local.models._store import Store
from workdocs_local.models._user_table import ID, STATUS
from workdocs_local.models._users import user_by_name


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Tokens:
    def __init__(self, store: Store) -> None:
        self._store = store

    def create(self, organization_id: str, username: str, token: str | None = None) -> str:
        """Issue an Authentication token for a user."""
        token = token or secrets.token_urlsafe(32)
        with self._store.transaction() as db:
            user = user_by_name(db, organization_id, username)
            if user is None:
                raise not_exists(f"User {username} does not exist.", username)
            db.execute(
                "INSERT OR REPLACE INTO tokens (token_hash, user_id) VALUES (?, ?)",
                (_hash_token(token), user[ID.name]),
            )
        return token

    def user(self, token: str) -> sqlite3.Row:
        """The active user ``token`` was issued to; UnauthorizedResourceAccessException otherwise."""
        rows = self._store.query(
            f"SELECT users.* FROM tokens JOIN users ON users.{ID.name} = tokens.user_id WHERE token_hash = ?",
            (_hash_token(token),),
        )
        if not rows or rows[0][STATUS.name] != "ACTIVE":
            raise WorkDocsError("UnauthorizedResourceAccessException", "The Authentication token is not valid.")
        return rows[0]
