"""Plans as text (a terminal), markdown (a pull-request comment) and JSON (scripts)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from pulumi_workdocs.core.fields import BY_PROP
from pulumi_workdocs.core.plan import KIND_ORDER, FieldChange, Plan, PlannedChange
from pulumi_workdocs.core.show import SECRET_SIGNATURE, show

__all__ = ["RENDERERS", "SECRET_SIGNATURE", "render_json", "render_markdown", "render_text"]
HEADINGS = {
    "delete": "Deleted: documents permanently deleted",
    "replace": "Replaced",
    "deactivate": "Deactivated: documents kept",
    "create": "Created",
    "update": "Updated in place",
}


def _file_name(prop: str) -> str:
    """A property as the users file calls it (storage_rule is storage)."""
    return BY_PROP[prop].key if prop in BY_PROP else prop


def _field_text(changes: Sequence[FieldChange], code: str = "") -> str:
    return "; ".join(
        f"{_file_name(c.field)} {code}{show(c.field, c.before)}{code} -> {code}{show(c.field, c.after)}{code}"
        for c in changes
    )


NO_CHANGES = "No changes: WorkDocs users already match the users file."


def _created_with(change: PlannedChange) -> str:
    """A create's type, status and storage, as the reviewer must see them."""
    if change.kind != "create" or not change.details:
        return ""
    rule = change.details.get("storage_rule")
    storage = show("storage_rule", rule) if rule else "WorkDocs' default"
    return f" [type {change.details.get('type')}, status {change.details.get('status')}, storage {storage}]"


def render_text(plan: Plan, most: int | None = None) -> str:
    """The plan for a terminal; with ``most``, each group lists that many users and counts the rest."""
    head = [f"WorkDocs: {plan.endpoint}"] if plan.endpoint else []
    if not plan.changes:
        return "\n".join([NO_CHANGES, *head]) + "\n"
    lines = list(head)
    if plan.risks:
        lines.append(f"Review first ({len(plan.risks)}):")
        lines += [f"  {r.kind}: {r.username}: {r.summary}" for r in plan.risks[:most]]
        if most is not None and len(plan.risks) > most:
            lines.append(f"  ... and {len(plan.risks) - most} more (workdocs-users plan lists every one)")
    for kind in KIND_ORDER:
        group = [c for c in plan.changes if c.kind == kind]
        if group:
            lines.append(f"{HEADINGS[kind]} ({len(group)}):")
            for change in group[:most]:
                detail = f" [{_field_text(change.fields)}]" if change.fields else _created_with(change)
                lines.append(f"  {change.username}: {change.reason}{detail}")
            if most is not None and len(group) > most:
                lines.append(f"  ... and {len(group) - most} more (workdocs-users plan lists every one)")
    lines.append(_totals_text(plan))
    if plan.refused:
        lines.append(f"Refused: {plan.refused.removeprefix('refused: ')}")
    return "\n".join(lines) + "\n"


def render_markdown(plan: Plan) -> str:
    head = [f"WorkDocs: `{plan.endpoint}`", ""] if plan.endpoint else []
    if not plan.changes:
        return "\n".join(["### WorkDocs users", "", NO_CHANGES, "", *head]).rstrip() + "\n"
    out = ["### WorkDocs users: planned changes", "", *head]
    if plan.risks:
        out += [f"#### Review first: privilege, adoption, deletion policy, protection ({len(plan.risks)})", ""]
        out += [f"- **{r.kind}** `{r.username}`: {r.summary}" for r in plan.risks]
        out.append("")
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
            cause = cause or _created_with(change)
            out.append(f"- `{change.username}`{detail}" + ("" if kind == "update" else f": {change.reason}{cause}"))
        out.append("")
    out.append(f"**Totals:** {_totals_text(plan).removeprefix('Totals: ')}")
    if plan.refused:
        out += ["", "> [!CAUTION]", f"> **Refused:** {plan.refused.removeprefix('refused: ')}"]
    return "\n".join(out) + "\n"


def render_json(plan: Plan) -> str:
    document = {
        "endpoint": plan.endpoint,
        "risks": [asdict(r) for r in plan.risks],
        "changes": [_change_json(c) for c in plan.changes],
        "totals": plan.totals(),
        "removals": plan.removals,
        "managed": plan.managed,
        "refused": plan.refused,
    }
    return json.dumps(document, indent=2) + "\n"


def _change_json(change: PlannedChange) -> dict[str, Any]:
    """A change as JSON: ``id`` (the user removed, replaced or adopted) and ``details`` (a
    create's type, status and storage) only where they apply."""
    document = asdict(change)
    document["fields"] = [
        {"field": f.field, "before": show(f.field, f.before), "after": show(f.field, f.after)} for f in change.fields
    ]
    if change.id is None:
        del document["id"]
    if change.details:
        document["details"] = {k: show(k, v) if k in BY_PROP and isinstance(v, dict) and v else v
                               for k, v in change.details.items()}  # fmt: skip
    else:
        del document["details"]
    return document


def _totals_text(plan: Plan) -> str:
    totals = plan.totals()
    words = {"delete": "to delete", "replace": "to replace", "deactivate": "to deactivate",
             "create": "to create", "update": "to update in place", "unchanged": "unchanged"}  # fmt: skip
    return "Totals: " + ", ".join(f"{n} {words[k]}" for k, n in totals.items()) + "."


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
