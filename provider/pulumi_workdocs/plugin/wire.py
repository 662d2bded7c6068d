"""Property maps on the wire: protobuf Structs with Pulumi's secret markers, to plain values and back.

The engine sends secrets as marked objects because the plugin answers ``acceptSecrets``; the
CRUD works on plain values, so secrets are unwrapped here and the names that held one are
remembered, to mark them again on the way back.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime import rpc

UNKNOWN = rpc.UNKNOWN  # the engine's marker for a value not known until apply


def _plain(value: Any) -> tuple[Any, bool]:
    """``value`` without secret markers, and whether it held one. Whole floats become ints
    (Struct numbers are doubles; the schema's numbers are integers)."""
    if rpc.is_rpc_secret(value):
        return _plain(rpc.unwrap_rpc_secret(value))[0], True
    if isinstance(value, dict):
        items = {k: _plain(v) for k, v in value.items()}
        return {k: v for k, (v, _) in items.items()}, any(s for _, s in items.values())
    if isinstance(value, list):
        pairs = [_plain(v) for v in value]
        return [v for v, _ in pairs], any(s for _, s in pairs)
    if isinstance(value, float) and value.is_integer():
        return int(value), False
    return value, False


def decode(struct: struct_pb2.Struct) -> tuple[dict[str, Any], set[str]]:
    """Plain properties, and the top-level names whose value was (or contained) a secret."""
    props: dict[str, Any] = {}
    secret: set[str] = set()
    for key, value in json_format.MessageToDict(struct).items():
        props[key], is_secret = _plain(value)
        if is_secret:
            secret.add(key)
    return props, secret


def encode(props: dict[str, Any], secret: set[str] | frozenset[str] = frozenset()) -> struct_pb2.Struct:
    """A Struct of ``props``, with the names in ``secret`` marked secret (the engine stores them encrypted)."""
    struct = struct_pb2.Struct()
    struct.update({k: rpc.wrap_rpc_secret(v) if k in secret and v is not None else v for k, v in props.items()})
    return struct
