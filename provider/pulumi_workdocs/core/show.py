"""One way to show a property's value to a reviewer: plans and drift reports, in every format."""

from __future__ import annotations

import json
from collections.abc import Mapping

from pulumi_workdocs.core.fields import BY_PROP
from pulumi_workdocs.core.user import plain

SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"  # Pulumi's marker of a secret value


def show(prop: str, value: object, *, quoted: bool = False) -> str:
    """``value`` of property ``prop``: (unset), [secret], a value the users file writes its own way
    as the file does (a storage rule: '50 GB'); with ``quoted`` (drift), text in quotes and any
    other value as JSON, else (plan) as is."""
    if value is None:
        return "(unset)"
    if isinstance(value, Mapping) and SECRET_SIGNATURE in value:
        return "[secret]"
    field = BY_PROP.get(prop)
    if field is not None and field.to_file is not None and isinstance(value, Mapping):
        return field.to_file(value) or json.dumps(plain(dict(value)), sort_keys=True)
    if isinstance(value, str):
        return repr(value) if quoted else value
    return json.dumps(plain(value)) if quoted else str(value)
