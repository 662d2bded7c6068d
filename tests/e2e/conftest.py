"""End-to-end fixtures: the real Pulumi engine (Automation API) against workdocs-local.

No skip anywhere: when the CLI built by ``make bootstrap`` is missing, ``pulumi_command``
raises EngineMissing and every test here errors with that message.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi import automation as auto

from pulumi_workdocs.cli import main
from pulumi_workdocs.engine import inline_stack, pulumi_command, workspace_env
from tests.s3_server import S3Server
from workdocs_local import WorkDocsLocalServer

# A distinctive secret key, so a test can prove it never reaches state.
ACCESS_KEY = "AKIDE2ETESTKEY"
SECRET_KEY = "e2e-Secret-Key-0d9f7c"
PASSPHRASE = "e2e-state-passphrase"

pytestmark = pytest.mark.e2e


@pytest.fixture
def engine_server() -> Iterator[WorkDocsLocalServer]:
    with WorkDocsLocalServer(access_keys=[f"{ACCESS_KEY}:{SECRET_KEY}"]) as server:
        yield server


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """One S3-compatible server (moto) for the whole run; each test has its own prefix in its bucket."""
    with S3Server() as server:
        yield server


BACKENDS = ["file", "s3"]
# The same test on a folder (file://) and on a bucket (s3://): `@ON_EVERY_BACKEND` before it.
ON_EVERY_BACKEND = pytest.mark.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """The state backend: a folder in tmp_path, or with ``s3`` a prefix of its own in the session's
    bucket. A test runs on the file backend unless it is parametrized (``ON_EVERY_BACKEND``)."""
    kind = getattr(request, "param", "file")
    if kind == "file":
        return tmp_path / "state"
    server: S3Server = request.getfixturevalue("s3_server")
    return server.url(prefix=tmp_path.name)


class StackRunner:
    """One project/stack on a backend (a folder in tmp_path by default), running programs inline."""

    def __init__(self, server: WorkDocsLocalServer, tmp_path: Path, backend: Path | str | None = None) -> None:
        self.server = server
        self.backend: Path | str = tmp_path / "state" if backend is None else backend
        self.work = tmp_path / "work"
        self.env = {
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_DEFAULT_REGION": "us-east-1",
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        }
        self.program: Callable[[], None] = lambda: None
        self.output: list[str] = []
        self.command = pulumi_command()  # fails (never skips) when the engine is missing

    def pulumi_home(self) -> Path:
        """The PULUMI_HOME ``inline_stack`` gives this backend's stacks."""
        return self.work / ".pulumi-home" if "://" in str(self.backend) else Path(self.backend) / ".pulumi-home"

    def workspace_env(self) -> dict[str, str]:
        return workspace_env(self.backend, self.env)

    def stack(self) -> auto.Stack:
        return inline_stack(
            "e2e",
            "dev",
            lambda: self.program(),
            self.backend,
            self.work,
            config={"workdocs:endpoint": self.server.url},
            env=self.env,
        )

    def up(self, program: Callable[[], None] | None = None) -> auto.UpResult:
        if program is not None:
            self.program = program
        return self.stack().up(on_output=self.output.append)

    def preview(self, program: Callable[[], None] | None = None) -> auto.PreviewResult:
        if program is not None:
            self.program = program
        return self.stack().preview(on_output=self.output.append)

    def refresh(self) -> auto.RefreshResult:
        return self.stack().refresh(on_output=self.output.append)

    def destroy(self) -> auto.DestroyResult:
        return self.stack().destroy(on_output=self.output.append)

    def resources(self) -> dict[str, dict[str, Any]]:
        """State of each WorkDocsUser by resource name (secrets shown, for assertions)."""
        return user_resources(self.stack())

    def export_plain(self, cwd: Path | None = None) -> str:
        """``pulumi stack export`` as a user runs it (no --show-secrets)."""
        env = {**os.environ, **workspace_env(self.backend, self.env)}
        env["PULUMI_HOME"] = str(self.pulumi_home())
        cli = pulumi_command().command
        done = subprocess.run(
            [cli, "stack", "export", "--stack", "dev"],
            cwd=cwd or self.work,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        json.loads(done.stdout)
        return done.stdout


def user_resources(stack: auto.Stack) -> dict[str, dict[str, Any]]:
    """A stack's WorkDocsUser resources by name, as ``export_stack`` gives them (secrets shown)."""
    deployment = stack.export_stack().deployment or {}
    return {
        r["urn"].rsplit("::", 1)[1]: r for r in deployment.get("resources", []) if r["type"].endswith("workdocs:User")
    }


MUTATING = {"CreateUser", "UpdateUser", "DeleteUser", "ActivateUser", "DeactivateUser"}


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials for the CLI's engine and provider, from the environment as a user sets them."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE)


def user(name: str, **extra: Any) -> dict[str, Any]:
    return {"username": name, "given_name": name.title(), "surname": "Tester", "email_address": f"{name}@example.com",
            **extra}  # fmt: skip


class UsersCli:
    def __init__(self, runner: StackRunner, folder: Path) -> None:
        self.runner = runner
        self.path = folder / "users.yaml"

    def write(self, users: list[dict[str, Any]], **top: Any) -> None:
        document = {"organization_id": self.runner.server.organization_id, **top, "users": users}
        self.path.write_text(yaml.safe_dump(document, sort_keys=False))

    def __call__(self, *args: str) -> int:
        common = ["--file", str(self.path), "--stack", "dev", "--backend", str(self.runner.backend),
                  "--endpoint", self.runner.server.url]  # fmt: skip
        return main([args[0], *common, *args[1:]])

    def mutations(self) -> list[str]:
        return [e["operation"] for e in self.runner.server.app.requests.entries() if e["operation"] in MUTATING]


@pytest.fixture
def cli(runner: StackRunner, tmp_path: Path, cli_env: None) -> UsersCli:
    return UsersCli(runner, tmp_path)


@pytest.fixture
def runner(engine_server: WorkDocsLocalServer, tmp_path: Path, backend: Path | str) -> StackRunner:
    return StackRunner(engine_server, tmp_path, backend)
