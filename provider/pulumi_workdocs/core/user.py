"""A WorkDocs user as properties: defaults, comparison, and the conversion of a live ``User``.

diff (the provider), plan, drift and export all compare through ``changed_fields`` and
``same``, so they can never disagree on what "changed" means.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from pulumi_workdocs.core.fields import (
    BY_PROP,
    DEFAULTS,
    FIELDS,
    READ_ONLY_OUTPUTS,
    ApiUser,
    Change,
    from_api_value,
    iso_time,
)
from pulumi_workdocs.core.records import UserArgs, UserOutputs

__all__ = ["ApiUser", "UserArgs", "UserOutputs", "iso_time"]

# How WorkDocsUser's resource type ends, as the dynamic resource and the plugin name it.
USER_TYPE_SUFFIX = "workdocs:User"
# The serialized provider, among a dynamic resource's properties.
PROVIDER_KEY = "__provider"
# The engine's marker of a value not known until apply (pulumi.runtime.rpc.UNKNOWN; a test holds them equal).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def is_unknown(value: object) -> bool:
    if value == UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(is_unknown(v) for v in value.values())
    return False


def with_defaults(props: Mapping[str, object]) -> UserArgs:
    """Inputs without the serialized provider, with the documented defaults filled in."""
    args: dict[str, object] = {k: v for k, v in props.items() if k != PROVIDER_KEY}
    for key, value in DEFAULTS.items():
        if args.get(key) is None:
            args[key] = value
    return cast(UserArgs, args)


def as_args(props: Mapping[str, object]) -> UserArgs:
    """Inputs as the engine or a file handed them (no serialized provider), typed: where a
    property map from outside enters the core. The values are the provider's to check."""
    return cast(UserArgs, {k: v for k, v in props.items() if k != PROVIDER_KEY})


def as_outputs(props: Mapping[str, object]) -> UserOutputs:
    """Outputs as the engine's state holds them, typed (see ``as_args``)."""
    return cast(UserOutputs, dict(props))


def plain(value: Any) -> Any:
    """Integral floats (Pulumi carries numbers as doubles) as ints, for comparison and output."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def same(prop: str, old: object, new: object) -> bool:
    """Equal as the field compares (fields.Field.same); a name outside the table compares plainly."""
    field = BY_PROP.get(prop)
    return field.same(old, new) if field is not None else old == new


def changed_fields(olds: Mapping[str, object], news: Mapping[str, object]) -> list[str]:
    """Declared properties of ``news`` (inputs) that differ from ``olds`` (outputs), in FIELDS order.

    Undeclared (None) properties keep WorkDocs' value and are not managed; unknown values
    count as changed.
    """
    args: Mapping[str, object] = with_defaults(news)
    changed = []
    for field in FIELDS:
        new = args.get(field.prop)
        if new is None:
            continue
        if is_unknown(new) or not field.same(olds.get(field.prop), new):
            changed.append(field.prop)
    return changed


def replaced_fields(olds: Mapping[str, object], news: Mapping[str, object]) -> list[str]:
    """The changed properties (``changed_fields``) that no WorkDocs API updates in place: the user
    is replaced for them. diff, the plan and the replace refusals all ask this one function."""
    return [p for p in changed_fields(olds, news) if BY_PROP[p].change is Change.REPLACE]


def live_changed(olds: Mapping[str, object], live: Mapping[str, object]) -> list[str]:
    """Fields whose live value (``live``, outputs as read now) differs from ``olds`` (the outputs
    as last read or written): what a refresh has to carry into the inputs, in FIELDS order."""
    return [f.prop for f in FIELDS if not f.same(olds.get(f.prop), live.get(f.prop))]


def outputs_from_user(user: ApiUser, args: Mapping[str, object]) -> UserOutputs:
    """Every compared field is an output (diff gets old outputs), plus what WorkDocs adds.

    ``user`` is a WorkDocs ``User``; state-only fields come from ``args`` (or their default).
    read(), drift and export convert live users with this one function.
    """
    storage = user.get("Storage") or {}
    outs: dict[str, object] = {}
    for field in FIELDS:
        outs[field.prop] = field.from_api(user) if field.api else args.get(field.prop, field.default)
    for prop, api in READ_ONLY_OUTPUTS.items():
        outs[prop] = from_api_value(user[api] if api in user else storage.get(api))
    return cast(UserOutputs, outs)
