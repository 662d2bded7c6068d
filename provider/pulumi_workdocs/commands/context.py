"""What every command needs: the users file, the stack, the state and WorkDocs, gathered at the edges.

Commands take a Context; the CLI builds it. Nothing here calls back up into the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pulumi_workdocs.users_file import UsersFile, load

if TYPE_CHECKING:
    from mypy_boto3_workdocs import WorkDocsClient
    from pulumi import automation as auto


@dataclass(frozen=True)
class Context:
    users_path: Path
    stack_name: str
    backend: str
    endpoint: str | None
    work_dir: Path

    def users_file(self) -> UsersFile:
        return load(self.users_path)

    def stack(self, users_file: UsersFile) -> auto.Stack:
        from pulumi_workdocs.engine.root_stack import open_stack

        return open_stack(users_file, self.stack_name, self.backend, self.work_dir, endpoint=self.endpoint)

    def state(self) -> list[dict[str, Any]]:
        """The stack's resources, read without decrypting anything ([] before the first update)."""
        from pulumi_workdocs.engine.state import read_state

        return read_state(self.backend, self.stack_name, self.work_dir)

    def client(self) -> WorkDocsClient:
        """A boto3 WorkDocs client on the default credential chain (endpoint as configured)."""
        from pulumi_workdocs.aws import ClientSettings

        return ClientSettings(endpoint=self.endpoint).client()

    def live_users(self, organizations: list[str]) -> list[dict[str, Any]]:
        """Every user of these organizations, any status, in pages (read-only)."""
        from pulumi_workdocs.aws import list_users

        client = self.client()
        return [dict(user) for org in organizations for user in list_users(client, org)]
