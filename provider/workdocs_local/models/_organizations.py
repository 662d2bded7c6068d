"""Organizations, and the site administrator each one always has."""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable
from typing import Any

from workdocs_local.errors import WorkDocsError, invalid_argument
from workdocs_local.models._access import Caller
from workdocs_local.models._store import Store, now
from workdocs_local.models._user_table import ORGANIZATION_ID
from workdocs_local.service_model import service_model
from workdocs_local.validation import validate

DEFAULT_SITE_ADMIN = "siteadmin"

# Adds a user to an organization from CreateUser's parameters, with a user type.
InsertUser = Callable[[sqlite3.Connection, str, dict[str, Any], str], object]


def new_organization_id() -> str:
    """Directory-style ID, the form WorkDocs organization IDs take (``d-`` + 10 hex)."""
    return "d-" + secrets.token_hex(5)


def site_admin_params(username: str) -> dict[str, Any]:
    """CreateUser's parameters for the site admin."""
    # A random password nobody knows: act as the site admin with a control-API token.
    return {
        "Username": username,
        "GivenName": "Site",
        "Surname": "Administrator",
        "Password": secrets.token_urlsafe(16),
    }


def check_site_admin(username: str) -> None:
    """The site admin is made as CreateUser would make it, so its username follows the same rules."""
    shape = service_model().operation_model("CreateUser").input_shape
    assert shape is not None
    try:
        validate(shape, {"OrganizationId": "d-0000000000", **site_admin_params(username)})
    except WorkDocsError as err:
        raise ValueError(f"site admin username: {err.message}") from None


def organization_for(store: Store, params: dict[str, Any], caller: Caller) -> str:
    """The organization a call acts on: the token user's, or the OrganizationId a SigV4 caller gives."""
    if caller.user is not None:
        org = str(caller.user[ORGANIZATION_ID.name])
        if params.get("OrganizationId") not in (None, org):
            raise WorkDocsError(
                "UnauthorizedResourceAccessException",
                "The caller cannot access that organization.",
            )
        return org
    requested: str | None = params.get("OrganizationId")
    if requested is None:
        raise invalid_argument("OrganizationId is required for administrative (SigV4) callers.")
    if not store.query("SELECT 1 FROM organizations WHERE id = ?", (requested,)):
        # Unknown organization: UnauthorizedResourceAccessException (404), which every
        # WorkDocs operation models, so callers can catch one error for it everywhere.
        raise WorkDocsError("UnauthorizedResourceAccessException", f"Organization {requested} does not exist.")
    return requested


class Organizations:
    """The organizations of the database, the ones asked for made if missing, each with its site admin."""

    def __init__(self, store: Store, requested: list[str], site_admin: str, insert_user: InsertUser) -> None:
        self._store = store
        self.site_admin = site_admin
        self._insert_user = insert_user
        self.ids = self._ensure(list(requested))

    def _ensure(self, requested: list[str]) -> list[str]:
        with self._store.transaction() as db:
            for org in requested:
                db.execute("INSERT OR IGNORE INTO organizations (id, created) VALUES (?, ?)", (org, now()))
            existing = [r["id"] for r in db.execute("SELECT id FROM organizations ORDER BY created")]
            if not existing:
                org = new_organization_id()
                db.execute("INSERT INTO organizations (id, created) VALUES (?, ?)", (org, now()))
                existing = [org]
            self.ensure_site_admins(db)
        return requested or existing

    def ensure_site_admins(self, db: sqlite3.Connection) -> None:
        """A WorkDocs site always has its administrator: an organization with no user gets one.

        That is every new organization, and every organization after a reset.
        """
        empty = db.execute(
            "SELECT id FROM organizations WHERE NOT EXISTS"
            f" (SELECT 1 FROM users WHERE users.{ORGANIZATION_ID.name} = organizations.id)"
        ).fetchall()
        for org in empty:
            self._insert_user(db, org["id"], site_admin_params(self.site_admin), "ADMIN")
