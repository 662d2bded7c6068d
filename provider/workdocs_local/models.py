"""WorkDocs state and the semantics of each implemented operation, persisted in SQLite.

Operation methods are named as botocore's ``xform_name`` names the operation
(CreateUser -> ``create_user``); they take the validated input parameters and return the
output members. Operations without such a method answer "not implemented".
All access goes through one connection under one lock, and every mutation is one
transaction, so concurrent requests from the threaded server are safe.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import sqlite3
import threading
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from botocore import xform_name

from workdocs_local.errors import (
    WorkDocsError,
    invalid_argument,
    not_exists,
    unauthorized_operation,
)
from workdocs_local.service_model import service_model
from workdocs_local.validation import validate

DEFAULT_STORAGE_QUOTA_BYTES = 1024**4  # WorkDocs' default: 1 TB per user
DEFAULT_TIME_ZONE_ID = "GMT"
DEFAULT_LOCALE = "default"
DEFAULT_LIMIT = 24
DEFAULT_SITE_ADMIN = "siteadmin"
ADMINISTRATIVE_OPERATIONS = {
    "CreateUser",
    "UpdateUser",
    "DeleteUser",
    "ActivateUser",
    "DeactivateUser",
}
TOKEN_ONLY_OPERATIONS = {"GetCurrentUser", "DescribeRootFolders"}
# Each sort is a tuple of SQL expressions, all in the requested order. UNLIMITED storage
# is the largest limit: last in ascending order, whatever the quotas are.
SORT_COLUMNS = {
    "USER_NAME": ("username_lower",),
    "FULL_NAME": ("lower(given_name || ' ' || surname)",),
    "STORAGE_LIMIT": ("storage_type = 'UNLIMITED'", "storage_allocated"),
    "USER_STATUS": ("status",),
    "STORAGE_USED": ("storage_utilized",),
}
INVALID_MARKER = "The pagination marker or limit fields are not valid."

SCHEMA = """
CREATE TABLE IF NOT EXISTS organizations (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    username TEXT NOT NULL,
    username_lower TEXT NOT NULL,
    email_address TEXT,
    given_name TEXT NOT NULL,
    surname TEXT NOT NULL,
    status TEXT NOT NULL,
    type TEXT NOT NULL,
    created REAL NOT NULL,
    modified REAL NOT NULL,
    time_zone_id TEXT NOT NULL,
    locale TEXT NOT NULL,
    storage_type TEXT NOT NULL,
    storage_allocated INTEGER,
    storage_utilized INTEGER NOT NULL DEFAULT 0,
    root_folder_id TEXT NOT NULL,
    recycle_bin_folder_id TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    UNIQUE (organization_id, username_lower)
);
CREATE TABLE IF NOT EXISTS folders (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    creator_id TEXT NOT NULL,
    parent_folder_id TEXT,
    created REAL NOT NULL,
    modified REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Caller:
    """The identity behind a request: a SigV4 access key, or a token's user row."""

    access_key: str | None = None
    user: sqlite3.Row | None = None

    @property
    def is_administrator(self) -> bool:
        return self.user is None or self.user["type"] == "ADMIN"


def _now() -> float:
    return round(dt.datetime.now(dt.UTC).timestamp(), 3)


def _ts(value: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(value, tz=dt.UTC)


def _sql_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


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


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _hash_password(password: str) -> str:
    # Stored only as a salted hash; never returned, logged or kept in plaintext.
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("latin-1"), salt, 1_000)
    return f"pbkdf2_sha256$1000${salt.hex()}${digest.hex()}"


def new_organization_id() -> str:
    """Directory-style ID, the form WorkDocs organization IDs take (``d-`` + 10 hex)."""
    return "d-" + secrets.token_hex(5)


class WorkDocsBackend:
    """The service's state. One per server; thread-safe."""

    def __init__(
        self,
        db_path: str = ":memory:",
        organizations: list[str] | None = None,
        default_storage_quota_bytes: int = DEFAULT_STORAGE_QUOTA_BYTES,
        site_admin: str = DEFAULT_SITE_ADMIN,
    ) -> None:
        self.db_path = db_path
        self.default_storage_quota_bytes = default_storage_quota_bytes
        self.site_admin = site_admin
        self._check_site_admin()
        self._requested_organizations = list(organizations or [])
        self._lock = threading.RLock()
        self._db = sqlite3.connect(db_path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        # SQLite's own lower() folds ASCII only, so "Émile" would never match the query
        # "émile" (lowered in Python); every lower() in this module's SQL is Python's.
        self._db.create_function("lower", 1, _sql_lower, deterministic=True)
        self._db.create_function("query_matches", 4, _query_matches, deterministic=True)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)
        self._marker_key = self._setting("marker_key", secrets.token_hex(32)).encode()
        self.organization_ids = self._ensure_organizations()

    # -- plumbing ---------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def _ensure_organizations(self) -> list[str]:
        with self._transaction() as db:
            for org in self._requested_organizations:
                db.execute("INSERT OR IGNORE INTO organizations (id, created) VALUES (?, ?)", (org, _now()))
            existing = [r["id"] for r in db.execute("SELECT id FROM organizations ORDER BY created")]
            if not existing:
                org = new_organization_id()
                db.execute("INSERT INTO organizations (id, created) VALUES (?, ?)", (org, _now()))
                existing = [org]
            self._ensure_site_admins(db)
        return self._requested_organizations or existing

    def _setting(self, name: str, default: str) -> str:
        """A value kept in the database, set to ``default`` the first time."""
        with self._transaction() as db:
            db.execute("INSERT OR IGNORE INTO settings (name, value) VALUES (?, ?)", (name, default))
            return str(db.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()[0])

    def _site_admin_params(self) -> dict[str, Any]:
        # A random password nobody knows: act as the site admin with a control-API token.
        return {
            "Username": self.site_admin,
            "GivenName": "Site",
            "Surname": "Administrator",
            "Password": secrets.token_urlsafe(16),
        }

    def _check_site_admin(self) -> None:
        """The site admin is made as CreateUser would make it, so its username follows the same rules."""
        shape = service_model().operation_model("CreateUser").input_shape
        assert shape is not None
        try:
            validate(shape, {"OrganizationId": "d-0000000000", **self._site_admin_params()})
        except WorkDocsError as err:
            raise ValueError(f"site admin username: {err.message}") from None

    def _ensure_site_admins(self, db: sqlite3.Connection) -> None:
        """A WorkDocs site always has its administrator: an organization with no user gets one.

        That is every new organization, and every organization after a reset.
        """
        empty = db.execute(
            "SELECT id FROM organizations WHERE NOT EXISTS"
            " (SELECT 1 FROM users WHERE users.organization_id = organizations.id)"
        ).fetchall()
        for org in empty:
            self._insert_user(db, org["id"], self._site_admin_params(), user_type="ADMIN")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def reset(self) -> None:
        """Forget every user, folder and token; keep the organizations, each with its site admin."""
        with self._transaction() as db:
            db.execute("DELETE FROM tokens")
            db.execute("DELETE FROM users")
            db.execute("DELETE FROM folders")
            self._ensure_site_admins(db)

    def create_token(self, organization_id: str, username: str, token: str | None = None) -> str:
        """Issue an Authentication token for a user (WorkDocs gets these from SSO)."""
        token = token or secrets.token_urlsafe(32)
        with self._transaction() as db:
            user = self._user_by_name(db, organization_id, username)
            if user is None:
                raise not_exists(f"User {username} does not exist.", username)
            db.execute(
                "INSERT OR REPLACE INTO tokens (token_hash, user_id) VALUES (?, ?)",
                (_hash_token(token), user["id"]),
            )
        return token

    def user_for_token(self, token: str) -> sqlite3.Row:
        rows = self._query(
            "SELECT users.* FROM tokens JOIN users ON users.id = tokens.user_id WHERE token_hash = ?",
            (_hash_token(token),),
        )
        if not rows or rows[0]["status"] != "ACTIVE":
            raise WorkDocsError("UnauthorizedResourceAccessException", "The Authentication token is not valid.")
        return rows[0]

    def _handler(self, operation: str) -> Callable[[dict[str, Any], Caller], dict[str, Any] | None]:
        handler: Callable[[dict[str, Any], Caller], dict[str, Any] | None] | None = getattr(
            self, "op_" + xform_name(operation), None
        )
        if handler is None:
            raise unauthorized_operation(f"{operation} is not implemented by workdocs-local.")
        return handler

    def authorize(self, operation: str, caller: Caller) -> None:
        """Raise UnauthorizedOperationException if ``caller`` may not call ``operation``.

        Runs before input validation: GetCurrentUser and DescribeRootFolders model the
        token as required, so a SigV4-only caller would otherwise get a validation error
        for the missing token instead of UnauthorizedOperationException.
        """
        self._handler(operation)
        if operation in TOKEN_ONLY_OPERATIONS and caller.user is None:
            raise unauthorized_operation(
                f"{operation} is not valid for administrative (SigV4) callers: send an Authentication token."
            )
        if operation in ADMINISTRATIVE_OPERATIONS and not caller.is_administrator:
            raise unauthorized_operation(f"{operation} requires an administrator.")

    def dispatch(self, operation: str, params: dict[str, Any], caller: Caller) -> dict[str, Any] | None:
        """Run one operation for a caller whose identity is already verified."""
        self.authorize(operation, caller)
        return self._handler(operation)(params, caller)

    def _organization(self, params: dict[str, Any], caller: Caller) -> str:
        if caller.user is not None:
            org = str(caller.user["organization_id"])
            if params.get("OrganizationId") not in (None, org):
                raise WorkDocsError(
                    "UnauthorizedResourceAccessException",
                    "The caller cannot access that organization.",
                )
            return org
        requested: str | None = params.get("OrganizationId")
        if requested is None:
            raise invalid_argument("OrganizationId is required for administrative (SigV4) callers.")
        if not self._query("SELECT 1 FROM organizations WHERE id = ?", (requested,)):
            # Unknown organization: UnauthorizedResourceAccessException (404), which every
            # WorkDocs operation models, so callers can catch one error for it everywhere.
            raise WorkDocsError("UnauthorizedResourceAccessException", f"Organization {requested} does not exist.")
        return requested

    @staticmethod
    def _user_by_name(db: sqlite3.Connection, org: str, username: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = db.execute(
            "SELECT * FROM users WHERE organization_id = ? AND username_lower = ?",
            (org, username.lower()),
        ).fetchone()
        return row

    def _user(self, db: sqlite3.Connection, user_id: str, caller: Caller) -> sqlite3.Row:
        row: sqlite3.Row | None = db.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
        if row is None or (caller.user is not None and row["organization_id"] != caller.user["organization_id"]):
            raise not_exists(f"User {user_id} does not exist.", user_id)
        return row

    @staticmethod
    def _user_document(row: sqlite3.Row, storage: bool = True) -> dict[str, Any]:
        user: dict[str, Any] = {
            "Id": row["id"],
            "Username": row["username"],
            "EmailAddress": row["email_address"],
            "GivenName": row["given_name"],
            "Surname": row["surname"],
            "OrganizationId": row["organization_id"],
            "RootFolderId": row["root_folder_id"],
            "RecycleBinFolderId": row["recycle_bin_folder_id"],
            "Status": row["status"],
            "Type": row["type"],
            "CreatedTimestamp": _ts(row["created"]),
            "ModifiedTimestamp": _ts(row["modified"]),
            "TimeZoneId": row["time_zone_id"],
            "Locale": row["locale"],
        }
        if storage:
            rule: dict[str, Any] = {"StorageType": row["storage_type"]}
            if row["storage_allocated"] is not None:
                rule["StorageAllocatedInBytes"] = row["storage_allocated"]
            user["Storage"] = {
                "StorageUtilizedInBytes": row["storage_utilized"],
                "StorageRule": rule,
            }
        return user

    def _storage_columns(self, rule: dict[str, Any] | None) -> tuple[str, int | None]:
        if rule is None:
            return "QUOTA", self.default_storage_quota_bytes
        storage_type = rule.get("StorageType", "QUOTA")
        allocated = rule.get("StorageAllocatedInBytes")
        if storage_type == "QUOTA" and allocated is None:
            allocated = self.default_storage_quota_bytes
        return storage_type, allocated

    @staticmethod
    def _is_last_active_admin(db: sqlite3.Connection, row: sqlite3.Row) -> bool:
        if row["type"] != "ADMIN" or row["status"] != "ACTIVE":
            return False
        others = db.execute(
            "SELECT count(*) FROM users WHERE organization_id = ? AND type = 'ADMIN' AND status = 'ACTIVE' AND id != ?",
            (row["organization_id"], row["id"]),
        ).fetchone()[0]
        return int(others) == 0

    # -- operations -------------------------------------------------------------------

    def _insert_user(
        self, db: sqlite3.Connection, org: str, params: dict[str, Any], user_type: str = "USER"
    ) -> sqlite3.Row:
        """Add an active user, with its root and recycle-bin folders, from CreateUser's parameters."""
        now = _now()
        user_id = secrets.token_hex(32)
        root_id, bin_id = secrets.token_hex(32), secrets.token_hex(32)
        storage_type, allocated = self._storage_columns(params.get("StorageRule"))
        db.execute(
            "INSERT INTO users (id, organization_id, username, username_lower, email_address,"
            " given_name, surname, status, type, created, modified, time_zone_id, locale,"
            " storage_type, storage_allocated, storage_utilized, root_folder_id,"
            " recycle_bin_folder_id, password_hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
            (
                user_id,
                org,
                params["Username"],
                params["Username"].lower(),
                params.get("EmailAddress"),
                params["GivenName"],
                params["Surname"],
                user_type,
                now,
                now,
                params.get("TimeZoneId", DEFAULT_TIME_ZONE_ID),
                DEFAULT_LOCALE,
                storage_type,
                allocated,
                root_id,
                bin_id,
                _hash_password(params["Password"]),
            ),
        )
        for folder_id, name, parent in (
            (root_id, params["Username"], None),
            (bin_id, "RecycleBin", root_id),
        ):
            db.execute(
                "INSERT INTO folders (id, name, creator_id, parent_folder_id, created, modified)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (folder_id, name, user_id, parent, now, now),
            )
        row: sqlite3.Row = db.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
        return row

    def op_create_user(self, params: dict[str, Any], caller: Caller) -> dict[str, Any]:
        org = self._organization(params, caller)
        with self._transaction() as db:
            existing = self._user_by_name(db, org, params["Username"])
            if existing is not None:
                raise WorkDocsError(
                    "EntityAlreadyExistsException",
                    f"A user with username {existing['username']} already exists.",
                )
            row = self._insert_user(db, org, params)
        return {"User": self._user_document(row)}

    def op_describe_users(self, params: dict[str, Any], caller: Caller) -> dict[str, Any]:
        where: list[str] = []
        args: list[Any] = []
        user_ids = params.get("UserIds")
        if user_ids is None or params.get("OrganizationId") is not None or caller.user is not None:
            where.append("organization_id = ?")
            args.append(self._organization(params, caller))
        if user_ids is not None:
            ids = [i.strip() for i in user_ids.split(",") if i.strip()]
            where.append(f"id IN ({','.join('?' * len(ids))})")
            args += ids
        elif params.get("Query") and _fold(params["Query"]).split():
            where.append("query_matches(?, given_name, surname, username)")
            args.append(" ".join(_fold(params["Query"]).split()))
        if params.get("Include", "ACTIVE_PENDING") == "ACTIVE_PENDING":
            where.append("status IN ('ACTIVE', 'PENDING')")
        order = "DESC" if params.get("Order") == "DESCENDING" else "ASC"
        sort = ", ".join(f"{column} {order}" for column in SORT_COLUMNS[params.get("Sort", "USER_NAME")])
        limit = params.get("Limit", DEFAULT_LIMIT)
        offset = self._decode_marker("DescribeUsers", params.get("Marker"))
        clause = " AND ".join(where) or "1"
        with self._lock:
            total = self._db.execute(f"SELECT count(*) FROM users WHERE {clause}", args).fetchone()[0]
            rows = self._db.execute(
                f"SELECT * FROM users WHERE {clause} ORDER BY {sort}, id LIMIT ? OFFSET ?",
                [*args, limit, offset],
            ).fetchall()
        with_storage = "STORAGE_METADATA" in (params.get("Fields") or "").split(",")
        return {
            "Users": [self._user_document(r, storage=with_storage) for r in rows],
            "TotalNumberOfUsers": total,
            "Marker": self._next_marker("DescribeUsers", offset + len(rows), total),
        }

    def op_update_user(self, params: dict[str, Any], caller: Caller) -> dict[str, Any]:
        columns = {
            "GivenName": "given_name",
            "Surname": "surname",
            "Type": "type",
            "TimeZoneId": "time_zone_id",
            "Locale": "locale",
        }
        with self._transaction() as db:
            row = self._user(db, params["UserId"], caller)
            changes = {columns[k]: v for k, v in params.items() if k in columns}
            # GrantPoweruserPrivileges never overrides a Type given in the same call, and
            # never demotes an ADMIN (an administrator already has every privilege).
            grant = params.get("GrantPoweruserPrivileges")
            if "type" not in changes and row["type"] != "ADMIN":
                if grant == "TRUE":
                    changes["type"] = "POWERUSER"
                elif grant == "FALSE" and row["type"] == "POWERUSER":
                    changes["type"] = "USER"
            if changes.get("type", "ADMIN") != "ADMIN" and self._is_last_active_admin(db, row):
                raise WorkDocsError(
                    "DeactivatingLastSystemUserException",
                    "The last active administrator of the organization cannot be demoted.",
                )
            if "StorageRule" in params:
                changes["storage_type"], changes["storage_allocated"] = self._storage_columns(params["StorageRule"])
            changes["modified"] = _now()
            assignments = ", ".join(f"{column} = ?" for column in changes)
            db.execute(f"UPDATE users SET {assignments} WHERE id = ?", [*changes.values(), row["id"]])
            row = db.execute("SELECT * FROM users WHERE id = ?", (row["id"],)).fetchone()
        return {"User": self._user_document(row)}

    def op_delete_user(self, params: dict[str, Any], caller: Caller) -> None:
        with self._transaction() as db:
            row = self._user(db, params["UserId"], caller)
            if self._is_last_active_admin(db, row):
                raise WorkDocsError(
                    "DeactivatingLastSystemUserException",
                    "The last active administrator of the organization cannot be deleted.",
                )
            db.execute("DELETE FROM folders WHERE creator_id = ?", (row["id"],))
            db.execute("DELETE FROM users WHERE id = ?", (row["id"],))

    def op_activate_user(self, params: dict[str, Any], caller: Caller) -> dict[str, Any]:
        with self._transaction() as db:
            row = self._user(db, params["UserId"], caller)
            if row["status"] != "ACTIVE":
                db.execute(
                    "UPDATE users SET status = 'ACTIVE', modified = ? WHERE id = ?",
                    (_now(), row["id"]),
                )
            row = db.execute("SELECT * FROM users WHERE id = ?", (row["id"],)).fetchone()
        return {"User": self._user_document(row)}

    def op_deactivate_user(self, params: dict[str, Any], caller: Caller) -> None:
        with self._transaction() as db:
            row = self._user(db, params["UserId"], caller)
            if self._is_last_active_admin(db, row):
                raise WorkDocsError(
                    "DeactivatingLastSystemUserException",
                    "The last active administrator of the organization cannot be deactivated.",
                )
            if row["status"] != "INACTIVE":
                db.execute(
                    "UPDATE users SET status = 'INACTIVE', modified = ? WHERE id = ?",
                    (_now(), row["id"]),
                )

    def op_get_current_user(self, params: dict[str, Any], caller: Caller) -> dict[str, Any]:
        assert caller.user is not None
        return {"User": self._user_document(caller.user)}

    def op_describe_root_folders(self, params: dict[str, Any], caller: Caller) -> dict[str, Any]:
        """The user's special folders, as the model says: the RootFolder and the RecycleBin."""
        assert caller.user is not None
        ids = [caller.user["root_folder_id"], caller.user["recycle_bin_folder_id"]]
        offset = self._decode_marker("DescribeRootFolders", params.get("Marker"))
        page = ids[offset : offset + params.get("Limit", DEFAULT_LIMIT)]
        return {
            "Folders": [self._folder(folder_id, caller) for folder_id in page],
            "Marker": self._next_marker("DescribeRootFolders", offset + len(page), len(ids)),
        }

    def op_get_folder(self, params: dict[str, Any], caller: Caller) -> dict[str, Any]:
        return {"Metadata": self._folder(params["FolderId"], caller)}

    def _folder(self, folder_id: str, caller: Caller) -> dict[str, Any]:
        rows = self._query(
            "SELECT folders.*, users.organization_id FROM folders"
            " JOIN users ON users.id = folders.creator_id WHERE folders.id = ?",
            (folder_id,),
        )
        if not rows:
            raise not_exists(f"Folder {folder_id} does not exist.", folder_id)
        row = rows[0]
        if (
            caller.user is not None
            and row["creator_id"] != caller.user["id"]
            and (caller.user["type"] != "ADMIN" or row["organization_id"] != caller.user["organization_id"])
        ):
            raise WorkDocsError("UnauthorizedResourceAccessException", "The caller cannot access that folder.")
        return {
            "Id": row["id"],
            "Name": row["name"],
            "CreatorId": row["creator_id"],
            "ParentFolderId": row["parent_folder_id"],
            "CreatedTimestamp": _ts(row["created"]),
            "ModifiedTimestamp": _ts(row["modified"]),
            "ResourceState": "ACTIVE",
            "Size": 0,
            "LatestVersionSize": 0,
        }

    # -- pagination markers -----------------------------------------------------------
    # A marker is an offset signed for one operation with a key kept in the database, so
    # a marker the service did not issue (forged, garbled, a huge offset) is refused as
    # WorkDocs refuses it, and markers stay valid across restarts of a file database.

    def _marker_mac(self, operation: str, offset: int) -> str:
        return hmac.new(self._marker_key, f"{operation}:{offset}".encode(), hashlib.sha256).hexdigest()

    def _next_marker(self, operation: str, offset: int, total: int) -> str:
        """The marker of the page at ``offset``; the last page answers an empty one, as WorkDocs does."""
        if offset >= total:
            return ""
        return base64.urlsafe_b64encode(f"{offset}:{self._marker_mac(operation, offset)}".encode()).decode()

    def _decode_marker(self, operation: str, marker: str | None) -> int:
        if not marker:
            return 0
        try:
            offset_text, mac = base64.urlsafe_b64decode(marker.encode("ascii")).decode("ascii").split(":")
            offset = int(offset_text)
        except ValueError:  # binascii.Error and UnicodeError are ValueErrors too
            raise invalid_argument(INVALID_MARKER) from None
        if not hmac.compare_digest(mac, self._marker_mac(operation, offset)):
            raise invalid_argument(INVALID_MARKER)
        return offset
