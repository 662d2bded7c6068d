"""``workdocs-users export``: users-file entries for existing users, with ``adopt: true``.

With them, the next ``up`` takes the users over without a single CreateUser.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from pulumi_workdocs import yaml_load
from pulumi_workdocs.core.drift import Ignore, compute_drift, state_users
from pulumi_workdocs.core.fields import BY_PROP, DEFAULTS, FIELDS, REQUIRED_KEYS, RULED
from pulumi_workdocs.core.user import outputs_from_user
from pulumi_workdocs.errors import UsageError
from pulumi_workdocs.users_file import UserEntry, UsersFile, UsersFileError, loads

# What a live user tells, as users-file keys: the API fields of each entry.
_EXPORT_KEYS = tuple(f.prop for f in FIELDS if f.api and f.in_entry and f.prop not in REQUIRED_KEYS)


def export_entry(outputs: Mapping[str, Any], adopt: bool = True) -> dict[str, Any]:
    """A users-file entry for a live user (property-form ``outputs``). Never a password."""
    entry: dict[str, Any] = {key: outputs[key] for key in REQUIRED_KEYS}
    for prop in _EXPORT_KEYS:
        field = BY_PROP[prop]
        value = field.file_value(outputs.get(prop))
        if value not in (None, ""):
            entry[field.key] = value
    if adopt:
        entry["adopt"] = True
    return entry


def _carry_over(entry: dict[str, Any], declared: UserEntry | None, state_outputs: Mapping[str, Any] | None) -> None:
    """Keep what the live user cannot tell: the file's password reference and protect, and the
    state's deletion_policy and adopt (so ``up`` sees no change for a managed user)."""
    if declared is not None:
        if declared.password:
            entry["password"] = dict(declared.password)
        if declared.protect:
            entry["protect"] = True
        if declared.values.get("deletion_policy"):
            entry["deletion_policy"] = declared.values["deletion_policy"]
    if state_outputs is not None:
        entry.pop("adopt", None)
        if state_outputs.get("adopt"):
            entry["adopt"] = True
        policy = state_outputs.get("deletion_policy")
        if policy and policy != DEFAULTS["deletion_policy"]:
            entry.setdefault("deletion_policy", policy)


def _yaml_list(entries: list[dict[str, Any]], indent: int) -> str:
    text = yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000)
    pad = " " * indent
    return "".join(pad + line if line.strip() else line for line in io.StringIO(text))


def _users_indent(users_file: UsersFile) -> int:
    """The column of the ``-`` of users' entries, so a fragment can be appended as is."""
    try:
        where = yaml_load.positions(users_file.text, [("users", 0)])
    except (yaml.YAMLError, yaml_load.Refused):
        return 2
    return where[("users",)].value[1] - 1 if ("users", 0) in where else 2  # the list starts at its first dash


def _usable_values(entry: dict[str, Any], notes: list[str]) -> None:
    """Drop a value the users file would refuse by a field's rule (a time zone that is not IANA):
    WorkDocs' value is then kept."""
    for field in RULED:
        value = entry.get(field.key)
        if field.rule is not None and field.rule.broken(value):
            entry.pop(field.key)
            notes.append(f"{entry['username']}: {field.key} {value!r} {field.rule.problem}; left out")


def _check(document: dict[str, Any], where: Path) -> None:
    """Validate with the one loader (``users_file.loads``)."""
    try:
        loads(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), where)
    except UsersFileError as err:  # located in the export, not in the file it extends
        lines = "\n".join(p.render(f"(exported {where.name})") for p in err.problems)
        raise UsageError(f"the exported entries do not validate:\n{lines}") from None


def build_export(
    users_file: UsersFile | None,
    live_users: list[dict[str, Any]],
    state: Sequence[Mapping[str, Any]],
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
    managed = {u.id: u for u in state_users(state)}
    declared = {e.username.lower(): e for e in users_file.users} if users_file else {}
    if all_:
        entries = []
        for user in sorted(live, key=lambda u: str(u["Username"]).lower()):
            entry = export_entry(outputs_from_user(user, {}))
            state_user = managed.get(str(user["Id"]))
            _carry_over(entry, declared.get(str(user["Username"]).lower()), state_user.outputs if state_user else None)
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
        _usable_values(entry, notes if notes is not None else [])
    where = users_file.path if users_file else Path("users.yaml")
    if all_:
        _check({"organization_id": org, "users": entries}, where)
        header = (
            f"# Exported by `workdocs-users export --all` from organization {org}: {len(entries)} users.\n"
            "# adopt: true makes the next `up` take a user over instead of creating it; no password\n"
            "# is exported (WorkDocs never returns one, and an adopted user's password is never sent).\n"
        )
        users = "users:\n" + _yaml_list(entries, 2) if entries else "users: []\n"
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
    return header + _yaml_list(entries, _users_indent(users_file)), len(entries)
