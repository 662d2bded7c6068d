"""``drift``: read the users file, the state and WorkDocs; print the pure report (read-only)."""

from __future__ import annotations

from pathlib import Path

import yaml

from pulumi_workdocs import yaml_load
from pulumi_workdocs.commands.context import Context
from pulumi_workdocs.core.drift import IGNORE_FILE, Ignore, IgnoreFileError, compute_drift, parse_ignore
from pulumi_workdocs.core.drift_render import RENDERERS
from pulumi_workdocs.core.state import StateUser
from pulumi_workdocs.engine import engine_errors
from pulumi_workdocs.users_file import UsersFile


def load_ignore(path: Path) -> Ignore:
    """Read with the users file's reader: any encoding YAML allows, within the same budget."""
    try:
        with path.open("rb") as file:
            data = file.read(yaml_load.MAX_BYTES + 1)
    except FileNotFoundError:
        raise IgnoreFileError(f"{path}: ignore file not found") from None
    try:
        document = yaml_load.load(yaml_load.decode(data))
    except yaml_load.Refused as err:
        raise IgnoreFileError(f"{path}:{err.at[0]}:{err.at[1]}: {err.message} (fix: {err.hint})") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise IgnoreFileError(f"{path}{at}: not valid YAML") from None
    ignore = parse_ignore(document, str(path))
    return Ignore(ignore.rules, path)


def ignore_for(ctx: Context, baseline: Path | None) -> Ignore:
    if baseline is not None:
        return load_ignore(baseline)
    default = ctx.users_path.resolve().parent / IGNORE_FILE
    return load_ignore(default) if default.exists() else Ignore()


def organizations(users_file: UsersFile | None, state: list[StateUser]) -> list[str]:
    """The users file's organization and any other that the state's users belong to."""
    orgs = {users_file.organization_id} if users_file else set()
    orgs |= {u.outputs["organization_id"] for u in state if not u.pending_delete and u.outputs.get("organization_id")}
    return sorted(orgs)


@engine_errors
def run_drift(ctx: Context, fmt: str, baseline: Path | None) -> int:
    """Exit 0 clean, 2 drift, 3 only unapplied changes (1 on error)."""
    users_file = ctx.users_file()
    ignore = ignore_for(ctx, baseline)
    state = ctx.state()
    live = ctx.live_users(organizations(users_file, state))
    report = compute_drift(users_file, live, state, ignore)
    print(RENDERERS[fmt](report))
    return report.exit_code
