"""The one mapping between WorkDocsUser properties and WorkDocs API members.

Everything that converts between the two (outputs, diff, create/update requests, the
schema generator) reads this table, so adding a field is one line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Change(Enum):
    """How a changed property reaches WorkDocs."""

    REPLACE = "replace"  # no API updates it: a new user
    UPDATE_USER = "update_user"  # UpdateUser
    STATUS = "status"  # ActivateUser / DeactivateUser
    STATE_ONLY = "state_only"  # only the provider reads it; no API call


@dataclass(frozen=True)
class Field:
    prop: str  # WorkDocsUser argument and output name
    api: str | None  # member name in User / CreateUser / UpdateUser
    change: Change
    on_create: bool  # sent in CreateUser (else applied by a follow-up call)
    shape: str | None  # botocore shape carrying its constraints
    description: str


FIELDS: tuple[Field, ...] = (
    Field(
        "organization_id",
        "OrganizationId",
        Change.REPLACE,
        True,
        "IdType",
        "ID of the WorkDocs organization (directory ID) the user belongs to.",
    ),
    Field(
        "username",
        "Username",
        Change.REPLACE,
        True,
        "UsernameType",
        "Login name, unique in the organization regardless of case.",
    ),
    Field(
        "email_address",
        "EmailAddress",
        Change.REPLACE,
        True,
        "EmailAddressType",
        "Email address. WorkDocs cannot change it: a new value replaces the user.",
    ),
    Field("given_name", "GivenName", Change.UPDATE_USER, True, "UserAttributeValueType", "Given (first) name."),
    Field("surname", "Surname", Change.UPDATE_USER, True, "UserAttributeValueType", "Surname (last name)."),
    Field(
        "time_zone_id",
        "TimeZoneId",
        Change.UPDATE_USER,
        True,
        "TimeZoneIdType",
        "IANA time zone, e.g. Europe/Paris. WorkDocs' default applies when unset.",
    ),
    Field(
        "storage_rule",
        "StorageRule",
        Change.UPDATE_USER,
        True,
        "StorageRuleType",
        "Storage quota: storage_type QUOTA with storage_allocated_in_bytes, or UNLIMITED.",
    ),
    Field(
        "type",
        "Type",
        Change.UPDATE_USER,
        False,
        "UserType",
        "User type: USER, ADMIN, POWERUSER, MINIMALUSER or WORKSPACESUSER.",
    ),
    Field(
        "locale",
        "Locale",
        Change.UPDATE_USER,
        False,
        "LocaleType",
        "Locale of the user's WorkDocs interface.",
    ),
    Field(
        "status",
        "Status",
        Change.STATUS,
        False,
        "UserStatusType",
        "ACTIVE or INACTIVE (deactivated users keep their documents).",
    ),
    Field(
        "deletion_policy",
        None,
        Change.STATE_ONLY,
        False,
        None,
        "On removal: DEACTIVATE (default, documents kept) or DELETE (DeleteUser: documents permanently deleted).",
    ),
    Field(
        "adopt",
        None,
        Change.STATE_ONLY,
        False,
        None,
        "Take over an existing user with this username instead of creating one.",
    ),
)
BY_PROP = {f.prop: f for f in FIELDS}
REPLACE_PROPS = tuple(f.prop for f in FIELDS if f.change is Change.REPLACE)
STORAGE_RULE_MEMBERS = {
    "storage_allocated_in_bytes": "StorageAllocatedInBytes",
    "storage_type": "StorageType",
}

# Outputs read from WorkDocs that are not arguments.
READ_ONLY_OUTPUTS = {
    "root_folder_id": "RootFolderId",
    "recycle_bin_folder_id": "RecycleBinFolderId",
    "created_timestamp": "CreatedTimestamp",
    "modified_timestamp": "ModifiedTimestamp",
}
OUTPUT_NAMES = (*(f.prop for f in FIELDS), *READ_ONLY_OUTPUTS, "storage_utilized_in_bytes")

# Write-only: sent in CreateUser, never read back, never an output.
PASSWORD = Field(
    "password",
    "Password",
    Change.STATE_ONLY,
    True,
    "PasswordType",
    "Initial password (4-32 characters). Write-only: WorkDocs cannot change it later.",
)


def storage_rule_to_api(rule: dict[str, object] | None) -> dict[str, object] | None:
    if rule is None:
        return None
    api: dict[str, object] = {}
    for key, value in rule.items():
        if value is None:
            continue
        # Pulumi carries numbers as doubles; the API's long must be an int.
        api[STORAGE_RULE_MEMBERS[key]] = int(value) if isinstance(value, float) else value
    return api


def storage_rule_from_api(rule: dict[str, object] | None) -> dict[str, object] | None:
    if rule is None:
        return None
    back = {v: k for k, v in STORAGE_RULE_MEMBERS.items()}
    return {back[k]: v for k, v in rule.items() if k in back}
