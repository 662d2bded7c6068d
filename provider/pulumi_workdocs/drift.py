"""Drift detection: ``workdocs-users drift`` (adoption of what it finds: ``export.py``).

The core is :func:`compute_drift`, a pure function of (users file, live users, state):
it makes no call, so every kind of drift is testable without a server. ``run_drift`` only
gathers those three inputs (DescribeUsers pages, ``pulumi stack
export`` without ``--show-secrets``, the users file) and print the result.

Kinds, by what is compared with what:

* changed: a managed user's live attributes differ from the stack's state (drift);
* deleted: in the state, gone from WorkDocs (drift);
* unmanaged: in WorkDocs, in neither the users file nor the state, whatever its status (drift);
* unapplied: the users file differs from the state: a pending change that ``up`` applies,
  not drift, reported apart.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from botocore.exceptions import BotoCoreError, ClientError

from pulumi_workdocs.fields import FIELDS
from pulumi_workdocs.provider import DEFAULTS, _same, changed_fields, outputs_from_user
from pulumi_workdocs.users_file import (
    UsersFile,
    human_size,
)

if TYPE_CHECKING:
    from pulumi_workdocs.cli import Context

EXIT_CLEAN, EXIT_ERROR, EXIT_DRIFT, EXIT_UNAPPLIED = 0, 1, 2, 3
IGNORE_FILE = ".workdocs-drift-ignore.yaml"  # read next to the users file when it exists
USER_TYPE_SUFFIX = "workdocs:User"
PAGE_SIZE = 999  # DescribeUsers' largest Limit: 5,000 users are 6 calls
# Fields WorkDocs holds, so live can differ from state; deletion_policy and adopt live in
# the state only, and timestamps change on every write, so neither is drift.
COMPARED = tuple(f.prop for f in FIELDS if f.api is not None)


# -- the report -------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldDrift:
    field: str
    expected: Any  # the stack's state
    live: Any  # WorkDocs now


@dataclass(frozen=True)
class ChangedUser:
    username: str
    id: str
    fields: tuple[FieldDrift, ...]


@dataclass(frozen=True)
class DeletedUser:
    username: str
    id: str
    recreated_as: str | None = None  # a live user with the same username and another Id


@dataclass(frozen=True)
class UnmanagedUser:
    username: str
    id: str
    status: str | None
    email_address: str | None = None


@dataclass(frozen=True)
class PendingField:
    field: str
    state: Any
    file: Any


@dataclass(frozen=True)
class UnappliedChange:
    username: str
    action: str  # "create", "update" or "remove"
    fields: tuple[PendingField, ...] = ()


@dataclass(frozen=True)
class IgnoredDrift:
    kind: str  # "changed", "deleted" or "unmanaged"
    username: str
    field: str | None = None


@dataclass(frozen=True)
class DriftReport:
    organization_id: str | None
    changed: tuple[ChangedUser, ...] = ()
    deleted: tuple[DeletedUser, ...] = ()
    unmanaged: tuple[UnmanagedUser, ...] = ()
    unapplied: tuple[UnappliedChange, ...] = ()
    ignored: tuple[IgnoredDrift, ...] = ()

    @property
    def has_drift(self) -> bool:
        return bool(self.changed or self.deleted or self.unmanaged)

    @property
    def status(self) -> str:
        return "drift" if self.has_drift else "unapplied" if self.unapplied else "clean"

    @property
    def exit_code(self) -> int:
        """0 clean, 2 drift (whatever else), 3 only unapplied changes."""
        return EXIT_DRIFT if self.has_drift else EXIT_UNAPPLIED if self.unapplied else EXIT_CLEAN

    def summary(self) -> dict[str, int]:
        return {
            "changed": len(self.changed),
            "deleted": len(self.deleted),
            "unmanaged": len(self.unmanaged),
            "unapplied": len(self.unapplied),
            "ignored": len(self.ignored),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "organization_id": self.organization_id,
            "status": self.status,
            "exit_code": self.exit_code,
            "summary": self.summary(),
            "changed": [
                {
                    "username": c.username,
                    "id": c.id,
                    "fields": [
                        {"field": f.field, "expected": _plain(f.expected), "live": _plain(f.live)} for f in c.fields
                    ],
                }
                for c in self.changed
            ],
            "deleted": [{"username": d.username, "id": d.id, "recreated_as": d.recreated_as} for d in self.deleted],
            "unmanaged": [
                {"username": u.username, "id": u.id, "status": u.status, "email_address": u.email_address}
                for u in self.unmanaged
            ],
            "unapplied": [
                {
                    "username": u.username,
                    "action": u.action,
                    "fields": [{"field": f.field, "state": _plain(f.state), "file": _plain(f.file)} for f in u.fields],
                }
                for u in self.unapplied
            ],
            "ignored": [{"kind": i.kind, "username": i.username, "field": i.field} for i in self.ignored],
        }


# -- the ignore (baseline) file ---------------------------------------------------------


class IgnoreFileError(ValueError):
    """A one-line problem in an ignore file (the CLI prints it and exits 1)."""


@dataclass(frozen=True)
class IgnoreRule:
    username: str
    field: str | None = None  # None: every kind of drift of this user

    def matches(self, username: str, field: str | None) -> bool:
        return self.username.lower() == username.lower() and self.field in (None, field)


@dataclass(frozen=True)
class Ignore:
    """Known drift to leave out of the result (it is still listed as ignored)."""

    rules: tuple[IgnoreRule, ...] = ()
    source: Path | None = None

    def silences(self, username: str, field: str | None = None) -> bool:
        return any(rule.matches(username, field) for rule in self.rules)


def parse_ignore(document: Any, source: str = "ignore file") -> Ignore:
    """``{ignore: [{username: bob}, {username: alice, field: given_name, reason: ...}]}``."""
    if document is None:
        return Ignore()
    if not isinstance(document, dict) or set(document) - {"ignore"}:
        raise IgnoreFileError(f"{source}: expected one key, ignore: a list of {{username, field}} entries")
    items = document.get("ignore") or []
    if not isinstance(items, list):
        raise IgnoreFileError(f"{source}: ignore must be a list of {{username, field}} entries")
    rules = []
    for index, item in enumerate(items):
        where = f"{source}: ignore[{index}]"
        if not isinstance(item, dict):
            raise IgnoreFileError(f"{where} must be a mapping such as {{username: bob, field: given_name}}")
        unknown = sorted(set(item) - {"username", "field", "reason"})
        if unknown:
            raise IgnoreFileError(f"{where} has unknown key '{unknown[0]}' (allowed: username, field, reason)")
        username = item.get("username")
        if not isinstance(username, str) or not username.strip():
            raise IgnoreFileError(f"{where}.username is required (a WorkDocs username)")
        field_name = item.get("field")
        if field_name is not None and field_name not in COMPARED:
            raise IgnoreFileError(
                f"{where}.field '{field_name}' is not a compared field (one of: {', '.join(COMPARED)})"
            )
        rules.append(IgnoreRule(username.strip(), field_name))
    return Ignore(tuple(rules))


def load_ignore(path: Path) -> Ignore:
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise IgnoreFileError(f"{path}: ignore file not found") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        at = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise IgnoreFileError(f"{path}{at}: not valid YAML") from None
    ignore = parse_ignore(document, str(path))
    return Ignore(ignore.rules, path)


# -- the pure core ----------------------------------------------------------------------


@dataclass(frozen=True)
class StateUser:
    """A WorkDocsUser in the stack's state: resource name (= username in the root stack)."""

    name: str
    id: str
    outputs: dict[str, Any] = field(default_factory=dict)

    @property
    def username(self) -> str:
        return str(self.outputs.get("username") or self.name)


def state_users(resources: Iterable[Mapping[str, Any]]) -> list[StateUser]:
    """WorkDocsUsers of a deployment's ``resources`` (pending deletions left out)."""
    users = []
    for resource in resources:
        if not str(resource.get("type", "")).endswith(USER_TYPE_SUFFIX) or resource.get("delete"):
            continue
        name = str(resource.get("urn", "")).rsplit("::", 1)[-1]
        users.append(StateUser(name, str(resource.get("id", "")), dict(resource.get("outputs") or {})))
    return users


def compute_drift(
    desired: UsersFile | None,
    live_users: list[dict[str, Any]],
    state: Sequence[Mapping[str, Any]],
    ignore: Ignore | None = None,
) -> DriftReport:
    """The drift report of (users file, live DescribeUsers users, state resources). No I/O."""
    ignore = ignore or Ignore()
    managed = state_users(state)
    live = {str(u["Id"]): outputs_from_user(u, {}) for u in live_users}
    live_by_name = {str(o["username"]).lower(): user_id for user_id, o in live.items()}
    managed_ids = {u.id for u in managed}
    file_names = {e.username.lower() for e in desired.users} if desired else set()
    ignored: list[IgnoredDrift] = []

    changed, deleted = [], []
    for user in sorted(managed, key=lambda u: u.username.lower()):
        now = live.get(user.id)
        if now is None:
            if ignore.silences(user.username):
                ignored.append(IgnoredDrift("deleted", user.username))
                continue
            other = live_by_name.get(user.username.lower())
            deleted.append(DeletedUser(user.username, user.id, other))
            continue
        fields = []
        for prop in COMPARED:
            expected, actual = user.outputs.get(prop), now.get(prop)
            if _same(prop, _plain(expected), _plain(actual)):
                continue
            if ignore.silences(user.username, prop):
                ignored.append(IgnoredDrift("changed", user.username, prop))
            else:
                fields.append(FieldDrift(prop, expected, actual))
        if fields:
            changed.append(ChangedUser(user.username, user.id, tuple(fields)))

    unmanaged = []
    for user_id, outs in sorted(live.items(), key=lambda item: str(item[1]["username"]).lower()):
        username = str(outs["username"])
        if user_id in managed_ids or username.lower() in file_names:
            continue
        if ignore.silences(username):
            ignored.append(IgnoredDrift("unmanaged", username))
            continue
        unmanaged.append(UnmanagedUser(username, user_id, outs.get("status"), outs.get("email_address")))

    organization_id = (
        desired.organization_id
        if desired
        else next((str(u.outputs["organization_id"]) for u in managed if u.outputs.get("organization_id")), None)
    )
    return DriftReport(
        organization_id,
        tuple(changed),
        tuple(deleted),
        tuple(unmanaged),
        tuple(_unapplied(desired, managed)) if desired else (),
        tuple(ignored),
    )


def _unapplied(desired: UsersFile, managed: list[StateUser]) -> list[UnappliedChange]:
    """What ``up`` would change: the provider's own diff of file entries against state outputs."""
    by_name = {u.name: u for u in managed}
    pending = []
    for entry in sorted(desired.users, key=lambda e: e.username.lower()):
        news = {**entry.resource_args(), "organization_id": desired.organization_id}
        user = by_name.pop(entry.username, None)
        if user is None:
            pending.append(UnappliedChange(entry.username, "create"))
            continue
        fields = tuple(
            PendingField(prop, user.outputs.get(prop), news.get(prop, DEFAULTS.get(prop)))
            for prop in changed_fields(user.outputs, news)
        )
        if fields:
            pending.append(UnappliedChange(entry.username, "update", fields))
    pending += [UnappliedChange(u.username, "remove") for u in sorted(by_name.values(), key=lambda u: u.name.lower())]
    return pending


def _plain(value: Any) -> Any:
    """Integral floats (Pulumi carries numbers as doubles) as ints, for comparison and output."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


# -- renderers --------------------------------------------------------------------------


def _show(prop: str, value: Any) -> str:
    if value is None:
        return "(unset)"
    if prop == "storage_rule" and isinstance(value, Mapping):
        return human_size(value) or json.dumps(_plain(dict(value)), sort_keys=True)
    return repr(value) if isinstance(value, str) else json.dumps(_plain(value))


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
    table("Ignored", ("kind", "user", "field"), [(i.kind, f"`{i.username}`", i.field or "") for i in report.ignored])
    return "\n".join(lines)


def render_json(report: DriftReport) -> str:
    return json.dumps(report.to_json(), indent=2)


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}


# -- gathering the inputs ---------------------------------------------------------------


def list_users(client: Any, organization_id: str) -> list[dict[str, Any]]:
    """Every user of the organization, any status: DescribeUsers pages of 999 (read-only)."""
    users: list[dict[str, Any]] = []
    request: dict[str, Any] = {
        "OrganizationId": organization_id,
        "Include": "ALL",
        "Fields": "STORAGE_METADATA",
        "Limit": PAGE_SIZE,
    }
    seen: set[str] = set()
    while True:
        page = client.describe_users(**request)
        users.extend(page.get("Users", []))
        marker = page.get("Marker")
        if not marker:
            return users
        if marker in seen:
            raise RuntimeError(f"DescribeUsers returned marker {marker!r} twice; stopping")
        seen.add(marker)
        request["Marker"] = marker


def read_state(ctx: Context) -> list[dict[str, Any]]:
    """The stack's resources via ``pulumi stack export`` (no ``--show-secrets``: no secret is
    decrypted); [] when the stack does not exist yet. Neither creates nor selects a stack."""
    from pulumi import automation as auto

    from pulumi_workdocs.engine import pulumi_command, workspace_env
    from pulumi_workdocs.root_stack import PROJECT

    backend = ctx.backend
    env = workspace_env(backend)
    home = Path(backend) / ".pulumi-home" if "://" not in backend else ctx.work_dir / ".pulumi-home"
    env["PULUMI_HOME"] = str(home)
    command = pulumi_command()
    args = ["stack", "export", "--stack", ctx.stack_name]
    try:
        if (ctx.work_dir / "Pulumi.yaml").exists():
            result = command.run(args, str(ctx.work_dir), env)
        else:  # never run from here: a throwaway project file names the project
            with tempfile.TemporaryDirectory() as scratch:
                Path(scratch, "Pulumi.yaml").write_text(f"name: {PROJECT}\nruntime: python\n")
                result = command.run(args, scratch, env)
    except auto.StackNotFoundError:
        return []
    deployment = json.loads(result.stdout).get("deployment") or {}
    return list(deployment.get("resources") or [])


def ignore_for(ctx: Context, baseline: Path | None) -> Ignore:
    if baseline is not None:
        return load_ignore(baseline)
    default = ctx.users_path.resolve().parent / IGNORE_FILE
    return load_ignore(default) if default.exists() else Ignore()


def _organizations(users_file: UsersFile | None, state: list[dict[str, Any]]) -> list[str]:
    orgs = {users_file.organization_id} if users_file else set()
    orgs |= {str(u.outputs["organization_id"]) for u in state_users(state) if u.outputs.get("organization_id")}
    return sorted(orgs)


def live_users_of(ctx: Context, organizations: list[str]) -> list[dict[str, Any]]:
    client = ctx.client()
    return [user for org in organizations for user in list_users(client, org)]


def run_drift(ctx: Context, fmt: str, baseline: Path | None) -> int:
    """Read the state, the users file and WorkDocs; print the report; exit 0/2/3 (1 on error)."""
    users_file = ctx.users_file()
    ignore = ignore_for(ctx, baseline)
    state = read_state(ctx)
    try:
        live = live_users_of(ctx, _organizations(users_file, state))
    except (ClientError, BotoCoreError) as err:
        print(f"workdocs-users drift: cannot read WorkDocs users: {err}", file=sys.stderr)
        return EXIT_ERROR
    report = compute_drift(users_file, live, state, ignore)
    print(RENDERERS[fmt](report))
    return report.exit_code


# -- export ------------------------------------------------------------------------------
