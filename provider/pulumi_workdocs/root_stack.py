"""Opening the root stack (Pulumi.yaml + users.yaml) with the real engine."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path

from pulumi import automation as auto

from pulumi_workdocs.engine import inline_stack
from pulumi_workdocs.stack import CONFIG_NAMESPACE, PASSWORD_SEED_KEY, program
from pulumi_workdocs.users_file import UsersFile

PROJECT = "workdocs-users"  # the name in Pulumi.yaml


def open_stack(
    users_file: UsersFile,
    stack_name: str,
    backend: Path | str,
    work_dir: Path,
    endpoint: str | None = None,
    env: Mapping[str, str] | None = None,
) -> auto.Stack:
    config = {"workdocs:endpoint": endpoint} if endpoint else None
    stack = inline_stack(PROJECT, stack_name, program(users_file), backend, work_dir, config, env)
    key = f"{CONFIG_NAMESPACE}:{PASSWORD_SEED_KEY}"
    if key not in stack.get_all_config():
        # The seed of generated passwords: made once, kept encrypted in the stack's config.
        stack.set_config(key, auto.ConfigValue(value=secrets.token_urlsafe(32), secret=True))
    return stack
