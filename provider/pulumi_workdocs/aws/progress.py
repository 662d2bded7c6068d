"""The one line a long retry prints on stderr, and how workdocs-users recognises it in the engine's
output of a provider process (imports nothing: the engine's side needs no botocore)."""

from __future__ import annotations

_PREFIX = "workdocs: "
_MARK = ": retrying after "


def retry_line(operation: str, error: str, attempt: int, delay: float) -> str:
    """``workdocs: DescribeUsers: retrying after ThrottlingException (attempt 4, next in 3.2 s)``:
    names and numbers only, never a value of the request or the error's message."""
    return f"{_PREFIX}{operation}{_MARK}{error} (attempt {attempt}, next in {delay:.1f} s)"


def is_retry_line(text: str) -> bool:
    return text.startswith(_PREFIX) and _MARK in text and "\n" not in text
