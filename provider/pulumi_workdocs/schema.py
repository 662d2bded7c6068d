"""schema.json and validation against it, with messages that name the field and the rule.

jsonschema's own messages quote the offending value; ours never do, because some values
(passwords, personal names) must not reach logs or the console.
"""

from __future__ import annotations

import json
import re
import zoneinfo
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import jsonschema_rs

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError


@cache
def _ascii(pattern: str) -> re.Pattern[str]:
    """ECMA-262 reading: \\w and \\d are ASCII, and a final ``$`` is the very end (Python's ``$``
    also matches before a trailing newline, so ``"alice\\n"`` would pass)."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern, re.ASCII)


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    """JSON Schema (ECMA-262) and the WorkDocs model (Java) read \\w and \\d as ASCII."""
    from jsonschema.exceptions import ValidationError

    if isinstance(instance, str) and not _ascii(pattern).search(instance):
        yield ValidationError(f"does not match {pattern!r}")


@cache
def schema() -> dict[str, Any]:
    text = resources.files("pulumi_workdocs").joinpath("schema.json").read_text()
    document: dict[str, Any] = json.loads(text)
    return document


@cache
def _target(definition: str | None) -> dict[str, Any]:
    """schema.json, or one of its ``$defs``, with local ``$ref``s inlined."""
    root = schema()
    target = root if definition is None else root["$defs"][definition]
    inlined: dict[str, Any] = _inline_refs(target, root["$defs"])
    return inlined


@cache
def _validator(definition: str | None) -> Any:
    """jsonschema: the validator whose verdict and wording count (imported only when needed)."""
    from jsonschema import Draft202012Validator, validators

    Draft202012Validator.check_schema(schema())
    # Local $refs inlined once: resolving them for every instance cost most of the time.
    return validators.extend(Draft202012Validator, {"pattern": _pattern})(_target(definition))


@cache
def _fast_validator(definition: str | None) -> Any:
    """jsonschema-rs on the same schema: says valid or not for 5,000 users in milliseconds."""
    return jsonschema_rs.Draft202012Validator(_target(definition))


def _flagged(document: Any, definition: str | None) -> list[tuple[str | int, ...]] | None:
    """Where jsonschema-rs finds errors ([] when valid), or None when it cannot read the document."""
    fast = _fast_validator(definition)
    try:
        if fast.is_valid(document):
            return []
        return [tuple(error.instance_path) for error in fast.iter_errors(document)]
    except ValueError:  # a value JSON has no type for (a YAML date, a non-string key)
        return None


def _flagged_items_only(document: Any, flagged: list[tuple[str | int, ...]]) -> tuple[Any, dict[str, list[int]]]:
    """The document with each top-level list cut down to the items that have errors.

    Sound because schema.json constrains list items one by one (``items`` only; a test
    holds that), so the other items cannot add or change an error. Returns the original
    index of each kept item, by list.
    """
    if not isinstance(document, dict):
        return document, {}
    subject, kept = dict(document), {}
    for key, value in document.items():
        if isinstance(value, list):
            indexes = sorted({p[1] for p in flagged if len(p) > 1 and p[0] == key and isinstance(p[1], int)})
            subject[key] = [value[i] for i in indexes]
            kept[key] = indexes
    return subject, kept


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline_refs(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline_refs(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline_refs(v, defs) for v in node]
    return node


@dataclass(frozen=True)
class Problem:
    path: tuple[str | int, ...]  # where in the document, e.g. ("users", 3, "username")
    rule: str  # "must be at most 64 characters"

    @property
    def field(self) -> str:
        return field_path(self.path)

    def __str__(self) -> str:
        return f"{self.field}: {self.rule}"


def field_path(path: tuple[str | int, ...]) -> str:
    """("users", 3, "username") -> "users[3].username"."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "(document)"


def validate(document: Any, definition: str | None = None) -> list[Problem]:
    """Every violation of schema.json (or one of its ``$defs``), in document order.

    jsonschema-rs looks first, because jsonschema takes 0.35 s over 5,000 users; only the
    users (list items) it rejects go to jsonschema, which words each error, and whose
    verdict then stands.
    """
    flagged = _flagged(document, definition)
    if flagged == []:
        return []
    subject, kept = (document, {}) if flagged is None else _flagged_items_only(document, flagged)
    problems: dict[Problem, None] = {}  # ordered, and each once: jsonschema repeats some per missing field
    for error in _validator(definition).iter_errors(subject):
        for problem in _problems(error):
            if len(problem.path) > 1 and problem.path[0] in kept:
                head, index, *rest = problem.path
                problem = Problem((head, kept[str(head)][int(index)], *rest), problem.rule)
            problems[problem] = None
    return sorted(problems, key=lambda p: [str(x) for x in p.path])


def _problems(error: ValidationError) -> list[Problem]:
    """One problem per missing or unknown field (jsonschema words those per object), else one."""
    path = tuple(error.absolute_path)
    kind, expected = error.validator, error.validator_value
    if kind == "required":
        missing = [name for name in expected if name not in (error.instance or {})]
        return [Problem((*path, name), "is required") for name in missing]
    if kind == "additionalProperties":
        known = sorted(error.schema.get("properties", {}))
        extra = [name for name in error.instance if name not in known]
        return [Problem((*path, name), "is not a known field (known: " + ", ".join(known) + ")") for name in extra]
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
    return [Problem(path, rule)]


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_time_zone(name: str) -> bool:
    """An IANA time zone name (the tzdata package ships the database)."""
    return name in _time_zones()
