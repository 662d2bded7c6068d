"""The users file as data: its entries, with the file's defaults applied.

``users_file.load`` reads, validates and locates problems (YAML, schema.json); the core takes
what it returns and never reads a file itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi_workdocs.core.records import EntryArgs, UserArgs
from pulumi_workdocs.core.storage import parse_size


@dataclass(frozen=True)
class UserEntry:
    """A user as declared, with the file's defaults applied."""

    username: str
    given_name: str
    surname: str
    values: EntryArgs  # the other WorkDocsUser arguments that are set
    storage: str | None = None
    protect: bool = False
    password: dict[str, str] | None = None  # {"config": KEY} or {"env": NAME}
    index: int = 0  # position in users

    def resource_args(self) -> EntryArgs:
        """Keyword arguments for WorkDocsUser (without organization_id and password)."""
        args = EntryArgs(username=self.username, given_name=self.given_name, surname=self.surname)
        args.update(self.values)
        if self.storage is not None:
            args["storage_rule"] = parse_size(self.storage)
        return args


@dataclass(frozen=True)
class UsersFile:
    path: Path
    organization_id: str
    users: list[UserEntry] = field(default_factory=list)
    document: dict[str, Any] = field(default_factory=dict)
    text: str = ""  # as read (decoded), for what needs its layout (export's indentation)

    def inputs(self, entry: UserEntry) -> UserArgs:
        """WorkDocsUser's arguments for ``entry`` as the root stack registers them (password aside)."""
        return UserArgs(**entry.resource_args(), organization_id=self.organization_id)
