"""schema.json carries exactly the WorkDocs model's constraints, field by field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from jsonschema import Draft202012Validator

from pulumi_workdocs.core.fields import FIELDS, PASSWORD, api_shape
from pulumi_workdocs.schema import schema

ROOT = Path(__file__).resolve().parents[2]
MODEL = botocore.session.get_session().get_service_model("workdocs")


def test_root_schema_json_is_the_package_schema_and_valid_2020_12() -> None:
    assert json.loads((ROOT / "schema.json").read_text()) == schema()
    assert schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema())


@pytest.mark.parametrize("field", [f for f in (*FIELDS, PASSWORD) if f.api], ids=lambda f: f.prop)
def test_field_constraints_match_the_model(field: Any) -> None:
    definition = schema()["$defs"][field.prop]
    shape: Any = api_shape(MODEL, field)
    if shape.type_name == "structure":
        for prop, member in shape.members.items():
            sub = {"StorageAllocatedInBytes": "storage_allocated_in_bytes", "StorageType": "storage_type"}[prop]
            sub_def = definition["properties"][sub]
            if getattr(member, "enum", None):
                assert sub_def["enum"] == list(member.enum)
            if "min" in member.metadata:
                assert sub_def["minimum"] == member.metadata["min"]
        return
    assert definition.get("minLength") == shape.metadata.get("min")
    assert definition.get("maxLength") == shape.metadata.get("max")
    if "pattern" in shape.metadata:
        assert definition["pattern"] == f"^(?:{shape.metadata['pattern']})$"
    else:
        assert "pattern" not in definition
    if field.prop == "status":  # users choose ACTIVE/INACTIVE; PENDING is WorkDocs' own state
        assert set(definition["enum"]) < set(shape.enum)
    elif getattr(shape, "enum", None):
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
