"""One listing of an organization's users per provider process, each listed user answering one read.

A refresh calls ``read()`` once per managed user; answering each from a listing taken in
pages of 999 makes N reads cost ceil(N/999) DescribeUsers calls instead of N. The staleness
rules (README, "Reads: one listing per run"):

1. The listing of an organization is taken once, at the first read of one of its users in
   this process (the engine starts one provider process per run), and answers each listed
   user's first read: a change made by anyone else after that moment is seen by the next run.
   In the preview of ``workdocs-users plan`` and ``up``, the listing is the one the CLI took
   just before it (``handed_listing``), so a plan lists the organization once.
2. Any other read describes the user alone: a second read of the same user in this process,
   and any read of a user this process wrote (or tried to: a failed call may have been
   carried out).
3. So does a read of a user missing from the listing, before it is reported gone: a page
   that shifted under a concurrent change never drops a user from the state.

The provider host serves four calls at once: one lock covers the listing and the set of
answered users, so four first reads make one listing, not four.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pulumi_workdocs.core.user import ApiUser, iso_time

User = ApiUser


def write_listing(path: Path, organization_id: str, users: Iterable[Mapping[str, Any]]) -> None:
    """The CLI's listing, for the provider process of the preview it runs next (named in its run hand-off)."""
    path.write_text(json.dumps({"organization_id": organization_id, "users": list(users)}, default=_json_time))


def handed_listing(path: str | None, organization_id: str) -> list[User] | None:
    """The users the CLI listed for this organization and handed over, or None: list them here."""
    if not path:
        return None
    try:
        document = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("organization_id") != organization_id:
        return None
    return [dict(u) for u in document.get("users") or []]


def _json_time(value: Any) -> str | None:
    """Timestamps as read() would write them to the outputs, so both listings give equal outputs."""
    if isinstance(value, dt.datetime):
        return iso_time(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


class UsersCache:
    """Users by organization and Id from one listing each; every entry answers one read."""

    def __init__(self, list_users: Callable[[str], Iterable[Mapping[str, Any]]]) -> None:
        self._list_users = list_users
        self._lock = threading.Lock()
        self._listed: dict[str, dict[str, User]] = {}  # organization -> user Id -> User
        self._used: set[str] = set()  # user Ids read or written since their organization was listed

    def take(self, organization_id: str, user_id: str) -> User | None:
        """The listed user, for its first read in this process; None: describe it alone.

        Lists the organization first if this process has not (the listing's errors pass through,
        and nothing is kept then, so the next read tries again).
        """
        with self._lock:
            users = self._listed.get(organization_id)
            if users is None:
                users = {str(u["Id"]): dict(u) for u in self._list_users(organization_id)}
                self._listed[organization_id] = users
            if user_id in self._used:
                return None
            self._used.add(user_id)
            return users.get(user_id)

    def forget(self, user_id: str) -> None:
        """This process wrote the user (or may have): the listing no longer speaks for it."""
        with self._lock:
            self._used.add(user_id)
