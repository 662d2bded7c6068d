"""The service's state: one backend per server, composed of one part per concern.

Operation methods are named as botocore's ``xform_name`` names the operation
(CreateUser -> ``op_create_user``) on the part that owns it; they take the validated
input parameters and return the output members. Operations without such a method
answer "not implemented".
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from botocore import xform_name

from workdocs_local.errors import unauthorized_operation
from workdocs_local.models._access import Caller, check_access
from workdocs_local.models._folders import Folders
from workdocs_local.models._organizations import DEFAULT_SITE_ADMIN, Organizations, check_site_admin
from workdocs_local.models._paging import Markers
from workdocs_local.models._store import Store
from workdocs_local.models._tokens import Tokens
from workdocs_local.models._users import DEFAULT_STORAGE_QUOTA_BYTES, Users

Handler = Callable[[dict[str, Any], Caller], dict[str, Any] | None]


class WorkDocsBackend:
    """The service's state. One per server; thread-safe (see ``Store``)."""

    def __init__(
        self,
        db_path: str = ":memory:",
        organizations: list[str] | None = None,
        default_storage_quota_bytes: int = DEFAULT_STORAGE_QUOTA_BYTES,
        site_admin: str = DEFAULT_SITE_ADMIN,
    ) -> None:
        check_site_admin(site_admin)  # before the database file is made
        self.db_path = db_path
        self.default_storage_quota_bytes = default_storage_quota_bytes
        self.site_admin = site_admin
        self._store = Store(db_path)
        markers = Markers(self._store)
        self.users = Users(self._store, markers, default_storage_quota_bytes)
        self.folders = Folders(self._store, markers)
        self.tokens = Tokens(self._store)
        self.organizations = Organizations(self._store, list(organizations or []), site_admin, self.users.insert)
        self.organization_ids = self.organizations.ids
        self._parts: tuple[object, ...] = (self.users, self.folders)

    # -- the database, for tools and tests that seed or inspect it -----------------------

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._store.transaction() as db:
            yield db

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        return self._store.query(sql, args)

    def close(self) -> None:
        self._store.close()

    def reset(self) -> None:
        """Forget every user, folder and token; keep the organizations, each with its site admin."""
        with self._store.transaction() as db:
            db.execute("DELETE FROM tokens")
            db.execute("DELETE FROM users")
            db.execute("DELETE FROM folders")
            self.organizations.ensure_site_admins(db)

    # -- tokens ---------------------------------------------------------------------------

    def create_token(self, organization_id: str, username: str, token: str | None = None) -> str:
        """Issue an Authentication token for a user (WorkDocs gets these from SSO)."""
        return self.tokens.create(organization_id, username, token)

    def user_for_token(self, token: str) -> sqlite3.Row:
        return self.tokens.user(token)

    # -- operations -----------------------------------------------------------------------

    def _handler(self, operation: str) -> Handler:
        name = "op_" + xform_name(operation)
        for part in self._parts:
            handler: Handler | None = getattr(part, name, None)
            if handler is not None:
                return handler
        raise unauthorized_operation(f"{operation} is not implemented by workdocs-local.")

    def authorize(self, operation: str, caller: Caller) -> None:
        """Raise UnauthorizedOperationException if ``caller`` may not call ``operation``.

        Runs before input validation: GetCurrentUser and DescribeRootFolders model the
        token as required, so a SigV4-only caller would otherwise get a validation error
        for the missing token instead of UnauthorizedOperationException.
        """
        self._handler(operation)
        check_access(operation, caller)

    def dispatch(self, operation: str, params: dict[str, Any], caller: Caller) -> dict[str, Any] | None:
        """Run one operation for a caller whose identity is already verified."""
        self.authorize(operation, caller)
        return self._handler(operation)(params, caller)
