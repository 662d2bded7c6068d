"""schema.json and validation against it, with messages that name the field and the rule.

jsonschema's own messages quote the offending value; ours never do, because some values
(passwords, personal names) must not reach logs or the console.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from pulumi_workdocs.core.rules import is_time_zone

__all__ = ["Problem", "field_path", "is_time_zone", "schema", "validate"]  # is_time_zone: core/rules.py

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
def _fast_validator(definition: str | None, key: Any = None) -> Any:
    """jsonschema-rs on the same schema (or on the items of its list ``key``, None if it has none):
    says valid or not for 5,000 users in milliseconds."""
    target = _target(definition)
    if key is not None:
        target = target.get("properties", {}).get(key, {}).get("items")
        if not isinstance(target, dict):
            return None
    return jsonschema_rs.Draft202012Validator(target)


def _passes(validator: Any, instance: Any) -> bool:
    """jsonschema-rs's verdict; a value JSON has no type for (a YAML date, a non-string key) does not pass."""
    try:
        return bool(validator.is_valid(instance))
    except ValueError:
        return False


def _flagged_items_only(document: Any, definition: str | None, limit: int | None) -> tuple[Any, dict[Any, list[int]]]:
    """The document with each top-level list cut down to the items jsonschema-rs rejects
    (the first ``limit`` + 1 of them, when limited).

    Sound because schema.json constrains list items one by one (``items`` only; a test
    holds that), so the other items cannot add or change an error. Item by item, because
    jsonschema-rs's ``iter_errors`` builds every error at once: 28 s and 1.8 GB for
    330,000 wrong users. Returns the original index of each kept item, by list.
    """
    if not isinstance(document, dict):
        return document, {}
    subject, kept = dict(document), {}
    for key, value in document.items():
        check = _fast_validator(definition, key) if isinstance(value, list) else None
        if check is None:
            continue
        indexes = []
        for index, item in enumerate(value):
            if not _passes(check, item):
                indexes.append(index)
                if limit is not None and len(indexes) > limit:
                    break
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


def validate(document: Any, definition: str | None = None, limit: int | None = None) -> list[Problem]:
    """Every violation of schema.json (or one of its ``$defs``), in document order; with a
    ``limit``, about the first ones, more than ``limit`` only when there are more.

    jsonschema-rs looks first, because jsonschema takes 0.35 s over 5,000 users; only the
    users (list items) it rejects go to jsonschema, which words each error, and whose
    verdict then stands.
    """
    if _passes(_fast_validator(definition), document):
        return []
    subject, kept = _flagged_items_only(document, definition, limit)
    problems: dict[Problem, None] = {}  # ordered, and each once: jsonschema repeats some per missing field
    for problem in (p for error in _validator(definition).iter_errors(subject) for p in _problems(error)):
        if len(problem.path) > 1 and problem.path[0] in kept:
            head, index, *rest = problem.path
            problem = Problem((head, kept[head][int(index)], *rest), problem.rule)
        problems[problem] = None
        if limit is not None and len(problems) > limit:
            break
    return sorted(problems, key=lambda p: [str(x) for x in p.path])


def _problems(error: ValidationError) -> Iterator[Problem]:
    """One problem per missing or unknown field (jsonschema words those per object), else one."""
    path = tuple(error.absolute_path)
    kind, expected = error.validator, error.validator_value
    if kind == "required":
        yield from (Problem((*path, name), "is required") for name in expected if name not in (error.instance or {}))
    elif kind == "additionalProperties":
        known = sorted(error.schema.get("properties", {}))
        rule = "is not a known field (known: " + ", ".join(known) + ")"
        yield from (Problem((*path, name), rule) for name in error.instance if name not in known)
    else:
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
        yield Problem(path, rules.get(str(kind), lambda: f"fails the {kind} rule")())
