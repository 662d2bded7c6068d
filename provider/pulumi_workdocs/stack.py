"""The root stack's program: one WorkDocsUser per entry of the users file."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Callable, Mapping
from typing import Any

import pulumi

from pulumi_workdocs.resource import WorkDocsUser
from pulumi_workdocs.users_file import UserEntry, UsersFile

CONFIG_NAMESPACE = "workdocs-users"
PASSWORD_SEED_KEY = "passwordSeed"  # secret stack config, made once by the runner


def generated_password(seed: str, organization_id: str, username: str) -> str:
    """Stable per stack and user, unguessable without the secret seed: the same each run."""
    digest = hmac.new(seed.encode(), f"{organization_id}/{username.lower()}".encode(), hashlib.sha256)
    body = base64.urlsafe_b64encode(digest.digest()).decode()[:20]
    return f"Wd-{body}-7a"  # letters, digits and symbols: 26 characters, within WorkDocs' 4-32


def password_config_key(key: str) -> tuple[str, str]:
    """(namespace, name) of a ``password: {config: KEY}``: ``ns:name``, or a name of this project."""
    namespace, _, name = key.rpartition(":")
    return namespace or CONFIG_NAMESPACE, name


def _password(entry: UserEntry, organization_id: str, config: pulumi.Config) -> tuple[Any, bool]:
    """(password Output, generated?) from the entry's reference; never from the file itself."""
    source = entry.password or {}
    if "config" in source:
        namespace, name = password_config_key(source["config"])
        return pulumi.Config(namespace).require_secret(name), False
    if "env" in source:
        # Unset is fine for a user that exists: the password is used once, to create it. Then
        # none is passed, and the run hand-off names the variable (unset_password_env).
        value = os.environ.get(source["env"])
        return (pulumi.Output.secret(value) if value else None), False
    seed = config.require_secret(PASSWORD_SEED_KEY)
    return seed.apply(lambda s: generated_password(s, organization_id, entry.username)), True


def unset_password_env(users_file: UsersFile, environ: Mapping[str, str]) -> dict[str, str]:
    """Username -> the ``password: {env: NAME}`` variable that is not set, for the run hand-off:
    the program passes no password for these users, and the provider refuses only to create one."""
    return {
        entry.username: entry.password["env"]
        for entry in users_file.users
        if entry.password and "env" in entry.password and not environ.get(entry.password["env"])
    }


def program(users_file: UsersFile) -> Callable[[], None]:
    def run() -> None:
        config = pulumi.Config(CONFIG_NAMESPACE)
        users: dict[str, Any] = {}
        generated: dict[str, Any] = {}
        for entry in users_file.users:
            password, was_generated = _password(entry, users_file.organization_id, config)
            user = WorkDocsUser(
                entry.username,
                organization_id=users_file.organization_id,
                password=password,
                opts=pulumi.ResourceOptions(protect=entry.protect),
                **entry.resource_args(),
            )
            users[entry.username] = {
                "id": user.id,
                "root_folder_id": user.root_folder_id,
                "recycle_bin_folder_id": user.recycle_bin_folder_id,
                "status": user.status,
            }
            if was_generated:
                generated[entry.username] = password
        pulumi.export("users", users)
        pulumi.export("generated_passwords", pulumi.Output.secret(generated))

    return run
