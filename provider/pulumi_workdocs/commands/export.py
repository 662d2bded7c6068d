"""``export``: users-file entries for existing users, or the ``pulumi import --file`` JSON for
the unmanaged ones (``--format pulumi-import``), written whole or not at all."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from pulumi_workdocs import yaml_load
from pulumi_workdocs.commands.context import Context
from pulumi_workdocs.commands.drift import ignore_for
from pulumi_workdocs.core.drift import Ignore, compute_drift
from pulumi_workdocs.core.export import carry_over, export_entry, usable_values, yaml_list
from pulumi_workdocs.core.import_file import build_import_file, parse_provider, render_import_file
from pulumi_workdocs.core.state import StateUser
from pulumi_workdocs.core.user import ApiUser, outputs_from_user
from pulumi_workdocs.engine import engine_errors
from pulumi_workdocs.engine.state import stack_resources
from pulumi_workdocs.errors import Exit, UsageError
from pulumi_workdocs.users_file import UsersFile, UsersFileError, loads


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
    state = stack_resources(ctx.resources())
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


def _users_indent(users_file: UsersFile) -> int:
    """The column of the ``-`` of users' entries, so a fragment can be appended as is."""
    try:
        where = yaml_load.positions(users_file.text, [("users", 0)])
    except (yaml.YAMLError, yaml_load.Refused):
        return 2
    return where[("users",)].value[1] - 1 if ("users", 0) in where else 2  # the list starts at its first dash


def _check(document: dict[str, Any], where: Path) -> None:
    """Validate with the one loader (``users_file.loads``)."""
    try:
        loads(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), where)
    except UsersFileError as err:  # located in the export, not in the file it extends
        lines = "\n".join(p.render(f"(exported {where.name})") for p in err.problems)
        raise UsageError(f"the exported entries do not validate:\n{lines}") from None


def build_export(
    users_file: UsersFile | None,
    live_users: Sequence[ApiUser],
    state: Sequence[StateUser],
    ignore: Ignore | None = None,
    all_: bool = False,
    organization_id: str | None = None,
    notes: list[str] | None = None,
) -> tuple[str, int]:
    """(YAML text, number of users). ``all_``: a whole users file for every user of the
        organization; otherwise a fragment of the unmanaged users' entries to append under
        ``users:``. Either way the entries validate with ``users_file.loads``. What was left out
    of an entry is said in ``notes``."""
    org = organization_id or (users_file.organization_id if users_file else None)
    if org is None:
        raise UsageError("no organization: give --organization-id or a users file with organization_id")
    live = [u for u in live_users if u.get("OrganizationId") in (None, org)]
    managed = {u.id: u for u in state if not u.pending_delete}
    declared = {e.username.lower(): e for e in users_file.users} if users_file else {}
    if all_:
        entries = []
        for user in sorted(live, key=lambda u: str(u["Username"]).lower()):
            entry = export_entry(outputs_from_user(user, {}))
            state_user = managed.get(str(user["Id"]))
            carry_over(entry, declared.get(str(user["Username"]).lower()), state_user.outputs if state_user else None)
            entries.append(entry)
    else:
        report = compute_drift(users_file, live, list(state), ignore)
        wanted = {u.id for u in report.unmanaged}
        entries = [
            export_entry(outputs_from_user(u, {}))
            for u in sorted(live, key=lambda u: str(u["Username"]).lower())
            if str(u["Id"]) in wanted
        ]
    for entry in entries:
        usable_values(entry, notes if notes is not None else [])
    where = users_file.path if users_file else Path("users.yaml")
    if all_:
        _check({"organization_id": org, "users": entries}, where)
        header = (
            f"# Exported by `workdocs-users export --all` from organization {org}: {len(entries)} users.\n"
            "# adopt: true makes the next `up` take a user over instead of creating it; no password\n"
            "# is exported (WorkDocs never returns one, and an adopted user's password is never sent).\n"
        )
        users = "users:\n" + yaml_list(entries, 2) if entries else "users: []\n"
        return f"{header}organization_id: {org}\n{users}", len(entries)
    assert users_file is not None  # the unmanaged need a users file to be told apart
    raw = list(users_file.document.get("users") or [])
    _check({**users_file.document, "users": raw + entries}, where)
    if not entries:
        return f"# No unmanaged users in organization {org}.\n", 0
    header = (
        f"# {len(entries)} unmanaged users of organization {org}, exported by `workdocs-users export`.\n"
        f"# Append to {users_file.path.name} (when users: is its last key) or paste under users:;\n"
        "# adopt: true makes the next `up` take each user over instead of creating it.\n"
    )
    return header + yaml_list(entries, _users_indent(users_file)), len(entries)
