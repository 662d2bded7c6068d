"""Expected failures as one line: the user, the operation and the reason."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError


class WorkDocsUserError(Exception):
    """An expected failure: its message is the whole story (no secrets, one line)."""


def describe(username: str, operation: str, error: Exception) -> WorkDocsUserError:
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "Error")
        message = error.response.get("Error", {}).get("Message", "")
        reason = f"{code}: {message}".rstrip(": ")
    elif isinstance(error, ParamValidationError):
        # botocore's text can quote the offending value (a password): keep only the rule.
        reason = "parameter validation failed (the request did not match the WorkDocs API)"
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
