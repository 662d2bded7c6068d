"""The one field table: what WorkDocsUser manages, and how each field reaches WorkDocs.

Each row names a member of the WorkDocs ``User`` shape; its property name (the resource
argument, the output and the users-file key) is botocore's ``xform_name`` of that member,
and its type and constraints come from the model (``tools/gen_schema.py``). The resource,
the users file, schema.json, plan, drift and export all read this table, so a new field is
one row here and a regenerate (README, "Adding a field").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from botocore import xform_name


class Change(Enum):
    """How a changed property reaches WorkDocs."""

    REPLACE = "replace"  # no API updates it: a new user
    UPDATE_USER = "update_user"  # UpdateUser
    STATUS = "status"  # ActivateUser / DeactivateUser
    STATE_ONLY = "state_only"  # only the provider reads it; no API call


@dataclass(frozen=True)
class Field:
    """One managed property. ``api`` is its member of the User shape (None: state only)."""

    api: str | None
    change: Change
    on_create: bool  # sent in CreateUser (else applied by a follow-up call)
    description: str
    name: str | None = None  # only for state-only fields, which have no API member
    file_key: str | None = None  # the users file's key when it is not the property name
    in_entry: bool = True  # a key of each user in the users file
    in_defaults: bool = True  # may be set for every user under defaults:
    default: Any = None  # the value an unset argument means
    prop: str = field(init=False)

    def __post_init__(self) -> None:
        prop = self.name or (xform_name(self.api) if self.api else None)
        if prop is None:
            raise ValueError("a field needs an API member or a name")
        object.__setattr__(self, "prop", prop)

    @property
    def key(self) -> str:
        """Its key in the users file."""
        return self.file_key or self.prop


FIELDS: tuple[Field, ...] = (
    Field(
        "OrganizationId",
        Change.REPLACE,
        True,
        "ID of the WorkDocs organization (directory ID) the user belongs to.",
        in_entry=False,  # the file's top-level organization_id
        in_defaults=False,
    ),
    Field(
        "Username",
        Change.REPLACE,
        True,
        "Login name, unique in the organization regardless of case.",
        in_defaults=False,
    ),  # fmt: skip
    Field(
        "EmailAddress",
        Change.REPLACE,
        True,
        "Email address. WorkDocs cannot change it: a new value replaces the user.",
        in_defaults=False,
    ),
    Field("GivenName", Change.UPDATE_USER, True, "Given (first) name.", in_defaults=False),
    Field("Surname", Change.UPDATE_USER, True, "Surname (last name).", in_defaults=False),
    Field(
        "TimeZoneId",
        Change.UPDATE_USER,
        True,
        "IANA time zone, e.g. Europe/Paris. WorkDocs' default applies when unset.",
    ),
    Field(
        "StorageRule",
        Change.UPDATE_USER,
        True,
        "Storage quota: storage_type QUOTA with storage_allocated_in_bytes, or UNLIMITED.",
        file_key="storage",  # a human size such as '50 GB' in the users file
    ),
    Field(
        "Type",
        Change.UPDATE_USER,
        False,
        "User type: USER (when unset), ADMIN, POWERUSER, MINIMALUSER or WORKSPACESUSER. Always managed.",
        default="USER",
    ),
    Field("Locale", Change.UPDATE_USER, False, "Locale of the user's WorkDocs interface."),
    Field(
        "Status",
        Change.STATUS,
        False,
        "ACTIVE (when unset) or INACTIVE (deactivated users keep their documents). Always managed.",
        default="ACTIVE",
    ),
    Field(
        None,
        Change.STATE_ONLY,
        False,
        "On removal: DEACTIVATE (default, documents kept) or DELETE (DeleteUser: documents permanently deleted).",
        name="deletion_policy",
        default="DEACTIVATE",
    ),
    Field(
        None,
        Change.STATE_ONLY,
        False,
        "Take over an existing user with this username instead of creating one.",
        name="adopt",
        default=False,
    ),
)
BY_PROP = {f.prop: f for f in FIELDS}
REPLACE_PROPS = tuple(f.prop for f in FIELDS if f.change is Change.REPLACE)
DEFAULTS: dict[str, Any] = {f.prop: f.default for f in FIELDS if f.default is not None}
# Fields WorkDocs holds, so live can differ from state (drift compares these).
API_PROPS = tuple(f.prop for f in FIELDS if f.api is not None)
# The users file: the keys each entry may carry, and those a defaults: block may set.
REQUIRED_KEYS = ("username", "given_name", "surname")
ENTRY_KEYS = tuple(f.key for f in FIELDS if f.in_entry)
DEFAULT_KEYS = tuple(f.key for f in FIELDS if f.in_defaults)

STORAGE_RULE = "StorageRule"
STORAGE_RULE_MEMBERS = ("StorageAllocatedInBytes", "StorageType")  # the StorageRuleType shape
# Outputs read from the User shape that are not arguments (Id is the resource's id).
READ_ONLY_MEMBERS = ("RootFolderId", "RecycleBinFolderId", "CreatedTimestamp", "ModifiedTimestamp")
READ_ONLY_OUTPUTS = {xform_name(m): m for m in READ_ONLY_MEMBERS}
STORAGE_UTILIZED = "StorageUtilizedInBytes"  # in the User shape's Storage (UserStorageMetadata)
OUTPUT_NAMES = (*(f.prop for f in FIELDS), *READ_ONLY_OUTPUTS, xform_name(STORAGE_UTILIZED))

# Write-only: sent in CreateUser, never read back, never an output.
PASSWORD = Field(
    "Password",
    Change.STATE_ONLY,
    True,
    "Initial password (4-32 characters). Write-only: WorkDocs cannot change it later.",
)


def api_shape(model: Any, field: Field) -> Any:
    """The botocore shape of a field's API member (``model`` is botocore's WorkDocs ServiceModel).

    Looked up in the User shape, its Storage, then CreateUser's input (the password).
    """
    user = model.shape_for("User")
    for structure in (user, user.members["Storage"], model.operation_model("CreateUser").input_shape):
        if field.api in structure.members:
            return structure.members[field.api]
    raise KeyError(f"{field.api} is not a member of WorkDocs' User shape")


def storage_rule_to_api(rule: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if rule is None:
        return None
    api: dict[str, Any] = {}
    for member in STORAGE_RULE_MEMBERS:
        value = rule.get(xform_name(member))
        if value is not None:
            # Pulumi carries numbers as doubles; the API's long must be an int.
            api[member] = int(value) if isinstance(value, float) else value
    return api


def storage_rule_from_api(rule: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if rule is None:
        return None
    return {xform_name(member): rule[member] for member in STORAGE_RULE_MEMBERS if member in rule}


def to_api(prop: str, value: Any) -> Any:
    """A property's value as its API member takes it."""
    return storage_rule_to_api(value) if BY_PROP[prop].api == STORAGE_RULE else value
