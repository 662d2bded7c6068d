"""jsonschema-rs (the fast first look) and jsonschema (the one that words errors) must agree.

schema.validate trusts a "valid" from jsonschema-rs without asking jsonschema, so any
document one accepts and the other rejects would let a bad file through or waste time.
"""

from __future__ import annotations

import copy
import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_workdocs import schema

ROOT = Path(__file__).resolve().parents[2]

VALUES: list[Any] = [
    None, True, False, 0, -1, 1.0, 1.5, 5e10, 2**70, float("nan"), float("inf"), "", " ", "x" * 65, "x" * 300,
    "alice", "alice\n", "\nalice", "d-1234567890\n", "50 GB\n",
    "a.b-c+d@example.com", "émile", "名前", "a b", "a\u0660b", "x\u00b2", "tab\there", "bad\x7fchar",
    "USER", "ADMIN", "ACTIVE", "en", "DELETE", "DEACTIVATE", "Europe/Paris", "d-1234567890", "alice@example.com",
    "50 GB", "1.5 TiB", "unlimited", "50GB", "50 gb", "-1 GB", "QUOTA", "UNLIMITED", [], {}, ["x"], {"config": "k"},
    {"env": "PASSWORD"}, {"config": "k", "env": "E"}, {"config": "1bad"}, {"other": "x"}, datetime.date(2024, 1, 2),
]  # fmt: skip


def passes_fast(document: Any, definition: str | None) -> bool:
    """jsonschema-rs alone says the document is valid (then validate asks nothing else)."""
    return schema._passes(schema._fast_validator(definition), document)


def agree(document: Any, definition: str | None) -> bool:
    words = list(schema._validator(definition).iter_errors(document))
    return passes_fast(document, definition) == (not words)


def mutations(base: dict[str, Any], paths: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Each value in VALUES at each path, each path removed, and an unknown key beside each."""
    out = []
    for path in paths:
        for value in VALUES:
            out.append(set_at(base, path, value))
        out.append(set_at(base, path, _REMOVE))
        if not isinstance(path[-1], int):
            out.append(set_at(base, (*path[:-1], "colour"), "blue"))
    return out


_REMOVE = object()


def set_at(base: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    document = copy.deepcopy(base)
    parent: Any = document
    for step in path[:-1]:
        parent = parent[step]
    if value is _REMOVE and isinstance(parent, dict):
        parent.pop(path[-1], None)
    elif value is _REMOVE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return document


def test_users_file_documents() -> None:
    base = yaml.safe_load((ROOT / "users.yaml").read_text())
    base["defaults"] = {**base.get("defaults", {}), "storage": "50 GB", "time_zone_id": "Europe/Paris"}
    user = base["users"][0]
    user.update(password={"env": "ALICE_PASSWORD"}, adopt=False, protect=True, locale="en", status="ACTIVE")
    fields = ["username", "given_name", "surname", "email_address", "type", "status", "locale", "time_zone_id",
              "deletion_policy", "adopt", "protect", "password", "storage"]  # fmt: skip
    paths = [("organization_id",), ("defaults",), ("users",), ("users", 0)]
    paths += [("users", 0, f) for f in fields] + [("defaults", f) for f in ["storage", "type", "deletion_policy"]]
    documents = [base, *mutations(base, paths)]
    assert passes_fast(base, None)  # the fast path really answers for a good file
    disagreeing = [d for d in documents if not agree(d, None)]
    assert not disagreeing, f"{len(disagreeing)} of {len(documents)} disagree, first: {disagreeing[0]}"
    assert sum(not passes_fast(d, None) for d in documents) > len(documents) // 2


def test_workdocs_user_arguments() -> None:
    """What check() validates: the WorkDocsUser inputs, numbers arriving as doubles."""
    base = {
        "organization_id": "d-1234567890", "username": "alice", "given_name": "Alice", "surname": "Liddell",
        "password": "Initial-Passw0rd", "email_address": "alice@example.com", "type": "USER",
        "time_zone_id": "Europe/Paris",
        "storage_rule": {"storage_type": "QUOTA", "storage_allocated_in_bytes": 5e10},
        "deletion_policy": "DEACTIVATE", "adopt": False,
    }  # fmt: skip
    paths = [(f,) for f in base] + [("storage_rule", "storage_type"), ("storage_rule", "storage_allocated_in_bytes")]
    documents = [base, *mutations(base, paths)]
    assert passes_fast(base, "WorkDocsUserArgs")
    disagreeing = [d for d in documents if not agree(d, "WorkDocsUserArgs")]
    assert not disagreeing, f"{len(disagreeing)} of {len(documents)} disagree, first: {disagreeing[0]}"


@pytest.mark.parametrize("value", ["émile", "a\u0660b", "x\u00b2", "alice\n"])
def test_word_characters_are_ascii_in_both(value: str) -> None:
    """\\w is ASCII and $ the very end in ECMA-262 and in the WorkDocs model (Java); not so in Python's re."""
    document = {"organization_id": "d-1234567890", "users": [{"username": value, "given_name": "A", "surname": "B"}]}
    assert not passes_fast(document, None)
    assert [p.field for p in schema.validate(document)] == ["users[0].username"]


def test_wording_only_flagged_users_gives_every_error() -> None:
    """validate (jsonschema on the users jsonschema-rs flags) == jsonschema on the whole file."""
    users = [{"username": f"user{i}", "given_name": "G", "surname": "S", "type": "USER"} for i in range(12)]
    base = {"organization_id": "d-1234567890", "defaults": {"storage": "50 GB"}, "users": users}
    user_paths = [("users", i, f) for i in (3, 10) for f in ["username", "type", "storage", "password", "adopt"]]
    singles = mutations(base, [("organization_id",), ("defaults", "storage"), *user_paths])
    documents = [set_at(a, ("users", 7, "surname"), "") for a in singles[::7]] + singles
    for document in documents:
        each = {p: None for e in schema._validator(None).iter_errors(document) for p in schema._problems(e)}
        whole = sorted(each, key=lambda p: [str(x) for x in p.path])
        assert schema.validate(document) == whole, document
    assert sum(bool(schema.validate(d)) for d in documents) > len(documents) // 2
