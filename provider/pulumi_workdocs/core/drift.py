"""Drift detection: ``workdocs-users drift`` (adoption of what it finds: ``export.py``).

:func:`compute_drift` is a pure function of (users file, live users, state): it makes no
call, so every kind of drift is testable without a server. ``commands.drift`` gathers
those three inputs (DescribeUsers pages, ``pulumi stack export`` without
``--show-secrets``, the users file) and prints the result.

Kinds, by what is compared with what:

* changed: a managed user's live attributes differ from the stack's state (drift);
* deleted: in the state, gone from WorkDocs (drift);
* unmanaged: in WorkDocs, in neither the users file nor the state, whatever its status (drift);
* unapplied: the users file differs from the state: a pending change that ``up`` applies,
  not drift, reported apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pulumi_workdocs.core.fields import API_PROPS, DEFAULTS
from pulumi_workdocs.core.state import StateUser
from pulumi_workdocs.core.user import ApiUser, changed_fields, outputs_from_user, plain, same
from pulumi_workdocs.errors import Exit, UsageError

if TYPE_CHECKING:
    from pulumi_workdocs.core.users import UsersFile

IGNORE_FILE = ".workdocs-drift-ignore.yaml"  # read next to the users file when it exists
# Fields WorkDocs holds, so live can differ from state; deletion_policy and adopt live in
# the state only, and timestamps change on every write, so neither is drift.
COMPARED = API_PROPS


# -- the report -------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldDrift:
    field: str
    expected: Any  # the stack's state
    live: Any  # WorkDocs now


@dataclass(frozen=True)
class ChangedUser:
    username: str
    id: str
    fields: tuple[FieldDrift, ...]


@dataclass(frozen=True)
class DeletedUser:
    username: str
    id: str
    recreated_as: str | None = None  # a live user with the same username and another Id


@dataclass(frozen=True)
class UnmanagedUser:
    username: str
    id: str
    status: str | None
    email_address: str | None = None


@dataclass(frozen=True)
class PendingField:
    field: str
    state: Any
    file: Any


@dataclass(frozen=True)
class UnappliedChange:
    username: str
    action: str  # "create", "update" or "remove"
    fields: tuple[PendingField, ...] = ()


@dataclass(frozen=True)
class IgnoredDrift:
    kind: str  # "changed", "deleted" or "unmanaged"
    username: str
    field: str | None = None


@dataclass(frozen=True)
class DriftReport:
    organization_id: str | None
    changed: tuple[ChangedUser, ...] = ()
    deleted: tuple[DeletedUser, ...] = ()
    unmanaged: tuple[UnmanagedUser, ...] = ()
    unapplied: tuple[UnappliedChange, ...] = ()
    ignored: tuple[IgnoredDrift, ...] = ()
    # Changed in WorkDocs, in fields the users file leaves to WorkDocs for that user: not drift.
    not_managed: tuple[ChangedUser, ...] = ()

    @property
    def has_drift(self) -> bool:
        return bool(self.changed or self.deleted or self.unmanaged)

    @property
    def status(self) -> str:
        return "drift" if self.has_drift else "unapplied" if self.unapplied else "clean"

    @property
    def exit_code(self) -> int:
        """0 clean, 2 drift (whatever else), 3 only unapplied changes."""
        return Exit.CHANGES if self.has_drift else Exit.UNAPPLIED if self.unapplied else Exit.OK

    def summary(self) -> dict[str, int]:
        return {
            "changed": len(self.changed),
            "deleted": len(self.deleted),
            "unmanaged": len(self.unmanaged),
            "unapplied": len(self.unapplied),
            "ignored": len(self.ignored),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "organization_id": self.organization_id,
            "status": self.status,
            "exit_code": self.exit_code,
            "summary": self.summary(),
            "changed": [
                {
                    "username": c.username,
                    "id": c.id,
                    "fields": [
                        {"field": f.field, "expected": plain(f.expected), "live": plain(f.live)} for f in c.fields
                    ],
                }
                for c in self.changed
            ],
            "deleted": [{"username": d.username, "id": d.id, "recreated_as": d.recreated_as} for d in self.deleted],
            "unmanaged": [
                {"username": u.username, "id": u.id, "status": u.status, "email_address": u.email_address}
                for u in self.unmanaged
            ],
            "unapplied": [
                {
                    "username": u.username,
                    "action": u.action,
                    "fields": [{"field": f.field, "state": plain(f.state), "file": plain(f.file)} for f in u.fields],
                }
                for u in self.unapplied
            ],
            "ignored": [{"kind": i.kind, "username": i.username, "field": i.field} for i in self.ignored],
            "not_managed": [
                {
                    "username": c.username,
                    "id": c.id,
                    "fields": [{"field": f.field, "state": plain(f.expected), "live": plain(f.live)} for f in c.fields],
                }
                for c in self.not_managed
            ],  # fmt: skip
        }


# -- the ignore (baseline) file ---------------------------------------------------------


class IgnoreFileError(UsageError):
    """A one-line problem in an ignore file (the CLI prints it and exits 1)."""


@dataclass(frozen=True)
class IgnoreRule:
    username: str
    field: str | None = None  # None: every kind of drift of this user

    def matches(self, username: str, field: str | None) -> bool:
        return self.username.lower() == username.lower() and self.field in (None, field)


@dataclass(frozen=True)
class Ignore:
    """Known drift to leave out of the result (it is still listed as ignored)."""

    rules: tuple[IgnoreRule, ...] = ()
    source: Path | None = None

    def silences(self, username: str, field: str | None = None) -> bool:
        return any(rule.matches(username, field) for rule in self.rules)


def parse_ignore(document: Any, source: str = "ignore file") -> Ignore:
    """``{ignore: [{username: bob}, {username: alice, field: given_name, reason: ...}]}``."""
    if document is None:
        return Ignore()
    if not isinstance(document, dict) or set(document) - {"ignore"}:
        raise IgnoreFileError(f"{source}: expected one key, ignore: a list of {{username, field}} entries")
    items = document.get("ignore") or []
    if not isinstance(items, list):
        raise IgnoreFileError(f"{source}: ignore must be a list of {{username, field}} entries")
    rules = []
    for index, item in enumerate(items):
        where = f"{source}: ignore[{index}]"
        if not isinstance(item, dict):
            raise IgnoreFileError(f"{where} must be a mapping such as {{username: bob, field: given_name}}")
        unknown = sorted(set(item) - {"username", "field", "reason"})
        if unknown:
            raise IgnoreFileError(f"{where} has unknown key '{unknown[0]}' (allowed: username, field, reason)")
        username = item.get("username")
        if not isinstance(username, str) or not username.strip():
            raise IgnoreFileError(f"{where}.username is required (a WorkDocs username)")
        field_name = item.get("field")
        if field_name is not None and field_name not in COMPARED:
            raise IgnoreFileError(
                f"{where}.field '{field_name}' is not a compared field (one of: {', '.join(COMPARED)})"
            )
        rules.append(IgnoreRule(username.strip(), field_name))
    return Ignore(tuple(rules))


# -- the pure core ----------------------------------------------------------------------


def compute_drift(
    desired: UsersFile | None,
    live_users: Sequence[ApiUser],
    state: Sequence[StateUser],
    ignore: Ignore | None = None,
) -> DriftReport:
    """The drift report of (users file, live DescribeUsers users, the state's users). No I/O."""
    ignore = ignore or Ignore()
    managed = [u for u in state if not u.pending_delete]
    live = {str(u["Id"]): outputs_from_user(u, {}) for u in live_users}
    live_by_name = {str(o["username"]).lower(): user_id for user_id, o in live.items()}
    managed_ids = {u.id for u in managed}
    file_names = {e.username.lower() for e in desired.users} if desired else set()
    ignored: list[IgnoredDrift] = []

    declared = {e.username.lower(): _managed_props(e.resource_args()) for e in desired.users} if desired else {}
    changed, deleted, not_managed = [], [], []
    for user in sorted(managed, key=lambda u: u.username.lower()):
        now = live.get(user.id)
        if now is None:
            if ignore.silences(user.username):
                ignored.append(IgnoredDrift("deleted", user.username))
                continue
            other = live_by_name.get(user.username.lower())
            deleted.append(DeletedUser(user.username, user.id, other))
            continue
        fields, left = [], []
        props = declared.get(user.username.lower())
        stored: Mapping[str, object] = user.outputs
        for prop in COMPARED:
            expected, actual = stored.get(prop), now.get(prop)
            if same(prop, plain(expected), plain(actual)):
                continue
            if props is not None and prop not in props:
                left.append(FieldDrift(prop, expected, actual))
            elif ignore.silences(user.username, prop):
                ignored.append(IgnoredDrift("changed", user.username, prop))
            else:
                fields.append(FieldDrift(prop, expected, actual))
        if fields:
            changed.append(ChangedUser(user.username, user.id, tuple(fields)))
        if left:
            not_managed.append(ChangedUser(user.username, user.id, tuple(left)))

    unmanaged = []
    for user_id, outs in sorted(live.items(), key=lambda item: str(item[1]["username"]).lower()):
        username = str(outs["username"])
        if user_id in managed_ids or username.lower() in file_names:
            continue
        if ignore.silences(username):
            ignored.append(IgnoredDrift("unmanaged", username))
            continue
        unmanaged.append(UnmanagedUser(username, user_id, outs.get("status"), outs.get("email_address")))

    organization_id = (
        desired.organization_id
        if desired
        else next((str(u.outputs["organization_id"]) for u in managed if u.outputs.get("organization_id")), None)
    )
    return DriftReport(
        organization_id,
        tuple(changed),
        tuple(deleted),
        tuple(unmanaged),
        tuple(_unapplied(desired, managed)) if desired else (),
        tuple(ignored),
        tuple(not_managed),
    )


def _managed_props(args: Mapping[str, object]) -> set[str]:
    """What the users file manages for a user: what its entry (or defaults:) sets, plus the fields
    that are always managed through their default (type, status)."""
    return {"organization_id", *(k for k, v in args.items() if v is not None), *DEFAULTS}


def _unapplied(desired: UsersFile, managed: list[StateUser]) -> list[UnappliedChange]:
    """What ``up`` would change: the provider's own diff of file entries against state outputs."""
    by_name = {u.name: u for u in managed}
    pending = []
    for entry in sorted(desired.users, key=lambda e: e.username.lower()):
        news = desired.inputs(entry)
        user = by_name.pop(entry.username, None)
        if user is None:
            pending.append(UnappliedChange(entry.username, "create"))
            continue
        fields = tuple(
            PendingField(prop, user.outputs.get(prop), news.get(prop, DEFAULTS.get(prop)))
            for prop in changed_fields(user.outputs, news)
        )
        if fields:
            pending.append(UnappliedChange(entry.username, "update", fields))
    pending += [UnappliedChange(u.username, "remove") for u in sorted(by_name.values(), key=lambda u: u.name.lower())]
    return pending
