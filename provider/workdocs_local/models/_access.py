"""Who calls: a SigV4 access key or a token's user, and which operations each may call."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from workdocs_local.errors import unauthorized_operation
from workdocs_local.models._user_table import TYPE

ADMINISTRATIVE_OPERATIONS = {
    "CreateUser",
    "UpdateUser",
    "DeleteUser",
    "ActivateUser",
    "DeactivateUser",
}
TOKEN_ONLY_OPERATIONS = {"GetCurrentUser", "DescribeRootFolders"}


@dataclass(frozen=True)
class Caller:
    """The identity behind a request: a SigV4 access key, or a token's user row."""

    access_key: str | None = None
    user: sqlite3.Row | None = None

    @property
    def is_administrator(self) -> bool:
        return self.user is None or self.user[TYPE.name] == "ADMIN"


def check_access(operation: str, caller: Caller) -> None:
    """Raise UnauthorizedOperationException if ``caller`` may not call ``operation``."""
    if operation in TOKEN_ONLY_OPERATIONS and caller.user is None:
        raise unauthorized_operation(
            f"{operation} is not valid for administrative (SigV4) callers: send an Authentication token."
        )
    if operation in ADMINISTRATIVE_OPERATIONS and not caller.is_administrator:
        raise unauthorized_operation(f"{operation} requires an administrator.")
