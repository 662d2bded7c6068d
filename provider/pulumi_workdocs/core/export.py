"""``workdocs-users export``: users-file entries for existing users, with ``adopt: true``.

With them, the next ``up`` takes the users over without a single CreateUser. The entries are
made here; ``commands.export.build_export`` checks them with the users file's own loader.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import yaml

from pulumi_workdocs.core.fields import BY_PROP, DEFAULTS, FIELDS, REQUIRED_KEYS, RULED
from pulumi_workdocs.core.user import UserOutputs
from pulumi_workdocs.core.users import UserEntry

# What a live user tells, as users-file keys: the API fields of each entry.
_EXPORT_KEYS = tuple(f.prop for f in FIELDS if f.api and f.in_entry and f.prop not in REQUIRED_KEYS)


def export_entry(outputs: UserOutputs, adopt: bool = True) -> dict[str, Any]:
    """A users-file entry for a live user (property-form ``outputs``). Never a password."""
    values: Mapping[str, object] = outputs
    entry: dict[str, Any] = {key: values[key] for key in REQUIRED_KEYS}
    for prop in _EXPORT_KEYS:
        field = BY_PROP[prop]
        value = field.file_value(values.get(prop))
        if value not in (None, ""):
            entry[field.key] = value
    if adopt:
        entry["adopt"] = True
    return entry


def carry_over(entry: dict[str, Any], declared: UserEntry | None, state_outputs: UserOutputs | None) -> None:
    """Keep what the live user cannot tell: the file's password reference and protect, and the
    state's deletion_policy and adopt (so ``up`` sees no change for a managed user)."""
    if declared is not None:
        if declared.password:
            entry["password"] = dict(declared.password)
        if declared.protect:
            entry["protect"] = True
        if declared.values.get("deletion_policy"):
            entry["deletion_policy"] = declared.values["deletion_policy"]
    if state_outputs is not None:
        entry.pop("adopt", None)
        if state_outputs.get("adopt"):
            entry["adopt"] = True
        policy = state_outputs.get("deletion_policy")
        if policy and policy != DEFAULTS["deletion_policy"]:
            entry.setdefault("deletion_policy", policy)


def yaml_list(entries: list[dict[str, Any]], indent: int) -> str:
    text = yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000)
    pad = " " * indent
    return "".join(pad + line if line.strip() else line for line in io.StringIO(text))


def usable_values(entry: dict[str, Any], notes: list[str]) -> None:
    """Drop a value the users file would refuse by a field's rule (a time zone that is not IANA):
    WorkDocs' value is then kept."""
    for field in RULED:
        value = entry.get(field.key)
        if field.rule is not None and field.rule.broken(value):
            entry.pop(field.key)
            notes.append(f"{entry['username']}: {field.key} {value!r} {field.rule.problem}; left out")
