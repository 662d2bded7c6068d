"""workdocs-local's state and the semantics of each implemented operation, persisted in SQLite.

Split by concern, as moto splits a service: ``_schema`` (tables, schema version,
migrations), ``_store`` (the connection, its lock and transactions), ``_user_table`` (the
users table from the generated column map ``_columns``), ``_organizations`` (organizations
and site admins), ``_users``, ``_folders``, ``_tokens``, ``_paging`` (signed markers),
``_access`` (callers and what they may call), and ``_backend``, which composes them.
"""

from workdocs_local.models._access import ADMINISTRATIVE_OPERATIONS, TOKEN_ONLY_OPERATIONS, Caller
from workdocs_local.models._backend import WorkDocsBackend
from workdocs_local.models._organizations import DEFAULT_SITE_ADMIN, new_organization_id
from workdocs_local.models._paging import DEFAULT_LIMIT, INVALID_MARKER
from workdocs_local.models._schema import SCHEMA_VERSION
from workdocs_local.models._users import (
    DEFAULT_LOCALE,
    DEFAULT_STORAGE_QUOTA_BYTES,
    DEFAULT_TIME_ZONE_ID,
    SORT_COLUMNS,
)

__all__ = [
    "ADMINISTRATIVE_OPERATIONS",
    "DEFAULT_LIMIT",
    "DEFAULT_LOCALE",
    "DEFAULT_SITE_ADMIN",
    "DEFAULT_STORAGE_QUOTA_BYTES",
    "DEFAULT_TIME_ZONE_ID",
    "INVALID_MARKER",
    "SCHEMA_VERSION",
    "SORT_COLUMNS",
    "TOKEN_ONLY_OPERATIONS",
    "Caller",
    "WorkDocsBackend",
    "new_organization_id",
]
