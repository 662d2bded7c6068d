"""Previews and updates through the Automation API, read as plan steps and one-line errors."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from pulumi import automation as auto

from pulumi_workdocs.core.plan import Plan, Step, build_plan
from pulumi_workdocs.errors import EngineError


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


class EngineFailed(EngineError):
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
