"""A plan a reviewer can read: its risks first, then destructive changes, each with its cause.

``build_plan`` is a pure function of the engine's preview steps (``engine.preview`` reads
them from a preview that refreshed first) and of the live users; ``settled_steps`` gives those
steps without the engine when the users file, the state and WorkDocs already agree (a
preview then has nothing to say, and costs minutes at 5,000 users); ``predict_failures`` says,
before any preview, what WorkDocs would refuse; the removal guard (``--max-removals``, 25%
by default as peribolos does) is a pure function of the plan.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

from pulumi_workdocs.core.fields import DEFAULTS
from pulumi_workdocs.core.records import StorageRule
from pulumi_workdocs.core.state import StateUser
from pulumi_workdocs.core.user import (
    ApiUser,
    UserArgs,
    UserOutputs,
    as_args,
    changed_fields,
    is_unknown,
    outputs_from_user,
    replaced_fields,
    with_defaults,
)
from pulumi_workdocs.errors import UsageError

KIND_ORDER = ("delete", "replace", "deactivate", "create", "update")
REPLACE_OPS = {"replace", "create-replacement", "delete-replaced"}
PRIVILEGED = ("ADMIN", "POWERUSER")  # user types a reviewer must see granted
RISK_ORDER = ("privilege", "adoption", "deletion_policy", "protect")


@dataclass(frozen=True)
class Step:
    """One WorkDocsUser step of a preview, as the engine reported it."""

    op: str
    name: str
    old: UserOutputs | None  # old outputs (None for a create)
    new: UserArgs | None  # new inputs (None for a delete)
    replace_keys: tuple[str, ...] = ()
    protect: tuple[bool, bool] | None = None  # (before, after), when both states exist
    id: str | None = None  # the WorkDocs user Id in the state, when there is one


@dataclass(frozen=True)
class FieldChange:
    field: str  # a property of the field table, or protect
    before: object
    after: object


class CreateDetails(TypedDict, total=False):
    """What a reviewer sees of a created (or adopted) user."""

    type: str
    status: str
    storage_rule: StorageRule | None
    adopts: str  # the Id of the adopted user


@dataclass(frozen=True)
class PlannedChange:
    kind: str  # one of KIND_ORDER
    username: str
    reason: str
    fields: tuple[FieldChange, ...] = ()
    id: str | None = None  # the user removed or replaced (the removal guard's approved set)
    details: CreateDetails = field(default_factory=lambda: CreateDetails())  # creates only

    @property
    def removes(self) -> bool:
        """Deletes or deactivates a user (what --max-removals counts)."""
        return self.kind in ("delete", "replace", "deactivate")


@dataclass(frozen=True)
class Risk:
    """What a reviewer must see before anything else, with its facts as fields."""

    kind: str  # one of RISK_ORDER
    username: str
    summary: str
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LiveUser:
    """What the plan needs of a user WorkDocs holds now."""

    id: str
    username: str
    type: str | None
    status: str | None

    @classmethod
    def from_api(cls, user: ApiUser) -> LiveUser:
        return cls(str(user["Id"]), str(user.get("Username", "")), user.get("Type"), user.get("Status"))

    @property
    def active_admin(self) -> bool:
        return self.type == "ADMIN" and self.status == "ACTIVE"


@dataclass
class Plan:
    changes: list[PlannedChange] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)
    managed: int = 0  # users in the state before the change
    unchanged: int = 0
    refused: str | None = None  # the removal guard's refusal, shown with the plan
    endpoint: str = ""  # where WorkDocs was read, and where up writes (with its source)

    @property
    def removals(self) -> int:
        return sum(1 for c in self.changes if c.removes)

    def totals(self) -> dict[str, int]:
        counts = {kind: sum(1 for c in self.changes if c.kind == kind) for kind in KIND_ORDER}
        return {**counts, "unchanged": self.unchanged}


def _policy_words(policy: str) -> str:
    if policy == "DELETE":
        return "deleted (deletion_policy DELETE: DeleteUser permanently deletes all of the user's documents)"
    return "deactivated (deletion_policy DEACTIVATE: documents kept)"


def build_plan(steps: Iterable[Step], live: Iterable[LiveUser] = (), resumed: Mapping[str, str] | None = None) -> Plan:
    """Classify each step; destructive first, then creates, then in-place updates; and the risks.

    ``live`` are the organization's users now (for adoptions: which account, and whether it
    is reactivated); ``resumed`` the users an interrupted update made (username -> Id), which
    this one takes over.
    """
    plan = Plan()
    live_by_name = {u.username.lower(): u for u in live}
    resumed = resumed or {}
    by_name: dict[str, list[Step]] = {}
    for step in steps:
        by_name.setdefault(step.name, []).append(step)
    for name, group in by_name.items():
        ops = {s.op for s in group}
        step = next((s for s in group if s.op in ("replace", "create-replacement")), group[0])
        if step.old is not None:
            plan.managed += 1
        username = str((step.new or {}).get("username") or (step.old or {}).get("username") or name)
        if ops & REPLACE_OPS:
            keys = step.replace_keys or tuple(replaced_fields(step.old or {}, step.new or {}))
            old_values: Mapping[str, object] = step.old or {}
            new_values: Mapping[str, object] = step.new or {}
            fields = tuple(FieldChange(k, old_values.get(k), new_values.get(k)) for k in keys)
            policy = str((step.old or {}).get("deletion_policy") or "DEACTIVATE")
            reason = (
                f"{', '.join(keys)} cannot be changed in place by WorkDocs, so a new user is created "
                f"and the old one is {_policy_words(policy)}"
            )
            plan.changes.append(PlannedChange("replace", username, reason, fields, step.id))
            plan.risks += _create_risks(username, with_defaults(step.new or {}), None, policy)
        elif "delete" in ops:
            policy = str((step.old or {}).get("deletion_policy") or "DEACTIVATE")
            kind = "delete" if policy == "DELETE" else "deactivate"
            reason = f"removed from the users file: {_policy_words(policy)}"
            plan.changes.append(PlannedChange(kind, username, reason, (), step.id))
        elif "create" in ops:
            new = with_defaults(step.new or {})
            if username.lower() in resumed:
                reason = (
                    f"resumes the interrupted update: takes over user {resumed[username.lower()]}, which it created"
                )
                plan.changes.append(PlannedChange("create", username, reason, (), resumed[username.lower()]))
                continue
            adopted = live_by_name.get(username.lower()) if new.get("adopt") else None
            plan.changes.append(_create(username, new, adopted))
            plan.risks += _create_risks(username, new, adopted)
        elif "update" in ops or (step.protect and step.protect[0] != step.protect[1]):
            before: Mapping[str, object] = step.old or {}
            after: Mapping[str, object] = with_defaults(step.new or {})
            fields = tuple(FieldChange(f, before.get(f), after.get(f)) for f in changed_fields(before, step.new or {}))
            if step.protect and step.protect[0] != step.protect[1]:  # a guard rail going or coming
                fields += (FieldChange("protect", step.protect[0], step.protect[1]),)
            plan.risks += _update_risks(username, fields)
            if after.get("status") == "INACTIVE" and before.get("status") != "INACTIVE":
                reason = "status ACTIVE -> INACTIVE: deactivated, documents kept"
                plan.changes.append(PlannedChange("deactivate", username, reason, fields))
            else:
                plan.changes.append(PlannedChange("update", username, "updated in place", fields))
        else:
            plan.unchanged += 1
    plan.changes.sort(key=lambda c: (KIND_ORDER.index(c.kind), c.username.lower()))
    plan.risks.sort(key=lambda r: (RISK_ORDER.index(r.kind), r.username.lower()))
    return plan


def _create(username: str, new: UserArgs, adopted: LiveUser | None) -> PlannedChange:
    """A create says who, and with which type, status and storage; an adoption, which account."""
    details = CreateDetails(type=new["type"], status=new["status"], storage_rule=new.get("storage_rule"))
    if adopted is not None:
        reactivates = adopted.status != "ACTIVE" and new.get("status") == "ACTIVE"
        reason = (
            f"adopts existing user {adopted.id} ({adopted.type}, {adopted.status}"
            f"{' -> ACTIVE: reactivated' if reactivates else ''}); no CreateUser"
        )
        return PlannedChange("create", username, reason, (), adopted.id, CreateDetails(**details, adopts=adopted.id))
    who = " ".join(name for name in (new.get("given_name"), new.get("surname")) if name)
    extra = f", {new['email_address']}" if new.get("email_address") else ""
    status = " (created INACTIVE)" if new.get("status") == "INACTIVE" else ""
    return PlannedChange("create", username, f"new user: {who}{extra}{status}", (), None, details)


def _create_risks(username: str, new: UserArgs, adopted: LiveUser | None, old_policy: str | None = None) -> list[Risk]:
    """A new user's privilege and adoption; for a replacement, a switch of its deletion policy."""
    risks = []
    if new.get("type") in PRIVILEGED:
        verb = "adopted as" if adopted else "created as"
        risks.append(Risk("privilege", username, f"{verb} {new['type']}", {"type": new["type"]}))
    if adopted is not None:
        reactivates = adopted.status != "ACTIVE" and new.get("status") == "ACTIVE"
        summary = f"takes over existing user {adopted.id} ({adopted.type}, {adopted.status})"
        summary += "; it will be reactivated" if reactivates else ""
        facts = {"id": adopted.id, "status": adopted.status, "type": adopted.type, "reactivates": reactivates}
        risks.append(Risk("adoption", username, summary, facts))
    if old_policy is not None and old_policy != "DELETE" and new.get("deletion_policy") == "DELETE":
        risks.append(Risk("deletion_policy", username, _DELETE_WORDS, {"deletion_policy": "DELETE"}))
    return risks


_DELETE_WORDS = "deletion_policy DELETE: removing this user will permanently delete all of their documents"


def _update_risks(username: str, fields: Iterable[FieldChange]) -> list[Risk]:
    risks = []
    for change in fields:
        if change.field == "type" and change.after in PRIVILEGED:
            risks.append(Risk("privilege", username, f"type {change.before} -> {change.after}",
                              {"type": change.after, "before": change.before}))  # fmt: skip
        elif change.field == "deletion_policy" and change.after == "DELETE":
            risks.append(Risk("deletion_policy", username, _DELETE_WORDS, {"deletion_policy": "DELETE"}))
        elif change.field == "protect" and change.before and not change.after:
            risks.append(Risk("protect", username, "protect removed: the user can now be removed or replaced",
                              {"protect": False}))  # fmt: skip
    return risks


@dataclass(frozen=True)
class Conflict:
    """A create WorkDocs would refuse: the username is taken (by a user of any status)."""

    username: str
    index: int  # position in the users file
    existing: LiveUser

    def line(self) -> str:
        return (
            f"users[{self.index}] '{self.username}': a WorkDocs user with this username already exists "
            f"(Id {self.existing.id}, {self.existing.status}), so it cannot be created; to manage that user, "
            "add adopt: true to its entry (or give the new user another username)"
        )


@dataclass(frozen=True)
class Declared:
    """A users-file entry as the root stack's program registers it (its password aside)."""

    name: str  # the resource name: the username as written
    inputs: UserArgs  # WorkDocsUser's arguments, organization_id included
    protect: bool = False


def settled_steps(
    declared: Iterable[Declared], state: Iterable[StateUser], live: Iterable[ApiUser]
) -> list[Step] | None:
    """The steps a preview with a refresh would report when nothing is to change: a "same" step
    per user, made as the engine and the provider would make them; None as soon as anything may
    change (then the engine previews).

    ``state`` are the stack's users (``engine.state.state_users``), ``live`` the organization's
    WorkDocs users (DescribeUsers). The refresh is the provider's ``read`` (live values over the
    stored outputs) and the diff its ``diff`` (``changed_fields``), so the two cannot disagree.
    A state with unfinished operations, or an interrupted update's journal, is not settled:
    the caller previews then.
    """
    users: dict[str, StateUser] = {}
    for stored in state:
        if not stored.plain:
            return None  # taint, a pending deletion or replacement, init errors...: the engine decides
        users[stored.name] = stored
    wanted = list(declared)
    if {d.name for d in wanted} != set(users) or len(wanted) != len(users):
        return None  # a create or a removal
    live_by_id = {str(u.get("Id")): u for u in live}
    steps = []
    for user in wanted:
        resource = users[user.name]
        now = live_by_id.get(resource.id)
        if now is None or resource.protect != user.protect:
            return None  # gone from WorkDocs (the refresh drops it), or a guard rail going or coming
        refreshed = outputs_from_user(now, with_defaults(resource.outputs))
        if changed_fields(refreshed, user.inputs):
            return None
        steps.append(
            Step(
                "same",
                user.name,
                refreshed,
                as_args(user.inputs),
                (),
                (user.protect, user.protect),
                resource.id,
            )
        )
    return steps


def predict_failures(
    declared: Iterable[tuple[int, str, bool]],
    managed: Mapping[str, str],
    live: Iterable[LiveUser],
    resumed: Mapping[str, str] | None = None,
) -> list[Conflict]:
    """Creates that would fail on EntityAlreadyExists, found before any preview or API write.

    ``declared``: (index, username, adopt) per users-file entry; ``managed``: resource name ->
    WorkDocs Id in the state; ``live``: the organization's users now; ``resumed``: users an
    interrupted update made (``core.recovery``), which are taken over, not refused.
    """
    live_by_name = {u.username.lower(): u for u in live}
    conflicts = []
    for index, username, adopt in declared:
        existing = live_by_name.get(username.lower())
        if existing is None or adopt or managed.get(username) == existing.id:
            continue
        if (resumed or {}).get(username.lower()) == existing.id:
            continue
        conflicts.append(Conflict(username, index, existing))
    return conflicts


def replace_refusal(
    forced: Sequence[str], old: Mapping[str, object], new: Mapping[str, object]
) -> tuple[str, str] | None:
    """(property, reason) when replacing a user for the ``forced`` changes would fail half-way.

    A deactivated user keeps its username in its organization, so replacing a user by one with
    the same username there works only when the old one is deleted; and a new user needs a
    password. ``old``: the user's old properties; ``new``: its new inputs.
    """
    if not forced:
        return None
    username = new.get("username")
    if not new.get("password"):
        return "password", (
            f"changing {forced[0]} replaces user '{username}' with a new one, which needs a password: set password"
        )
    same_name = str(old.get("username", "")).lower() == str(username or "").lower()
    same_organization = old.get("organization_id") in (None, new.get("organization_id"))
    policy = old.get("deletion_policy") or DEFAULTS["deletion_policy"]
    if same_name and same_organization and policy == "DEACTIVATE":
        return forced[0], (
            f"changing {forced[0]} replaces user '{username}', and under deletion_policy DEACTIVATE the old "
            "user keeps the username, so the new one cannot be created: apply deletion_policy DELETE first "
            "(the user's documents are then permanently deleted), or give the user a new username"
        )
    return None


def replace_refusals(steps: Iterable[Step]) -> str | None:
    """The replaces of a preview that would fail half-way, judged against WorkDocs' values (the
    old outputs, refreshed): the provider's check() sees only the stored inputs, which lack a
    field the file never set (an adopted user's email)."""
    lines = []
    for step in steps:
        if step.op not in REPLACE_OPS or step.old is None or step.new is None:
            continue
        forced = step.replace_keys or tuple(replaced_fields(step.old, step.new))
        refusal = replace_refusal([f for f in forced if not is_unknown(step.new.get(f))], step.old, step.new)
        if refusal:
            lines.append(f"{step.name}: {refusal[1]}")
    return f"refused: {'; '.join(dict.fromkeys(lines))}" if lines else None


def last_admin_refusal(plan: Plan, steps: Iterable[Step], live: Iterable[LiveUser]) -> str | None:
    """WorkDocs keeps at least one active ADMIN (DeactivatingLastSystemUserException): refuse a
    plan that would demote, deactivate or remove the last one, before anything is applied."""
    admins = {u.id for u in live if u.active_admin}
    if not admins:
        return None
    after = set(admins)
    for step in steps:
        new = with_defaults(step.new) if step.new is not None else None
        if step.id in admins and (
            new is None or step.op in REPLACE_OPS or new.get("type") != "ADMIN" or new.get("status") != "ACTIVE"
        ):
            after.discard(step.id)
        if new is not None and new.get("type") == "ADMIN" and new.get("status") == "ACTIVE":
            after.add(step.id or f"new:{step.name}")
    if after:
        return None
    names = sorted({c.username for c in plan.changes if c.id in admins} | {s.name for s in steps if s.id in admins})
    return (
        f"refused: {', '.join(names)} would leave the organization without an active ADMIN, which WorkDocs "
        "refuses (DeactivatingLastSystemUserException); keep one ADMIN active, or promote another user first"
    )


def removal_limit(max_removals: str, managed: int) -> float:
    """``"3"`` -> 3; ``"25%"`` -> a quarter of the managed users."""
    text = max_removals.strip()
    try:
        limit = float(text[:-1]) / 100 * managed if text.endswith("%") else float(int(text))
    except ValueError:
        limit = math.nan
    if not (math.isfinite(limit) and limit >= 0):
        raise UsageError(f"--max-removals takes N or P% (such as 3 or 25%), at least 0, not {max_removals!r}")
    return limit


def guard(plan: Plan, max_removals: str) -> str | None:
    """The one-line refusal when the plan cannot or must not be applied, else None."""
    removed = {c.username.lower(): c.username for c in plan.changes if c.kind in ("delete", "deactivate")}
    recased = [(removed[c.username.lower()], c.username) for c in plan.changes
               if c.kind == "create" and c.username.lower() in removed]  # fmt: skip
    if recased:
        names = ", ".join(f"{old!r} -> {new!r}" for old, new in recased)
        return (
            f"refused: {names} changes only the case of a username; WorkDocs usernames ignore case, so the "
            "new user cannot be created beside the old one: keep each username as it was"
        )
    limit = removal_limit(max_removals, plan.managed)
    if plan.removals > limit:
        return (
            f"refused: {plan.removals} users would be deleted or deactivated, more than --max-removals "
            f"{max_removals} allows ({limit:g} of {plan.managed} managed users); review the plan and "
            "raise --max-removals to proceed"
        )
    return None
