"""schema.json carries exactly the WorkDocs model's constraints, field by field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore import xform_name
from jsonschema import Draft202012Validator

from pulumi_workdocs.codegen.model import shape_type
from pulumi_workdocs.core.fields import FIELDS, PASSWORD, api_shape
from pulumi_workdocs.schema import schema

ROOT = Path(__file__).resolve().parents[2]
MODEL = botocore.session.get_session().get_service_model("workdocs")


def test_root_schema_json_is_the_package_schema_and_valid_2020_12() -> None:
    assert json.loads((ROOT / "schema.json").read_text()) == schema()
    assert schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema())


def _matches_model(definition: dict[str, Any], shape: Any) -> None:
    """A JSON Schema definition carries its shape's type and constraints, for each model type."""
    kind = shape_type(shape)
    assert definition["type"] == {"integer": "integer", "boolean": "boolean"}.get(kind, "string")
    if kind == "integer":
        assert definition.get("minimum") == shape.metadata.get("min")
        assert definition.get("maximum") == shape.metadata.get("max")
        return
    if kind in ("string", "enum"):
        assert definition.get("minLength") == shape.metadata.get("min")
        assert definition.get("maxLength") == shape.metadata.get("max")
    if "pattern" in shape.metadata:
        assert definition["pattern"] == f"^(?:{shape.metadata['pattern']})$"
    elif kind != "timestamp":  # a timestamp's is ISO 8601, the form botocore takes as text
        assert "pattern" not in definition


@pytest.mark.parametrize("field", [f for f in (*FIELDS, PASSWORD) if f.api], ids=lambda f: f.prop)
def test_field_constraints_match_the_model(field: Any) -> None:
    definition = schema()["$defs"][field.prop]
    shape: Any = api_shape(MODEL, field)
    if shape.type_name == "structure":
        assert set(field.members) <= set(shape.members)
        assert set(definition["properties"]) == {xform_name(m) for m in field.members}
        for member in field.members:
            sub_def = definition["properties"][xform_name(member)]
            _matches_model(sub_def, shape.members[member])
            if getattr(shape.members[member], "enum", None):
                assert sub_def["enum"] == list(shape.members[member].enum)
        return
    if field.choices:  # users choose fewer values than the model has (status: PENDING is WorkDocs' own)
        assert definition["enum"] == list(field.choices) and set(field.choices) < set(shape.enum)
        return
    _matches_model(definition, shape)
    if getattr(shape, "enum", None):
        assert definition["enum"] == list(shape.enum)


def test_every_schema_field_has_a_title_and_description() -> None:
    for name, definition in schema()["$defs"].items():
        assert definition.get("title") and definition.get("description"), name


def test_lists_are_constrained_item_by_item() -> None:
    """schema.validate words only the users jsonschema-rs flags; that is sound only while no
    keyword relates one list item to another or to the list's length."""
    across_items = {"minItems", "maxItems", "uniqueItems", "contains", "minContains", "maxContains", "prefixItems",
                    "unevaluatedItems", "if", "dependentSchemas", "allOf", "anyOf", "oneOf", "not"}  # fmt: skip
    found: list[str] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            found.extend(f"{where}.{k}" for k in node if k in across_items)
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for value in node:
                walk(value, where)

    walk(schema(), "$")
    assert not found
