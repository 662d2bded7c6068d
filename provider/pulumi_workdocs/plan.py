"""A plan a reviewer can read: destructive changes first, each with its cause.

``build_plan`` is a pure function of the engine's preview steps; ``run_plan`` and
``run_up`` feed it from a real preview. The removal guard (``--max-removals``, 25% by
default as peribolos does) applies to both.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from pulumi import automation as auto

from pulumi_workdocs.fields import BY_PROP, Change
from pulumi_workdocs.provider import changed_fields
from pulumi_workdocs.users_file import human_size

if TYPE_CHECKING:
    from pulumi_workdocs.cli import Context

SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"  # Pulumi's marker of a secret value
KIND_ORDER = ("delete", "replace", "deactivate", "create", "update")
HEADINGS = {
    "delete": "Deleted: documents permanently deleted",
    "replace": "Replaced",
    "deactivate": "Deactivated: documents kept",
    "create": "Created",
    "update": "Updated in place",
}
FILE_NAMES = {"storage_rule": "storage"}  # as the users file calls it
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


def _show(value: Any) -> str:
    if isinstance(value, dict) and SECRET_SIGNATURE in value:
        return "[secret]"
    if isinstance(value, dict) and "storage_type" in value:
        return human_size(value) or json.dumps(value, sort_keys=True)
    return "(unset)" if value is None else str(value)


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
        raise ValueError(f"--max-removals takes N or P% (such as 3 or 25%), at least 0, not {max_removals!r}")
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


# -- rendering ------------------------------------------------------------------------------


def _field_text(changes: Sequence[FieldChange], code: str = "") -> str:
    return "; ".join(
        f"{FILE_NAMES.get(c.field, c.field)} {code}{_show(c.before)}{code} -> {code}{_show(c.after)}{code}"
        for c in changes
    )


def render_text(plan: Plan) -> str:
    if not plan.changes:
        return "No changes: WorkDocs users already match the users file.\n"
    lines = []
    for kind in KIND_ORDER:
        group = [c for c in plan.changes if c.kind == kind]
        if group:
            lines.append(f"{HEADINGS[kind]} ({len(group)}):")
            for change in group:
                detail = f" [{_field_text(change.fields)}]" if change.fields else ""
                lines.append(f"  {change.username}: {change.reason}{detail}")
    lines.append(_totals_text(plan))
    if plan.refused:
        lines.append(f"Refused: {plan.refused.removeprefix('refused: ')}")
    return "\n".join(lines) + "\n"


def render_markdown(plan: Plan) -> str:
    if not plan.changes:
        return "### WorkDocs users\n\nNo changes: WorkDocs users already match the users file.\n"
    out = ["### WorkDocs users: planned changes", ""]
    if plan.removals:
        out += [f"**{plan.removals} destructive change(s) listed first: review them before merging.**", ""]
    for kind in KIND_ORDER:
        group = [c for c in plan.changes if c.kind == kind]
        if not group:
            continue
        out += [f"#### {HEADINGS[kind]} ({len(group)})", ""]
        for change in group:
            detail = f": {_field_text(change.fields, '`')}" if change.fields and kind == "update" else ""
            cause = f" ({_field_text(change.fields, '`')})" if change.fields and kind != "update" else ""
            out.append(f"- `{change.username}`{detail}" + ("" if kind == "update" else f": {change.reason}{cause}"))
        out.append("")
    out.append(f"**Totals:** {_totals_text(plan).removeprefix('Totals: ')}")
    if plan.refused:
        out += ["", "> [!CAUTION]", f"> **Refused:** {plan.refused.removeprefix('refused: ')}"]
    return "\n".join(out) + "\n"


def render_json(plan: Plan) -> str:
    document = {
        "changes": [
            {
                **asdict(c),
                "fields": [{"field": f.field, "before": _show(f.before), "after": _show(f.after)} for f in c.fields],
            }
            for c in plan.changes
        ],
        "totals": plan.totals(),
        "removals": plan.removals,
        "managed": plan.managed,
        "refused": plan.refused,
    }
    return json.dumps(document, indent=2) + "\n"


def _totals_text(plan: Plan) -> str:
    totals = plan.totals()
    words = {"delete": "to delete", "replace": "to replace", "deactivate": "to deactivate",
             "create": "to create", "update": "to update in place", "unchanged": "unchanged"}  # fmt: skip
    return "Totals: " + ", ".join(f"{n} {words[k]}" for k, n in totals.items()) + "."


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}


# -- the engine side ---------------------------------------------------------------------


def steps_from_events(events: Iterable[auto.EngineEvent]) -> list[Step]:
    steps = []
    for event in events:
        pre = event.resource_pre_event
        if pre is None or not pre.metadata.type.endswith("workdocs:User"):
            continue
        meta = pre.metadata
        op = getattr(meta.op, "value", str(meta.op))
        steps.append(
            Step(
                op=op,
                name=meta.urn.rsplit("::", 1)[1],
                old=dict(meta.old.outputs or {}) if meta.old else None,
                new=dict(meta.new.inputs or {}) if meta.new else None,
                replace_keys=tuple(meta.keys or ()),
                protect=(bool(meta.old.protect), bool(meta.new.protect)) if meta.old and meta.new else None,
            )
        )
    return steps


class EngineFailed(RuntimeError):
    """The engine refused a preview or an update: its error diagnostics, one line each, not its whole log."""


_COLOR = re.compile(r"<\{%[a-z]*%\}>")
_URN = re.compile(r"urn:pulumi:[^\s\"']*::([^\s\"']+)")
# The engine words a check failure with the property's value, which may be personal or secret.
_CHECK_FAILURE = re.compile(r"^\S+ resource '[^']*': property \S+ value .*? has a problem: ", re.DOTALL)
_NOISE = ("Resource monitor has terminated, shutting down", "preview failed")  # said by the first line


def errors_from_events(events: Iterable[auto.EngineEvent]) -> list[str]:
    """``NAME: message`` for each error diagnostic, with colors, urns and line breaks taken out."""
    lines: dict[str, None] = {}
    for event in events:
        diagnostic = event.diagnostic_event
        if diagnostic is None or diagnostic.severity != "error":
            continue
        text = _CHECK_FAILURE.sub("", _COLOR.sub("", diagnostic.message).strip())
        text = " ".join(_URN.sub(r"\1", text).split())
        if not text or text in _NOISE:
            continue
        name = diagnostic.urn.rsplit("::", 1)[1] if diagnostic.urn and "workdocs:User" in diagnostic.urn else ""
        lines[f"{name}: {text}" if name and not text.startswith(name) else text] = None
    return list(lines)


def engine_run(what: str, run: Callable[[Callable[[auto.EngineEvent], None]], Any]) -> list[auto.EngineEvent]:
    """Run ``run(on_event)`` (a preview or an up), raising EngineFailed with the engine's errors."""
    events: list[auto.EngineEvent] = []
    try:
        run(events.append)
    except auto.CommandError:
        errors = errors_from_events(events)
        if not errors:
            raise
        raise EngineFailed(f"the {what} failed:\n" + "\n".join(f"  {e}" for e in errors)) from None
    return events


def preview_plan(stack: auto.Stack) -> Plan:
    return build_plan(steps_from_events(engine_run("preview", lambda on_event: stack.preview(on_event=on_event))))


def run_plan(ctx: Context, fmt: str, max_removals: str) -> int:
    """Exit 0 no changes, 2 changes, 1 error (a refused removal count included)."""
    users_file = ctx.users_file()
    plan = preview_plan(ctx.stack(users_file))
    plan.refused = guard(plan, max_removals)
    sys.stdout.write(RENDERERS[fmt](plan))  # a refused plan is shown too, saying so: the comment explains the red check
    if plan.refused:
        print(f"workdocs-users plan: {plan.refused}", file=sys.stderr)
        return 1
    return 2 if plan.changes else 0


def run_up(ctx: Context, max_removals: str) -> int:
    """Preview, refuse past the removal limit, then apply."""
    users_file = ctx.users_file()
    stack = ctx.stack(users_file)
    plan = preview_plan(stack)
    refusal = guard(plan, max_removals)
    if refusal:
        sys.stdout.write(render_text(plan))
        print(f"workdocs-users up: {refusal}", file=sys.stderr)
        return 1
    engine_run("update", lambda on_event: stack.up(on_output=print, on_event=on_event))
    return 0
