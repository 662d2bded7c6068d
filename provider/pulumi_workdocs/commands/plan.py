"""``plan`` and ``up``: a real preview, rendered for review; the removal guard; the update."""

from __future__ import annotations

import sys

from pulumi_workdocs.commands.context import Context
from pulumi_workdocs.core.plan import guard
from pulumi_workdocs.core.plan_render import RENDERERS, render_text
from pulumi_workdocs.engine import engine_errors
from pulumi_workdocs.engine.preview import engine_run, preview_plan
from pulumi_workdocs.errors import Exit


@engine_errors
def run_plan(ctx: Context, fmt: str, max_removals: str) -> int:
    """Exit 0 no changes, 2 changes, 1 error (a refused removal count included)."""
    users_file = ctx.users_file()
    plan = preview_plan(ctx.stack(users_file))
    plan.refused = guard(plan, max_removals)
    sys.stdout.write(RENDERERS[fmt](plan))  # a refused plan is shown too, saying so: the comment explains the red check
    if plan.refused:
        print(f"workdocs-users plan: {plan.refused}", file=sys.stderr)
        return Exit.ERROR
    return Exit.CHANGES if plan.changes else Exit.OK


@engine_errors
def run_up(ctx: Context, max_removals: str) -> int:
    """Preview, refuse past the removal limit, then apply."""
    users_file = ctx.users_file()
    stack = ctx.stack(users_file)
    plan = preview_plan(stack)
    refusal = guard(plan, max_removals)
    if refusal:
        sys.stdout.write(render_text(plan))
        print(f"workdocs-users up: {refusal}", file=sys.stderr)
        return Exit.ERROR
    engine_run("update", lambda on_event: stack.up(on_output=print, on_event=on_event))
    return Exit.OK
