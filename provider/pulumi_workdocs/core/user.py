"""A WorkDocs user as properties: defaults, comparison, and the conversion of a live ``User``.

diff (the provider), plan, drift and export all compare through ``changed_fields`` and
``same``, so they can never disagree on what "changed" means.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pulumi_workdocs.core.fields import (
    DEFAULTS,
    FIELDS,
    READ_ONLY_OUTPUTS,
    STORAGE_RULE,
    STORAGE_UTILIZED,
    storage_rule_from_api,
)

# How WorkDocsUser's resource type ends, as the dynamic resource and the plugin name it.
USER_TYPE_SUFFIX = "workdocs:User"
# The serialized provider, among a dynamic resource's properties.
PROVIDER_KEY = "__provider"
# The engine's marker of a value not known until apply (pulumi.runtime.rpc.UNKNOWN; a test holds them equal).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def is_unknown(value: Any) -> bool:
    if value == UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(is_unknown(v) for v in value.values())
    return False


def with_defaults(props: Mapping[str, Any]) -> dict[str, Any]:
    """Inputs without the serialized provider, with the documented defaults filled in."""
    args = {k: v for k, v in props.items() if k != PROVIDER_KEY}
    for key, value in DEFAULTS.items():
        if args.get(key) is None:
            args[key] = value
    return args


def plain(value: Any) -> Any:
    """Integral floats (Pulumi carries numbers as doubles) as ints, for comparison and output."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def _normal_storage(rule: Any) -> Any:
    if not isinstance(rule, dict):
        return rule
    if rule.get("storage_type") == "UNLIMITED":
        return {"storage_type": "UNLIMITED"}
    return {k: v for k, v in rule.items() if v is not None}


def same(prop: str, old: Any, new: Any) -> bool:
    if prop == "storage_rule":
        return bool(_normal_storage(old) == _normal_storage(new))
    return bool(old == new)


def changed_fields(olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
    """Declared properties of ``news`` (inputs) that differ from ``olds`` (outputs), in FIELDS order.

    Undeclared (None) properties keep WorkDocs' value and are not managed; unknown values
    count as changed.
    """
    args = with_defaults(news)
    changed = []
    for field in FIELDS:
        new = args.get(field.prop)
        if new is None:
            continue
        if is_unknown(new) or not same(field.prop, olds.get(field.prop), new):
            changed.append(field.prop)
    return changed


def live_changed(olds: Mapping[str, Any], live: Mapping[str, Any]) -> list[str]:
    """Fields whose live value (``live``, outputs as read now) differs from ``olds`` (the outputs
    as last read or written): what a refresh has to carry into the inputs, in FIELDS order."""
    return [f.prop for f in FIELDS if not same(f.prop, olds.get(f.prop), live.get(f.prop))]


def iso_time(value: Any) -> str | None:
    """A timestamp as the outputs hold it (UTC, ``Z``); anything else as text."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return None if value is None else str(value)


def outputs_from_user(user: Mapping[str, Any], args: Mapping[str, Any]) -> dict[str, Any]:
    """Every compared field is an output (diff gets old outputs), plus what WorkDocs adds.

    ``user`` is a WorkDocs ``User``; state-only fields come from ``args`` (or their default).
    read(), drift and export convert live users with this one function.
    """
    storage = user.get("Storage") or {}
    outs: dict[str, Any] = {}
    for field in FIELDS:
        if field.api is None:
            outs[field.prop] = args.get(field.prop, field.default)
        elif field.api == STORAGE_RULE:
            outs[field.prop] = storage_rule_from_api(storage.get(STORAGE_RULE))
        else:
            outs[field.prop] = user.get(field.api)
    for prop, api in READ_ONLY_OUTPUTS.items():
        value = user.get(api)
        outs[prop] = iso_time(value) if prop.endswith("_timestamp") else value
    outs["storage_utilized_in_bytes"] = storage.get(STORAGE_UTILIZED)
    return outs
