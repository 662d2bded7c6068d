"""Server-side validation from the model: required, type, length, range, enum, pattern.

botocore checks only required, type and ``min`` on the client; the rest is the server's
job, so every constraint the model carries is enforced here, for every operation.
Messages name the member and the rule, never the value (many members are sensitive).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from workdocs_local.errors import WorkDocsError

# The wire types' own ranges (Smithy: integer is signed 32-bit, long signed 64-bit): a
# member with no min/max in the model is still bounded by its type, never by SQLite.
TYPE_RANGES = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}


@cache
def _pattern(regex: str) -> re.Pattern[str]:
    # The model's patterns are Java-style; \uXXXX escapes and classes read the same in re.
    # re.ASCII: Java's \w, \d and \s are ASCII-only, Python's match any Unicode letter.
    return re.compile(regex, re.ASCII)


def validate(shape: StructureShape, params: dict[str, Any]) -> None:
    """Raise InvalidArgumentException listing every violation in ``params``."""
    problems: list[str] = []
    _check(shape, params, "", problems)
    if problems:
        count = len(problems)
        noun = "error" if count == 1 else "errors"
        raise WorkDocsError(
            "InvalidArgumentException",
            f"{count} validation {noun} detected: " + "; ".join(problems),
        )


def _fail(problems: list[str], path: str, rule: str) -> None:
    problems.append(f"Value at '{path}' failed to satisfy constraint: Member must {rule}")


def _check(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    meta = shape.metadata
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        if not isinstance(value, dict):
            _fail(problems, path, "be a structure")
            return
        for name in shape.required_members:
            if value.get(name) is None:
                _fail(problems, _join(path, name), "not be null")
        for name, member in shape.members.items():
            if value.get(name) is not None:
                _check(member, value[name], _join(path, name), problems)
    elif kind == "string":
        if not isinstance(value, str):
            _fail(problems, path, "be a string")
            return
        _check_size(len(value), meta, path, problems, "have length")
        enum: list[str] = getattr(shape, "enum", [])
        if enum and value not in enum:
            _fail(problems, path, "satisfy enum value set: [" + ", ".join(enum) + "]")
        if "pattern" in meta and not _pattern(meta["pattern"]).fullmatch(value):
            _fail(problems, path, f"satisfy regular expression pattern: {meta['pattern']}")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            _fail(problems, path, f"be of type {kind}")
            return
        low, high = TYPE_RANGES[kind]
        bounds = {"min": max(meta.get("min", low), low), "max": min(meta.get("max", high), high)}
        _check_size(value, bounds, path, problems, "have value")
    elif kind in ("float", "double"):
        if not isinstance(value, int | float) or isinstance(value, bool):
            _fail(problems, path, f"be of type {kind}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            _fail(problems, path, "be of type boolean")
    elif kind == "timestamp":
        if not isinstance(value, dt.datetime):
            _fail(problems, path, "be a timestamp")
    elif kind == "list":
        assert isinstance(shape, ListShape)
        if not isinstance(value, list):
            _fail(problems, path, "be a list")
            return
        _check_size(len(value), meta, path, problems, "have length")
        for index, item in enumerate(value):
            _check(shape.member, item, f"{path}.{index + 1}", problems)
    elif kind == "map":
        assert isinstance(shape, MapShape)
        if not isinstance(value, dict):
            _fail(problems, path, "be a map")
            return
        _check_size(len(value), meta, path, problems, "have length")
        for key, item in value.items():
            _check(shape.key, key, f"{path}.key", problems)
            _check(shape.value, item, f"{path}.{key}", problems)


def _check_size(size: int, meta: dict[str, Any], path: str, problems: list[str], what: str) -> None:
    if "min" in meta and size < meta["min"]:
        _fail(problems, path, f"{what} greater than or equal to {meta['min']}")
    if "max" in meta and size > meta["max"]:
        _fail(problems, path, f"{what} less than or equal to {meta['max']}")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
