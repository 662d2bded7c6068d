"""``export``: users-file entries for existing users, or the ``pulumi import --file`` JSON for
the unmanaged ones (``--format pulumi-import``), written whole or not at all."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pulumi_workdocs.commands.context import Context
from pulumi_workdocs.commands.drift import ignore_for
from pulumi_workdocs.core.export import build_export
from pulumi_workdocs.core.import_file import build_import_file, parse_provider, render_import_file
from pulumi_workdocs.engine import engine_errors
from pulumi_workdocs.errors import Exit, UsageError
from pulumi_workdocs.users_file import UsersFile


@engine_errors
def run_export(ctx: Context, output: str, all_: bool, organization_id: str | None = None) -> int:
    """Write users-file entries for existing users (see build_export); 0, or 1 on error."""
    users_file: UsersFile | None
    if ctx.users_path.exists():
        users_file = ctx.users_file()
    elif all_:
        users_file = None  # taking over an organization: there is no users file yet
    else:
        raise UsageError(f"{ctx.users_path}: no users file; use --all (with --organization-id) to write one")
    ignore = ignore_for(ctx, None)
    state = ctx.state()
    org = organization_id or (users_file.organization_id if users_file else None)
    if org is None:
        raise UsageError("no organization: give --organization-id (there is no users file to read it from)")
    live = ctx.live_users([org])
    notes: list[str] = []
    text, count = build_export(users_file, live, state, ignore, all_, org, notes)
    for note in notes:
        print(f"workdocs-users export: {note}", file=sys.stderr)
    target = _write(output, text)
    if target is not None:
        print(f"workdocs-users export: {count} users written to {target}", file=sys.stderr)
    return Exit.OK


@engine_errors
def run_import_export(ctx: Context, output: str, organization_id: str | None, provider: str | None) -> int:
    """Write the ``pulumi import --file`` JSON for the unmanaged users (core.import_file); 0, or 1.

    No users file is needed (a program in another language has none): the organization then comes
    from --organization-id, and "managed" means in the stack's state.
    """
    provider_ref = parse_provider(provider) if provider is not None else None  # bad input: before any call
    users_file = ctx.users_file() if ctx.users_path.exists() else None
    org = organization_id or (users_file.organization_id if users_file else None)
    if org is None:
        raise UsageError(f"{ctx.users_path}: no users file; give --organization-id")
    ignore = ignore_for(ctx, None)
    state = ctx.state()
    live = ctx.live_users([org])
    document = build_import_file(users_file, live, state, org, ignore, provider_ref)
    count = len(document["resources"])
    target = _write(output, render_import_file(document))
    if target is not None:
        print(
            f"workdocs-users export: {count} unmanaged users written to {target}; "
            f"adopt them with `pulumi import --file {target}`",
            file=sys.stderr,
        )
    return Exit.OK


def _write(output: str, text: str) -> Path | None:
    """To stdout (None), or to a file replaced at once, never half-written (its path)."""
    if output == "-":
        sys.stdout.write(text)
        return None
    target = Path(output)
    scratch = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    scratch.write_text(text)
    scratch.replace(target)
    return target
