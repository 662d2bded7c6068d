"""One root exception for what a user gets as one line, and the one table of exit codes.

Anything raised that is not a ``WorkDocsError`` is a bug: the CLI says so and shows the
traceback with ``--debug`` (or ``WORKDOCS_DEBUG=1``), never dressing it as a user error.
"""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    """``workdocs-users`` exit codes (CI scripts read them)."""

    OK = 0  # success; no changes (plan); clean (drift)
    ERROR = 1  # any error, a refused plan included
    CHANGES = 2  # plan: changes to apply; drift: drift found
    UNAPPLIED = 3  # drift: no drift, but the users file has changes `up` has not applied
    BUG = 70  # not the user's doing (EX_SOFTWARE): report it


class WorkDocsError(Exception):
    """An expected failure: its message is the whole story, one line (or one per problem), no secrets."""


class UsageError(WorkDocsError):
    """The command line or the environment it reads is wrong."""


class EngineError(WorkDocsError):
    """The Pulumi engine is missing, refused the stack, or reported errors."""


class WorkDocsAPIError(WorkDocsError):
    """WorkDocs could not be read or refused a call."""


class WorkDocsUserError(WorkDocsAPIError):
    """A provider operation on one user failed (raised in the provider process, one line)."""


class EndpointUnreachable(WorkDocsUserError):
    """The endpoint never answered a client (DNS, refused, connect timeout): retrying for
    minutes would not help, so the first call says where it went and how to change that."""
