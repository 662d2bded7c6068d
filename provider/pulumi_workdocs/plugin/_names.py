"""Everything the plugin takes from the rest of the package, and the Pulumi property names.

The plugin is an adapter over ``WorkDocsUserProvider``: this is its only module that imports
the field table (``core``) and the CRUD, so a move of those is fixed here alone. The Pulumi
schema names properties in camelCase; the CRUD in snake_case.
"""

from __future__ import annotations

import re
from typing import Any

from botocore import xform_name

from pulumi_workdocs.aws import ClientSettings
from pulumi_workdocs.core.fields import (
    BY_PROP,
    DEFAULTS,
    FIELDS,
    OUTPUT_NAMES,
    PASSWORD,
    READ_ONLY_OUTPUTS,
    Change,
    Field,
)
from pulumi_workdocs.core.user import changed_fields
from pulumi_workdocs.errors import UsageError, WorkDocsUserError
from pulumi_workdocs.provider import WorkDocsUserProvider
from pulumi_workdocs.schema import schema as users_schema

__all__ = [
    "BY_PROP",
    "DEFAULTS",
    "FIELDS",
    "INPUT_NAMES",
    "INPUTS",
    "OUTPUT_NAMES",
    "PASSWORD",
    "READ_ONLY_OUTPUTS",
    "Change",
    "ClientSettings",
    "Field",
    "UsageError",
    "WorkDocsUserError",
    "WorkDocsUserProvider",
    "camel",
    "changed_fields",
    "to_camel",
    "to_snake",
    "translate",
    "users_schema",
]

INPUT_NAMES = (*(f.prop for f in FIELDS), PASSWORD.prop)
# Each structure field's members as the CRUD names them (the table lists their API names).
NESTED = {f.prop: tuple(xform_name(m) for m in f.members) for f in FIELDS if f.members}


def camel(name: str) -> str:
    """``given_name`` -> ``givenName``, as Pulumi schemas name properties."""
    head, *rest = name.split("_")
    return head + "".join(word.capitalize() for word in rest)


INPUTS = tuple(camel(n) for n in INPUT_NAMES)  # the Pulumi names of the inputs
SNAKE = {camel(n): n for n in (*INPUT_NAMES, *OUTPUT_NAMES)}
NESTED_SNAKE = {parent: {camel(n): n for n in names} for parent, names in NESTED.items()}
_CAMEL_WORDS = {
    n: camel(n) for n in (*INPUT_NAMES, *OUTPUT_NAMES, *(m for ms in NESTED.values() for m in ms)) if "_" in n
}  # the names that differ
_WORD = re.compile(r"\b(" + "|".join(sorted(_CAMEL_WORDS, key=len, reverse=True)) + r")\b")


def to_snake(props: dict[str, Any]) -> dict[str, Any]:
    """Pulumi (camelCase) properties as the CRUD names them; names it does not know are dropped."""
    out: dict[str, Any] = {}
    for key, value in props.items():
        name = SNAKE.get(key)
        if name is None:
            continue
        members = NESTED_SNAKE.get(name)
        if members is not None and isinstance(value, dict):
            value = {members.get(k, k): v for k, v in value.items()}
        out[name] = value
    return out


def to_camel(props: dict[str, Any]) -> dict[str, Any]:
    """The CRUD's (snake_case) properties as the Pulumi schema names them."""
    out: dict[str, Any] = {}
    for key, value in props.items():
        if key in NESTED and isinstance(value, dict):
            value = {camel(k): v for k, v in value.items()}
        out[camel(key)] = value
    return out


def translate(message: str) -> str:
    """A CRUD message with its property names in camelCase; quoted text (a username) is kept."""
    parts = message.split("'")
    parts[::2] = [_WORD.sub(lambda m: _CAMEL_WORDS[m.group(1)], part) for part in parts[::2]]
    return "'".join(parts)
