"""Write schema.json from the field table (core/fields.py) and botocore's WorkDocs model.

Run after changing the table: ``.venv/bin/python tools/gen_schema.py``. The suite checks
that the committed file is this script's output, and its constraints against the model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.session
from botocore import xform_name

from pulumi_workdocs.core.fields import (
    DEFAULT_KEYS,
    ENTRY_KEYS,
    FIELDS,
    PASSWORD,
    REQUIRED_KEYS,
    STORAGE_RULE_MEMBERS,
    Field,
    api_shape,
)

OUT = Path(__file__).resolve().parents[1] / "provider" / "pulumi_workdocs" / "schema.json"
SIZE_PATTERN = r"^(?:unlimited|[0-9]+(?:\.[0-9]+)? ?(?:B|KB|MB|GB|TB|KiB|MiB|GiB|TiB))$"


MODEL = botocore.session.get_session().get_service_model("workdocs")


def constraints(shape: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if shape.type_name == "string":
        out["type"] = "string"
        if getattr(shape, "enum", None):
            out["enum"] = list(shape.enum)
        if "min" in shape.metadata:
            out["minLength"] = shape.metadata["min"]
        if "max" in shape.metadata:
            out["maxLength"] = shape.metadata["max"]
        if "pattern" in shape.metadata:
            out["pattern"] = f"^(?:{shape.metadata['pattern']})$"
    elif shape.type_name in ("integer", "long"):
        out["type"] = "integer"
        if "min" in shape.metadata:
            out["minimum"] = shape.metadata["min"]
        if "max" in shape.metadata:
            out["maximum"] = shape.metadata["max"]
    return out


def field_schema(field: Field) -> dict[str, Any]:
    if field.prop == "storage_rule":
        rule = api_shape(MODEL, field)
        descriptions = {"StorageAllocatedInBytes": "Quota in bytes (with storage_type QUOTA).",
                        "StorageType": "QUOTA or UNLIMITED."}  # fmt: skip
        return {
            "title": "storage_rule",
            "description": field.description,
            "type": "object",
            "properties": {
                xform_name(member): {
                    "title": xform_name(member),
                    "description": descriptions[member],
                    **constraints(rule.members[member]),
                }
                for member in STORAGE_RULE_MEMBERS
            },
            "additionalProperties": False,
        }
    if field.prop == "status":
        # Users can set ACTIVE or INACTIVE; PENDING is WorkDocs' own state.
        return {
            "title": "status",
            "description": field.description,
            "type": "string",
            "enum": ["ACTIVE", "INACTIVE"],
        }
    if field.prop == "deletion_policy":
        return {
            "title": "deletion_policy",
            "description": field.description,
            "type": "string",
            "enum": ["DEACTIVATE", "DELETE"],
        }
    if field.prop == "adopt":
        return {"title": "adopt", "description": field.description, "type": "boolean"}
    return {"title": field.prop, "description": field.description, **constraints(api_shape(MODEL, field))}


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


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(), indent=2) + "\n")
    print(f"wrote {OUT}")
