"""Previews and updates through the Automation API, read as plan steps and one-line errors."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from typing import Any

from pulumi import automation as auto

from pulumi_workdocs.aws.progress import is_retry_line
from pulumi_workdocs.core.plan import Step
from pulumi_workdocs.core.user import USER_TYPE_SUFFIX, as_args, as_outputs
from pulumi_workdocs.engine.state import resource_name
from pulumi_workdocs.errors import EngineError

# Steps a refresh makes before the preview's own: they change nothing in WorkDocs.
_REFRESH_OPS = {"refresh", "read", "read-replacement", "discard", "discard-replaced"}


def op_of(meta: auto.StepEventMetadata) -> str:
    return str(getattr(meta.op, "value", meta.op))


def is_user(meta: auto.StepEventMetadata) -> bool:
    return meta.type.endswith(USER_TYPE_SUFFIX)


def steps_from_events(events: Iterable[auto.EngineEvent]) -> list[Step]:
    steps = []
    for event in events:
        pre = event.resource_pre_event
        if pre is None or not is_user(pre.metadata) or op_of(pre.metadata) in _REFRESH_OPS:
            continue
        meta = pre.metadata
        op = op_of(meta)
        steps.append(
            Step(
                op=op,
                name=resource_name(meta.urn),
                old=as_outputs(meta.old.outputs or {}) if meta.old else None,
                new=as_args(meta.new.inputs or {}) if meta.new else None,
                replace_keys=tuple(meta.keys or ()),
                protect=(bool(meta.old.protect), bool(meta.new.protect)) if meta.old and meta.new else None,
                id=(meta.old.id or None) if meta.old else None,
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
# How the dynamic provider's host names our own errors (a one-line message follows).
_OWN_ERROR = re.compile(r"^pulumi_workdocs\.errors\.\w+: ")  # e.g. a create WorkDocs refused


def errors_from_events(events: Iterable[auto.EngineEvent]) -> list[str]:
    """``NAME: message`` for each error diagnostic, with colors, urns and line breaks taken out."""
    lines: dict[str, None] = {}
    for event in events:
        diagnostic = event.diagnostic_event
        if diagnostic is None or diagnostic.severity != "error":
            continue
        text = _CHECK_FAILURE.sub("", _COLOR.sub("", diagnostic.message).strip())
        text = _OWN_ERROR.sub("", text)
        text = " ".join(_URN.sub(r"\1", text).split())
        if not text or text in _NOISE:
            continue
        name = diagnostic.urn.rsplit("::", 1)[1] if diagnostic.urn and USER_TYPE_SUFFIX in diagnostic.urn else ""
        lines[f"{name}: {text}" if name and not text.startswith(name) else text] = None
    return list(lines)


def engine_run(
    what: str,
    run: Callable[[Callable[[auto.EngineEvent], None]], Any],
    watch: Callable[[auto.EngineEvent], None] | None = None,
) -> list[auto.EngineEvent]:
    """Run ``run(on_event)`` (a preview or an up), raising EngineFailed with the engine's errors.

    ``watch`` sees each event as it comes (for progress lines).
    """
    events: list[auto.EngineEvent] = []

    def on_event(event: auto.EngineEvent) -> None:
        events.append(event)
        relay_retry_line(event)
        if watch is not None:
            watch(event)

    try:
        run(on_event)
    except auto.CommandError:
        errors = errors_from_events(events)
        if not errors:
            raise
        raise EngineFailed(f"the {what} failed:\n" + "\n".join(f"  {e}" for e in errors)) from None
    return events


def relay_retry_line(event: auto.EngineEvent) -> None:
    """A provider process's line about a long retry (aws/retry.py) on our stderr, as the CLI's own
    listing prints it: ``up`` shows no engine output unless --verbose, and a wait is no secret."""
    diagnostic = event.diagnostic_event
    message = diagnostic.message.strip() if diagnostic is not None else ""
    if is_retry_line(message):
        print(message, file=sys.stderr, flush=True)


def preview_steps(stack: auto.Stack) -> list[Step]:
    """The steps of a preview that first refreshes the state from WorkDocs, so the plan compares
    the users file with what WorkDocs holds now (the refresh is not saved)."""
    events = engine_run("preview", lambda on_event: stack.preview(on_event=on_event, refresh=True))
    return steps_from_events(events)
