"""A WorkDocs user's inputs and outputs as typed records, one key per field of the table.

Generated from core/fields.py and botocore's WorkDocs model by ``python -m pulumi_workdocs.codegen``
(``make generate``): do not edit. mypy checks every literal key against these, so a misspelt
property is an error; code that walks the table reads them as ``Mapping[str, object]``.
"""

from __future__ import annotations

from typing import TypedDict


class StorageRule(TypedDict, total=False):
    """storage_rule: the StorageRuleType shape's members, named as properties."""

    storage_allocated_in_bytes: int
    storage_type: str


class EntryArgs(TypedDict, total=False):
    """The arguments a users-file entry gives WorkDocsUser (the file's organization and the
    password are the root stack's to add)."""

    username: str
    email_address: str | None
    given_name: str
    surname: str
    time_zone_id: str | None
    storage_rule: StorageRule | None
    type: str
    locale: str | None
    status: str
    deletion_policy: str
    adopt: bool


class UserArgs(EntryArgs, total=False):
    """WorkDocsUser's inputs: its arguments, the documented defaults filled in where set."""

    organization_id: str
    password: str


class UserOutputs(EntryArgs, total=False):
    """WorkDocsUser's outputs: every field as WorkDocs holds it, and what WorkDocs adds."""

    organization_id: str
    root_folder_id: str | None
    recycle_bin_folder_id: str | None
    created_timestamp: str | None
    modified_timestamp: str | None
    storage_utilized_in_bytes: int | None
