"""What every command needs: the users file, the stack, the state and WorkDocs, gathered at the edges.

Commands take a Context; the CLI builds it. Nothing here calls back up into the CLI.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from pulumi_workdocs.handoff import ENDPOINT_CONFIG, Endpoint, resolve_endpoint
from pulumi_workdocs.users_file import UsersFile, load

if TYPE_CHECKING:
    from mypy_boto3_workdocs import WorkDocsClient
    from pulumi import automation as auto

    from pulumi_workdocs.core.state import StateUser
    from pulumi_workdocs.core.user import ApiUser


def stack_endpoint(flag: str | None, environ: Mapping[str, str], work_dir: Path, stack_name: str) -> Endpoint:
    """The one endpoint rule (handoff.resolve_endpoint) with this stack's ``Pulumi.<stack>.yaml``.

    An endpoint from the flag or the environment is never written into the stack's config.
    """
    configured = stack_config(work_dir, stack_name).get(ENDPOINT_CONFIG)
    return resolve_endpoint(flag, environ, configured, f"Pulumi.{stack_name}.yaml")


def stack_config(work_dir: Path, stack_name: str) -> dict[str, Any]:
    """The plain values of ``Pulumi.<stack>.yaml``'s config as text, as Pulumi hands them to the
    provider ({} without one); secrets left out."""
    try:
        config = (yaml.safe_load((work_dir / f"Pulumi.{stack_name}.yaml").read_text()) or {}).get("config") or {}
    except (OSError, yaml.YAMLError, AttributeError):
        return {}
    if not isinstance(config, dict):
        return {}
    return {str(k): str(v) for k, v in config.items() if isinstance(v, str | int | float) and not isinstance(v, bool)}


@dataclass(frozen=True)
class Context:
    users_path: Path
    stack_name: str
    backend: str
    endpoint_flag: str | None
    work_dir: Path

    @property
    def endpoint(self) -> Endpoint:
        return stack_endpoint(self.endpoint_flag, os.environ, self.work_dir, self.stack_name)

    def users_file(self) -> UsersFile:
        return load(self.users_path)

    def stack(self, users_file: UsersFile) -> auto.Stack:
        from pulumi_workdocs.engine.root_stack import open_stack

        return open_stack(users_file, self.stack_name, self.backend, self.work_dir, endpoint=self.endpoint)

    def state(self) -> list[StateUser]:
        """The stack's WorkDocsUsers, read without decrypting anything ([] before the first update)."""
        from pulumi_workdocs.engine.state import state_users

        return state_users(self.resources())

    def resources(self) -> list[dict[str, Any]]:
        """Every resource of the stack, as ``pulumi stack export`` gives them ([] before the first update)."""
        from pulumi_workdocs.engine.state import read_state

        return read_state(self.backend, self.stack_name, self.work_dir)

    def deployment(self) -> dict[str, Any]:
        """The stack's deployment: resources and unfinished operations ({} before the first update)."""
        from pulumi_workdocs.engine.state import read_deployment

        return read_deployment(self.backend, self.stack_name, self.work_dir)

    def client(self) -> WorkDocsClient:
        """A boto3 WorkDocs client on the default credential chain, with the stack's ``workdocs:*``
        settings (region, profile, retries) as the provider uses them, and the resolved endpoint
        (its source named if it never answers)."""
        from pulumi_workdocs.aws import ClientSettings

        config = stack_config(self.work_dir, self.stack_name)
        settings = ClientSettings.from_config(config.get)
        endpoint = self.endpoint
        return dataclasses.replace(settings, endpoint=endpoint.url, endpoint_source=endpoint.source).client()

    def live_users(self, organizations: list[str]) -> list[ApiUser]:
        """Every user of these organizations, any status, in pages (read-only)."""
        from pulumi_workdocs.aws import list_users

        client = self.client()
        return [dict(user) for org in organizations for user in list_users(client, org)]
