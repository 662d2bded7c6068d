"""Drift reports as text, markdown and JSON."""

from __future__ import annotations

import json
from typing import Any

from pulumi_workdocs.core.drift import DriftReport
from pulumi_workdocs.core.show import show


def _show(prop: str, value: object) -> str:
    return show(prop, value, quoted=True)


def _headline(report: DriftReport) -> str:
    s = report.summary()
    parts = [f"{s['changed']} changed", f"{s['deleted']} deleted out of band", f"{s['unmanaged']} unmanaged"]
    tail = f"; {s['unapplied']} unapplied (not drift)"
    tail += f"; {s['ignored']} ignored" if s["ignored"] else ""
    return ", ".join(parts) + tail


def _result_line(report: DriftReport) -> str:
    meaning = {
        "clean": "WorkDocs matches the state and the users file",
        "drift": "WorkDocs differs from the state",
        "unapplied": "no drift; the users file has changes that `up` has not applied",
    }[report.status]
    return f"Result: {report.status} (exit {report.exit_code}): {meaning}"


def render_text(report: DriftReport) -> str:
    lines = [f"Drift check of organization {report.organization_id}: {_headline(report)}"]
    if report.changed:
        lines += ["", "Changed in WorkDocs (live differs from the stack's state):"]
        for user in report.changed:
            for f in user.fields:
                expected, live = _show(f.field, f.expected), _show(f.field, f.live)
                lines.append(f"  ~ {user.username}: {f.field}: expected {expected}, live {live}")
    if report.deleted:
        lines += ["", "Deleted out of band (in the state, gone from WorkDocs):"]
        for gone in report.deleted:
            again = f"; a user with this username now has id {gone.recreated_as}" if gone.recreated_as else ""
            lines.append(f"  - {gone.username} (id {gone.id}{again})")
    if report.unmanaged:
        lines += ["", "Unmanaged (in WorkDocs, in neither the users file nor the state):"]
        lines += [f"  + {u.username} ({u.status})" for u in report.unmanaged]
    if report.unapplied:
        lines += ["", "Unapplied (the users file differs from the state; `up` applies it):"]
        for change in report.unapplied:
            if change.action == "update":
                lines += [
                    f"  ~ {change.username}: {f.field}: state {_show(f.field, f.state)}, file {_show(f.field, f.file)}"
                    for f in change.fields
                ]
            else:
                lines.append(f"  {'+' if change.action == 'create' else '-'} {change.username}: {change.action}")
    if report.not_managed:
        lines += ["", "Not managed (the users file leaves these fields to WorkDocs; not drift):"]
        for user in report.not_managed:
            for f in user.fields:
                lines.append(f"  {user.username}: {f.field}: not managed (state {_show(f.field, f.expected)}, "
                             f"live {_show(f.field, f.live)})")  # fmt: skip
    if report.ignored:
        lines += ["", "Ignored (known drift in the ignore file):"]
        lines += [f"  {i.kind}: {i.username}{'.' + i.field if i.field else ''}" for i in report.ignored]
    lines += ["", _result_line(report)]
    return "\n".join(lines)


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(report: DriftReport) -> str:
    lines = [
        f"## WorkDocs drift: organization `{report.organization_id}`",
        "",
        f"**{report.status}** (exit {report.exit_code}): {_headline(report)}",
    ]

    def table(title: str, header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        lines.extend(["", f"### {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)])
        lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows)

    table(
        "Changed in WorkDocs",
        ("user", "field", "expected (state)", "live"),
        [
            (f"`{u.username}`", f.field, _show(f.field, f.expected), _show(f.field, f.live))
            for u in report.changed
            for f in u.fields
        ],
    )
    table(
        "Deleted out of band",
        ("user", "id", "recreated as"),
        [(f"`{d.username}`", d.id, d.recreated_as or "") for d in report.deleted],
    )
    table("Unmanaged", ("user", "id", "status"), [(f"`{u.username}`", u.id, u.status) for u in report.unmanaged])
    table(
        "Unapplied (not drift)",
        ("user", "change", "field", "state", "file"),
        [
            (f"`{c.username}`", c.action, f.field, _show(f.field, f.state), _show(f.field, f.file))
            for c in report.unapplied
            for f in c.fields
        ]
        + [(f"`{c.username}`", c.action, "", "", "") for c in report.unapplied if not c.fields],
    )
    table(
        "Not managed (left to WorkDocs; not drift)",
        ("user", "field", "state", "live"),
        [(f"`{u.username}`", f.field, _show(f.field, f.expected), _show(f.field, f.live))
         for u in report.not_managed for f in u.fields],
    )  # fmt: skip
    table("Ignored", ("kind", "user", "field"), [(i.kind, f"`{i.username}`", i.field or "") for i in report.ignored])
    return "\n".join(lines)


def render_json(report: DriftReport) -> str:
    return json.dumps(report.to_json(), indent=2)


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
