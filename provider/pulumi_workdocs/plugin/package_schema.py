"""The Pulumi package schema of the ``workdocs`` provider, generated from the field table.

Names, types, enums and lengths come from the field table and the users schema
(``pulumi_workdocs/schema.json``, itself generated from the WorkDocs model); descriptions from
the WorkDocs botocore model's documentation. The result is checked in as ``schema.json`` next
to this module and served by GetSchema; a test holds the file equal to ``build()``.

Regenerate after changing the field table: ``.venv/bin/python -m pulumi_workdocs.codegen``.
"""

from __future__ import annotations

import html
import json
import re
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from botocore import xform_name

from pulumi_workdocs.plugin._names import (
    FIELDS,
    PASSWORD,
    READ_ONLY_OUTPUTS,
    Change,
    ClientSettings,
    Field,
    camel,
    users_schema,
)

NAME = "workdocs"
USER = f"{NAME}:index:User"
OUT = Path(__file__).with_name("schema.json")

CONFIG_DESCRIPTIONS = {
    "region": "AWS Region of the WorkDocs site. Default: the profile's region, AWS_REGION, else us-east-1.",
    "endpoint": "WorkDocs API endpoint URL, e.g. workdocs-local's http://127.0.0.1:4567. Default: AWS "
    "(AWS_ENDPOINT_URL_WORKDOCS is honoured). Credentials always come from the default AWS chain.",
    "profile": "AWS shared config profile to take credentials and region from.",
    "retryMode": "adaptive (default): after throttling the whole provider process sends more slowly; "
    "standard: each call backs off on its own. Retries have no shared quota either way.",
    "maxAttempts": "Total attempts per WorkDocs call, the first one included. Default: no limit "
    "(callTimeout bounds each call).",
    "callTimeout": "Seconds one WorkDocs call may keep retrying (default 300).",
    "retryBaseDelay": "Seconds: the bound of the first wait after a 5xx or a broken connection (default 0.05); "
    "after throttling it is 20 times this. Waits double per attempt, with full jitter, up to 20 s.",
}
CONFIG_TYPES = {"maxAttempts": "integer", "callTimeout": "number", "retryBaseDelay": "number"}
CHANGE_NOTES = {
    Change.REPLACE: "No WorkDocs API changes it: a new value replaces the user.",
    Change.UPDATE_USER: "Changed in place (UpdateUser).",
    Change.STATUS: "Changed in place (ActivateUser or DeactivateUser); deactivated users keep their documents.",
}
# Always set once the user exists (WorkDocs returns them, or the provider defaults them).
REQUIRED_OUTPUTS = ("status", "deletion_policy", "adopt", "root_folder_id", "recycle_bin_folder_id")


def version() -> str:
    return metadata.version("pulumi-workdocs")


def config_keys() -> tuple[str, ...]:
    """The ``workdocs:*`` keys the client settings read, found by asking ClientSettings itself."""
    asked: list[str] = []
    ClientSettings.from_config(lambda key: asked.append(key))
    return tuple(key.removeprefix(f"{NAME}:") for key in asked)


@cache
def _model_members() -> dict[str, Any]:
    """The members of WorkDocs' User shapes (botocore shapes), by member name."""
    import botocore.session

    model = botocore.session.get_session().get_service_model(NAME)
    members: dict[str, Any] = {}
    for shape_name in ("UserStorageMetadata", "StorageRuleType", "CreateUserRequest", "User"):
        for member, shape in model.shape_for(shape_name).members.items():
            members.setdefault(member, shape)
    return members


def _model_docs() -> dict[str, str]:
    """Plain-text documentation of the members of WorkDocs' User shapes, by member name."""
    return {member: _plain(shape.documentation) for member, shape in _model_members().items()}


def _plain(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def _constraints(spec: dict[str, Any]) -> str:
    """The users schema's rules that a Pulumi schema cannot carry, as a sentence."""
    parts = []
    if "enum" in spec:
        parts.append("one of " + ", ".join(spec["enum"]))
    if "minLength" in spec and "maxLength" in spec:
        parts.append(f"{spec['minLength']} to {spec['maxLength']} characters")
    elif "minLength" in spec or "maxLength" in spec:
        bound = "at least" if "minLength" in spec else "at most"
        parts.append(f"{bound} {spec.get('minLength', spec.get('maxLength'))} characters")
    return ("Allowed: " + "; ".join(parts) + ".") if parts else ""


def _describe(*sentences: str) -> str:
    return " ".join(s for s in sentences if s)


def _type_token(field: Field) -> str:
    """The package type of a structure field (StorageRule -> workdocs:index:StorageRule)."""
    return f"{NAME}:index:{field.api}"


def _type(spec: dict[str, Any], field: Field | None = None) -> dict[str, Any]:
    if spec.get("type") == "object" and field is not None:
        return {"$ref": f"#/types/{_type_token(field)}"}
    return {"type": spec["type"]}


def _field(field: Field, users: dict[str, Any]) -> dict[str, Any]:
    spec = users["$defs"][field.prop]
    if field.api is None:  # the provider's own settings: their description is the table's
        return {**_type(spec, field), "description": _describe(field.description, _constraints(spec))}
    model = _model_docs()[field.api]
    described = _describe(model, CHANGE_NOTES.get(field.change, ""), _constraints(spec))
    return {**_type(spec, field), "description": described}


# What the package schema adds to a structure's or a member's model documentation.
TYPE_DESCRIPTIONS = {"StorageRule": "Describes the storage for a user: a quota in bytes, or unlimited."}
MEMBER_NOTES = {"StorageAllocatedInBytes": "Required with storageType QUOTA."}


def _structure(field: Field, users: dict[str, Any]) -> dict[str, Any]:
    """The package type of a structure field, its members named as the CRUD's, in camelCase."""
    spec = users["$defs"][field.prop]["properties"]
    docs = _model_docs()
    return {
        "type": "object",
        "description": _plain(TYPE_DESCRIPTIONS.get(field.api or "", field.description)),
        "properties": {
            camel(name): {
                **_type(spec[name]),
                "description": _describe(docs[api], MEMBER_NOTES.get(api, ""), _constraints(spec[name])),
            }
            for api in field.members
            for name in (xform_name(api),)
        },
    }


def _user(users: dict[str, Any]) -> dict[str, Any]:
    docs = _model_docs()
    inputs = {camel(f.prop): _field(f, users) for f in FIELDS}
    password = users["$defs"][PASSWORD.prop]
    inputs[camel(PASSWORD.prop)] = {
        "type": "string",
        "secret": True,
        "description": _describe(
            docs[PASSWORD.api or ""],
            "Write-only: sent once, by CreateUser; always a secret in the state and never an output. "
            "WorkDocs cannot change a password, so a later change is ignored with a warning. "
            "Required to create a user; not needed to import or adopt one.",
            _constraints(password),
        ),
    }
    outputs = {camel(f.prop): _field(f, users) for f in FIELDS}
    for prop, api in READ_ONLY_OUTPUTS.items():
        kind = _model_members()[api].type_name
        text = docs[api].removesuffix(".") + ", in ISO 8601." if kind == "timestamp" else docs[api]
        outputs[camel(prop)] = {"type": "integer" if kind in ("integer", "long") else "string", "description": text}
    required_inputs = [p for p in users["$defs"]["WorkDocsUserArgs"]["required"] if p != PASSWORD.prop]
    return {
        "description": (
            "An Amazon WorkDocs user. The resource Id is the WorkDocs user Id.\n\n"
            "Removing the resource applies its `deletionPolicy`: DEACTIVATE (the default) keeps the user "
            "and its documents as INACTIVE; DELETE calls DeleteUser, which permanently deletes the user's "
            "documents.\n\n"
            "## Import\n\n"
            "```sh\n$ pulumi import workdocs:index:User jane USER_ID\n```\n\n"
            "The Id is the WorkDocs user Id. `ORGANIZATION_ID/USER_ID` works too, for when "
            "WorkDocs wants the organization to look the user up."
        ),
        "properties": outputs,
        "required": [camel(p) for p in (*required_inputs, *REQUIRED_OUTPUTS)],
        "inputProperties": inputs,
        "requiredInputs": [camel(p) for p in required_inputs],
    }


def build(users: dict[str, Any] | None = None) -> dict[str, Any]:
    """The whole package schema, as ``pulumi package get-schema`` prints it, from the users
    schema ``users`` (the checked-in one unless given: the generator passes the one it writes)."""
    users = users if users is not None else users_schema()
    config = {
        key: {"type": CONFIG_TYPES.get(key, "string"), "description": CONFIG_DESCRIPTIONS[key]} for key in config_keys()
    }
    return {
        "name": NAME,
        "displayName": "Amazon WorkDocs",
        "version": version(),
        "description": "Amazon WorkDocs users as code: a Pulumi provider for any Pulumi language.",
        "keywords": ["pulumi", "aws", "workdocs", "category/cloud", "kind/native"],
        "publisher": "pulumi-workdocs",
        "meta": {"moduleFormat": "(.*)"},
        "config": {"variables": config},
        "provider": {
            "description": "The workdocs provider: settings of the WorkDocs client it builds.",
            "inputProperties": config,
        },
        "types": {_type_token(f): _structure(f, users) for f in FIELDS if f.members},
        "resources": {USER: _user(users)},
        "language": {
            # pulumi_workdocs is this project's own package (the plugin and the dynamic resource).
            "python": {"packageName": "pulumi_workdocs_sdk", "respectSchemaVersion": True},
            "nodejs": {"packageName": "@pulumi-workdocs/workdocs", "respectSchemaVersion": True},
            "go": {"importBasePath": "example.com/pulumi-workdocs/sdk/go/workdocs", "respectSchemaVersion": True},
            "csharp": {"rootNamespace": "PulumiWorkdocs", "respectSchemaVersion": True},
        },
    }


def render(users: dict[str, Any] | None = None) -> str:
    return json.dumps(build(users), indent=2) + "\n"


@cache
def text() -> str:
    """The checked-in schema (what GetSchema serves): no botocore work at run time."""
    return resources.files("pulumi_workdocs.plugin").joinpath("schema.json").read_text()
