"""botocore errors as one line: the user, the operation and the reason (never a value)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

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
