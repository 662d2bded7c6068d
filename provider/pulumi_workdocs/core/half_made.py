"""A user the provider has created but not finished carries a mark only the provider sets.

CreateUser cannot set a user's type, locale or status; those take follow-up calls, and a
create can fail between them. Such a user is created with a given name ending in ``MARK``
(WorkDocs stores given names verbatim, up to 64 characters), and the last follow-up call, an
UpdateUser, puts the declared given name back. So a user whose given name is
``marked_given_name(declared)`` was made by this provider for this declaration and never
finished: the next create may take it over and finish it without a time window (README,
"Interrupted updates").
"""

from __future__ import annotations

from collections.abc import Mapping

from pulumi_workdocs.core.fields import FIELDS, Change
from pulumi_workdocs.core.user import same

MARK = " [workdocs-users: creating]"
GIVEN_NAME_MAX = 64  # the WorkDocs model's UserAttributeValueType
# What CreateUser makes without being asked: a declared value other than these takes a follow-up.
CREATED_AS = {"status": "ACTIVE", "type": "USER"}


def needs_follow_up(args: Mapping[str, object]) -> bool:
    """True when a declared value cannot be sent in CreateUser and may differ from what it makes."""
    return any(
        args.get(f.prop) is not None and args.get(f.prop) != CREATED_AS.get(f.prop)
        for f in FIELDS
        if f.api is not None and not f.on_create and f.change is not Change.REPLACE
    )


def marked_given_name(given_name: str) -> str:
    """The declared given name, cut to fit, with the mark: what a half-made user is called."""
    return given_name[: GIVEN_NAME_MAX - len(MARK)] + MARK


def is_marked(outputs: Mapping[str, object], args: Mapping[str, object]) -> bool:
    given = args.get("given_name")
    return isinstance(given, str) and outputs.get("given_name") == marked_given_name(given)


def is_half_made(outputs: Mapping[str, object], args: Mapping[str, object]) -> bool:
    """Ours and unfinished: marked, every other CreateUser field as declared, and in a status
    the create could have left (ACTIVE, or INACTIVE when that is declared: it is set before
    the mark is removed)."""
    if not is_marked(outputs, args):
        return False
    statuses = {"ACTIVE", "INACTIVE"} if args.get("status") == "INACTIVE" else {"ACTIVE"}
    return outputs.get("status") in statuses and all(
        args.get(f.prop) is None or same(f.prop, outputs.get(f.prop), args[f.prop])
        for f in FIELDS
        if f.on_create and f.prop != "given_name"
    )
