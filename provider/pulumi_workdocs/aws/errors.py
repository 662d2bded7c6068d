"""botocore errors as one line: the user, the operation and the reason (never a value)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ParamValidationError,
    ProxyConnectionError,
)

from pulumi_workdocs.errors import WorkDocsUserError

# aws/retry.py's note in a response's ResponseMetadata: Attempts, GaveUp, EarlierAttemptMayHaveSucceeded.
RETRY_NOTE = "WorkDocsRetry"


def describe(username: str, operation: str, error: Exception) -> WorkDocsUserError:
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "Error")
        message = error.response.get("Error", {}).get("Message", "")
        reason = f"{code}: {message}".rstrip(": ")
        note = retry_note(error.response)
        if note.get("GaveUp"):
            reason += f" (gave up after {note.get('Attempts')} attempts: {note['GaveUp']})"
    elif isinstance(error, ParamValidationError):
        # botocore's report quotes the offending value (maybe a password): keep the rule only.
        lines = str(error.kwargs.get("report", "")).splitlines()
        reason = "; ".join(_without_value(line) for line in lines if line.strip())
        reason = reason or "parameter validation failed"
    elif isinstance(error, BotoCoreError):
        reason = type(error).__name__ + ": " + str(error)
    else:
        reason = str(error)
    return WorkDocsUserError(f"WorkDocs user '{username}': {operation} failed: {' '.join(reason.split())}")


def error_code(error: Exception) -> str | None:
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code")
        return str(code) if code else None
    return None


def _without_value(line: str) -> str:
    """``Invalid type for parameter X, value: V, type: T, valid types: U`` without V and T."""
    rule = line.split(", value:")[0].strip()
    if "valid types:" in line:
        rule += ", valid types:" + line.rsplit("valid types:", 1)[1]
    return rule


def retry_note(response: Any) -> dict[str, Any]:
    """aws/retry.py's note in a response, or in a ClientError's ``response`` ({} if none)."""
    note = ((response or {}).get("ResponseMetadata") or {}).get(RETRY_NOTE)
    return dict(note) if isinstance(note, dict) else {}


def unreachable(error: BaseException | None) -> str | None:
    """Why no connection to the endpoint could be made, or None if this is not such an error.

    "No answer at all": the host name does not resolve, the connection is refused (or the
    network has no route to it), connecting timed out, or the proxy cannot be reached. A
    connection closed or a read timed out after the request was sent is not one: something
    answered there, and a busy service deserves its retries. Nothing of the request is quoted.
    """
    if isinstance(error, ConnectTimeoutError):
        return "connecting timed out"
    if isinstance(error, ProxyConnectionError):
        return "the proxy cannot be reached"
    if not isinstance(error, EndpointConnectionError):
        return None
    causes = list(_causes(error))
    if any(isinstance(cause, socket.gaierror) or type(cause).__name__ == "NameResolutionError" for cause in causes):
        return "its host name does not resolve"
    if any(isinstance(cause, ConnectionRefusedError) for cause in causes):
        return "the connection was refused"
    reasons = [cause.strerror for cause in causes if isinstance(cause, OSError) and cause.strerror]
    return f"cannot connect ({reasons[0].lower()})" if reasons else "cannot connect"


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error, botocore's wrapped ``error`` and every cause or context under them."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        wrapped = getattr(current, "kwargs", {}).get("error") if isinstance(current, BotoCoreError) else None
        todo += [wrapped if isinstance(wrapped, BaseException) else None, current.__cause__, current.__context__]
