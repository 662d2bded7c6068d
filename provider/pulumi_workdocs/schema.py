"""schema.json and validation against it, with messages that name the field and the rule.

jsonschema's own messages quote the offending value; ours never do, because some values
(passwords, personal names) must not reach logs or the console.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError


@cache
def schema() -> dict[str, Any]:
    text = resources.files("pulumi_workdocs").joinpath("schema.json").read_text()
    document: dict[str, Any] = json.loads(text)
    return document


@cache
def _validator(definition: str | None) -> Draft202012Validator:
    root = schema()
    target = root if definition is None else {"$ref": f"#/$defs/{definition}", "$defs": root["$defs"]}
    Draft202012Validator.check_schema(root)
    return Draft202012Validator(target)


@dataclass(frozen=True)
class Problem:
    path: tuple[str | int, ...]  # where in the document, e.g. ("users", 3, "username")
    rule: str  # "must be at most 64 characters"

    @property
    def field(self) -> str:
        return ".".join(str(p) for p in self.path) or "(document)"

    def __str__(self) -> str:
        return f"{self.field}: {self.rule}"


def validate(document: Any, definition: str | None = None) -> list[Problem]:
    """Every violation of schema.json (or one of its ``$defs``), in document order."""
    problems = [_problem(e) for e in _validator(definition).iter_errors(document)]
    return sorted(problems, key=lambda p: [str(x) for x in p.path])


def _problem(error: ValidationError) -> Problem:
    path = tuple(error.absolute_path)
    kind, expected = error.validator, error.validator_value
    if kind == "required":
        missing = [name for name in expected if name not in (error.instance or {})]
        return Problem((*path, missing[0] if missing else "?"), "is required")
    if kind == "additionalProperties":
        known = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(known))
        return Problem((*path, extra[0]), "is not a known field (known: " + ", ".join(known) + ")")
    rules = {
        "type": lambda: f"must be of type {expected}",
        "minLength": lambda: f"must be at least {expected} characters",
        "maxLength": lambda: f"must be at most {expected} characters",
        "minimum": lambda: f"must be at least {expected}",
        "maximum": lambda: f"must be at most {expected}",
        "enum": lambda: "must be one of " + ", ".join(str(v) for v in expected),
        "pattern": lambda: f"must match the pattern {expected}",
        "minProperties": lambda: f"must have at least {expected} key(s)",
        "maxProperties": lambda: f"must have at most {expected} key(s)",
    }
    rule = rules.get(str(kind), lambda: f"fails the {kind} rule")()
    return Problem(path, rule)
