"""The rest-json wire format, driven by the operation's input and output shapes.

One parser and one serializer serve every operation, as botocore's do on the client:
where a member lives (URI label, query string, header, JSON body) and what type it has
come from the model, never from per-operation code.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape
from werkzeug.datastructures import Headers, MultiDict

from workdocs_local.errors import WorkDocsError

JSON_CONTENT_TYPE = "application/x-amz-json-1.1"


def parse_request(
    operation: OperationModel,
    uri_params: Mapping[str, str],
    query: MultiDict[str, str],
    headers: Headers,
    body: bytes,
) -> dict[str, Any]:
    """Turn a request into the operation's input parameters, typed by the input shape.

    Values that do not convert are kept as sent, so the validator reports them with the
    member name and the rule instead of the parser failing on them.
    """
    shape = operation.input_shape
    if shape is None:
        return {}
    document = _json_body(body)
    params: dict[str, Any] = {}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        value: Any = None
        if location == "uri":
            value = _from_text(member, uri_params.get(wire_name))
        elif location == "querystring":
            if isinstance(member, ListShape):
                values = query.getlist(wire_name)
                value = [_from_text(member.member, v) for v in values] if values else None
            elif isinstance(member, MapShape):
                value = {k: v for k, v in query.items() if k not in _query_names(shape)} or None
            else:
                value = _from_text(member, query.get(wire_name))
        elif location == "header":
            value = _from_text(member, headers.get(wire_name))
        elif location is None and wire_name in document:
            value = _from_json(member, document[wire_name])
        if value is not None:
            params[name] = value
    return params


def _query_names(shape: StructureShape) -> set[str]:
    return {
        m.serialization.get("name", n)
        for n, m in shape.members.items()
        if m.serialization.get("location") == "querystring"
    }


def _json_body(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        document = json.loads(body)
    except ValueError as err:
        raise WorkDocsError("SerializationException", f"Request body is not JSON: {err}") from None
    if not isinstance(document, dict):
        raise WorkDocsError("SerializationException", "Request body must be a JSON object")
    return document


def _from_text(shape: Shape, text: str | None) -> Any:
    """Convert a URI label, query value or header to the member's type."""
    if text is None:
        return None
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            return int(text)
        if kind in ("float", "double"):
            return float(text)
        if kind == "boolean":
            return {"true": True, "false": False}[text.lower()]
        if kind == "timestamp":
            return _timestamp(text)
    except (ValueError, KeyError):
        return text
    return text


def _from_json(shape: Shape, value: Any) -> Any:
    """Convert a JSON body value: only timestamps and nested containers need work."""
    if value is None:
        return None
    if shape.type_name == "timestamp" and isinstance(value, int | float | str):
        try:
            return _timestamp(value)
        except ValueError:
            return value
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        out = {}
        for name, member in shape.members.items():
            wire_name = member.serialization.get("name", name)
            if value.get(wire_name) is not None:
                out[name] = _from_json(member, value[wire_name])
        return out
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [_from_json(shape.member, v) for v in value]
    if isinstance(shape, MapShape) and isinstance(value, dict):
        return {k: _from_json(shape.value, v) for k, v in value.items()}
    return value


def _timestamp(value: int | float | str) -> dt.datetime:
    if isinstance(value, int | float) or value.replace(".", "", 1).isdigit():
        return dt.datetime.fromtimestamp(float(value), tz=dt.UTC)
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def serialize_response(
    operation: OperationModel, output: Mapping[str, Any] | None
) -> tuple[int, dict[str, str], bytes]:
    """Status from the model, header members as headers, the rest as a JSON body."""
    status = int(operation.http.get("responseCode", 200))
    headers = {"x-amzn-RequestId": str(uuid.uuid4())}
    shape = operation.output_shape
    if shape is None or output is None:
        return status, headers, b""
    document: dict[str, Any] = {}
    for name, member in shape.members.items():
        value = output.get(name)
        if value is None:
            continue
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "header":
            headers[wire_name] = str(_to_json(member, value))
        elif location == "statusCode":
            status = int(value)
        else:
            document[wire_name] = _to_json(member, value)
    headers["Content-Type"] = JSON_CONTENT_TYPE
    return status, headers, json.dumps(document).encode()


def _to_json(shape: Shape, value: Any) -> Any:
    if shape.type_name == "timestamp" and isinstance(value, dt.datetime):
        return round(value.timestamp(), 3)
    if isinstance(shape, StructureShape) and isinstance(value, Mapping):
        return {
            member.serialization.get("name", name): _to_json(member, value[name])
            for name, member in shape.members.items()
            if value.get(name) is not None
        }
    if isinstance(shape, ListShape):
        return [_to_json(shape.member, v) for v in value]
    if isinstance(shape, MapShape):
        return {k: _to_json(shape.value, v) for k, v in value.items()}
    return value


def serialize_error(error: WorkDocsError) -> tuple[int, dict[str, str], bytes]:
    """A JSON error botocore can map to ``client.exceptions.<Code>``.

    The code goes in ``x-amzn-ErrorType`` (botocore reads it first) and in the body's
    ``__type``; the body is always JSON, since a 5xx with an empty body loses its code.
    """
    headers = {
        "x-amzn-ErrorType": error.code,
        "x-amzn-RequestId": str(uuid.uuid4()),
        "Content-Type": JSON_CONTENT_TYPE,
    }
    body = {"__type": error.code, "Message": error.message, **error.members}
    return error.status, headers, json.dumps(body).encode()
