"""A plan a reviewer can read: destructive changes first, each with its cause.

``build_plan`` is a pure function of the engine's preview steps (``engine.preview`` reads
them from a real preview); the removal guard (``--max-removals``, 25% by default as
peribolos does) is a pure function of the plan.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pulumi_workdocs.core.fields import BY_PROP, Change
from pulumi_workdocs.core.user import changed_fields
from pulumi_workdocs.errors import UsageError

KIND_ORDER = ("delete", "replace", "deactivate", "create", "update")
REPLACE_OPS = {"replace", "create-replacement", "delete-replaced"}


@dataclass(frozen=True)
class Step:
    """One WorkDocsUser step of a preview, as the engine reported it."""

    op: str
    name: str
    old: dict[str, Any] | None  # old outputs (None for a create)
    new: dict[str, Any] | None  # new inputs (None for a delete)
    replace_keys: tuple[str, ...] = ()
    protect: tuple[bool, bool] | None = None  # (before, after), when both states exist


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class PlannedChange:
    kind: str  # one of KIND_ORDER
    username: str
    reason: str
    fields: tuple[FieldChange, ...] = ()

    @property
    def removes(self) -> bool:
        """Deletes or deactivates a user (what --max-removals counts)."""
        return self.kind in ("delete", "replace", "deactivate")


@dataclass
class Plan:
    changes: list[PlannedChange] = field(default_factory=list)
    managed: int = 0  # users in the state before the change
    unchanged: int = 0
    refused: str | None = None  # the removal guard's refusal, shown with the plan

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


def build_plan(steps: Iterable[Step]) -> Plan:
    """Classify each step; destructive first, then creates, then in-place updates."""
    plan = Plan()
    by_name: dict[str, list[Step]] = {}
    for step in steps:
        by_name.setdefault(step.name, []).append(step)
    for name, group in by_name.items():
        ops = {s.op for s in group}
        step = next((s for s in group if s.op in ("replace", "create-replacement")), group[0])
        if step.old is not None:
            plan.managed += 1
        username = str((step.new or step.old or {}).get("username") or name)
        if ops & REPLACE_OPS:
            keys = step.replace_keys or tuple(
                f for f in changed_fields(step.old or {}, step.new or {}) if BY_PROP[f].change is Change.REPLACE
            )
            fields = tuple(FieldChange(k, (step.old or {}).get(k), (step.new or {}).get(k)) for k in keys)
            policy = str((step.old or {}).get("deletion_policy") or "DEACTIVATE")
            reason = (
                f"{', '.join(keys)} cannot be changed in place by WorkDocs, so a new user is created "
                f"and the old one is {_policy_words(policy)}"
            )
            plan.changes.append(PlannedChange("replace", username, reason, fields))
        elif "delete" in ops:
            policy = str((step.old or {}).get("deletion_policy") or "DEACTIVATE")
            kind = "delete" if policy == "DELETE" else "deactivate"
            plan.changes.append(PlannedChange(kind, username, f"removed from the users file: {_policy_words(policy)}"))
        elif "create" in ops:
            new = step.new or {}
            who = " ".join(str(new[k]) for k in ("given_name", "surname") if new.get(k))
            extra = f", {new['email_address']}" if new.get("email_address") else ""
            status = " (created INACTIVE)" if new.get("status") == "INACTIVE" else ""
            plan.changes.append(PlannedChange("create", username, f"new user: {who}{extra}{status}"))
        elif "update" in ops or (step.protect and step.protect[0] != step.protect[1]):
            old, new = step.old or {}, step.new or {}
            fields = tuple(FieldChange(f, old.get(f), new.get(f)) for f in changed_fields(old, new))
            if step.protect and step.protect[0] != step.protect[1]:  # a guard rail going or coming
                fields += (FieldChange("protect", step.protect[0], step.protect[1]),)
            if new.get("status") == "INACTIVE" and old.get("status") != "INACTIVE":
                reason = "status ACTIVE -> INACTIVE: deactivated, documents kept"
                plan.changes.append(PlannedChange("deactivate", username, reason, fields))
            else:
                plan.changes.append(PlannedChange("update", username, "updated in place", fields))
        else:
            plan.unchanged += 1
    plan.changes.sort(key=lambda c: (KIND_ORDER.index(c.kind), c.username.lower()))
    return plan


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
