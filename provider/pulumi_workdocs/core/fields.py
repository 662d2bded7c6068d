"""The one field table: what WorkDocsUser manages, and how each field reaches WorkDocs.

Each row names a member of the WorkDocs ``User`` shape; its property name (the resource
argument, the output and the users-file key) is botocore's ``xform_name`` of that member,
and its type and constraints come from the model (``python -m pulumi_workdocs.codegen`` writes
schema.json, the plugin's schema, the typed records of ``core/records.py`` and the resource's
signature from them). The resource, the users file, plan, drift and export all read this
table, so a new field is one row here and a regenerate (README, "Adding a field").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from botocore import xform_name

from pulumi_workdocs.core.rules import IANA_TIME_ZONE, Rule
from pulumi_workdocs.core.storage import human_size, normal_storage_rule, parse_size

# A WorkDocs ``User`` as botocore returns it (CamelCase members; timestamps as datetimes).
ApiUser = Mapping[str, Any]


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
    default: str | bool | None = None  # the value an unset argument means
    # The values users may set, when fewer than the model's enum (or for a state-only field).
    choices: tuple[str, ...] | None = None
    members: tuple[str, ...] = ()  # a structure's members (API names) that the property carries
    normal: Callable[[object], object] | None = None  # the form two values are compared in
    # How the users file writes the value when not as is (storage: '50 GB'), both ways.
    to_file: Callable[[Any], str | None] | None = None
    from_file: Callable[[str], object] | None = None
    rule: Rule | None = None  # what the schema cannot check (core/rules.py)
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

    def file_value(self, value: object) -> object:
        """The value as the users file writes it."""
        return self.to_file(value) if self.to_file is not None else value

    def same(self, old: object, new: object) -> bool:
        """Equal as WorkDocs holds them (a storage rule's unused members aside)."""
        if self.normal is not None:
            return self.normal(old) == self.normal(new)
        return old == new

    def from_api(self, user: ApiUser) -> object:
        """The property's value in a WorkDocs ``User`` (its member, or its Storage's):
        a structure with property names, a timestamp as ISO 8601 text."""
        storage = user.get("Storage") or {}
        api = self.api or ""
        value = user.get(api) if api in user else storage.get(api)
        return from_api_value(value, self.members)

    def to_api(self, value: object) -> object:
        """The property's value as its API member takes it."""
        if self.members and isinstance(value, Mapping):
            return {m: _api_number(value[xform_name(m)]) for m in self.members if value.get(xform_name(m)) is not None}
        return _api_number(value)


def iso_time(value: object) -> str | None:
    """A timestamp as the outputs hold it (UTC, ``Z``); anything else as text."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return None if value is None else str(value)


def from_api_value(value: object, members: tuple[str, ...] = ()) -> object:
    """An API value as an output: a structure by property names, a timestamp as ISO 8601 text."""
    if isinstance(value, dt.datetime):
        return iso_time(value)
    if members and isinstance(value, Mapping):
        return {xform_name(m): value[m] for m in members if m in value}
    return value


def _api_number(value: object) -> object:
    """Pulumi carries numbers as doubles; the API's integer and long must be ints."""
    return int(value) if isinstance(value, float) else value


STORAGE_RULE = "StorageRule"
STORAGE_RULE_MEMBERS = ("StorageAllocatedInBytes", "StorageType")  # the StorageRuleType shape


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
        rule=IANA_TIME_ZONE,
    ),
    Field(
        "StorageRule",
        Change.UPDATE_USER,
        True,
        "Storage quota: storage_type QUOTA with storage_allocated_in_bytes, or UNLIMITED.",
        file_key="storage",  # a human size such as '50 GB' in the users file
        members=STORAGE_RULE_MEMBERS,
        normal=normal_storage_rule,
        to_file=human_size,
        from_file=parse_size,
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
        choices=("ACTIVE", "INACTIVE"),  # PENDING is WorkDocs' own state
    ),
    Field(
        None,
        Change.STATE_ONLY,
        False,
        "On removal: DEACTIVATE (default, documents kept) or DELETE (DeleteUser: documents permanently deleted).",
        name="deletion_policy",
        default="DEACTIVATE",
        choices=("DEACTIVATE", "DELETE"),
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
RULED = tuple(f for f in FIELDS if f.rule is not None)  # fields with a rule beyond the schema
REPLACE_PROPS = tuple(f.prop for f in FIELDS if f.change is Change.REPLACE)
DEFAULTS: dict[str, str | bool] = {f.prop: f.default for f in FIELDS if f.default is not None}
# Fields WorkDocs holds, so live can differ from state (drift compares these).
API_PROPS = tuple(f.prop for f in FIELDS if f.api is not None)
# The users file: the keys each entry may carry, and those a defaults: block may set.
REQUIRED_KEYS = ("username", "given_name", "surname")
ENTRY_KEYS = tuple(f.key for f in FIELDS if f.in_entry)
DEFAULT_KEYS = tuple(f.key for f in FIELDS if f.in_defaults)
# Outputs read from the User shape that are not arguments (Id is the resource's id).
STORAGE_UTILIZED = "StorageUtilizedInBytes"  # in the User shape's Storage (UserStorageMetadata)
READ_ONLY_MEMBERS = ("RootFolderId", "RecycleBinFolderId", "CreatedTimestamp", "ModifiedTimestamp", STORAGE_UTILIZED)
READ_ONLY_OUTPUTS = {xform_name(m): m for m in READ_ONLY_MEMBERS}
OUTPUT_NAMES = (*(f.prop for f in FIELDS), *READ_ONLY_OUTPUTS)

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


def to_api(prop: str, value: object) -> object:
    """A property's value as its API member takes it."""
    return BY_PROP[prop].to_api(value)
