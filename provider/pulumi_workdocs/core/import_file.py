"""``workdocs-users export --format pulumi-import``: the file ``pulumi import --file`` reads.

For a Pulumi program in any language that uses the plugin's ``workdocs:index:User``: each
user of the organization that no stack entry manages yet becomes one resource to import by
its WorkDocs user Id, so ``pulumi import --file`` adopts them all (no CreateUser) and prints
the code to paste. The format is Pulumi's (``pkg/cmd/pulumi/operations/import.go``,
``importFile``): ``nameTable`` maps the names used by ``provider`` to URNs, and each resource
has ``type``, ``name`` (its name in the program and in the URN) and ``id``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_workdocs.core.drift import Ignore, compute_drift
from pulumi_workdocs.core.state import StateUser
from pulumi_workdocs.core.user import ApiUser
from pulumi_workdocs.core.users import UsersFile
from pulumi_workdocs.errors import UsageError

# The plugin's resource type (plugin.package_schema.USER; a test holds them equal).
PLUGIN_USER_TYPE = "workdocs:index:User"
PROVIDER_TYPE = "pulumi:providers:workdocs"
_NOT_NAME = re.compile(r"[^0-9a-z]+")
_PROVIDER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def resource_name(username: str) -> str:
    """A WorkDocs username (``ada.lovelace@example.com``, ``j-doe+x``) as a name that every Pulumi
    language takes for a resource and its variable: lowercase letters, digits and ``_``, starting
    with a letter (``ada_lovelace_example_com``)."""
    name = _NOT_NAME.sub("_", username.lower()).strip("_")
    return name if name[:1].isalpha() else f"user_{name}".rstrip("_")


def parse_provider(text: str) -> tuple[str, str]:
    """``--provider NAME=URN`` (as ``pulumi import --provider`` takes it): the program's explicit
    workdocs provider, for users that are not to use the default one."""
    name, sep, urn = text.partition("=")
    if not sep or not _PROVIDER_NAME.fullmatch(name):
        raise UsageError(f"--provider {text!r}: expected NAME=URN, NAME the provider's name in the program")
    if not urn.startswith("urn:pulumi:") or f"::{PROVIDER_TYPE}::" not in urn:
        raise UsageError(
            f"--provider {name}=...: the URN must be a workdocs provider's (urn:pulumi:STACK::PROJECT::"
            f"{PROVIDER_TYPE}::NAME; `pulumi stack --show-urns` lists it)"
        )
    return name, urn


@dataclass(frozen=True)
class StackResources:
    """What an import must know of a stack's state (engine/state.py reads Pulumi's format)."""

    users: Sequence[StateUser] = ()  # the root stack's WorkDocsUsers
    names: frozenset[str] = field(default_factory=frozenset)  # every resource name: none is reused
    plugin_ids: frozenset[str] = field(default_factory=frozenset)  # users a program manages through the plugin


def build_import_file(
    users_file: UsersFile | None,
    live_users: Sequence[ApiUser],
    state: StackResources,
    organization_id: str,
    ignore: Ignore | None = None,
    provider: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """The ``pulumi import --file`` document for the organization's users that neither the users
    file nor the stack's state holds (``export``'s notion of unmanaged, with the plugin's users
    counted as managed too), sorted by username. No I/O."""
    live = [u for u in live_users if u.get("OrganizationId") in (None, organization_id)]
    report = compute_drift(users_file, live, state.users, ignore)
    taken, plugin_ids = set(state.names), state.plugin_ids
    name_table: dict[str, str] = {}
    if provider is not None:
        name_table[provider[0]] = provider[1]
        taken.add(provider[0])
    resources = []
    for user in sorted(report.unmanaged, key=lambda u: (u.username.lower(), u.id)):
        if user.id in plugin_ids:
            continue
        base = name = resource_name(user.username)
        suffix = 2
        while name in taken:
            name, suffix = f"{base}_{suffix}", suffix + 1
        taken.add(name)
        resource = {"type": PLUGIN_USER_TYPE, "name": name, "id": user.id}
        if provider is not None:
            resource["provider"] = provider[0]
        resources.append(resource)
    return {"nameTable": name_table, "resources": resources}


def render_import_file(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
