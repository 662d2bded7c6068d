"""The stack's state, read with ``pulumi stack export`` (no ``--show-secrets``: nothing is decrypted).

Every command reads the state before it calls WorkDocs, so a backend that cannot be read (a
bucket that is missing or out of reach, refused credentials) stops it there, in one line.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from pulumi_workdocs.core.import_file import PLUGIN_USER_TYPE, StackResources
from pulumi_workdocs.core.state import StateUser
from pulumi_workdocs.core.user import USER_TYPE_SUFFIX, as_outputs
from pulumi_workdocs.engine import pulumi_command, workspace_env
from pulumi_workdocs.engine.root_stack import PROJECT
from pulumi_workdocs.engine.state_store import safe_url
from pulumi_workdocs.errors import EngineError

SECRET_ENV = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID")  # never in a message


class BackendUnreadable(EngineError):
    """The state backend (a folder, a bucket) could not be read; nothing was changed."""


# What a WorkDocsUser in the state holds when nothing but its values can make a step: any other
# key set (taint, delete, pendingReplacement, initErrors, retainOnDelete, ...) leaves the plan
# to the engine's preview.
PLAIN_RESOURCE_KEYS = frozenset(
    {"urn", "custom", "id", "type", "inputs", "outputs", "parent", "provider", "dependencies",
     "propertyDependencies", "additionalSecretOutputs", "created", "modified", "sourcePosition",
     "stackTrace", "protect"}
)  # fmt: skip


def resource_name(urn: str) -> str:
    """The name at the end of a URN (``urn:pulumi:stack::project::type::name``)."""
    return urn.rsplit("::", 1)[-1]


def state_users(resources: Iterable[Mapping[str, Any]]) -> list[StateUser]:
    """The WorkDocsUsers among a deployment's ``resources`` (``pulumi stack export``), typed."""
    users = []
    for resource in resources:
        if not str(resource.get("type", "")).endswith(USER_TYPE_SUFFIX):
            continue
        users.append(
            StateUser(
                name=resource_name(str(resource.get("urn", ""))),
                id=str(resource.get("id", "")),
                outputs=as_outputs(resource.get("outputs") or {}),
                protect=bool(resource.get("protect")),
                plain=not any(value for key, value in resource.items() if key not in PLAIN_RESOURCE_KEYS),
                pending_delete=bool(resource.get("delete")),
            )
        )
    return users


def stack_resources(resources: Iterable[Mapping[str, Any]]) -> StackResources:
    """A deployment's ``resources`` as an import sees them: the root stack's users, every
    resource name, and the Ids of the users a program manages through the plugin."""
    resources = list(resources)
    return StackResources(
        users=state_users(resources),
        names=frozenset(resource_name(str(r.get("urn", ""))) for r in resources),
        plugin_ids=frozenset(
            str(r.get("id", "")) for r in resources if r.get("type") == PLUGIN_USER_TYPE and not r.get("delete")
        ),
    )


def read_state(backend: str, stack_name: str, work_dir: Path) -> list[dict[str, Any]]:
    """The stack's resources; [] when the stack does not exist yet. Neither creates nor selects a stack."""
    return list(read_deployment(backend, stack_name, work_dir).get("resources") or [])


def read_deployment(backend: str, stack_name: str, work_dir: Path) -> dict[str, Any]:
    """The stack's deployment (resources, pending operations); {} when the stack does not exist yet."""
    env = workspace_env(backend)
    home = Path(backend) / ".pulumi-home" if "://" not in backend else work_dir / ".pulumi-home"
    env["PULUMI_HOME"] = str(home)
    command = pulumi_command()
    args = ["stack", "export", "--stack", stack_name]
    try:
        if (work_dir / "Pulumi.yaml").exists():
            result = command.run(args, str(work_dir), env)
        else:  # never run from here: a throwaway project file names the project
            with tempfile.TemporaryDirectory() as scratch:
                Path(scratch, "Pulumi.yaml").write_text(f"name: {PROJECT}\nruntime: python\n")
                result = command.run(args, scratch, env)
    except auto.StackNotFoundError:
        return {}
    except auto.CommandError as err:
        raise BackendUnreadable(
            f"the state backend {shown_url(backend)} cannot be read: {backend_reason(str(err))}"
        ) from None
    return dict(json.loads(result.stdout).get("deployment") or {})


def shown_url(backend: str) -> str:
    """The backend URL as a message may show it (a folder as its file:// URL; a user and password masked)."""
    return safe_url(backend if "://" in backend else Path(backend).resolve().as_uri())


def backend_reason(output: str) -> str:
    """The cause in the engine's ``error:`` line, without the SDK's request ids and retry counts."""
    lines = [line.strip().removeprefix("stderr:").strip() for line in output.splitlines()]
    said = next((line.removeprefix("error:").strip() for line in lines if line.startswith("error:")), "")
    said = said or next((line for line in reversed(lines) if line), "no output")
    for pattern, shown in (
        (r"request send failed, \S+ \"[^\"]*\": (.+)$", r"\1"),  # no answer: dial tcp ...: connection refused
        (r"api error (\w+): (.+)$", r"\1: \2"),  # AWS's code and message: InvalidAccessKeyId, AccessDenied...
        (r"HostID: [^,]*, (\w+): (.+)$", r"\1: \2"),  # the same from an S3-compatible server: NoSuchBucket
    ):
        found = re.search(pattern, said)
        if found:
            said = found.expand(shown)
            break
    for name in SECRET_ENV:
        if os.environ.get(name):
            said = said.replace(os.environ[name], "***")
    return said
