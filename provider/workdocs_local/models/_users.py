"""Users: CreateUser, DescribeUsers, UpdateUser, DeleteUser, (De)ActivateUser and GetCurrentUser.

Rows are written and described through the column map (``_user_table``); only the members
whose values the service decides (IDs, status, type, timestamps, storage) are named here.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import unicodedata
from functools import lru_cache
from typing import Any

from workdocs_local.errors import WorkDocsError, not_exists
from workdocs_local.models import _user_table as table
from workdocs_local.models._access import Caller
from workdocs_local.models._folders import Folders, make_user_folders
from workdocs_local.models._organizations import organization_for
from workdocs_local.models._paging import DEFAULT_LIMIT, Markers
from workdocs_local.models._store import Store, now
from workdocs_local.models._user_table import (
    CREATED,
    ID,
    LOCALE,
    MODIFIED,
    ORGANIZATION_ID,
    RECYCLE_BIN_FOLDER_ID,
    ROOT_FOLDER_ID,
    STATUS,
    STORAGE_ALLOCATED,
    STORAGE_TYPE,
    STORAGE_UTILIZED,
    TIME_ZONE_ID,
    TYPE,
    USERNAME,
    Values,
    column,
)

DEFAULT_STORAGE_QUOTA_BYTES = 1024**4  # WorkDocs' default: 1 TB per user
DEFAULT_TIME_ZONE_ID = "GMT"
DEFAULT_LOCALE = "default"
# Each sort is a tuple of SQL expressions, all in the requested order. UNLIMITED storage
# is the largest limit: last in ascending order, whatever the quotas are.
_GIVEN_NAME, _SURNAME = column("GivenName").name, column("Surname").name
SORT_COLUMNS = {
    "USER_NAME": ("username_lower",),
    "FULL_NAME": (f"lower({_GIVEN_NAME} || ' ' || {_SURNAME})",),
    "STORAGE_LIMIT": (f"{STORAGE_TYPE.name} = 'UNLIMITED'", STORAGE_ALLOCATED.name),
    "USER_STATUS": (STATUS.name,),
    "STORAGE_USED": (STORAGE_UTILIZED.name,),
}


@lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    """Case- and accent-insensitive form: casefold, NFKD, combining marks dropped ("Má" -> "ma")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _starts_a_word(text: str, token: str) -> bool:
    """Whether ``token`` occurs in ``text`` at a word start (the start, or after a non-alphanumeric)."""
    at = text.find(token)
    while at != -1:
        if at == 0 or not text[at - 1].isalnum():
            return True
        at = text.find(token, at + 1)
    return False


def _query_matches(tokens: str, *names: str) -> bool:
    """DescribeUsers' Query: every token a prefix of some word of the given name, surname or username."""
    folded = [_fold(name) for name in names]
    return all(any(_starts_a_word(name, token) for name in folded) for token in tokens.split())


def _hash_password(password: str) -> str:
    # Stored only as a salted hash; never returned, logged or kept in plaintext.
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("latin-1"), salt, 1_000)
    return f"pbkdf2_sha256$1000${salt.hex()}${digest.hex()}"


def user_by_name(db: sqlite3.Connection, org: str, username: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        f"SELECT * FROM users WHERE {ORGANIZATION_ID.name} = ? AND username_lower = ?",
        (org, username.lower()),
    ).fetchone()
    return row


def _row(db: sqlite3.Connection, user_id: str) -> sqlite3.Row:
    row: sqlite3.Row = db.execute(f"SELECT * FROM users WHERE {ID.name} = ?", (user_id,)).fetchone()
    return row


def _is_last_active_admin(db: sqlite3.Connection, row: sqlite3.Row) -> bool:
    if row[TYPE.name] != "ADMIN" or row[STATUS.name] != "ACTIVE":
        return False
    others = db.execute(
        f"SELECT count(*) FROM users WHERE {ORGANIZATION_ID.name} = ? AND {TYPE.name} = 'ADMIN'"
        f" AND {STATUS.name} = 'ACTIVE' AND {ID.name} != ?",
        (row[ORGANIZATION_ID.name], row[ID.name]),
    ).fetchone()[0]
    return int(others) == 0


def _refuse_last_admin(db: sqlite3.Connection, row: sqlite3.Row, what: str) -> None:
    if _is_last_active_admin(db, row):
        raise WorkDocsError(
            "DeactivatingLastSystemUserException",
            f"The last active administrator of the organization cannot be {what}.",
        )


class Users:
    def __init__(self, store: Store, markers: Markers, default_storage_quota_bytes: int) -> None:
        self._store = store
        self._markers = markers
        self.default_storage_quota_bytes = default_storage_quota_bytes
        store.db.create_function("query_matches", 4, _query_matches, deterministic=True)

    def _user(self, db: sqlite3.Connection, user_id: str, caller: Caller) -> sqlite3.Row:
        row: sqlite3.Row | None = db.execute(f"SELECT * FROM users WHERE {ID.name} = ?", (user_id,)).fetchone()
        if row is None or (caller.user is not None and row[ORGANIZATION_ID.name] != caller.user[ORGANIZATION_ID.name]):
            raise not_exists(f"User {user_id} does not exist.", user_id)
        return row

    def _storage(self, rule: dict[str, Any] | None) -> Values:
        """A StorageRule as stored: QUOTA with the default quota unless it says otherwise."""
        if rule is None:
            return {STORAGE_TYPE: "QUOTA", STORAGE_ALLOCATED: self.default_storage_quota_bytes}
        storage_type = rule.get("StorageType", "QUOTA")
        allocated = rule.get("StorageAllocatedInBytes")
        if storage_type == "QUOTA" and allocated is None:
            allocated = self.default_storage_quota_bytes
        return {STORAGE_TYPE: storage_type, STORAGE_ALLOCATED: allocated}

    def insert(self, db: sqlite3.Connection, org: str, params: dict[str, Any], user_type: str = "USER") -> sqlite3.Row:
        """Add an active user, with its root and recycle-bin folders, from CreateUser's parameters."""
        created = now()
        user_id = secrets.token_hex(32)
        root_id, bin_id = make_user_folders(db, user_id, params["Username"], created)
        values = table.input_values("CreateUser", params)
        values.setdefault(TIME_ZONE_ID, DEFAULT_TIME_ZONE_ID)
        values.setdefault(LOCALE, DEFAULT_LOCALE)
        values |= self._storage(params.get("StorageRule"))
        values |= {
            ID: user_id,
            ORGANIZATION_ID: org,
            STATUS: "ACTIVE",
            TYPE: user_type,
            CREATED: created,
            MODIFIED: created,
            STORAGE_UTILIZED: 0,
            ROOT_FOLDER_ID: root_id,
            RECYCLE_BIN_FOLDER_ID: bin_id,
        }
        service = {"username_lower": params["Username"].lower(), "password_hash": _hash_password(params["Password"])}
        table.insert(db, values, service)
        return _row(db, user_id)

    def op_create_user(self, params: dict[str, Any], caller: Caller) -> dict[str, Any]:
        org = organization_for(self._store, params, caller)
        with self._store.transaction() as db:
            existing = user_by_name(db, org, params["Username"])
            if existing is not None:
                raise WorkDocsError(
                    "EntityAlreadyExistsException",
                    f"A user with username {existing[USERNAME.name]} already exists.",
                )
            row = self.insert(db, org, params)
        return {"User": table.user_document(row)}

    def op_describe_users(self, params: dict[str, Any], caller: Caller) -> dict[str, Any]:
        where: list[str] = []
        args: list[Any] = []
        user_ids = params.get("UserIds")
        if user_ids is None or params.get("OrganizationId") is not None or caller.user is not None:
            where.append(f"{ORGANIZATION_ID.name} = ?")
            args.append(organization_for(self._store, params, caller))
        if user_ids is not None:
            ids = [i.strip() for i in user_ids.split(",") if i.strip()]
            where.append(f"{ID.name} IN ({','.join('?' * len(ids))})")
            args += ids
        elif params.get("Query") and _fold(params["Query"]).split():
            where.append(f"query_matches(?, {_GIVEN_NAME}, {_SURNAME}, {USERNAME.name})")
            args.append(" ".join(_fold(params["Query"]).split()))
        if params.get("Include", "ACTIVE_PENDING") == "ACTIVE_PENDING":
            where.append(f"{STATUS.name} IN ('ACTIVE', 'PENDING')")
        order = "DESC" if params.get("Order") == "DESCENDING" else "ASC"
        sort = ", ".join(f"{expression} {order}" for expression in SORT_COLUMNS[params.get("Sort", "USER_NAME")])
        limit = params.get("Limit", DEFAULT_LIMIT)
        offset = self._markers.decode("DescribeUsers", params.get("Marker"))
        clause = " AND ".join(where) or "1"
        with self._store.lock:
            db = self._store.db
            total = db.execute(f"SELECT count(*) FROM users WHERE {clause}", args).fetchone()[0]
            rows = db.execute(
                f"SELECT * FROM users WHERE {clause} ORDER BY {sort}, {ID.name} LIMIT ? OFFSET ?",
                [*args, limit, offset],
            ).fetchall()
        omit = () if "STORAGE_METADATA" in (params.get("Fields") or "").split(",") else ("Storage",)
        return {
            "Users": [table.user_document(r, omit) for r in rows],
            "TotalNumberOfUsers": total,
            "Marker": self._markers.next("DescribeUsers", offset + len(rows), total),
        }

    def op_update_user(self, params: dict[str, Any], caller: Caller) -> dict[str, Any]:
        with self._store.transaction() as db:
            row = self._user(db, params["UserId"], caller)
            changes = table.input_values("UpdateUser", params)
            # GrantPoweruserPrivileges never overrides a Type given in the same call, and
            # never demotes an ADMIN (an administrator already has every privilege).
            grant = params.get("GrantPoweruserPrivileges")
            if TYPE not in changes and row[TYPE.name] != "ADMIN":
                if grant == "TRUE":
                    changes[TYPE] = "POWERUSER"
                elif grant == "FALSE" and row[TYPE.name] == "POWERUSER":
                    changes[TYPE] = "USER"
            if changes.get(TYPE, "ADMIN") != "ADMIN":
                _refuse_last_admin(db, row, "demoted")
            if "StorageRule" in params:  # a rule replaces the whole rule, defaults included
                changes |= self._storage(params["StorageRule"])
            changes[MODIFIED] = now()
            table.update(db, row[ID.name], changes)
            row = _row(db, row[ID.name])
        return {"User": table.user_document(row)}

    def op_delete_user(self, params: dict[str, Any], caller: Caller) -> None:
        with self._store.transaction() as db:
            row = self._user(db, params["UserId"], caller)
            _refuse_last_admin(db, row, "deleted")
            Folders.delete_of(db, row[ID.name])
            db.execute(f"DELETE FROM users WHERE {ID.name} = ?", (row[ID.name],))

    def _set_status(self, db: sqlite3.Connection, row: sqlite3.Row, status: str) -> None:
        if row[STATUS.name] != status:
            table.update(db, row[ID.name], {STATUS: status, MODIFIED: now()})

    def op_activate_user(self, params: dict[str, Any], caller: Caller) -> dict[str, Any]:
        with self._store.transaction() as db:
            row = self._user(db, params["UserId"], caller)
            self._set_status(db, row, "ACTIVE")
            row = _row(db, row[ID.name])
        return {"User": table.user_document(row)}

    def op_deactivate_user(self, params: dict[str, Any], caller: Caller) -> None:
        with self._store.transaction() as db:
            row = self._user(db, params["UserId"], caller)
            _refuse_last_admin(db, row, "deactivated")
            self._set_status(db, row, "INACTIVE")

    def op_get_current_user(self, params: dict[str, Any], caller: Caller) -> dict[str, Any]:
        assert caller.user is not None
        return {"User": table.user_document(caller.user)}
