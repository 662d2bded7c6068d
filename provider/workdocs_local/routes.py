"""The route table: one werkzeug rule per modeled operation, from method and requestUri."""

from __future__ import annotations

import re
from functools import cache

from werkzeug.routing import Map, Rule

from workdocs_local.service_model import service_model

CONTROL_PREFIX = "/_workdocs_local/"


def _rule_path(request_uri: str) -> str:
    """``/api/v1/users/{UserId}`` -> ``/api/v1/users/<UserId>`` (``{Key+}`` -> ``<path:Key>``)."""
    path = request_uri.split("?", 1)[0]
    path = re.sub(r"\{(\w+)\+\}", r"<path:\1>", path)
    return re.sub(r"\{(\w+)\}", r"<\1>", path)


@cache
def url_map() -> Map:
    model = service_model()
    rules = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        rules.append(Rule(_rule_path(http["requestUri"]), methods=[http["method"]], endpoint=name))
    return Map(rules, strict_slashes=False, merge_slashes=False)
