"""One listing of an organization's users per provider process, kept current with its own writes.

A refresh calls ``read()`` once per managed user; answering each from a listing taken in
pages of 999 makes N reads cost ceil(N/999) DescribeUsers calls instead of N. The staleness
rules (README, "Reads and the users listing"):

1. The listing of an organization is taken once, at the first read of one of its users in
   this process (the engine starts one provider process per run), and answers the later reads.
   A change made by anyone else after that moment is not seen until the next run.
2. A user this process wrote is never answered from the listing taken before the write: the
   write's own answer replaces its entry (``put``), or, when the write answered no whole user
   (DeactivateUser, DeleteUser, a failed call), the entry is marked stale (``forget``) and the
   next read describes that user alone.
3. A user missing from the listing is described alone before it is reported gone, so a page
   that shifted under a concurrent change never drops a user from the state.

The provider host serves four calls at once: one lock covers the listing and its entries, so
four first reads make one listing, not four.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

User = dict[str, Any]


class UsersCache:
    """Users by organization and Id, from one listing each plus this process's writes."""

    def __init__(self, list_users: Callable[[str], Iterable[Mapping[str, Any]]]) -> None:
        self._list_users = list_users
        self._lock = threading.Lock()
        self._listed: dict[str, dict[str, User]] = {}  # organization -> user Id -> User
        self._stale: set[str] = set()  # user Ids written since (or while) their organization was listed

    def lookup(self, organization_id: str, user_id: str) -> tuple[bool, User | None]:
        """(known, user): known False means "describe this user alone" (rules 2 and 3).

        Lists the organization first if this process has not (the listing's errors pass through,
        and nothing is cached then, so the next read tries again).
        """
        with self._lock:
            users = self._listed.get(organization_id)
            if users is None:
                users = {str(u["Id"]): dict(u) for u in self._list_users(organization_id)}
                self._listed[organization_id] = users
            if user_id in self._stale or user_id not in users:
                return False, None
            return True, dict(users[user_id])

    def put(self, user: Mapping[str, Any]) -> None:
        """This process's latest whole answer for a user (after a create, update or describe)."""
        with self._lock:
            self._stale.discard(str(user["Id"]))
            users = self._listed.get(str(user.get("OrganizationId")))
            if users is not None:
                users[str(user["Id"])] = dict(user)

    def forget(self, user_id: str) -> None:
        """This process wrote the user without learning its whole new state (rule 2)."""
        with self._lock:
            self._stale.add(user_id)
