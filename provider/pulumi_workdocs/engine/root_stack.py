"""Opening the root stack (Pulumi.yaml + users.yaml) with the real engine."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import secrets
import weakref
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from pulumi_workdocs import handoff
from pulumi_workdocs.engine import inline_stack
from pulumi_workdocs.errors import EngineError
from pulumi_workdocs.handoff import Endpoint, RunHandoff
from pulumi_workdocs.stack import CONFIG_NAMESPACE, PASSWORD_SEED_KEY, program, unset_password_env
from pulumi_workdocs.users_file import UsersFile

PROJECT = "workdocs-users"  # the name in Pulumi.yaml


def open_stack(
    users_file: UsersFile,
    stack_name: str,
    backend: Path | str,
    work_dir: Path,
    endpoint: Endpoint | str | None = None,
    env: Mapping[str, str] | None = None,
) -> auto.Stack:
    """The root stack, with its run hand-off (the endpoint, the unset password variables) in a
    file its engine runs name by WORKDOCS_RUN; removed when the stack object goes, or at exit.

    The endpoint reaches the provider through the hand-off, never the stack's config file; a
    bare URL is one the caller chose, and None leaves it to the stack's workdocs:endpoint.
    """
    if isinstance(endpoint, str):
        endpoint = Endpoint(endpoint, "given to open_stack")
    base = RunHandoff(
        endpoint or Endpoint(None, handoff.AWS_DEFAULT), unset_password_env=unset_password_env(users_file, os.environ)
    )
    path = handoff.temp_file(base)
    try:
        env = {**(env or {}), handoff.RUN_ENV: str(path)}
        stack = inline_stack(PROJECT, stack_name, program(users_file), backend, work_dir, None, env)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    weakref.finalize(stack, path.unlink, missing_ok=True)
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


@contextlib.contextmanager
def handing_off(stack: auto.Stack, env: Mapping[str, str] | None = None, **changes: Any) -> Iterator[RunHandoff]:
    """The engine runs inside the block get the stack's hand-off with ``changes`` (a listing,
    the approved removals, the journal) and the variables ``env``; the file goes after."""
    before = stack.workspace.env_vars
    run = dataclasses.replace(handoff.current(before) or RunHandoff(), **changes)
    path = handoff.temp_file(run)
    stack.workspace.env_vars = {**before, **(env or {}), handoff.RUN_ENV: str(path)}
    try:
        yield run
    finally:
        stack.workspace.env_vars = before
        path.unlink(missing_ok=True)


class SeedMissing(EngineError):
    """The stack's config file, which holds the password seed, did not come with the users file."""
