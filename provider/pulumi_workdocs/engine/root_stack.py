"""Opening the root stack (Pulumi.yaml + users.yaml) with the real engine."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path

from pulumi import automation as auto

from pulumi_workdocs.aws import ENDPOINT_ENV
from pulumi_workdocs.engine import inline_stack
from pulumi_workdocs.errors import EngineError
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
    # The endpoint reaches the provider through the environment, never the stack's config file.
    env = {**(env or {}), ENDPOINT_ENV: endpoint or ""}
    stack = inline_stack(PROJECT, stack_name, program(users_file), backend, work_dir, None, env)
    key = f"{CONFIG_NAMESPACE}:{PASSWORD_SEED_KEY}"
    has_seed = key in stack.get_all_config()
    if not has_seed and stack.history(page_size=1):
        # Updated before, so the seed was made and is lost: a new one would change every
        # generated password in the outputs, and none of them in WorkDocs.
        raise SeedMissing(
            f"stack {stack_name!r} has been updated before, but {work_dir / f'Pulumi.{stack_name}.yaml'} "
            f"has no {key}: restore that file (keep it in git next to the users file; it holds only ciphertext), "
            f"or, if it is lost for good, set a new seed with `pulumi config set --secret {key} ...` (generated "
            "passwords then change in the outputs, not in WorkDocs)"
        )
    if not has_seed:
        # The seed of generated passwords: made once, kept encrypted in the stack's config.
        stack.set_config(key, auto.ConfigValue(value=secrets.token_urlsafe(32), secret=True))
    return stack


class SeedMissing(EngineError):
    """The stack's config file, which holds the password seed, did not come with the users file."""
