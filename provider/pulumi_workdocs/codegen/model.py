"""What the generators read of botocore's WorkDocs model: each field's shape and its model type."""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.session

from pulumi_workdocs.core.fields import Field, api_shape

# The model types a field may have, as the generators name them (an enum is a string shape with one).
MODEL_TYPES = ("string", "enum", "integer", "boolean", "timestamp", "structure")


@cache
def model() -> Any:
    """botocore's WorkDocs ServiceModel (AWS_DATA_PATH is searched first, as botocore's Loader does)."""
    return botocore.session.get_session().get_service_model("workdocs")


def shape(field: Field) -> Any:
    return api_shape(model(), field)


def shape_type(member: Any) -> str:
    """One of MODEL_TYPES for a botocore shape; any other type is refused by name."""
    kind = str(member.type_name)
    if kind == "string":
        return "enum" if getattr(member, "enum", None) else "string"
    if kind in ("integer", "long"):
        return "integer"
    if kind in ("boolean", "timestamp", "structure"):
        return kind
    raise ValueError(f"{member.name}: model type {kind} is not one a field can have ({', '.join(MODEL_TYPES)})")


def field_type(field: Field) -> str:
    """A field's model type; a state-only field's follows from its choices or its default."""
    if field.api is None:
        if field.choices:
            return "enum"
        return "boolean" if isinstance(field.default, bool) else "string"
    return shape_type(shape(field))


PYTHON_TYPES = {"string": "str", "enum": "str", "timestamp": "str", "integer": "int", "boolean": "bool"}


def python_type(field: Field) -> str:
    """The Python type of a field's value as WorkDocsUser takes and outputs it."""
    kind = field_type(field)
    return field.api or "" if kind == "structure" else PYTHON_TYPES[kind]


def member_python_type(member: Any) -> str:
    return PYTHON_TYPES[shape_type(member)]
