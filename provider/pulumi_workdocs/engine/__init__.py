"""Running Pulumi programs with the real engine through the Automation API.

The CLI is built from source into the virtualenv (tools/pulumi/build.sh), next to the
dynamic-provider plugin. No Python language host is served for this machine, so programs
run as Automation API inline programs, which need none.
"""

from __future__ import annotations

import functools
import os
import random
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import ParamSpec, TypeVar

from pulumi import automation as auto

from pulumi_workdocs.errors import EngineError

P = ParamSpec("P")
R = TypeVar("R")
MIN_CLI_VERSION = (3, 181)  # inline refresh/destroy need it
CREATE_PATIENCE = 30.0  # seconds a runner waits for another that is creating the same stack
DEMO_PASSPHRASE = "workdocs-demo-only-passphrase"  # for the local demo state; not a secret


class EngineMissing(EngineError):
    """The Pulumi CLI or the dynamic-provider plugin is not where the setup puts them."""


class PassphraseMissing(EngineError):
    """No passphrase for the stack's secrets; never guessed, because a guess would be public."""


def bin_dir() -> Path:
    return Path(sys.executable).parent


def pulumi_command() -> auto.PulumiCommand:
    """The CLI built by ``make bootstrap``; a clear error (never a skip) when it is missing."""
    cli = bin_dir() / "pulumi"
    plugin = bin_dir() / "pulumi-resource-pulumi-python"
    for path in (cli, plugin):
        if not os.access(path, os.X_OK):
            raise EngineMissing(
                f"the Pulumi engine is missing: {path} not found. Run `make bootstrap` "
                "(tools/pulumi/build.sh builds the CLI from github.com/pulumi/pulumi/pkg/v3)."
            )
    return auto.PulumiCommand(root=str(bin_dir().parent))


def backend_url(backend: Path | str) -> str:
    """A state backend URL; a plain folder becomes a local file backend."""
    if isinstance(backend, str) and "://" in backend:
        return backend
    path = Path(backend).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path.as_uri()


def passphrase_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE, from ``extra`` or the environment."""
    source = {**os.environ, **(extra or {})}
    passphrase, file = source.get("PULUMI_CONFIG_PASSPHRASE"), source.get("PULUMI_CONFIG_PASSPHRASE_FILE")
    if passphrase:
        return {"PULUMI_CONFIG_PASSPHRASE": passphrase}
    if file and passphrase is not None:  # set but empty: the CLI would take it over the file
        raise PassphraseMissing(
            "PULUMI_CONFIG_PASSPHRASE is set but empty; unset it to use PULUMI_CONFIG_PASSPHRASE_FILE"
        )
    if file:
        try:
            empty = not Path(file).read_text().strip()
        except OSError as err:
            raise PassphraseMissing(f"PULUMI_CONFIG_PASSPHRASE_FILE {file} cannot be read: {err.strerror}") from None
        if empty:
            raise PassphraseMissing(f"PULUMI_CONFIG_PASSPHRASE_FILE {file} is empty")
        return {"PULUMI_CONFIG_PASSPHRASE_FILE": file}
    raise PassphraseMissing(
        "PULUMI_CONFIG_PASSPHRASE is not set (or is empty): the stack's secrets, such as the password seed, "
        "are encrypted with it; set it (in CI, from a repository secret) or set PULUMI_CONFIG_PASSPHRASE_FILE"
    )


def workspace_env(backend: Path | str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for the CLI and the provider plugin it starts."""
    passphrase = passphrase_env(extra)  # before backend_url, which makes a folder backend's folder
    env = {
        "PULUMI_BACKEND_URL": backend_url(backend),
        **passphrase,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        # The engine finds the plugin next to the CLI; PATH is the fallback.
        "PATH": f"{bin_dir()}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.update(extra or {})
    return env


def inline_stack(
    project_name: str,
    stack_name: str,
    program: Callable[[], None],
    backend: Path | str,
    work_dir: Path,
    config: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    pulumi_home: Path | None = None,
) -> auto.Stack:
    """Create or select a stack (a folder is a local file backend), running ``program`` inline."""
    work_dir.mkdir(parents=True, exist_ok=True)
    if pulumi_home is None:
        pulumi_home = Path(backend) / ".pulumi-home" if "://" not in str(backend) else work_dir / ".pulumi-home"
    has_project = (work_dir / "Pulumi.yaml").exists()  # then it is read, never rewritten
    options = auto.LocalWorkspaceOptions(
        work_dir=str(work_dir),
        pulumi_home=str(pulumi_home),
        env_vars=workspace_env(backend, env),
        secrets_provider="passphrase",
        project_settings=None if has_project else auto.ProjectSettings(name=project_name, runtime="python"),
        pulumi_command=pulumi_command(),
    )
    stack = _create_or_select(stack_name, project_name, program, options)
    for key, value in (config or {}).items():
        stack.set_config(key, auto.ConfigValue(value=value))
    return stack


def _create_or_select(
    stack_name: str, project_name: str, program: Callable[[], None], options: auto.LocalWorkspaceOptions
) -> auto.Stack:
    """Select the stack, creating it if it is new; two runners creating it at once both get it.

    The backend creates a stack under the stack's lock (a self-managed backend writes its lock,
    then looks for others), so the runner that loses sees "currently locked" or "already
    exists": it selects the stack the other made, after a short, random wait.
    """
    deadline = time.monotonic() + CREATE_PATIENCE
    while True:
        try:
            return auto.create_or_select_stack(stack_name, project_name, program, opts=options)
        except auto.CommandError as err:
            racing = isinstance(err, auto.StackAlreadyExistsError) or "the stack is currently locked" in str(err)
            if not racing or time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0.2, 1.0))


def engine_errors(run: Callable[P, R]) -> Callable[P, R]:
    """The CLI's failures (a wrong passphrase, a locked stack) as one EngineError line: its own
    ``error:`` lines when it printed any, else its whole output."""

    @functools.wraps(run)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return run(*args, **kwargs)
        except auto.CommandError as err:
            lines = (line.strip().removeprefix("stderr:").strip() for line in str(err).splitlines())
            said = [line for line in lines if line.startswith("error:")]
            message = f"the engine failed: {' '.join(said)}" if said else f"the engine failed:\n{err}"
            raise EngineError(message) from None

    return wrapper
