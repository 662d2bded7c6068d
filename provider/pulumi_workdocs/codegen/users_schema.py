"""The users-file schema (provider/pulumi_workdocs/schema.json, JSON Schema 2020-12): the users
file and WorkDocsUser's inputs, with the WorkDocs model's constraints, from the field table."""

from __future__ import annotations

import json
from typing import Any

from botocore import xform_name

from pulumi_workdocs.codegen.model import field_type, shape, shape_type
from pulumi_workdocs.core.fields import DEFAULT_KEYS, ENTRY_KEYS, FIELDS, PASSWORD, REQUIRED_KEYS, Field

PATH = "provider/pulumi_workdocs/schema.json"
SIZE_PATTERN = r"^(?:unlimited|[0-9]+(?:\.[0-9]+)? ?(?:B|KB|MB|GB|TB|KiB|MiB|GiB|TiB))$"
# ISO 8601 date and time with a zone, as a timestamp member takes it and its output reads.
TIMESTAMP_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})$"
# A structure member's description, by member (the model's documentation is too long for a hint).
MEMBER_DESCRIPTIONS = {
    "StorageAllocatedInBytes": "Quota in bytes (with storage_type QUOTA).",
    "StorageType": "QUOTA or UNLIMITED.",
}


def constraints(member: Any) -> dict[str, Any]:
    """A shape's type and constraints as JSON Schema, for each model type a field may have."""
    kind = shape_type(member)
    out: dict[str, Any] = {}
    if kind in ("string", "enum"):
        out["type"] = "string"
        if kind == "enum":
            out["enum"] = list(member.enum)
        if "min" in member.metadata:
            out["minLength"] = member.metadata["min"]
        if "max" in member.metadata:
            out["maxLength"] = member.metadata["max"]
        if "pattern" in member.metadata:
            out["pattern"] = f"^(?:{member.metadata['pattern']})$"
    elif kind == "integer":
        out["type"] = "integer"
        if "min" in member.metadata:
            out["minimum"] = member.metadata["min"]
        if "max" in member.metadata:
            out["maximum"] = member.metadata["max"]
    elif kind == "boolean":
        out["type"] = "boolean"
    elif kind == "timestamp":
        out.update(type="string", pattern=TIMESTAMP_PATTERN)
    return out


def field_schema(field: Field) -> dict[str, Any]:
    head = {"title": field.prop, "description": field.description}
    kind = field_type(field)
    if field.api is None:  # state only: the table says its type
        choices = {"enum": list(field.choices)} if field.choices else {}
        return {**head, "type": "boolean" if kind == "boolean" else "string", **choices}
    member = shape(field)
    if kind == "structure":
        return {
            **head,
            "type": "object",
            "properties": {
                xform_name(name): {
                    "title": xform_name(name),
                    "description": MEMBER_DESCRIPTIONS.get(name, xform_name(name)),
                    **constraints(member.members[name]),
                }
                for name in field.members
            },
            "additionalProperties": False,
        }
    out = {**head, **constraints(member)}
    if field.choices:  # fewer than the model allows
        out = {**head, "type": "string", "enum": list(field.choices)}
    return out


def build() -> dict[str, Any]:
    defs: dict[str, Any] = {f.prop: field_schema(f) for f in (*FIELDS, PASSWORD)}
    ref = {name: {"$ref": f"#/$defs/{name}"} for name in defs}
    required = ["organization_id", *REQUIRED_KEYS, "password"]
    defs["WorkDocsUserArgs"] = {
        "title": "WorkDocsUser arguments",
        "description": "The inputs of the WorkDocsUser Pulumi resource.",
        "type": "object",
        "properties": {name: ref[name] for name in (f.prop for f in (*FIELDS, PASSWORD))},
        "required": required,
        "additionalProperties": False,
    }
    defs["storage"] = {
        "title": "storage",
        "description": "Storage quota as a size such as '50 GB' or '1 TiB' (QUOTA), or 'unlimited'.",
        "type": "string",
        "pattern": SIZE_PATTERN,
    }
    defs["protect"] = {
        "title": "protect",
        "description": "Pulumi's protect option: the user cannot be removed or replaced until unset.",
        "type": "boolean",
    }
    defs["password_source"] = {
        "title": "password",
        "description": "Where the initial password comes from (never the password itself): a "
        "Pulumi secret config key or an environment variable. Without it a random password is "
        "generated and exported as a secret stack output.",
        "type": "object",
        "properties": {
            "config": {
                "title": "config",
                "description": "Pulumi config key holding a secret.",
                "type": "string",
                "minLength": 1,
            },
            "env": {
                "title": "env",
                "description": "Environment variable holding the password.",
                "type": "string",
                "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
            },
        },
        "minProperties": 1,
        "maxProperties": 1,
        "additionalProperties": False,
    }
    defs["users_file_defaults"] = {
        "title": "defaults",
        "description": "Values applied to every user that does not set them.",
        "type": "object",
        "properties": {n: {"$ref": f"#/$defs/{n}"} for n in (*DEFAULT_KEYS, "protect")},
        "additionalProperties": False,
    }
    defs["users_file_user"] = {
        "title": "user",
        "description": "One WorkDocs user. Keys are WorkDocsUser argument names.",
        "type": "object",
        "properties": {
            **{n: {"$ref": f"#/$defs/{n}"} for n in (*ENTRY_KEYS, "protect")},
            "password": {"$ref": "#/$defs/password_source"},
        },
        "required": list(REQUIRED_KEYS),
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:pulumi-workdocs:users-file:v1",
        "title": "pulumi-workdocs users file",
        "description": "Amazon WorkDocs users managed as code (users.yaml). Constraints follow the WorkDocs API model.",
        "type": "object",
        "properties": {
            "organization_id": {"$ref": "#/$defs/organization_id"},
            "defaults": {"$ref": "#/$defs/users_file_defaults"},
            "users": {
                "title": "users",
                "description": "The users of the organization that this file manages.",
                "type": "array",
                "items": {"$ref": "#/$defs/users_file_user"},
            },
        },
        "required": ["organization_id", "users"],
        "additionalProperties": False,
        "$defs": defs,
    }


def render() -> str:
    return json.dumps(build(), indent=2) + "\n"
